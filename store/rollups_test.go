package store

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// rollupFixture is one monitor with 3 days of checks every 10 minutes from t0, recorded
// through RecordResult: latencies depend on the hour, some checks are down or degraded.
type rollupFixture struct {
	s       *Store
	org     int64
	m       monitor.Monitor
	idle    monitor.Monitor // a monitor of the org without checks
	results []monitor.Result
}

func newRollupFixture(t *testing.T) rollupFixture {
	t.Helper()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := httpMonitor(org, "site")
	m.Retries = 0
	f := rollupFixture{s: s, org: org, m: createMonitor(t, s, m), idle: createMonitor(t, s, httpMonitor(org, "idle"))}
	for i := range 3 * 24 * 6 {
		at := t0.Add(time.Duration(i) * 10 * time.Minute)
		r := monitor.Result{MonitorID: f.m.ID, StartedAt: at, Outcome: monitor.OutcomeUp,
			Duration: time.Duration(20+at.Hour()*10+i%7) * time.Millisecond}
		switch {
		case i%17 == 0:
			r.Outcome, r.Duration, r.ErrorClass, r.Message = monitor.OutcomeDown, 10*time.Second, monitor.ClassTimeout, "timeout"
		case i%23 == 0:
			r.Outcome, r.Duration, r.ErrorClass, r.Message = monitor.OutcomeDegraded, 1200*time.Millisecond, monitor.ClassLatency, "slow"
		}
		record(t, s, r)
		f.results = append(f.results, r)
	}
	return f
}

// expect computes, from the raw results, what rollups should say for results in [from, to).
func (f rollupFixture) expect(from, to time.Time) (want Uptime, maxLatency time.Duration, latencies []time.Duration) {
	var sum time.Duration
	for _, r := range f.results {
		if r.StartedAt.Before(from) || !r.StartedAt.Before(to) {
			continue
		}
		want.Checks++
		if r.Outcome.Success() {
			want.Ups++
			sum += r.Duration.Truncate(time.Millisecond)
			latencies = append(latencies, r.Duration)
			maxLatency = max(maxLatency, r.Duration)
		}
	}
	want.Ratio = -1
	if want.Checks > 0 {
		want.Ratio = float64(want.Ups) / float64(want.Checks)
	}
	if want.Ups > 0 {
		want.AvgLatency = sum / time.Duration(want.Ups)
	}
	return want, maxLatency, latencies
}

// checkP95 checks an estimated p95 against the exact one: same histogram bucket.
func checkP95(t *testing.T, got time.Duration, latencies []time.Duration) {
	t.Helper()
	if len(latencies) == 0 {
		if got != 0 {
			t.Errorf("p95 = %v without latencies", got)
		}
		return
	}
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	exact := sorted[int(math.Ceil(0.95*float64(len(sorted))))-1]
	lo, hi := monitor.LatencyBucketBounds(monitor.LatencyBucket(exact))
	if hi == 0 {
		hi = sorted[len(sorted)-1]
	}
	if got < lo || got > hi {
		t.Errorf("p95 = %v, exact %v: not in its bucket [%v, %v]", got, exact, lo, hi)
	}
}

func sameUptime(t *testing.T, got, want Uptime) {
	t.Helper()
	if got.Checks != want.Checks || got.Ups != want.Ups || math.Abs(got.Ratio-want.Ratio) > 1e-12 ||
		(got.AvgLatency-want.AvgLatency).Abs() > time.Microsecond {
		t.Errorf("uptime\n got %+v\nwant %+v (p95 not compared)", got, want)
	}
}

func TestUptimeSince(t *testing.T) {
	ctx := context.Background()
	f := newRollupFixture(t)
	end := t0.Add(72 * time.Hour)
	tests := []struct {
		name  string
		since time.Time
		from  time.Time // what the answer must cover: results started at or after from
	}{
		{name: "everything", since: t0.Add(-24 * time.Hour), from: t0.Add(-24 * time.Hour)},
		{name: "since a midnight", since: t0.Add(24 * time.Hour), from: t0.Add(24 * time.Hour)},
		{name: "late in a day: hours added", since: t0.Add(24*time.Hour + 18*time.Hour), from: t0.Add(24*time.Hour + 18*time.Hour)},
		{name: "early in a day: hours subtracted", since: t0.Add(24*time.Hour + 5*time.Hour), from: t0.Add(24*time.Hour + 5*time.Hour)},
		{name: "within an hour: the hour counts whole", since: t0.Add(30*time.Hour + 25*time.Minute), from: t0.Add(30 * time.Hour)},
		{name: "first day, early", since: t0.Add(2 * time.Hour), from: t0.Add(2 * time.Hour)},
		{name: "last day, late", since: t0.Add(71 * time.Hour), from: t0.Add(71 * time.Hour)},
		{name: "noon exactly", since: t0.Add(36 * time.Hour), from: t0.Add(36 * time.Hour)},
		{name: "after everything", since: end.Add(time.Hour), from: end.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, _, latencies := f.expect(tt.from, end.Add(time.Hour))
			all, err := f.s.UptimeSince(ctx, f.org, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 2 {
				t.Fatalf("uptime of %d monitors, want 2 (the idle one too)", len(all))
			}
			if idle := all[f.idle.ID]; idle.Checks != 0 || idle.Ratio != -1 {
				t.Errorf("idle monitor: %+v", idle)
			}
			sameUptime(t, all[f.m.ID], want)
			checkP95(t, all[f.m.ID].P95Latency, latencies)

			one, err := f.s.MonitorUptime(ctx, f.org, f.m.ID, tt.since)
			if err != nil || one != all[f.m.ID] {
				t.Errorf("MonitorUptime = %+v, %v; UptimeSince said %+v", one, err, all[f.m.ID])
			}
		})
	}
	t.Run("unknown monitor", func(t *testing.T) {
		if _, err := f.s.MonitorUptime(ctx, f.org, 9999, t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	})
}

// TestUptimeSinceHourlyPruned: once the hourly rollups of since's day are gone, that day is
// counted whole from the daily rollup.
func TestUptimeSinceHourlyPruned(t *testing.T) {
	ctx := context.Background()
	f := newRollupFixture(t)
	day1 := t0.Add(24 * time.Hour)
	if _, err := f.s.Prune(ctx, day1.Add(6*time.Hour), Retention{HourlyRollups: 1}); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, f.s, "rollups_hourly", "bucket_start < ?", millis(day1.Add(6*time.Hour))); n != 0 {
		t.Fatalf("%d hourly rows left before the cutoff", n)
	}
	for _, since := range []time.Time{day1.Add(3 * time.Hour), day1.Add(15 * time.Hour)} {
		want, _, _ := f.expect(day1, t0.Add(100*time.Hour))
		got, err := f.s.MonitorUptime(ctx, f.org, f.m.ID, since)
		if err != nil {
			t.Fatal(err)
		}
		sameUptime(t, got, want)
	}
}

func TestRollups(t *testing.T) {
	ctx := context.Background()
	f := newRollupFixture(t)
	tests := []struct {
		name     string
		hourly   bool
		from, to time.Time
		size     time.Duration
		want     int
	}{
		{name: "hourly, one day", hourly: true, from: t0.Add(24 * time.Hour), to: t0.Add(48 * time.Hour), size: time.Hour, want: 24},
		{name: "hourly, from inside an hour", hourly: true, from: t0.Add(90 * time.Minute), to: t0.Add(4 * time.Hour), size: time.Hour, want: 3},
		{name: "daily, everything", from: t0.Add(-48 * time.Hour), size: 24 * time.Hour, want: 3},
		{name: "daily, from inside a day", from: t0.Add(30 * time.Hour), to: t0.Add(48 * time.Hour), size: 24 * time.Hour, want: 1},
		{name: "nothing yet", hourly: true, from: t0.Add(-10 * time.Hour), to: t0, size: time.Hour, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.Rollups(ctx, f.org, f.m.ID, tt.hourly, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("%d buckets, want %d", len(got), tt.want)
			}
			for i, b := range got {
				if i > 0 && !b.Start.After(got[i-1].Start) {
					t.Errorf("buckets not in order: %v after %v", b.Start, got[i-1].Start)
				}
				want, maxLatency, latencies := f.expect(b.Start, b.Start.Add(tt.size))
				var downs, degraded int64
				for _, r := range f.results {
					if !r.StartedAt.Before(b.Start) && r.StartedAt.Before(b.Start.Add(tt.size)) {
						switch r.Outcome {
						case monitor.OutcomeDown:
							downs++
						case monitor.OutcomeDegraded:
							degraded++
						}
					}
				}
				if b.Checks != want.Checks || b.Ups != want.Ups || b.Downs != downs || b.Degraded != degraded ||
					(b.AvgLatency-want.AvgLatency).Abs() > time.Microsecond || b.MaxLatency != maxLatency.Truncate(time.Millisecond) {
					t.Errorf("bucket %v: %+v\nwant checks %d ups %d downs %d degraded %d avg %v max %v",
						b.Start, b, want.Checks, want.Ups, downs, degraded, want.AvgLatency, maxLatency)
				}
				checkP95(t, b.P95Latency, latencies)
			}
		})
	}
}

// TestDailyRunningTotals checks the c_* columns kept by the trigger against plain sums.
func TestDailyRunningTotals(t *testing.T) {
	f := newRollupFixture(t)
	rows, err := f.s.read.Query(`SELECT d.bucket_start, d.c_checks, d.c_ups, d.c_sum_ms, d.c_h4, d.c_max_ms,
		(SELECT ifnull(sum(p.checks), 0) FROM rollups_daily p WHERE p.monitor_id = d.monitor_id AND p.bucket_start < d.bucket_start),
		(SELECT ifnull(sum(p.ups), 0) FROM rollups_daily p WHERE p.monitor_id = d.monitor_id AND p.bucket_start < d.bucket_start),
		(SELECT ifnull(sum(p.sum_ms), 0) FROM rollups_daily p WHERE p.monitor_id = d.monitor_id AND p.bucket_start < d.bucket_start),
		(SELECT ifnull(sum(p.h4), 0) FROM rollups_daily p WHERE p.monitor_id = d.monitor_id AND p.bucket_start < d.bucket_start),
		(SELECT ifnull(max(p.max_ms), 0) FROM rollups_daily p WHERE p.monitor_id = d.monitor_id AND p.bucket_start < d.bucket_start)
		FROM rollups_daily d WHERE d.monitor_id = ? ORDER BY d.bucket_start`, f.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var start int64
		var got, want [5]int64
		if err := rows.Scan(&start, &got[0], &got[1], &got[2], &got[3], &got[4], &want[0], &want[1], &want[2], &want[3], &want[4]); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("day %v: running totals %v, want %v", fromMillis(start), got, want)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d daily rows, want 3", n)
	}
}

// Checks under a millisecond are stored as 0 ms: their p95 is 0 too, never above the max.
func TestRollupsSubMillisecondP95(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "fast"))
	for i := range 20 {
		record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(time.Duration(i) * time.Minute),
			Duration: 300 * time.Microsecond, Outcome: monitor.OutcomeUp})
	}
	bs, err := s.Rollups(ctx, org, m.ID, true, t0, t0.Add(time.Hour))
	if err != nil || len(bs) != 1 {
		t.Fatalf("rollups: %v, %v", bs, err)
	}
	if b := bs[0]; b.MaxLatency != 0 || b.P95Latency != 0 {
		t.Errorf("max %v p95 %v, want 0 and 0", b.MaxLatency, b.P95Latency)
	}
}
