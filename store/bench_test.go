package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
)

// benchSubmitters matches the DESIGN.md measurement: 64 clients, one INSERT each.
const benchSubmitters = 64

// benchWrites inserts b.N rows from benchSubmitters goroutines and reports rows/s and the
// average number of writes per transaction.
func benchWrites(b *testing.B, maxBatch int) {
	s := openTest(b, Options{MaxBatch: maxBatch})
	createTable(b, s, `CREATE TABLE bench (id INTEGER PRIMARY KEY, monitor_id INTEGER NOT NULL, at INTEGER NOT NULL, ok INTEGER NOT NULL)`)
	ctx := context.Background()
	commits0, writes0 := s.writer.stats.commits.Load(), s.writer.stats.committed.Load()

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range benchSubmitters {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				err := s.Write(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO bench (monitor_id, at, ok) VALUES (?, ?, 1)`, g, i)
					return err
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()

	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if commits := s.writer.stats.commits.Load() - commits0; commits > 0 {
		b.ReportMetric(float64(s.writer.stats.committed.Load()-writes0)/float64(commits), "rows/commit")
	}
}

// BenchmarkWriteSingleTx commits every row in its own transaction (one fsync each).
func BenchmarkWriteSingleTx(b *testing.B) { benchWrites(b, 1) }

// BenchmarkWriteGroupCommit lets the writer batch whatever queued during the previous commit.
func BenchmarkWriteGroupCommit(b *testing.B) { benchWrites(b, 0) }
