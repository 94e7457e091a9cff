package web

import (
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := newRateLimit(2, time.Minute, 2)
	steps := []struct {
		name string
		key  string
		at   time.Duration
		ok   bool
	}{
		{"first", "a", 0, true},
		{"second", "a", time.Second, true},
		{"over the limit", "a", 2 * time.Second, false},
		{"another key", "b", 3 * time.Second, true},
		{"window over", "a", time.Minute, true},
		{"past max keys: the expired are dropped", "c", 2 * time.Minute, true},
		{"b expired too", "b", 2 * time.Minute, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			ok, wait := l.allow(s.key, t0.Add(s.at))
			if ok != s.ok || (!ok && wait <= 0) {
				t.Errorf("allow(%s) = %v, %v; want %v", s.key, ok, wait, s.ok)
			}
		})
	}
	if len(l.keys) > 2 {
		t.Errorf("%d keys kept, max 2", len(l.keys))
	}
}
