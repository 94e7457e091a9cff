package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retention says how long data is kept. A zero field takes its DefaultRetention value.
type Retention struct {
	// Results keeps successful (up) raw results.
	Results time.Duration
	// Failures keeps failed (down or degraded) results and flips; never less than Results.
	Failures time.Duration
	// Rollups keeps daily rollups (the long uptime bars and trends).
	Rollups time.Duration
	// HourlyRollups keeps hourly rollups, the big rollup table (24 rows per monitor-day):
	// they feed charts of recent weeks and the exact edges of uptime windows.
	HourlyRollups time.Duration

	batch int // rows deleted per write transaction; 0 means pruneBatch (tests lower it)
}

// DefaultRetention is the retention of the default configuration: raw successes 7 days,
// failures and flips 90 days, daily rollups 400 days, hourly rollups 90 days. Hourly rollups
// cost ~24x the daily ones; 90 days covers every window shown with hourly precision (the
// 90-day bars use daily rollups) and keeps them ~20% of a steady-state database.
func DefaultRetention() Retention {
	const day = 24 * time.Hour
	return Retention{Results: 7 * day, Failures: 90 * day, Rollups: 400 * day, HourlyRollups: 90 * day}
}

func (r Retention) withDefaults() Retention {
	d := DefaultRetention()
	if r.Results <= 0 {
		r.Results = d.Results
	}
	if r.Failures <= 0 {
		r.Failures = d.Failures
	}
	r.Failures = max(r.Failures, r.Results)
	if r.Rollups <= 0 {
		r.Rollups = d.Rollups
	}
	if r.HourlyRollups <= 0 {
		r.HourlyRollups = d.HourlyRollups
	}
	if r.batch <= 0 {
		r.batch = pruneBatch
	}
	return r
}

// pruneBatch is how many rows one pruning transaction deletes at most. The group-commit
// writer runs it beside the results and pings of the moment, which wait for its commit:
// 2,000 rows take a few milliseconds.
const pruneBatch = 2000

// PruneStats counts what Prune deleted.
type PruneStats struct {
	Results       int64 // results deleted from the results table (after archiving the failed ones)
	Archived      int64 // failed results moved to failed_results
	Failures      int64 // failed results deleted from failed_results
	Flips         int64
	HourlyRollups int64
	DailyRollups  int64
	Batches       int64 // write transactions used
}

// Prune deletes, as of now, what Retention no longer keeps, in small write transactions so
// that results and pings are never held up long. It stops between batches when ctx ends
// and returns what it did so far.
//
// Results older than the results retention leave the results table, oldest first; the failed
// ones among them move to failed_results (same columns and ids), where they stay until the
// failures retention. So both tables only ever lose rows at their head and stay dense, and
// no run reads a row it keeps, except the first one, where it stops. Raw rows are taken in id
// order, which is time order up to a few seconds (results are inserted when their check
// ends); a row inserted out of order is caught by a later run. Flips are pruned the same way,
// rollups per monitor through their primary keys. No run scans a table.
func (s *Store) Prune(ctx context.Context, now time.Time, r Retention) (PruneStats, error) {
	r = r.withDefaults()
	var st PruneStats
	okCutoff := millis(now.Add(-r.Results))
	failCutoff := millis(now.Add(-r.Failures))
	steps := []struct {
		what string
		run  func(ctx context.Context, tx *sql.Tx) (done bool, err error)
	}{
		{"results", func(ctx context.Context, tx *sql.Tx) (bool, error) {
			return pruneResults(ctx, tx, okCutoff, r.batch, &st)
		}},
		{"failed results", func(ctx context.Context, tx *sql.Tx) (bool, error) {
			return pruneHead(ctx, tx, "failed_results", "started_at", failCutoff, r.batch, &st.Failures)
		}},
		{"flips", func(ctx context.Context, tx *sql.Tx) (bool, error) {
			return pruneHead(ctx, tx, "flips", "at", failCutoff, r.batch, &st.Flips)
		}},
		{"hourly rollups", func(ctx context.Context, tx *sql.Tx) (bool, error) {
			return pruneRollups(ctx, tx, "rollups_hourly", millis(now.Add(-r.HourlyRollups)), r.batch, &st.HourlyRollups)
		}},
		{"daily rollups", func(ctx context.Context, tx *sql.Tx) (bool, error) {
			return pruneRollups(ctx, tx, "rollups_daily", millis(now.Add(-r.Rollups)), r.batch, &st.DailyRollups)
		}},
	}
	// Batches are small and bounded: their statements are not interrupted (that would roll
	// back the writes sharing the transaction); ctx is checked between them.
	wctx := context.WithoutCancel(ctx)
	for _, step := range steps {
		for done := false; !done; {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("store: prune %s: %w", step.what, err)
			}
			// fn may run more than once: it counts into a copy, kept once committed.
			var batch PruneStats
			err := s.Write(ctx, func(tx *sql.Tx) error {
				batch = PruneStats{}
				var err error
				done, err = step.run(wctx, tx)
				return err
			})
			if err != nil {
				return st, fmt.Errorf("store: prune %s: %w", step.what, err)
			}
			st.add(batch)
			st.Batches++
		}
	}
	return st, nil
}
// pruneSuccesses deletes successful results that started before cutoff, in the next batch
// rows from the cursor. It stops (done) at the first success still kept, which the next
// run starts from, or at the end of the table.
func pruneSuccesses(ctx context.Context, tx *sql.Tx, cutoff int64, batch int) (deleted int64, done bool, err error) {
	var from int64
	err = tx.QueryRowContext(ctx, `SELECT next_id FROM prune_cursors WHERE name = ?`, resultsCursor).Scan(&from)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	var n int64
	var last, stop sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT count(*), max(id), min(CASE WHEN outcome = ? AND started_at >= ? THEN id END)
		FROM (SELECT id, outcome, started_at FROM results WHERE id >= ? ORDER BY id LIMIT ?)`,
		outcomeUp, cutoff, from, batch).Scan(&n, &last, &stop)
	if err != nil || n == 0 {
		return 0, true, err
	}
	end := last.Int64 + 1
	done = n < int64(batch)
	if stop.Valid {
		end, done = stop.Int64, true
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM results WHERE id >= ? AND id < ? AND outcome = ? AND started_at < ?`,
		from, end, outcomeUp, cutoff)
	if err != nil {
		return 0, false, err
	}
	if deleted, err = res.RowsAffected(); err != nil {
		return 0, false, err
	}
	// Ids are max(id)+1 (not AUTOINCREMENT): had this batch deleted the last rows of the
	// table, new rows would reuse their ids, below a cursor past them. So the cursor stays
	// at most at max(id)+1. (Should the tail be deleted later, by a monitor's deletion, the
	// few successes inserted with reused ids are skipped here but still deleted with the
	// failures, after the failures' retention.)
	var maxID sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM results`).Scan(&maxID); err != nil {
		return 0, false, err
	}
	end = min(end, maxID.Int64+1)
	_, err = tx.ExecContext(ctx, `INSERT INTO prune_cursors (name, next_id) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET next_id = excluded.next_id`, resultsCursor, end)
	return deleted, done, err
}

// pruneHead deletes the rows of table (rowid order ~ time order) older than cutoff from the
// head of the table, in the first batch rows; done at the first row still kept.
func pruneHead(ctx context.Context, tx *sql.Tx, table, timeColumn string, cutoff int64, batch int) (deleted int64, done bool, err error) {
	var n int64
	var last, stop sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT count(*), max(id), min(CASE WHEN `+timeColumn+` >= ? THEN id END)
		FROM (SELECT id, `+timeColumn+` FROM `+table+` ORDER BY id LIMIT ?)`, cutoff, batch).Scan(&n, &last, &stop)
	if err != nil || n == 0 {
		return 0, true, err
	}
	end := last.Int64 + 1
	done = n < int64(batch)
	if stop.Valid {
		end, done = stop.Int64, true
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id < ? AND `+timeColumn+` < ?`, end, cutoff)
	if err != nil {
		return 0, false, err
	}
	deleted, err = res.RowsAffected()
	return deleted, done, err
}

// pruneRollups deletes up to batch buckets of table that start before cutoff, seeking the
// oldest buckets of each monitor through the primary key; done when fewer remained.
func pruneRollups(ctx context.Context, tx *sql.Tx, table string, cutoff int64, batch int) (deleted int64, done bool, err error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE (monitor_id, bucket_start) IN (
		SELECT r.monitor_id, r.bucket_start FROM monitors m JOIN `+table+` r ON r.monitor_id = m.id AND r.bucket_start < ?
		LIMIT ?)`, cutoff, batch)
	if err != nil {
		return 0, false, err
	}
	if deleted, err = res.RowsAffected(); err != nil {
		return 0, false, err
	}
	return deleted, deleted < int64(batch), nil
}
