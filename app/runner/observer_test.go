package runner

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// fakeStore records results in memory; RecordResult fails for the monitor id failID.
type fakeStore struct {
	failID int64
}

func (fakeStore) ScheduledMonitors(context.Context) ([]monitor.Monitor, error) { return nil, nil }
func (fakeStore) MonitorForProbe(context.Context, int64) (monitor.Monitor, error) {
	return monitor.Monitor{}, errors.New("not used")
}
func (f fakeStore) RecordResult(_ context.Context, r monitor.Result) (monitor.State, *monitor.Flip, error) {
	if r.MonitorID == f.failID {
		return monitor.State{}, nil, errors.New("disk full")
	}
	return monitor.State{Status: monitor.Status(r.Outcome)}, nil, nil
}

// fixedProber answers every probe with the same outcome after a fixed duration.
type fixedProber struct{ outcome monitor.Outcome }

func (p fixedProber) Probe(_ context.Context, m monitor.Monitor) monitor.Result {
	return monitor.Result{MonitorID: m.ID, Outcome: p.outcome, Duration: 42 * time.Millisecond}
}

type observed struct {
	mu       sync.Mutex
	finished []string
	recorded []string
}

func (o *observed) CheckFinished(m monitor.Monitor, res monitor.Result) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished = append(o.finished, m.Name+" "+string(res.Outcome)+" "+res.Duration.String())
}

func (o *observed) ResultRecorded(m monitor.Monitor, res monitor.Result) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recorded = append(o.recorded, m.Name+" "+string(res.Outcome))
}

func TestObserverSeesFinishedChecksAndCommittedResults(t *testing.T) {
	obs := &observed{}
	r, err := New(Options{Store: fakeStore{failID: 2}, Prober: fixedProber{monitor.OutcomeDown}, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ok := monitor.Monitor{ID: 1, Name: "ok", Type: monitor.TypeHTTP}
	if _, _, _, err := r.RunNow(ctx, ok); err != nil {
		t.Fatal(err)
	}
	// A result the store refuses was still a finished check, but no result was written.
	if _, _, _, err := r.RunNow(ctx, monitor.Monitor{ID: 2, Name: "unwritten", Type: monitor.TypeTCP}); err == nil {
		t.Fatal("the store's error was not returned")
	}
	// A check cut short by shutdown is neither.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, _, err := r.RunNow(cancelled, ok); err == nil {
		t.Fatal("a cancelled check reported no error")
	}

	wantFinished := []string{"ok down 42ms", "unwritten down 42ms"}
	wantRecorded := []string{"ok down"}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if !slices.Equal(obs.finished, wantFinished) || !slices.Equal(obs.recorded, wantRecorded) {
		t.Errorf("finished %q recorded %q, want %q and %q", obs.finished, obs.recorded, wantFinished, wantRecorded)
	}
}

func TestNilObserverIsAllowed(t *testing.T) {
	r, err := New(Options{Store: fakeStore{}, Prober: fixedProber{monitor.OutcomeUp}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := r.RunNow(context.Background(), monitor.Monitor{ID: 1, Type: monitor.TypeHTTP}); err != nil {
		t.Fatal(err)
	}
}
