package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// record records r or fails the test.
func record(t testing.TB, s *Store, r monitor.Result) (monitor.State, *monitor.Flip) {
	t.Helper()
	st, f, err := s.RecordResult(context.Background(), r)
	if err != nil {
		t.Fatalf("RecordResult(%+v): %v", r, err)
	}
	return st, f
}

func TestRecordResultTransitions(t *testing.T) {
	type step struct {
		outcome    monitor.Outcome
		wantStatus monitor.Status
		wantFlip   string // "from>to: reason", "" for none
	}
	up, down, degraded := monitor.OutcomeUp, monitor.OutcomeDown, monitor.OutcomeDegraded
	tests := []struct {
		name                string
		retries, recoveries int
		steps               []step
	}{
		{name: "pending to up", steps: []step{
			{up, monitor.StatusUp, "pending>up: check succeeded"},
			{up, monitor.StatusUp, ""},
		}},
		{name: "failure confirmed after retries=1", retries: 1, steps: []step{
			{up, monitor.StatusUp, "pending>up: check succeeded"},
			{down, monitor.StatusUp, ""},
			{down, monitor.StatusDown, "up>down: boom (2 consecutive failures)"},
			{down, monitor.StatusDown, ""},
		}},
		{name: "a success between failures resets the count", retries: 1, steps: []step{
			{up, monitor.StatusUp, "pending>up: check succeeded"},
			{down, monitor.StatusUp, ""},
			{up, monitor.StatusUp, ""},
			{down, monitor.StatusUp, ""},
		}},
		{name: "recovery on the first success", steps: []step{
			{down, monitor.StatusDown, "pending>down: boom"},
			{up, monitor.StatusUp, "down>up: check succeeded"},
		}},
		{name: "recovery confirmed after recoveries=2", recoveries: 2, steps: []step{
			{down, monitor.StatusDown, "pending>down: boom"},
			{up, monitor.StatusDown, ""},
			{up, monitor.StatusUp, "down>up: 2 consecutive successful checks"},
		}},
		{name: "degraded and back", steps: []step{
			{up, monitor.StatusUp, "pending>up: check succeeded"},
			{degraded, monitor.StatusDegraded, "up>degraded: slow"},
			{up, monitor.StatusUp, "degraded>up: check succeeded"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t, Options{})
			org := testOrg(t, s, "a")
			m := httpMonitor(org, "site")
			m.Retries, m.Recoveries = tt.retries, tt.recoveries
			m = createMonitor(t, s, m)
			flips := 0
			for i, st := range tt.steps {
				r := monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(time.Duration(i) * time.Minute),
					Duration: 40 * time.Millisecond, Outcome: st.outcome}
				switch st.outcome {
				case down:
					r.ErrorClass, r.Message = monitor.ClassTimeout, "boom"
				case degraded:
					r.ErrorClass, r.Message = monitor.ClassLatency, "slow"
				}
				state, flip := record(t, s, r)
				if state.Status != st.wantStatus {
					t.Errorf("step %d: status %s, want %s", i, state.Status, st.wantStatus)
				}
				got := ""
				if flip != nil {
					got = fmt.Sprintf("%s>%s: %s", flip.From, flip.To, flip.Reason)
					flips++
					if flip.ID == 0 || flip.MonitorID != m.ID || !flip.At.Equal(r.StartedAt.Add(r.Duration)) {
						t.Errorf("step %d: flip %+v", i, flip)
					}
					// Written in the result's transaction: visible as soon as RecordResult returns.
					stored, err := s.Flips(ctx, org, m.ID, 1)
					if err != nil || len(stored) != 1 || stored[0] != *flip {
						t.Errorf("step %d: stored flips %+v, %v; want %+v", i, stored, err, *flip)
					}
				}
				if got != st.wantFlip {
					t.Errorf("step %d: flip %q, want %q", i, got, st.wantFlip)
				}
				stored, err := s.Monitor(ctx, org, m.ID)
				if err != nil || !reflect.DeepEqual(stored.State, state) {
					t.Errorf("step %d: stored state %+v, %v\nreturned %+v", i, stored.State, err, state)
				}
			}
			if n := countRows(t, s, "flips", "monitor_id = ?", m.ID); n != int64(flips) {
				t.Errorf("%d flip rows, want %d", n, flips)
			}
			if n := countRows(t, s, "results", "monitor_id = ?", m.ID); n != int64(len(tt.steps)) {
				t.Errorf("%d result rows, want %d", n, len(tt.steps))
			}
		})
	}
}

func TestRecordResultPausedOrDeleted(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	paused := httpMonitor(org, "paused")
	paused.Paused = true
	paused = createMonitor(t, s, paused)
	gone := createMonitor(t, s, httpMonitor(org, "gone"))
	if err := s.DeleteMonitor(ctx, org, gone.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("paused monitor discards the result", func(t *testing.T) {
		r := monitor.Result{MonitorID: paused.ID, StartedAt: t0.Add(time.Minute), Outcome: monitor.OutcomeDown, Message: "x"}
		state, flip, err := s.RecordResult(ctx, r)
		if err != nil || flip != nil || !reflect.DeepEqual(state, paused.State) {
			t.Errorf("RecordResult = %+v, %+v, %v; want %+v, nil, nil", state, flip, err, paused.State)
		}
		for _, table := range []string{"results", "rollups_hourly", "rollups_daily", "flips"} {
			if n := countRows(t, s, table, "monitor_id = ?", paused.ID); n != 0 {
				t.Errorf("%d rows in %s", n, table)
			}
		}
	})
	t.Run("deleted monitor", func(t *testing.T) {
		r := monitor.Result{MonitorID: gone.ID, StartedAt: t0, Outcome: monitor.OutcomeUp}
		if _, _, err := s.RecordResult(ctx, r); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown outcome", func(t *testing.T) {
		r := monitor.Result{MonitorID: paused.ID, StartedAt: t0, Outcome: "maybe"}
		if _, _, err := s.RecordResult(ctx, r); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want an error", err)
		}
	})
}

func TestResultsRoundTripAndPaging(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "site"))
	other := createMonitor(t, s, httpMonitor(org, "other"))
	ms := time.Millisecond
	want := []monitor.Result{
		{StartedAt: t0, Duration: 87 * ms, Outcome: monitor.OutcomeUp, Details: monitor.Details{
			StatusCode: 200, DNS: 3 * ms, Connect: 12 * ms, TLS: 30 * ms, FirstByte: 80 * ms,
			CertExpiry: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}},
		{StartedAt: t0.Add(time.Minute), Duration: 1500 * ms, Outcome: monitor.OutcomeDegraded,
			ErrorClass: monitor.ClassLatency, Message: "response time 1.5s above 1s", Details: monitor.Details{StatusCode: 200}},
		{StartedAt: t0.Add(2 * time.Minute), Duration: 45 * ms, Outcome: monitor.OutcomeDown,
			ErrorClass: monitor.ClassStatus, Message: "unexpected status 503", Details: monitor.Details{
				StatusCode: 503, BodySnippet: "<h1>503 Service Unavailable</h1>"}},
		{StartedAt: t0.Add(3 * time.Minute), Duration: 10 * time.Second, Outcome: monitor.OutcomeDown,
			ErrorClass: monitor.ClassAssertion, Message: "no expected answer", Details: monitor.Details{
				Answers: []string{"192.0.2.1", "192.0.2.2"}}},
		{StartedAt: t0.Add(4 * time.Minute), Outcome: monitor.OutcomeUp},
	}
	for i := range want {
		want[i].MonitorID = m.ID
		record(t, s, want[i])
		record(t, s, monitor.Result{MonitorID: other.ID, StartedAt: want[i].StartedAt, Outcome: monitor.OutcomeUp})
	}

	all, err := s.Results(ctx, org, m.ID, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(want) {
		t.Fatalf("%d results, want %d", len(all), len(want))
	}
	for i, got := range all {
		w := want[len(want)-1-i] // newest first
		if got.ID == 0 {
			t.Errorf("result %d has no ID", i)
		}
		w.ID = got.ID
		if !reflect.DeepEqual(got, w) {
			t.Errorf("result %d\n got %+v\nwant %+v", i, got, w)
		}
	}

	// Pruning moves the old failures to failed_results: Results still lists them, in order,
	// with their ids; the old successes are gone.
	t.Run("after pruning", func(t *testing.T) {
		if _, err := s.Prune(ctx, t0.Add(7*24*time.Hour+150*time.Second), Retention{}); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "failed_results", "monitor_id = ?", m.ID); n != 2 {
			t.Fatalf("%d archived failures, want 2", n)
		}
		got, err := s.Results(ctx, org, m.ID, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []monitor.Result{all[0], all[1], all[2], all[3]} // all but the oldest, a success
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after pruning\n got %+v\nwant %+v", got, want)
		}
	})

	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   []time.Time
	}{
		{name: "first page", limit: 2, want: []time.Time{want[4].StartedAt, want[3].StartedAt}},
		{name: "next page", before: want[3].StartedAt, limit: 2, want: []time.Time{want[2].StartedAt, want[1].StartedAt}},
		{name: "last page", before: want[1].StartedAt, limit: 2, want: nil}, // the oldest, a success, was pruned
		{name: "before everything", before: t0, limit: 2, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Results(ctx, org, m.ID, tt.before, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var times []time.Time
			for _, r := range got {
				times = append(times, r.StartedAt)
			}
			if !reflect.DeepEqual(times, tt.want) {
				t.Errorf("started %v, want %v", times, tt.want)
			}
		})
	}
}

// TestRecordResultConcurrent records from 50 goroutines on 10 monitors, through RecordResult
// and through the prepared statements: nothing is lost, rollups and states count every
// result exactly once.
func TestRecordResultConcurrent(t *testing.T) {
	for _, prepared := range []bool{false, true} {
		t.Run(fmt.Sprintf("prepared=%v", prepared), func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t, Options{})
			org := testOrg(t, s, "a")
			ids := createMonitors(t, s, org, 10)
			var cache *stmtCache
			if prepared {
				cache = &stmtCache{}
			}
			const goroutines, each = 50, 40
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range each {
						n := g*each + i
						r := monitor.Result{MonitorID: ids[n%len(ids)], Outcome: monitor.OutcomeUp,
							// Spread over 3 days, so that several hourly and daily rows are hit.
							StartedAt: t0.Add(time.Duration(n) * 3 * time.Minute), Duration: time.Duration(n%500) * time.Millisecond}
						if _, _, err := s.recordResult(ctx, r, cache); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()

			const total = goroutines * each
			for _, table := range []string{"rollups_hourly", "rollups_daily"} {
				var checks, ups int64
				if err := s.read.QueryRow(`SELECT sum(checks), sum(ups) FROM `+table).Scan(&checks, &ups); err != nil {
					t.Fatal(err)
				}
				if checks != total || ups != total {
					t.Errorf("%s: %d checks, %d ups, want %d", table, checks, ups, total)
				}
			}
			if n := countRows(t, s, "results", ""); n != total {
				t.Errorf("%d results, want %d", n, total)
			}
			monitors, err := s.Monitors(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range monitors {
				if m.State.ConsecutiveSuccesses != total/len(ids) || m.State.Status != monitor.StatusUp {
					t.Errorf("monitor %d: %+v, want %d consecutive successes", m.ID, m.State, total/len(ids))
				}
			}
		})
	}
}

// TestResultRowSize measures the bytes a result costs on disk (table + index, pages
// included) and guards against regressions.
func TestResultRowSize(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	ids := createMonitors(t, s, testOrg(t, s, "a"), 100)
	cache := &stmtCache{}
	const rounds = 100
	for round := range rounds {
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				at := t0.Add(time.Duration(round)*time.Minute + time.Duration(i)*600*time.Millisecond)
				if _, _, err := s.recordResult(ctx, syntheticResult(id, at, uint64(round*len(ids)+i)), cache); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	rows := int64(rounds * len(ids))
	var table, index int64
	if err := s.read.QueryRow(`SELECT
		(SELECT sum(pgsize) FROM dbstat WHERE name = 'results'),
		(SELECT sum(pgsize) FROM dbstat WHERE name = 'results_monitor_started')`).Scan(&table, &index); err != nil {
		t.Fatal(err)
	}
	perRow := float64(table+index) / float64(rows)
	t.Logf("%d results: table %.1f + index %.1f = %.1f bytes per result", rows, float64(table)/float64(rows),
		float64(index)/float64(rows), perRow)
	if perRow > 110 {
		t.Errorf("%.1f bytes per result: results grew", perRow)
	}
}
