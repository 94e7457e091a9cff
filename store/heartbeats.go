package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// newUUID returns a random (version 4) UUID, the secret of a heartbeat's ping URL.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0x0f])
	}
	return string(out)
}

// createHeartbeat inserts the heartbeat row of monitor id, just created in tx.
func createHeartbeat(ctx context.Context, tx *sql.Tx, m monitor.Monitor, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO heartbeats (monitor_id, org_id, uuid, slug) VALUES (?, ?, ?, ?)`,
		id, m.OrgID, newUUID(), heartbeat.Slug(m.Name))
	return err
}

// updateHeartbeat follows a change of a heartbeat's definition: its slug (name) and, as the
// schedule may have changed, when the sweep must look at it next.
func updateHeartbeat(ctx context.Context, tx *sql.Tx, m monitor.Monitor) error {
	hs, _ := m.Settings.(monitor.HeartbeatSettings)
	st, _, err := heartbeatStateInTx(ctx, tx, m.ID)
	if err != nil {
		return err
	}
	next := heartbeat.NextCheck(st, heartbeat.ScheduleOf(hs))
	if _, err := tx.ExecContext(ctx, `UPDATE heartbeats SET slug = ? WHERE monitor_id = ?`, heartbeat.Slug(m.Name), m.ID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE monitor_state SET next_check_at = ? WHERE monitor_id = ?`, nullMillis(next), m.ID)
	return err
}

const qHeartbeatForUpdate = `SELECT m.org_id, m.settings, st.status, st.since,
	st.last_ping, st.last_fail, st.last_start, st.hold_until, st.running, ifnull(st.pings_since_trim, 0)
	FROM monitors m JOIN monitor_state st ON st.monitor_id = m.id WHERE m.id = ? AND m.type = 'heartbeat'`

// heartbeatRow is a heartbeat's state as read inside a write transaction.
type heartbeatRow struct {
	orgID    int64
	schedule heartbeat.Schedule
	state    heartbeat.State
	running  []heartbeat.RunningRun
	pings    int64 // since the last trim
}

func scanHeartbeatRow(row *sql.Row) (heartbeatRow, error) {
	var r heartbeatRow
	var settings, running sql.NullString
	var since int64
	var lastPing, lastFail, lastStart, hold sql.NullInt64
	err := row.Scan(&r.orgID, &settings, &r.state.Status, &since, &lastPing, &lastFail, &lastStart, &hold,
		&running, &r.pings)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.state.Since, r.state.LastPing, r.state.LastFail = fromMillis(since), fromNullMillis(lastPing), fromNullMillis(lastFail)
	r.state.LastStart, r.state.HoldUntil = fromNullMillis(lastStart), fromNullMillis(hold)
	if settings.Valid {
		var hs monitor.HeartbeatSettings
		if err := json.Unmarshal([]byte(settings.String), &hs); err != nil {
			return r, fmt.Errorf("heartbeat settings: %w", err)
		}
		r.schedule = heartbeat.ScheduleOf(hs)
	}
	if running.Valid {
		if err := json.Unmarshal([]byte(running.String), &r.running); err != nil {
			return r, fmt.Errorf("heartbeat runs: %w", err)
		}
	}
	return r, nil
}

func heartbeatStateInTx(ctx context.Context, tx *sql.Tx, id int64) (heartbeat.State, []heartbeat.RunningRun, error) {
	r, err := scanHeartbeatRow(tx.QueryRowContext(ctx, qHeartbeatForUpdate, id))
	return r.state, r.running, err
}

// writeHeartbeat stores the state of a heartbeat (its monitor_state row) and, with a ping,
// the ping's activity (last_checked_at, last_message), in one statement.
func writeHeartbeat(ctx context.Context, h hotTx, id int64, r heartbeatRow, p *heartbeat.Ping) error {
	var running any
	if len(r.running) > 0 {
		b, err := json.Marshal(r.running)
		if err != nil {
			return err
		}
		running = string(b)
	}
	st := r.state
	next := heartbeat.NextCheck(st, r.schedule)
	args := []any{string(st.Status), millis(st.Since), nullMillis(st.LastPing), nullMillis(st.LastFail),
		nullMillis(st.LastStart), nullMillis(st.HoldUntil), running, nullMillis(next), r.pings}
	query := qUpdateHeartbeat
	if p != nil {
		query = qUpdateHeartbeatPinged
		args = append(args, millis(p.At), pingMessage(*p))
	}
	_, err := h.exec(ctx, query, append(args, id)...)
	return err
}

const (
	qUpdateHeartbeat = `UPDATE monitor_state SET status = ?, since = ?, last_ping = ?, last_fail = ?, last_start = ?,
		hold_until = ?, running = ?, next_check_at = ?, pings_since_trim = ? WHERE monitor_id = ?`
	// qUpdateHeartbeatPinged is qUpdateHeartbeat and the ping's activity, in one statement.
	qUpdateHeartbeatPinged = `UPDATE monitor_state SET status = ?, since = ?, last_ping = ?, last_fail = ?, last_start = ?,
		hold_until = ?, running = ?, next_check_at = ?, pings_since_trim = ?, last_checked_at = ?, last_message = ?
		WHERE monitor_id = ?`
)

const qInsertPing = `INSERT INTO pings (monitor_id, at, kind, exit_status, rid, method, remote_ip, user_agent,
	body, truncated, run_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const qResumeByPing = `UPDATE monitors SET paused = 0 WHERE id = ? AND paused = 1`

// qTrimPings keeps the newest ?3 pings of monitor ?1.
const qTrimPings = `DELETE FROM pings WHERE monitor_id = ?1 AND id < (
	SELECT id FROM pings WHERE monitor_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2 - 1)`

func pingQueries() []string {
	return []string{qHeartbeatForUpdate, qInsertPing, qUpdateHeartbeatPinged,
		qResumeByPing, qTrimPings, qInsertFlip}
}

// RecordPing records rec, a ping of heartbeat monitor rec.MonitorID (its ID and RunTime are
// set here), applies it to the monitor's state
// machine and open runs (heartbeat.Apply) and records the flip, all in one transaction:
// when it returns nil the ping is committed. Only the newest keep pings of the monitor are
// kept (trimmed every keep/10 pings, so the table holds at most ~1.1 keep per monitor).
// ErrNotFound when the monitor does not exist (or is not a heartbeat).
// The returned event carries the monitor's new state and the flip (nil if none).
func (s *Store) RecordPing(ctx context.Context, rec heartbeat.Record, keep int) (monitor.Event, error) {
	if err := s.pingHot.prepare(ctx, s.write, pingQueries()); err != nil {
		return monitor.Event{}, fmt.Errorf("store: record ping: %w", err)
	}
	id, p := rec.MonitorID, rec.Ping
	keep = max(keep, 1)
	wctx := context.WithoutCancel(ctx) // see recordResult
	var out monitor.Event
	err := s.Write(ctx, func(tx *sql.Tx) error {
		h := hotTx{tx: tx, cache: &s.pingHot}
		r, err := scanHeartbeatRow(h.queryRow(wctx, qHeartbeatForUpdate, id))
		if err != nil {
			return err
		}
		prevStatus := r.state.Status
		applied := heartbeat.Apply(r.state, r.running, p)
		var exit, runMs any
		if p.Kind == heartbeat.KindExit {
			exit = p.Exit
		}
		if applied.Finished != nil {
			runMs = durationMs(applied.Finished.Duration)
		}
		if _, err := h.exec(wctx, qInsertPing, id, millis(p.At), string(p.Kind), exit, orNull(p.RID), rec.Method,
			orNull(rec.RemoteIP), orNull(rec.UserAgent), orNull(rec.Body), rec.Truncated, runMs); err != nil {
			return err
		}
		r.pings++
		if r.pings >= int64(max(keep/10, 1)) {
			if _, err := h.exec(wctx, qTrimPings, id, keep); err != nil {
				return err
			}
			r.pings = 0
		}
		r.state, r.running = applied.State, applied.Running
		if err := writeHeartbeat(wctx, h, id, r, &p); err != nil {
			return err
		}
		if prevStatus == monitor.StatusPaused && r.state.Status != monitor.StatusPaused {
			if _, err := h.exec(wctx, qResumeByPing, id); err != nil {
				return err
			}
		}
		if applied.Flip != nil {
			if err := insertFlip(wctx, h, id, applied.Flip, heartbeatCause(p)); err != nil {
				return err
			}
		}
		out = monitor.Event{MonitorID: id, OrgID: r.orgID, Flip: applied.Flip, State: monitor.State{
			Status: r.state.Status, Since: r.state.Since, LastCheckedAt: p.At, LastMessage: pingMessage(p),
		}}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return monitor.Event{}, ErrNotFound
	}
	if err != nil {
		return monitor.Event{}, fmt.Errorf("store: record ping: %w", err)
	}
	if out.Flip != nil {
		s.wakeAlerts()
	}
	return out, nil
}

// heartbeatCause is the error class of a status change caused by ping p.
func heartbeatCause(p heartbeat.Ping) monitor.ErrorClass {
	if heartbeat.Failed(p.Kind, p.Exit) {
		return monitor.ClassJobFailed
	}
	return ""
}

// pingMessage is the one-line summary of the last ping kept in monitor_state.
func pingMessage(p heartbeat.Ping) string {
	if p.Kind == heartbeat.KindExit {
		return "exit status " + strconv.Itoa(p.Exit)
	}
	return string(p.Kind)
}

// Heartbeat returns the ping address and state of heartbeat monitor id of orgID.
func (s *Store) Heartbeat(ctx context.Context, orgID, id int64) (heartbeat.Info, error) {
	rows, err := s.heartbeats(ctx, `WHERE h.org_id = ? AND h.monitor_id = ?`, orgID, id)
	if err != nil {
		return heartbeat.Info{}, err
	}
	if len(rows) == 0 {
		return heartbeat.Info{}, ErrNotFound
	}
	return rows[0], nil
}

// HeartbeatsOf returns the heartbeats of orgID by monitor id: one query for a list of
// monitors.
func (s *Store) HeartbeatsOf(ctx context.Context, orgID int64) (map[int64]heartbeat.Info, error) {
	rows, err := s.heartbeats(ctx, `WHERE h.org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]heartbeat.Info, len(rows))
	for _, in := range rows {
		out[in.MonitorID] = in
	}
	return out, nil
}

// Heartbeats lists every heartbeat of every organization with its ping address: the ping
// handler keeps them in memory, so that unknown addresses cost no database read.
func (s *Store) Heartbeats(ctx context.Context) ([]heartbeat.Info, error) {
	return s.heartbeats(ctx, `ORDER BY h.monitor_id`)
}

func (s *Store) heartbeats(ctx context.Context, where string, args ...any) ([]heartbeat.Info, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT h.monitor_id, h.org_id, h.uuid, h.slug, st.status, st.since,
		st.last_ping, st.last_fail, st.last_start, st.hold_until, st.running
		FROM heartbeats h JOIN monitor_state st ON st.monitor_id = h.monitor_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: heartbeats: %w", err)
	}
	defer rows.Close()
	var out []heartbeat.Info
	for rows.Next() {
		var in heartbeat.Info
		var since int64
		var lastPing, lastFail, lastStart, hold sql.NullInt64
		var running sql.NullString
		if err := rows.Scan(&in.MonitorID, &in.OrgID, &in.UUID, &in.Slug, &in.State.Status, &since,
			&lastPing, &lastFail, &lastStart, &hold, &running); err != nil {
			return nil, fmt.Errorf("store: heartbeats: %w", err)
		}
		in.State.Since, in.State.LastPing, in.State.LastFail = fromMillis(since), fromNullMillis(lastPing), fromNullMillis(lastFail)
		in.State.LastStart, in.State.HoldUntil = fromNullMillis(lastStart), fromNullMillis(hold)
		if running.Valid {
			if err := json.Unmarshal([]byte(running.String), &in.Running); err != nil {
				return nil, fmt.Errorf("store: heartbeats: runs of %d: %w", in.MonitorID, err)
			}
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: heartbeats: %w", err)
	}
	return out, nil
}

// Pings lists the pings of heartbeat monitorID of orgID with an id below beforeID (no bound
// when 0), newest first, at most limit (<= 0 means 100).
func (s *Store) Pings(ctx context.Context, orgID, monitorID, beforeID int64, limit int) ([]heartbeat.Record, error) {
	return s.PingsPage(ctx, orgID, monitorID, time.Time{}, time.Time{}, beforeID, limit)
}

// SweepHeartbeats evaluates, at now, every heartbeat whose next check is due (heartbeat.
// Evaluate: up -> late -> down when pings are missing) in one transaction, and returns the
// changes with their flips.
func (s *Store) SweepHeartbeats(ctx context.Context, now time.Time) ([]monitor.Event, error) {
	var events []monitor.Event
	err := s.Write(ctx, func(tx *sql.Tx) error {
		events = events[:0]
		return eachDueHeartbeat(ctx, tx, `SELECT monitor_id FROM monitor_state WHERE next_check_at <= ? ORDER BY next_check_at LIMIT 1000`,
			[]any{millis(now)}, func(id int64, r heartbeatRow) error {
				next, flip := heartbeat.Evaluate(r.state, r.schedule, now)
				r.state = next
				if err := writeHeartbeat(ctx, hotTx{tx: tx}, id, r, nil); err != nil {
					return err
				}
				if flip == nil {
					return nil
				}
				if err := insertFlip(ctx, hotTx{tx: tx}, id, flip, monitor.ClassMissed); err != nil {
					return err
				}
				events = append(events, monitor.Event{MonitorID: id, OrgID: r.orgID, Flip: flip,
					State: monitor.State{Status: next.Status, Since: next.Since}})
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("store: sweep heartbeats: %w", err)
	}
	if len(events) > 0 {
		s.wakeAlerts()
	}
	return events, nil
}

// RecoverHeartbeats runs heartbeat.Recover on every up or late heartbeat, once at start:
// pings were lost while statusthing was not running, so monitors that went stale meanwhile
// get a fresh grace period from startedAt instead of a false alarm.
func (s *Store) RecoverHeartbeats(ctx context.Context, startedAt time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		return eachDueHeartbeat(ctx, tx, `SELECT h.monitor_id FROM heartbeats h JOIN monitor_state st
			ON st.monitor_id = h.monitor_id WHERE st.status IN ('up', 'late')`, nil,
			func(id int64, r heartbeatRow) error {
				r.state = heartbeat.Recover(r.state, r.schedule, startedAt)
				return writeHeartbeat(ctx, hotTx{tx: tx}, id, r, nil)
			})
	})
	if err != nil {
		return fmt.Errorf("store: recover heartbeats: %w", err)
	}
	return nil
}

func eachDueHeartbeat(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(id int64, r heartbeatRow) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		r, err := scanHeartbeatRow(tx.QueryRowContext(ctx, qHeartbeatForUpdate, id))
		if err != nil {
			return fmt.Errorf("heartbeat %d: %w", id, err)
		}
		if err := fn(id, r); err != nil {
			return fmt.Errorf("heartbeat %d: %w", id, err)
		}
	}
	return nil
}

// setHeartbeatPaused pauses (heartbeat.Pause, open runs forgotten) or resumes (new: nothing
// is expected until the next ping, as in Healthchecks) heartbeat id inside tx.
func setHeartbeatPaused(ctx context.Context, tx *sql.Tx, id int64, paused bool, now time.Time) (heartbeat.State, *monitor.Flip, error) {
	r, err := scanHeartbeatRow(tx.QueryRowContext(ctx, qHeartbeatForUpdate, id))
	if err != nil {
		return heartbeat.State{}, nil, err
	}
	var flip *monitor.Flip
	switch {
	case paused:
		r.state, flip = heartbeat.Pause(r.state, now)
		r.running = nil
	case r.state.Status == monitor.StatusPaused:
		flip = &monitor.Flip{At: now, From: monitor.StatusPaused, To: monitor.StatusNew, Reason: "resumed"}
		r.state.Status, r.state.Since, r.state.HoldUntil = monitor.StatusNew, now, time.Time{}
	}
	return r.state, flip, writeHeartbeat(ctx, hotTx{tx: tx}, id, r, nil)
}

// newPingKey is the SQL of a new ping key: 32 hex digits, never a uuid (no "-"), which is
// how /ping/{a}/{b} tells the two URL forms apart.
const newPingKey = `lower(hex(randomblob(16)))`

// EnsurePingKeys gives every organization without a ping key one.
func (s *Store) EnsurePingKeys(ctx context.Context) error {
	return s.exec(ctx, "ensure ping keys", `UPDATE organizations SET ping_key = `+newPingKey+` WHERE ping_key IS NULL`)
}

// PingKey returns the ping key of orgID (/ping/{ping_key}/{slug}), making it on first use.
func (s *Store) PingKey(ctx context.Context, orgID int64) (string, error) {
	var key sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT ping_key FROM organizations WHERE id = ?`, orgID).Scan(&key)
	if err != nil {
		return "", notFoundOr(err, "ping key")
	}
	if key.Valid {
		return key.String, nil
	}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET ping_key = `+newPingKey+` WHERE id = ? AND ping_key IS NULL`, orgID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT ping_key FROM organizations WHERE id = ?`, orgID).Scan(&key)
	})
	if err != nil {
		return "", fmt.Errorf("store: ping key: %w", err)
	}
	return key.String, nil
}

// PingKeys maps every organization's ping key to the organization (for the ping handler).
func (s *Store) PingKeys(ctx context.Context) (map[string]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT ping_key, id FROM organizations WHERE ping_key IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: ping keys: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, fmt.Errorf("store: ping keys: %w", err)
		}
		out[k] = id
	}
	return out, rows.Err()
}
