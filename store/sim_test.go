package store

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// mix is splitmix64: a deterministic, stateless source of pseudo-random bits for synthetic
// results (same input, same result: the simulation is reproducible).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit maps bits to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// syntheticResult is a realistic result of an HTTPS check of monitor id started at at:
// 99.5% up, 0.4% down with an error message (timeouts, 503s with a body, refused
// connections) and 0.1% degraded (slow);
// latencies log-normal around a per-monitor median (20-300 ms) with connection timings,
// status code and certificate expiry measured, as the http prober reports them.
func syntheticResult(id int64, at time.Time, seed uint64) monitor.Result {
	per := mix(uint64(id))
	median := 20 + 280*unit(per)                     // ms, fixed per monitor
	z := math.Sqrt(-2*math.Log(1-unit(mix(seed)))) * // Box-Muller
		math.Cos(2*math.Pi*unit(mix(seed^0xabcdef)))
	latency := time.Duration(median*math.Exp(0.4*z)*1000) * time.Microsecond
	r := monitor.Result{
		MonitorID: id, StartedAt: at, Duration: latency, Outcome: monitor.OutcomeUp,
		Details: monitor.Details{
			StatusCode: 200,
			DNS:        time.Duration(1+per%5) * time.Millisecond,
			Connect:    latency / 5,
			TLS:        latency / 4,
			FirstByte:  latency * 3 / 4,
			CertExpiry: time.Date(2025, 6, 1+int(per%28), 12, 0, 0, 0, time.UTC),
		},
	}
	switch p := unit(mix(seed ^ 0x5555)); {
	case p < 0.0015:
		r.Outcome, r.ErrorClass, r.Duration = monitor.OutcomeDown, monitor.ClassTimeout, 10*time.Second
		r.Message = fmt.Sprintf(`Get "https://service-%d.example.com/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, id)
		r.Details = monitor.Details{DNS: r.Details.DNS}
	case p < 0.003:
		r.Outcome, r.ErrorClass = monitor.OutcomeDown, monitor.ClassStatus
		r.Message = "unexpected status 503 Service Unavailable (expected 200-299)"
		r.Details.StatusCode = 503
		r.Details.BodySnippet = "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>"
	case p < 0.004:
		r.Outcome, r.ErrorClass, r.Duration = monitor.OutcomeDown, monitor.ClassRefused, 3*time.Millisecond
		r.Message = fmt.Sprintf("dial tcp 203.0.113.%d:443: connect: connection refused", id%250)
		r.Details = monitor.Details{DNS: r.Details.DNS}
	case p < 0.005:
		r.Outcome, r.ErrorClass = monitor.OutcomeDegraded, monitor.ClassLatency
		r.Duration = 1200 * time.Millisecond
		r.Message = "response time 1.2s above 1s"
	}
	return r
}

// envInt reads a positive integer from the environment, def if unset.
func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// fileSizes returns the size of the database file and of its WAL.
func fileSizes(path string) (db, wal int64) {
	if fi, err := os.Stat(path); err == nil {
		db = fi.Size()
	}
	if fi, err := os.Stat(path + "-wal"); err == nil {
		wal = fi.Size()
	}
	return db, wal
}

// BenchmarkStorageSimulation is the storage simulation: SIM_MONITORS (1,000) monitors
// checked every 60 s for SIM_DAYS (90) simulated days, with synthetic results recorded
// through RecordResult (with prepared statements, see hotStmts) by 64 concurrent
// submitters, one day at a time, then Prune (default retention) and Maintain once per
// simulated day. It reports the database size (file + WAL)
// after 7, 30, 60 and 90 days, with the space of each table. A benchmark so that `go test`
// never runs it, skipped unless SIM_DAYS or SIM_MONITORS is set; run it alone:
//
//	SIM_DAYS=10 SIM_MONITORS=1000 go test ./store -run '^$' -bench StorageSimulation -benchtime 1x -timeout 2h
//
// SIM_DIR keeps the database in that directory (default: a temporary one, deleted).
func BenchmarkStorageSimulation(b *testing.B) {
	if os.Getenv("SIM_DAYS") == "" && os.Getenv("SIM_MONITORS") == "" {
		b.Skip("a long run (the full one takes hours): set SIM_DAYS and/or SIM_MONITORS to run it")
	}
	days, monitors := envInt(b, "SIM_DAYS", 90), envInt(b, "SIM_MONITORS", 1000)
	dir := os.Getenv("SIM_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	ctx := context.Background()
	for b.Loop() {
		path := filepath.Join(dir, fmt.Sprintf("sim-%dm-%dd.db", monitors, days))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(path + suffix)
		}
		s := openTest(b, Options{Path: path})
		ids := createMonitors(b, s, testOrg(b, s, "sim"), monitors)
		retention := DefaultRetention()
		cache := s.hotStmts()
		interval := time.Minute
		perDay := int(24 * time.Hour / interval)

		logf := func(format string, args ...any) {
			// Live progress on stderr (benchmark logs only print at the end, truncated).
			fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
			b.Logf(format, args...)
		}
		logf("simulating %d monitors every %s for %d days (%d results), retention %+v",
			monitors, interval, days, monitors*perDay*days, retention)
		var recorded int64
		var recordTime time.Duration
		report := func(day int) {
			dbSize, walSize := fileSizes(path)
			total := dbSize + walSize
			monitorDays := float64(monitors) * float64(min(day, 7))
			logf("day %3d: db %7.1f MB + wal %5.1f MB = %7.1f MB; %6.0f bytes per monitor-day (of the last %d days); %.1f MB per monitor",
				day, mb(dbSize), mb(walSize), mb(total), float64(total)/monitorDays, min(day, 7), mb(total)/float64(monitors))
			if day == days || day == 7 || day == 30 || day == 60 || day == 90 {
				b.ReportMetric(mb(total), fmt.Sprintf("MB@day%d", day))
				logTableSizes(logf, s)
			}
			if day == 7 {
				// No retention applies before day 7: this is the raw cost of a monitor-day.
				b.ReportMetric(float64(total)/monitorDays, "bytes/monitor-day")
			}
		}
		for day := range days {
			dayStart := t0.AddDate(0, 0, day)
			jobs := make(chan monitor.Result, 4096)
			var wg sync.WaitGroup
			started := time.Now()
			for range benchSubmitters {
				wg.Go(func() {
					for r := range jobs {
						if _, _, err := s.recordResult(ctx, r, cache); err != nil {
							b.Error(err)
						}
					}
				})
			}
			for tick := range perDay {
				for i, id := range ids {
					// Checks of different monitors are spread over the interval.
					at := dayStart.Add(time.Duration(tick)*interval + time.Duration(i)*interval/time.Duration(len(ids)))
					jobs <- syntheticResult(id, at, uint64(id)<<32|uint64(day*perDay+tick))
				}
			}
			close(jobs)
			wg.Wait()
			recordTime += time.Since(started)
			recorded += int64(perDay * len(ids))

			now := dayStart.Add(24 * time.Hour)
			pruneStart := time.Now()
			st, err := s.Prune(ctx, now, retention)
			if err != nil {
				b.Fatal(err)
			}
			pruneTime := time.Since(pruneStart)
			if err := s.Maintain(ctx); err != nil {
				b.Fatal(err)
			}
			logf("day %3d: recorded %d results in %s (%.0f/s); pruned %+v in %s", day+1, perDay*len(ids),
				time.Since(started).Round(time.Second), float64(perDay*len(ids))/time.Since(started).Seconds(), st,
				pruneTime.Round(time.Millisecond))
			report(day + 1)
		}
		b.ReportMetric(float64(recorded)/recordTime.Seconds(), "results/s")
		var results int64
		if err := s.read.QueryRow(`SELECT count(*) FROM results`).Scan(&results); err == nil {
			dbSize, walSize := fileSizes(path)
			logf("final: %d result rows, %.0f bytes of database per result row kept", results, float64(dbSize+walSize)/float64(results))
		}
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// logTableSizes logs the space of each table and index (dbstat) and its rows.
func logTableSizes(logf func(string, ...any), s *Store) {
	rows, err := s.read.Query(`SELECT name, sum(pgsize), sum(payload), sum(ncell) FROM dbstat
		WHERE name NOT LIKE 'sqlite_%' GROUP BY name ORDER BY 2 DESC`)
	if err != nil {
		logf("dbstat: %v", err)
		return
	}
	defer rows.Close()
	var free int64
	if err := s.read.QueryRow(`PRAGMA freelist_count`).Scan(&free); err == nil {
		logf("  %-26s %8.1f MB", "(free pages)", mb(free*4096))
	}
	for rows.Next() {
		var name string
		var size, payload, cells int64
		if err := rows.Scan(&name, &size, &payload, &cells); err != nil {
			logf("dbstat: %v", err)
			return
		}
		logf("  %-26s %8.1f MB  payload %8.1f MB  %10d cells", name, mb(size), mb(payload), cells)
	}
	if err := rows.Err(); err != nil {
		logf("dbstat: %v", err)
	}
}
