package auth

import (
	"sync"
	"time"
)

// throttle counts failed logins per key (an account or an address) in a sliding window and
// locks the key out once it reaches its limit. Memory is bounded: expired keys are dropped,
// and past maxKeys the oldest-looking entries go first.
type throttle struct {
	limit   int
	window  time.Duration
	maxKeys int

	mu       sync.Mutex
	failures map[string][]time.Time
}

func newThrottle(limit int, window time.Duration, maxKeys int) *throttle {
	return &throttle{limit: limit, window: window, maxKeys: maxKeys, failures: make(map[string][]time.Time)}
}

// retryAfter is how long key must still wait, or 0 when it may try now.
func (t *throttle) retryAfter(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.recent(key, now)
	if len(recent) < t.limit {
		return 0
	}
	return recent[len(recent)-t.limit].Add(t.window).Sub(now)
}

// fail records a failed attempt by key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.failures[key]; !ok && len(t.failures) >= t.maxKeys {
		t.evict(now)
	}
	recent := t.recent(key, now)
	if len(recent) >= t.limit {
		recent = recent[1:] // only the last limit failures decide the lockout
	}
	t.failures[key] = append(recent, now)
}

// reset forgets key's failures (after a successful login).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

// recent returns key's failures inside the window; the caller holds mu.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	list := t.failures[key]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= t.window {
		i++
	}
	if i == len(list) {
		delete(t.failures, key)
		return nil
	}
	return list[i:]
}

// evict drops expired keys and, if the map is still full, an arbitrary half of it: a flood of
// addresses must not grow memory without bound. The caller holds mu.
func (t *throttle) evict(now time.Time) {
	for k := range t.failures {
		t.recent(k, now)
	}
	for k := range t.failures {
		if len(t.failures) < t.maxKeys/2 {
			break
		}
		delete(t.failures, k)
	}
}
