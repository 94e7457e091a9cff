package monitoring

import (
	"sync"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// A burst of ping events reaches live pages as its first event at once and its last one
// when the window is over: nothing in between, and never a page stuck on a stale ping.
func TestPublishThrottleSendsFirstAndLast(t *testing.T) {
	var mu sync.Mutex
	var got []string
	publish := func(ev monitor.Event) {
		mu.Lock()
		got = append(got, ev.State.LastMessage)
		mu.Unlock()
	}
	var p publishThrottle
	for _, msg := range []string{"start", "log", "exit status 0"} {
		p.offer(monitor.Event{MonitorID: 1, State: monitor.State{LastMessage: msg}}, publish)
	}
	p.offer(monitor.Event{MonitorID: 2, State: monitor.State{LastMessage: "other"}}, publish)
	snapshot := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
	if s := snapshot(); len(s) != 2 || s[0] != "start" || s[1] != "other" {
		t.Fatalf("published at once: %q, want the first event of each heartbeat", s)
	}
	for i := 0; len(snapshot()) < 3; i++ {
		if i == 100 {
			t.Fatalf("the held-back event never came: %q", snapshot())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s := snapshot(); len(s) != 3 || s[2] != "exit status 0" {
		t.Errorf("published %q, want the last event after the window", s)
	}
}
