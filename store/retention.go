package store

import (
	"context"
	"database/sql"
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
	// they feed charts of recent weeks and the exact edges of uptime windows. Never more
	// than Rollups.
	HourlyRollups time.Duration
	// Screenshots keeps the screenshots of browser checks.
	Screenshots time.Duration

	batch int // rows deleted per write transaction; 0 means pruneBatch (tests lower it)
}

// DefaultRetention is the retention of the default configuration: raw successes 7 days,
// failures and flips 90 days, daily rollups 400 days, hourly rollups 35 days, screenshots
// 14 days.
//
// Hourly rollups cost 24 times the daily ones (~1.2 MB a day per 1,000 monitors): 35 days
// keep every chart of the last month hour by hour and 30-day uptimes exact to the hour; the
// 90-day bars and longer windows read the daily rollups (their first day, past 35 days, is
// counted whole: ~1% of a 90-day window). 90 days would add ~65 MB per 1,000 monitors.
func DefaultRetention() Retention {
	const day = 24 * time.Hour
	return Retention{Results: 7 * day, Failures: 90 * day, Rollups: 400 * day, HourlyRollups: 35 * day, Screenshots: 14 * day}
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
	if r.Screenshots <= 0 {
		r.Screenshots = d.Screenshots
	}
	// Uptime windows subtract hourly rows from daily ones: hourly never outlive daily.
	r.HourlyRollups = min(r.HourlyRollups, r.Rollups)
	if r.batch <= 0 {
		r.batch = pruneBatch
	}
	return r
}

// pruneBatch is how many rows one pruning transaction deletes at most. The group-commit
// writer runs it beside the results and pings of the moment, which wait for its commit:
// 2,000 results take ~20-40 ms (their index entries are spread over every monitor).
const pruneBatch = 2000

// PruneStats counts what Prune deleted.
type PruneStats struct {
	Results       int64 // results deleted from the results table (after archiving the failed ones)
	Archived      int64 // failed results moved to failed_results
	Failures      int64 // failed results deleted from failed_results
	Flips         int64
	HourlyRollups int64
	DailyRollups  int64
	Screenshots   int64
	Alerts        int64 // outbox rows (with their delivery attempts)
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
	okCutoff := millis(now.Add(-r.Results))
	failCutoff := millis(now.Add(-r.Failures))
	steps := []struct {
		what string
		run  func(ctx context.Context, tx *sql.Tx, c *PruneStats) (done bool, err error)
	}{
		{"results", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneResults(ctx, tx, okCutoff, r.batch, c)
		}},
		{"failed results", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneHead(ctx, tx, "failed_results", "started_at", failCutoff, r.batch, &c.Failures)
		}},
		// Alerts and their attempts explain incidents: they are kept as long as failures.
		{"alerts", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneHead(ctx, tx, "outbox", "created_at", failCutoff, r.batch, &c.Alerts)
		}},
		{"flips", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneHead(ctx, tx, "flips", "at", failCutoff, r.batch, &c.Flips)
		}},
		{"screenshots", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneHead(ctx, tx, "screenshots", "taken_at", millis(now.Add(-r.Screenshots)), max(r.batch/20, 1), &c.Screenshots)
		}},
		{"hourly rollups", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneRollups(ctx, tx, "rollups_hourly", millis(now.Add(-r.HourlyRollups)), r.batch, &c.HourlyRollups)
		}},
		{"daily rollups", func(ctx context.Context, tx *sql.Tx, c *PruneStats) (bool, error) {
			return pruneRollups(ctx, tx, "rollups_daily", millis(now.Add(-r.Rollups)), r.batch, &c.DailyRollups)
		}},
	}
	// Batches are small and bounded: their statements are not interrupted (that would roll
	// back the writes sharing the transaction); ctx is checked between them.
	wctx := context.WithoutCancel(ctx)
	var st PruneStats
	for _, step := range steps {
		for done := false; !done; {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("store: prune %s: %w", step.what, err)
			}
			// fn may run more than once: it counts into a fresh value, kept once committed.
			var batch PruneStats
			err := s.Write(ctx, func(tx *sql.Tx) error {
				batch = PruneStats{}
				var err error
				done, err = step.run(wctx, tx, &batch)
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

func (st *PruneStats) add(o PruneStats) {
	st.Results += o.Results
	st.Archived += o.Archived
	st.Failures += o.Failures
	st.Flips += o.Flips
	st.HourlyRollups += o.HourlyRollups
	st.DailyRollups += o.DailyRollups
	st.Screenshots += o.Screenshots
	st.Alerts += o.Alerts
}

// headRange returns, among the first batch rows of table (rowid order), the end (exclusive
// id) of the run of rows older than cutoff, and whether the head is done: a row still kept
// was reached, or the table ends in this batch.
func headRange(ctx context.Context, tx *sql.Tx, table, timeColumn string, cutoff int64, batch int) (end int64, done bool, err error) {
	var n int64
	var last, stop sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT count(*), max(id), min(CASE WHEN `+timeColumn+` >= ? THEN id END)
		FROM (SELECT id, `+timeColumn+` FROM `+table+` ORDER BY id LIMIT ?)`, cutoff, batch).Scan(&n, &last, &stop)
	if err != nil || n == 0 {
		return 0, true, err
	}
	if stop.Valid {
		return stop.Int64, true, nil
	}
	return last.Int64 + 1, n < int64(batch), nil
}

// pruneResults deletes the results that started before cutoff at the head of the results
// table, after copying the failed ones to failed_results, in one batch.
func pruneResults(ctx context.Context, tx *sql.Tx, cutoff int64, batch int, c *PruneStats) (done bool, err error) {
	end, done, err := headRange(ctx, tx, "results", "started_at", cutoff, batch)
	if err != nil || end == 0 {
		return true, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO failed_results (id, monitor_id, started_at, duration_ms, outcome,
			error_class, message, status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, cert_expiry, details)
		SELECT id, monitor_id, started_at, duration_ms, outcome,
			error_class, message, status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, cert_expiry, details
		FROM results r WHERE r.id < ? AND r.started_at < ? AND r.outcome <> ? ORDER BY r.id`, end, cutoff, outcomeUp)
	if err != nil {
		return false, err
	}
	if c.Archived, err = res.RowsAffected(); err != nil {
		return false, err
	}
	res, err = tx.ExecContext(ctx, `DELETE FROM results WHERE id < ? AND started_at < ?`, end, cutoff)
	if err != nil {
		return false, err
	}
	if c.Results, err = res.RowsAffected(); err != nil {
		return false, err
	}
	return done, nil
}

// pruneHead deletes the rows of table (rowid order ~ time order) older than cutoff from the
// head of the table, in one batch, counting them into n.
func pruneHead(ctx context.Context, tx *sql.Tx, table, timeColumn string, cutoff int64, batch int, n *int64) (done bool, err error) {
	end, done, err := headRange(ctx, tx, table, timeColumn, cutoff, batch)
	if err != nil || end == 0 {
		return true, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id < ? AND `+timeColumn+` < ?`, end, cutoff)
	if err != nil {
		return false, err
	}
	*n, err = res.RowsAffected()
	return done, err
}

// pruneRollups deletes up to batch buckets of table that start before cutoff, seeking the
// oldest buckets of each monitor through the primary key (CROSS JOIN keeps monitors the
// outer loop: the planner would rather scan the whole rollup table); done when fewer
// remained.
func pruneRollups(ctx context.Context, tx *sql.Tx, table string, cutoff int64, batch int, n *int64) (done bool, err error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE (monitor_id, bucket_start) IN (
		SELECT r.monitor_id, r.bucket_start FROM monitors m CROSS JOIN `+table+` r ON r.monitor_id = m.id AND r.bucket_start < ?
		LIMIT ?)`, cutoff, batch)
	if err != nil {
		return false, err
	}
	if *n, err = res.RowsAffected(); err != nil {
		return false, err
	}
	return *n < int64(batch), nil
}
