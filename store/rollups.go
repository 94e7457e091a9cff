package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"statusthing/app/monitor"
)

// Uptime summarizes a monitor's checks over a period, from rollups. It is monitor.Uptime, so
// that the packages that must not import store (app/monitoring, app/web) share the type.
type Uptime = monitor.Uptime

// RollupBucket is one hour or one day of a monitor's checks (see monitor.RollupBucket).
type RollupBucket = monitor.RollupBucket

// Rollup bucket sizes. Buckets are UTC hours and UTC days.
const (
	hourMs = int64(time.Hour / time.Millisecond)
	dayMs  = 24 * hourMs
)

func truncMs(ms, size int64) int64 { return ms - ((ms%size)+size)%size }

// rollupTables are the rollup tables, indexed by rollupHourly and rollupDaily.
var rollupTables = [2]string{"rollups_hourly", "rollups_daily"}

const (
	rollupHourly = 0
	rollupDaily  = 1
)

// rollupUpserts holds, per table, the upsert of a successful check in each latency bucket
// (index k < NumLatencyBuckets) and of a failed check (index NumLatencyBuckets). Each
// touches only the columns it changes, so the statements stay short and bind few values.
var rollupUpserts = buildRollupUpserts()

func buildRollupUpserts() (out [2][monitor.NumLatencyBuckets + 1]string) {
	for t, table := range rollupTables {
		for k := range monitor.NumLatencyBuckets {
			h := "h" + strconv.Itoa(k)
			out[t][k] = `INSERT INTO ` + table + ` (monitor_id, bucket_start, checks, ups, degraded, sum_ms, max_ms, ` + h + `)
				VALUES (?, ?, 1, 1, ?, ?, ?, 1)
				ON CONFLICT (monitor_id, bucket_start) DO UPDATE SET checks = checks + 1, ups = ups + 1,
				degraded = degraded + excluded.degraded, sum_ms = sum_ms + excluded.sum_ms,
				max_ms = max(max_ms, excluded.max_ms), ` + h + ` = ` + h + ` + 1`
		}
		out[t][monitor.NumLatencyBuckets] = `INSERT INTO ` + table + ` (monitor_id, bucket_start, checks, downs)
			VALUES (?, ?, 1, 1)
			ON CONFLICT (monitor_id, bucket_start) DO UPDATE SET checks = checks + 1, downs = downs + 1`
	}
	return out
}

// upsertRollups counts r in its hourly and daily buckets: one statement per table.
// Latency (sum, max, histogram) counts successful checks only: a timeout says nothing about
// how fast the service answers.
func upsertRollups(ctx context.Context, h hotTx, r monitor.Result) error {
	at := millis(r.StartedAt)
	for t, size := range [2]int64{hourMs, dayMs} {
		var err error
		if r.Outcome.Success() {
			var degraded int64
			if r.Outcome == monitor.OutcomeDegraded {
				degraded = 1
			}
			latency := durationMs(max(r.Duration, 0))
			_, err = h.exec(ctx, rollupUpserts[t][monitor.LatencyBucket(r.Duration)],
				r.MonitorID, truncMs(at, size), degraded, latency, latency)
		} else {
			_, err = h.exec(ctx, rollupUpserts[t][monitor.NumLatencyBuckets], r.MonitorID, truncMs(at, size))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", rollupTables[t], err)
		}
	}
	return nil
}

// rollupSums are the columns summed over buckets: checks, ups, degraded, downs, sum_ms, then
// max(max_ms), then the histogram.
var rollupSums = func() string {
	parts := []string{"ifnull(sum(r.checks), 0)", "ifnull(sum(r.ups), 0)", "ifnull(sum(r.degraded), 0)",
		"ifnull(sum(r.downs), 0)", "ifnull(sum(r.sum_ms), 0)", "ifnull(max(r.max_ms), 0)"}
	for k := range monitor.NumLatencyBuckets {
		parts = append(parts, "ifnull(sum(r.h"+strconv.Itoa(k)+"), 0)")
	}
	return strings.Join(parts, ", ")
}()

// rollupColumns are the columns of one bucket, in the order of rollupSums.
var rollupColumns = func() string {
	parts := []string{"r.checks", "r.ups", "r.degraded", "r.downs", "r.sum_ms", "r.max_ms"}
	for k := range monitor.NumLatencyBuckets {
		parts = append(parts, "r.h"+strconv.Itoa(k))
	}
	return strings.Join(parts, ", ")
}()

// counts is a rollup row or a sum of them.
type counts struct {
	checks, ups, degraded, downs, sumMs, maxMs int64
	hist                                       [monitor.NumLatencyBuckets]int64
}

// dest returns the scan destinations in the order of rollupSums and rollupColumns.
func (c *counts) dest() []any {
	d := []any{&c.checks, &c.ups, &c.degraded, &c.downs, &c.sumMs, &c.maxMs}
	for k := range c.hist {
		d = append(d, &c.hist[k])
	}
	return d
}

func (c *counts) add(o counts) {
	c.checks += o.checks
	c.ups += o.ups
	c.degraded += o.degraded
	c.downs += o.downs
	c.sumMs += o.sumMs
	c.maxMs = max(c.maxMs, o.maxMs)
	for k := range c.hist {
		c.hist[k] += o.hist[k]
	}
}

// sub removes o, a part of c (the maximum stays: it is only an upper bound).
func (c *counts) sub(o counts) {
	c.checks -= o.checks
	c.ups -= o.ups
	c.degraded -= o.degraded
	c.downs -= o.downs
	c.sumMs -= o.sumMs
	for k := range c.hist {
		c.hist[k] -= o.hist[k]
	}
}

func (c counts) avg() time.Duration {
	if c.ups == 0 {
		return 0
	}
	return time.Duration(float64(c.sumMs) / float64(c.ups) * float64(time.Millisecond))
}

// p95 never exceeds the bucket's max: Percentile reads a max of 0 as "unknown", but here it
// is known, and 0 when every check took under a millisecond.
func (c counts) p95() time.Duration {
	return min(monitor.Percentile(c.hist[:], 0.95, msDuration(c.maxMs)), msDuration(c.maxMs))
}

func (c counts) uptime() Uptime {
	u := Uptime{Checks: c.checks, Ups: c.ups, Ratio: -1, AvgLatency: c.avg(), P95Latency: c.p95()}
	if c.checks > 0 {
		u.Ratio = float64(c.ups) / float64(c.checks)
	}
	return u
}

// UptimeSince returns the uptime since since of every monitor of orgID (Ratio -1 for a
// monitor without checks), from rollups, never from raw results.
//
// Precision: whole UTC days come from the daily rollups. When since is not a UTC midnight,
// its day is corrected to the hour with the hourly rollups, as long as they still cover that
// whole day; otherwise (past the hourly retention, 35 days by default, or on a monitor's
// first day) that day is counted whole: at most 1/N of an N-day window, ~1% at 90 days.
//
// Cost: the daily rollups carry running totals (c_* columns), so the whole days of any
// window are the difference of two daily rows; the first day adds or subtracts at most 12
// hourly rows (whichever side of since is shorter). A monitor costs at most 14 small rows,
// whatever the window.
func (s *Store) UptimeSince(ctx context.Context, orgID int64, since time.Time) (map[int64]Uptime, error) {
	sums, err := s.uptimeSums(ctx, orgID, 0, since)
	if err != nil {
		return nil, fmt.Errorf("store: uptime since: %w", err)
	}
	out := make(map[int64]Uptime, len(sums))
	for id, c := range sums {
		out[id] = c.uptime()
	}
	return out, nil
}

// MonitorUptime returns the uptime since since of one monitor of orgID, with the precision
// of UptimeSince. It returns ErrNotFound when the organization has no such monitor.
func (s *Store) MonitorUptime(ctx context.Context, orgID, monitorID int64, since time.Time) (Uptime, error) {
	sums, err := s.uptimeSums(ctx, orgID, monitorID, since)
	if err != nil {
		return Uptime{}, fmt.Errorf("store: monitor uptime: %w", err)
	}
	c, ok := sums[monitorID]
	if !ok {
		return Uptime{}, ErrNotFound
	}
	return c.uptime(), nil
}

// windowDiffs are the columns of the daily-rollup query of uptimeSums: for each counter, its
// total from the daily row s (the first day counted) through the latest daily row l, i.e.
// l's running total plus l's own count minus s's running total. The maximum is the
// monitor's all-time maximum (a running maximum cannot be subtracted); it only closes the
// open top bucket of the histogram for the p95.
var windowDiffs = func() string {
	diff := func(c string) string { return "ifnull(l.c_" + c + " + l." + c + " - s.c_" + c + ", 0)" }
	parts := []string{diff("checks"), diff("ups"), diff("degraded"), diff("downs"), diff("sum_ms"),
		"ifnull(max(l.c_max_ms, l.max_ms), 0)"}
	for k := range monitor.NumLatencyBuckets {
		parts = append(parts, diff("h"+strconv.Itoa(k)))
	}
	return strings.Join(parts, ", ")
}()

// uptimeSums adds up the rollups of every monitor of orgID (or only monitorID, if not 0)
// since since, per monitor. Every monitor of the organization has an entry. Both queries
// read one snapshot (a read transaction).
func (s *Store) uptimeSums(ctx context.Context, orgID, monitorID int64, since time.Time) (map[int64]counts, error) {
	at := millis(since)
	day0 := truncMs(at, dayMs)
	hour0, day1 := truncMs(at, hourMs), day0+dayMs
	aligned := hour0 == day0
	// Late in the day, add the hours from since's to midnight to the days after; early,
	// subtract the hours before since's from the days from day0 on.
	add := hour0-day0 >= 12*hourMs

	where := `m.org_id = ?`
	monArgs := []any{orgID}
	if monitorID != 0 {
		where += ` AND m.id = ?`
		monArgs = append(monArgs, monitorID)
	}
	// Hourly rollups can correct day0 if they cover all of it, that is if they start at or
	// before its midnight: pruning deletes the oldest first, so every later hour is there
	// too. (max below a bound seeks next to the rows read below; min would seek to the
	// monitor's oldest hour, one more page read per monitor.)
	hourlyCovers := `(SELECT max(h.bucket_start) FROM rollups_hourly h WHERE h.monitor_id = m.id AND h.bucket_start <= ?) IS NOT NULL`
	firstDay := `?`
	firstDayArgs := []any{day0}
	if !aligned && add {
		firstDay = `CASE WHEN ` + hourlyCovers + ` THEN ? ELSE ? END`
		firstDayArgs = []any{day0, day1, day0}
	}

	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to undo

	// Whole days: per monitor, the first daily row from the first day counted (s) and the
	// latest one (l), both found through the primary key.
	args := append(append([]any{}, firstDayArgs...), monArgs...)
	rows, err := tx.QueryContext(ctx, `WITH mons AS (
			SELECT m.id, `+firstDay+` AS first_day,
				(SELECT max(d.bucket_start) FROM rollups_daily d WHERE d.monitor_id = m.id) AS last_day
			FROM monitors m WHERE `+where+`)
		SELECT mons.id, `+windowDiffs+` FROM mons
		LEFT JOIN rollups_daily l ON l.monitor_id = mons.id AND l.bucket_start = mons.last_day
		LEFT JOIN rollups_daily s ON s.monitor_id = mons.id AND s.bucket_start = (
			SELECT min(d.bucket_start) FROM rollups_daily d WHERE d.monitor_id = mons.id AND d.bucket_start >= mons.first_day)`,
		args...)
	if err != nil {
		return nil, err
	}
	out := map[int64]counts{}
	if err := scanCounts(rows, out, false); err != nil {
		return nil, err
	}
	if aligned {
		return out, nil
	}

	// The correction of day0, from the hourly rollups where they cover it.
	from, to := day0, hour0
	if add {
		from, to = hour0, day1
	}
	args = append(append([]any{from, to}, monArgs...), day0)
	rows, err = tx.QueryContext(ctx, `SELECT m.id, `+rollupSums+` FROM monitors m
		JOIN rollups_hourly r ON r.monitor_id = m.id AND r.bucket_start >= ? AND r.bucket_start < ?
		WHERE `+where+` AND `+hourlyCovers+` GROUP BY m.id`, args...)
	if err != nil {
		return nil, err
	}
	if err := scanCounts(rows, out, !add); err != nil {
		return nil, err
	}
	return out, nil
}

// scanCounts adds (or subtracts) rows of (monitor id, counts) to out and closes rows.
func scanCounts(rows *sql.Rows, out map[int64]counts, subtract bool) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c counts
		if err := rows.Scan(append([]any{&id}, c.dest()...)...); err != nil {
			return err
		}
		sum := out[id]
		if subtract {
			sum.sub(c)
		} else {
			sum.add(c)
		}
		out[id] = sum
	}
	return rows.Err()
}

// Rollups returns the hourly (or daily) buckets of a monitor of orgID from the bucket holding
// from up to to (excluded; no bound when to is zero), oldest first: for charts, trends,
// sparklines and the 90-day bars. Buckets without checks are absent. It returns ErrNotFound
// when the organization has no such monitor.
func (s *Store) Rollups(ctx context.Context, orgID, monitorID int64, hourly bool, from, to time.Time) ([]RollupBucket, error) {
	t, size := rollupDaily, dayMs
	if hourly {
		t, size = rollupHourly, hourMs
	}
	upper := int64(math.MaxInt64)
	if !to.IsZero() {
		upper = millis(to)
	}
	if err := s.checkMonitor(ctx, "rollups", orgID, monitorID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.bucket_start, `+rollupColumns+` FROM `+rollupTables[t]+` r
		WHERE r.monitor_id = ? AND r.bucket_start >= ? AND r.bucket_start < ? ORDER BY r.bucket_start`,
		monitorID, truncMs(millis(from), size), upper)
	if err != nil {
		return nil, fmt.Errorf("store: rollups: %w", err)
	}
	defer rows.Close()
	out := []RollupBucket{}
	for rows.Next() {
		var start int64
		var c counts
		if err := rows.Scan(append([]any{&start}, c.dest()...)...); err != nil {
			return nil, fmt.Errorf("store: rollups: %w", err)
		}
		out = append(out, RollupBucket{
			Start: fromMillis(start), Checks: c.checks, Ups: c.ups, Downs: c.downs, Degraded: c.degraded,
			AvgLatency: c.avg(), MaxLatency: msDuration(c.maxMs), P95Latency: c.p95(),
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rollups: %w", err)
	}
	return out, nil
}
