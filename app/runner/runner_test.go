package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"statusthing/app/auth"
	"statusthing/app/monitor"
	"statusthing/app/probe"
	"statusthing/store"
)

func TestSpreadDistributesStarts(t *testing.T) {
	const n = 1000
	interval := 60 * time.Second
	perSecond := map[int64]int{}
	for id := int64(1); id <= n; id++ {
		off := spread(id, interval)
		if off < 0 || off >= interval {
			t.Fatalf("offset %s outside the interval", off)
		}
		perSecond[int64(off/time.Second)]++
		if spread(id, interval) != off {
			t.Fatal("spread is not stable")
		}
	}
	busiest := 0
	for _, c := range perSecond {
		busiest = max(busiest, c)
	}
	// 1,000 monitors over 60 s average 16.7 per second; a fair hash stays well under 40.
	if busiest > 40 || len(perSecond) < 55 {
		t.Errorf("busiest second has %d starts, %d seconds used", busiest, len(perSecond))
	}
}

type events struct {
	mu  sync.Mutex
	got []monitor.Event
}

func (e *events) Publish(ev monitor.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ev)
}

func TestRunRecordsPublishesAndSwitchesToRetryInterval(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "st.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := st.DefaultOrganization(ctx, "Org", "org", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var healthy atomic.Bool
	healthy.Store(true)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer target.Close()

	pub := &events{}
	r, err := New(Options{Store: st, Prober: probe.New(probe.Options{}), Publisher: pub, Concurrency: 2, IsNotFound: auth.IsNotFound})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	m, err := monitor.Spec{Name: "api", Type: monitor.TypeHTTP, URL: target.URL, Interval: monitor.Duration(time.Minute),
		RetryInterval: monitor.Duration(15 * time.Second)}.Build()
	if err != nil {
		t.Fatal(err)
	}
	m.OrgID = org.ID
	if m, err = st.CreateMonitor(ctx, m, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	interval := func() time.Duration {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.intervals[m.ID]
	}
	if got := interval(); got != time.Minute {
		t.Fatalf("scheduled every %s, want 1m", got)
	}

	res, state, flip, err := r.RunNow(ctx, m)
	if err != nil || res.Outcome != monitor.OutcomeUp || state.Status != monitor.StatusUp || flip == nil {
		t.Fatalf("first run: %+v %+v %+v %v", res, state, flip, err)
	}
	healthy.Store(false)
	r.check(ctx, m.ID) // the job itself: a failure to confirm switches to the retry interval
	deadline := time.Now().Add(5 * time.Second)
	for interval() != 15*time.Second && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := interval(); got != 15*time.Second {
		t.Fatalf("while confirming a failure: every %s, want 15s", got)
	}
	r.check(ctx, m.ID) // confirmed: down, back to the normal interval
	deadline = time.Now().Add(5 * time.Second)
	for interval() != time.Minute && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := interval(); got != time.Minute {
		t.Fatalf("once down: every %s, want 1m", got)
	}
	cur, err := st.Monitor(ctx, org.ID, m.ID)
	if err != nil || cur.State.Status != monitor.StatusDown {
		t.Fatalf("stored state %+v %v", cur.State, err)
	}
	pub.mu.Lock()
	n := len(pub.got)
	last := pub.got[n-1]
	pub.mu.Unlock()
	if n != 3 || last.Flip == nil || last.Flip.To != monitor.StatusDown || last.Result == nil {
		t.Errorf("published %d events, last %+v", n, last)
	}

	// A deleted monitor's job removes itself.
	if err := st.DeleteMonitor(ctx, org.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	r.check(ctx, m.ID)
	if got := interval(); got != 0 {
		t.Errorf("deleted monitor still scheduled every %s", got)
	}
}
