package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// Keyset pages for the JSON API. Each list is read in a fixed order with a unique tie-break
// (the row id), and a page starts strictly after the last row of the previous one: rows
// added meanwhile never shift a page (no OFFSET), so a cursor stays valid as data arrives.
// Time bounds are [from, to): a zero from or to is unbounded.

// timeBounds converts [from, to) to milliseconds, unbounded where zero.
func timeBounds(from, to time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		lo = millis(from)
	}
	if !to.IsZero() {
		hi = millis(to)
	}
	return lo, hi
}

// pageLimit bounds a page size: <= 0 means defaultListLimit.
func pageLimit(limit int) int {
	if limit <= 0 {
		return defaultListLimit
	}
	return limit
}

// MonitorsPage lists the monitors of orgID with an id above afterID, by id, at most limit
// (<= 0 means 100), optionally only those with status or of type ("" = any) and created in
// [from, to).
func (s *Store) MonitorsPage(ctx context.Context, orgID, afterID int64, status monitor.Status, typ monitor.Type,
	from, to time.Time, limit int) ([]monitor.Monitor, error) {
	lo, hi := timeBounds(from, to)
	out, err := s.listMonitors(ctx, "monitors page", ` WHERE m.org_id = ?1 AND m.id > ?2
		AND (?3 = '' OR st.status = ?3) AND (?4 = '' OR m.type = ?4) AND m.created_at >= ?5 AND m.created_at < ?6
		ORDER BY m.id LIMIT ?7`, orgID, afterID, string(status), string(typ), lo, hi, pageLimit(limit))
	if out == nil && err == nil {
		out = []monitor.Monitor{}
	}
	return out, err
}

// ResultsPage lists results of monitor monitorID of orgID, newest first (started_at, then
// id, descending), strictly before the keyset (beforeAt, beforeID) — zero beforeAt: from the
// newest —, started in [from, to), of outcome ("" = any), at most limit (<= 0 means 100).
// Recent results come from results, older failed ones from failed_results (ids are unique
// across both). ErrNotFound when orgID has no such monitor.
func (s *Store) ResultsPage(ctx context.Context, orgID, monitorID int64, outcome monitor.Outcome, from, to time.Time,
	beforeAt time.Time, beforeID int64, limit int) ([]monitor.Result, error) {
	code := int64(-1)
	if outcome != "" {
		c, err := outcomeCode(outcome)
		if err != nil {
			return nil, fmt.Errorf("store: results page: %w", err)
		}
		code = c
	}
	lo, hi := timeBounds(from, to)
	at, id := int64(math.MaxInt64), int64(math.MaxInt64)
	if !beforeAt.IsZero() {
		at, id = millis(beforeAt), beforeID
	}
	if err := s.checkMonitor(ctx, "results page", orgID, monitorID); err != nil {
		return nil, err
	}
	const where = ` WHERE monitor_id = ?1 AND started_at >= ?2 AND started_at < ?3
		AND (started_at, id) < (?4, ?5) AND (?6 < 0 OR outcome = ?6)`
	rows, err := s.read.QueryContext(ctx, `SELECT `+resultColumns("results")+` FROM results`+where+`
		UNION ALL
		SELECT `+resultColumns("failed_results")+` FROM failed_results`+where+`
		ORDER BY started_at DESC, id DESC LIMIT ?7`, monitorID, lo, hi, at, id, code, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: results page: %w", err)
	}
	defer rows.Close()
	out := []monitor.Result{}
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return nil, fmt.Errorf("store: results page: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: results page: %w", err)
	}
	return out, nil
}

// FlipsPage lists the status changes of monitor monitorID of orgID, newest first (at, then
// id, descending), strictly before the keyset (beforeAt, beforeID) — zero beforeAt: from the
// newest —, in [from, to), at most limit (<= 0 means 100). ErrNotFound when orgID has no
// such monitor.
func (s *Store) FlipsPage(ctx context.Context, orgID, monitorID int64, from, to time.Time,
	beforeAt time.Time, beforeID int64, limit int) ([]monitor.Flip, error) {
	lo, hi := timeBounds(from, to)
	at, id := int64(math.MaxInt64), int64(math.MaxInt64)
	if !beforeAt.IsZero() {
		at, id = millis(beforeAt), beforeID
	}
	if err := s.checkMonitor(ctx, "flips page", orgID, monitorID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, monitor_id, at, from_status, to_status, reason FROM flips
		WHERE monitor_id = ? AND at >= ? AND at < ? AND (at, id) < (?, ?)
		ORDER BY at DESC, id DESC LIMIT ?`, monitorID, lo, hi, at, id, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: flips page: %w", err)
	}
	defer rows.Close()
	out := []monitor.Flip{}
	for rows.Next() {
		var f monitor.Flip
		var ms int64
		if err := rows.Scan(&f.ID, &f.MonitorID, &ms, &f.From, &f.To, &f.Reason); err != nil {
			return nil, fmt.Errorf("store: flips page: %w", err)
		}
		f.At = fromMillis(ms)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: flips page: %w", err)
	}
	return out, nil
}

// PingsPage lists the pings of heartbeat monitorID of orgID with an id below beforeID (no
// bound when <= 0), newest (highest id) first, received in [from, to), at most limit (<= 0
// means 100). ErrNotFound when orgID has no such monitor.
func (s *Store) PingsPage(ctx context.Context, orgID, monitorID int64, from, to time.Time, beforeID int64,
	limit int) ([]heartbeat.Record, error) {
	lo, hi := timeBounds(from, to)
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	if err := s.checkMonitor(ctx, "pings page", orgID, monitorID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, at, kind, exit_status, rid, method, remote_ip, user_agent, body,
		truncated, run_ms FROM pings WHERE monitor_id = ? AND id < ? AND at >= ? AND at < ? ORDER BY id DESC LIMIT ?`,
		monitorID, beforeID, lo, hi, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: pings page: %w", err)
	}
	defer rows.Close()
	out := []heartbeat.Record{}
	for rows.Next() {
		var r heartbeat.Record
		var at int64
		var exit, runMs sql.NullInt64
		var rid, ip, ua, body sql.NullString
		if err := rows.Scan(&r.ID, &at, &r.Kind, &exit, &rid, &r.Method, &ip, &ua, &body, &r.Truncated, &runMs); err != nil {
			return nil, fmt.Errorf("store: pings page: %w", err)
		}
		r.MonitorID, r.At, r.Exit, r.RID = monitorID, fromMillis(at), int(exit.Int64), rid.String
		r.RemoteIP, r.UserAgent, r.Body, r.RunTime = ip.String, ua.String, body.String, msDuration(runMs.Int64)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pings page: %w", err)
	}
	return out, nil
}

// HeartbeatUUIDs returns the ping uuid of each heartbeat among ids in orgID (other monitors
// are absent from the map): the API shows ping URLs in monitor lists.
func (s *Store) HeartbeatUUIDs(ctx context.Context, orgID int64, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string)
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("store: heartbeat uuids: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT monitor_id, uuid FROM heartbeats
		WHERE org_id = ? AND monitor_id IN (SELECT value FROM json_each(?))`, orgID, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: heartbeat uuids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var uuid string
		if err := rows.Scan(&id, &uuid); err != nil {
			return nil, fmt.Errorf("store: heartbeat uuids: %w", err)
		}
		out[id] = uuid
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: heartbeat uuids: %w", err)
	}
	return out, nil
}

// ResultTrend aggregates the raw results of monitor monitorID of orgID started in [from, to)
// into buckets of step (aligned on multiples of step since the Unix epoch, so UTC minutes
// for a minute), oldest first; buckets without checks are absent. It reads the results
// table only: callers keep [from, to) within the results retention, past which only failures
// are left (in failed_results) and an uptime would be meaningless. The latency figures cover
// successful checks, as in rollups, but the p95 is exact (nearest rank) rather than read
// from a histogram. ErrNotFound when orgID has no such monitor.
func (s *Store) ResultTrend(ctx context.Context, orgID, monitorID int64, from, to time.Time,
	step time.Duration) ([]monitor.RollupBucket, error) {
	size := durationMs(step)
	if size <= 0 {
		return nil, fmt.Errorf("store: result trend: step %s is below a millisecond", step)
	}
	lo, hi := timeBounds(from, to)
	if err := s.checkMonitor(ctx, "result trend", orgID, monitorID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT started_at, duration_ms, outcome FROM results
		WHERE monitor_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at`, monitorID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: result trend: %w", err)
	}
	defer rows.Close()
	out := []monitor.RollupBucket{}
	var cur *monitor.RollupBucket
	var latencies []int64 // of the successful checks of cur
	var sum int64
	flush := func() {
		if cur == nil {
			return
		}
		if n := len(latencies); n > 0 {
			slices.Sort(latencies)
			rank := int(math.Ceil(0.95*float64(n))) - 1
			cur.AvgLatency = time.Duration(float64(sum) / float64(n) * float64(time.Millisecond))
			cur.P95Latency = msDuration(latencies[max(rank, 0)])
			cur.MaxLatency = msDuration(latencies[n-1])
		}
		out = append(out, *cur)
	}
	for rows.Next() {
		var at, ms, code int64
		if err := rows.Scan(&at, &ms, &code); err != nil {
			return nil, fmt.Errorf("store: result trend: %w", err)
		}
		start := truncMs(at, size)
		if cur == nil || millis(cur.Start) != start {
			flush()
			cur, latencies, sum = &monitor.RollupBucket{Start: fromMillis(start)}, latencies[:0], 0
		}
		cur.Checks++
		switch outcomeOf(code) {
		case monitor.OutcomeDown:
			cur.Downs++
			continue
		case monitor.OutcomeDegraded:
			cur.Degraded++
		}
		cur.Ups++
		ms = max(ms, 0)
		latencies = append(latencies, ms)
		sum += ms
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: result trend: %w", err)
	}
	flush()
	return out, nil
}
