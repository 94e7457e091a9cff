package web

import (
	"sync"
	"time"
)

// rateLimit allows each key (a client address) limit events per window: a fixed window
// per key, started by its first event. Memory is bounded: past maxKeys keys, expired
// windows are dropped, and if none has expired every key starts afresh (a flood of new
// addresses resets the counts rather than growing the map).
type rateLimit struct {
	limit   int
	window  time.Duration
	maxKeys int

	mu   sync.Mutex
	keys map[string]rateWindow
}

type rateWindow struct {
	start time.Time
	n     int
}

func newRateLimit(limit int, window time.Duration, maxKeys int) *rateLimit {
	return &rateLimit{limit: limit, window: window, maxKeys: maxKeys, keys: map[string]rateWindow{}}
}

// allow counts an event of key at now and reports whether it is within the limit, and if
// not how long until the key's window ends.
func (l *rateLimit) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.keys[key]
	if !ok || now.Sub(w.start) >= l.window {
		if !ok && len(l.keys) >= l.maxKeys {
			l.evict(now)
		}
		w = rateWindow{start: now}
	}
	if w.n >= l.limit {
		return false, w.start.Add(l.window).Sub(now)
	}
	w.n++
	l.keys[key] = w
	return true, 0
}

// evict drops the expired windows, or all of them when none has expired; mu is held.
func (l *rateLimit) evict(now time.Time) {
	for k, w := range l.keys {
		if now.Sub(w.start) >= l.window {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= l.maxKeys {
		clear(l.keys)
	}
}
