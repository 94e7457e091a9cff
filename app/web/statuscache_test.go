package web

import (
	"sync"
	"testing"
)

func TestLiveStreamsAreBounded(t *testing.T) {
	c := NewStatusCache()
	c.maxStreams = 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	opened := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.openStream() {
				mu.Lock()
				opened++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if opened != 3 {
		t.Fatalf("%d streams opened of 3 allowed", opened)
	}
	c.closeStream()
	if !c.openStream() {
		t.Error("a closed stream's place is not free again")
	}
	if c.openStream() {
		t.Error("a fourth stream opened")
	}
}

func TestHostOnly(t *testing.T) {
	for in, want := range map[string]string{"Status.Example.com:8080": "status.example.com", "status.example.com.": "status.example.com",
		"[::1]": "[::1]", "[::1]:80": "[::1]", "x.test": "x.test"} {
		if got := hostOnly(in); got != want {
			t.Errorf("hostOnly(%q) = %q, want %q", in, got, want)
		}
	}
}
