package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// createMonitors creates n http monitors in org, named m0000..., with one write per 500.
func createMonitors(t testing.TB, s *Store, org int64, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	settings, err := settingsJSON(httpMonitor(org, "x"))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 0, n)
	for start := 0; start < n; start += 500 {
		var batch []int64
		err := s.Write(ctx, func(tx *sql.Tx) error {
			batch = batch[:0]
			for i := start; i < min(start+500, n); i++ {
				res, err := tx.ExecContext(ctx, `INSERT INTO monitors (org_id, name, type, interval_ms, timeout_ms, retries,
					recoveries, retry_interval_ms, settings, created_at, updated_at) VALUES (?, ?, 'http', 60000, 10000, 1, 1, 20000, ?, ?, ?)`,
					org, fmt.Sprintf("m%04d", i), settings, millis(t0), millis(t0))
				if err != nil {
					return err
				}
				id, err := res.LastInsertId()
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_state (monitor_id, status, since) VALUES (?, 'pending', ?)`, id, millis(t0)); err != nil {
					return err
				}
				batch = append(batch, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, batch...)
	}
	return ids
}

// BenchmarkRecordResult records b.N results from 64 concurrent submitters over 1,000
// monitors (the probe concurrency of the default configuration) and reports results/s.
// "prepared" runs the statements from a stmtCache (as RecordResult does), "parsed" parses
// each one again: the difference is what the cache is worth.
func BenchmarkRecordResult(b *testing.B) {
	for _, bc := range []struct {
		name     string
		prepared bool
	}{{"prepared", true}, {"parsed", false}} {
		b.Run(bc.name, func(b *testing.B) {
			var cache *stmtCache
			if bc.prepared {
				cache = &stmtCache{}
			}
			benchRecordResult(b, cache)
		})
	}
}

func benchRecordResult(b *testing.B, cache *stmtCache) {
	ctx := context.Background()
	s := openTest(b, Options{})
	ids := createMonitors(b, s, testOrg(b, s, "bench"), 1000)
	commits0, writes0 := s.writer.stats.commits.Load(), s.writer.stats.committed.Load()

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchSubmitters {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				r := syntheticResult(ids[i%int64(len(ids))], t0.Add(time.Duration(i)*60*time.Millisecond), uint64(i))
				if _, _, err := s.recordResult(ctx, r, cache); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()

	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
	if commits := s.writer.stats.commits.Load() - commits0; commits > 0 {
		b.ReportMetric(float64(s.writer.stats.committed.Load()-writes0)/float64(commits), "results/commit")
	}
}

// BenchmarkUptime90Days1000Monitors measures UptimeSince over 90 days for an organization of
// 1,000 monitors, on 90 days of daily and hourly rollups. since is at noon, the worst case:
// 12 hourly rows per monitor correct its day.
func BenchmarkUptime90Days1000Monitors(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, Options{})
	org := testOrg(b, s, "bench")
	ids := createMonitors(b, s, org, 1000)
	end := t0.AddDate(0, 0, 90)
	fillRollups(b, s, ids, t0, end)
	if err := s.Maintain(ctx); err != nil { // ANALYZE, as in production
		b.Fatal(err)
	}
	since := end.Add(-90*24*time.Hour + 12*time.Hour)

	b.ResetTimer()
	for b.Loop() {
		up, err := s.UptimeSince(ctx, org, since)
		if err != nil {
			b.Fatal(err)
		}
		if len(up) != len(ids) || up[ids[0]].Checks == 0 {
			b.Fatalf("uptime of %d monitors, first %+v", len(up), up[ids[0]])
		}
	}
}

// fillRollups writes hourly and daily rollups of every monitor from start to end directly
// (as 60-second checks, ~99.5% up, would have produced them), one monitor per write.
func fillRollups(t testing.TB, s *Store, ids []int64, start, end time.Time) {
	t.Helper()
	ctx := context.Background()
	days := int(end.Sub(start) / (24 * time.Hour))
	const cols = `monitor_id, bucket_start, checks, ups, degraded, downs, sum_ms, max_ms, h3, h4, h5, h6, h9`
	for _, id := range ids {
		err := s.Write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
				INSERT INTO rollups_daily (`+cols+`) SELECT ?, ? + i * 86400000, 1440, 1433, 2, 7, 1433 * 45, 480, 300, 700, 300, 100, 33
				FROM n ORDER BY i`, days, id, millis(start)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
				INSERT INTO rollups_hourly (`+cols+`) SELECT ?2, ?3 + i * 3600000, 60, 60 - (?2 + i) % 2, 0, (?2 + i) % 2,
				(60 - (?2 + i) % 2) * 45, 300, 12, 30, 12, 4, 2 - (?2 + i) % 2
				FROM n ORDER BY i`, days*24, id, millis(start))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
