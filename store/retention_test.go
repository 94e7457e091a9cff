package store

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// pruneFixture records, for two monitors, a check every 12 hours over 410 days up to now
// (every 13th down, every 29th degraded), so that every retention has something to delete.
type pruneFixture struct {
	s       *Store
	org     int64
	ids     []int64
	now     time.Time
	results []monitor.Result
}

func newPruneFixture(t *testing.T) *pruneFixture {
	t.Helper()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	f := &pruneFixture{s: s, org: org, now: t0.AddDate(2, 0, 0)}
	for _, name := range []string{"one", "two"} {
		m := httpMonitor(org, name)
		m.Retries = 0
		f.ids = append(f.ids, createMonitor(t, s, m).ID)
	}
	f.recordSpan(t, f.now.Add(-410*24*time.Hour), f.now)
	return f
}

// recordSpan records the checks of both monitors in [from, to).
func (f *pruneFixture) recordSpan(t *testing.T, from, to time.Time) {
	t.Helper()
	cache := &stmtCache{}
	for at, i := from, 0; at.Before(to); at, i = at.Add(12*time.Hour), i+1 {
		for _, id := range f.ids {
			r := monitor.Result{MonitorID: id, StartedAt: at, Duration: 50 * time.Millisecond, Outcome: monitor.OutcomeUp}
			switch {
			case i%13 == 0:
				r.Outcome, r.ErrorClass, r.Message = monitor.OutcomeDown, monitor.ClassRefused, "refused"
			case i%29 == 0:
				r.Outcome, r.ErrorClass, r.Message = monitor.OutcomeDegraded, monitor.ClassLatency, "slow"
			}
			f.record(t, r, cache)
		}
	}
}

func (f *pruneFixture) record(t *testing.T, r monitor.Result, cache *stmtCache) {
	t.Helper()
	if _, _, err := f.s.recordResult(context.Background(), r, cache); err != nil {
		t.Fatal(err)
	}
	f.results = append(f.results, r)
}

// check compares what is left with what the default retention keeps as of now.
func (f *pruneFixture) check(t *testing.T, now time.Time) {
	t.Helper()
	r := DefaultRetention()
	var wantResults int64
	for _, res := range f.results {
		keep := now.Add(-r.Results)
		if res.Outcome != monitor.OutcomeUp {
			keep = now.Add(-r.Failures)
		}
		if !res.StartedAt.Before(keep) {
			wantResults++
		}
	}
	if got := countRows(t, f.s, "results", "") + countRows(t, f.s, "failed_results", ""); got != wantResults {
		t.Errorf("%d results left, want %d", got, wantResults)
	}
	if n := countRows(t, f.s, "results", "started_at < ?", millis(now.Add(-r.Results))); n != 0 {
		t.Errorf("%d results older than %v left in results", n, r.Results)
	}
	if n := countRows(t, f.s, "failed_results", "outcome = 0"); n != 0 {
		t.Errorf("%d successes in failed_results", n)
	}
	old := func(table, column string, age time.Duration) {
		t.Helper()
		if n := countRows(t, f.s, table, column+" < ?", millis(now.Add(-age))); n != 0 {
			t.Errorf("%d rows of %s older than %v left", n, table, age)
		}
		if n := countRows(t, f.s, table, column+" >= ?", millis(now.Add(-age))); n == 0 {
			t.Errorf("no rows of %s younger than %v left", table, age)
		}
	}
	old("flips", "at", r.Failures)
	old("rollups_hourly", "bucket_start", r.HourlyRollups)
	old("rollups_daily", "bucket_start", r.Rollups)
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t)
	before := map[string]int64{}
	for _, table := range []string{"results", "flips", "rollups_hourly", "rollups_daily"} {
		before[table] = countRows(t, f.s, table, "")
	}
	before["results"] += countRows(t, f.s, "failed_results", "")

	// Small batches, so that every step takes several transactions.
	r := Retention{batch: 64}
	st, err := f.s.Prune(ctx, f.now, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pruned %+v", st)
	f.check(t, f.now)
	deleted := map[string]int64{
		"results":        st.Results - st.Archived + st.Failures,
		"flips":          st.Flips,
		"rollups_hourly": st.HourlyRollups,
		"rollups_daily":  st.DailyRollups,
	}
	for table, n := range deleted {
		left := countRows(t, f.s, table, "")
		if table == "results" {
			left += countRows(t, f.s, "failed_results", "")
		}
		if n == 0 || before[table]-n != left {
			t.Errorf("%s: %d deleted, %d before, %d left", table, n, before[table], left)
		}
	}
	if least := (st.Results+st.Failures+st.Flips+st.HourlyRollups+st.DailyRollups)/64 + 4; st.Batches < least {
		t.Errorf("%d batches, want at least %d", st.Batches, least)
	}

	t.Run("again deletes nothing", func(t *testing.T) {
		st, err := f.s.Prune(ctx, f.now, r)
		if err != nil {
			t.Fatal(err)
		}
		if st.Results+st.Failures+st.Flips+st.HourlyRollups+st.DailyRollups != 0 {
			t.Errorf("second run pruned %+v", st)
		}
		f.check(t, f.now)
	})

	t.Run("a result recorded late is pruned by a later run", func(t *testing.T) {
		late := monitor.Result{MonitorID: f.ids[0], StartedAt: f.now.Add(-30 * 24 * time.Hour), Outcome: monitor.OutcomeUp}
		f.record(t, late, nil)
		if _, err := f.s.Prune(ctx, f.now, r); err != nil {
			t.Fatal(err)
		}
		// Behind the newer results, the walk has not reached it yet.
		if n := countRows(t, f.s, "results", "started_at = ?", millis(late.StartedAt)); n != 1 {
			t.Errorf("late result: %d rows", n)
		}
		later := f.now.Add(8 * 24 * time.Hour)
		f.recordSpan(t, f.now, later)
		if _, err := f.s.Prune(ctx, later, r); err != nil {
			t.Fatal(err)
		}
		f.check(t, later)
	})
}

// TestPruneKeepsIDsUnique: ids are not reused while a row of results or failed_results holds
// them, even when pruning or a monitor's deletion empties results.
func TestPruneKeepsIDsUnique(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	a := createMonitor(t, s, httpMonitor(org, "a"))
	b := createMonitor(t, s, httpMonitor(org, "b"))
	down := func(m monitor.Monitor, at time.Time) {
		record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: at, Outcome: monitor.OutcomeDown, Message: "x"})
	}
	for i := range 20 {
		m := a
		if i >= 10 {
			m = b
		}
		down(m, t0.Add(time.Duration(i)*time.Minute))
	}
	now := t0.Add(30 * 24 * time.Hour)
	st, err := s.Prune(ctx, now, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Archived != 20 || countRows(t, s, "results", "") != 0 {
		t.Fatalf("pruned %+v; %d left in results", st, countRows(t, s, "results", ""))
	}
	down(a, now)
	if got, err := s.Results(ctx, org, a.ID, time.Time{}, 1); err != nil || len(got) != 1 || got[0].ID != 21 {
		t.Fatalf("new result %+v, %v: want id 21, after the archived ones", got, err)
	}

	// Deleting a empties results again (b's archived rows hold 11..20).
	if err := s.DeleteMonitor(ctx, org, a.ID); err != nil {
		t.Fatal(err)
	}
	c := createMonitor(t, s, httpMonitor(org, "c"))
	for i := range 15 {
		down(c, now.Add(time.Duration(i)*time.Minute))
	}
	if st, err = s.Prune(ctx, now.Add(8*24*time.Hour), Retention{}); err != nil || st.Archived != 15 {
		t.Fatalf("pruned %+v, %v; want 15 archived", st, err)
	}
	seen := map[int64]string{}
	for _, m := range []monitor.Monitor{b, c} {
		all, err := s.Results(ctx, org, m.ID, time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range all {
			if other, dup := seen[r.ID]; dup {
				t.Errorf("id %d used by %s and %s", r.ID, other, m.Name)
			}
			seen[r.ID] = m.Name
		}
	}
	if len(seen) != 25 {
		t.Errorf("%d results, want 25", len(seen))
	}
}

func TestPruneStopsWhenContextEnds(t *testing.T) {
	s := openTest(t, Options{})
	m := createMonitor(t, s, httpMonitor(testOrg(t, s, "a"), "m"))
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeUp})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Prune(ctx, t0.AddDate(1, 0, 0), Retention{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := countRows(t, s, "results", ""); n != 1 {
		t.Errorf("%d results left, want 1 (nothing pruned)", n)
	}
}

// TestMaintainUnderWrites runs Maintain while results are recorded: no write fails, and once
// writes stop the WAL is truncated to nothing.
func TestMaintainUnderWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	ids := createMonitors(t, s, testOrg(t, s, "a"), 20)
	var stop atomic.Bool
	var recorded atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				r := syntheticResult(ids[(g+i)%len(ids)], t0.Add(time.Duration(i)*time.Second), uint64(g<<20|i))
				if _, _, err := s.RecordResult(ctx, r); err != nil {
					t.Error(err)
					return
				}
				recorded.Add(1)
			}
		})
	}
	for range 2 {
		time.Sleep(50 * time.Millisecond)
		if err := s.Maintain(ctx); err != nil {
			t.Error(err)
		}
		// Readers too, holding snapshots while the checkpoint runs.
		if _, err := s.UptimeSince(ctx, 1, t0); err != nil {
			t.Error(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if recorded.Load() == 0 {
		t.Fatal("nothing recorded")
	}
	if err := s.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 0 {
		t.Errorf("WAL is %d bytes after Maintain", fi.Size())
	}
	t.Logf("%d results recorded during 2 maintenance runs", recorded.Load())

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Maintain(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Maintain after Close: err = %v", err)
	}
}
