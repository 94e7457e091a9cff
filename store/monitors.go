package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"statusthing/app/monitor"
)

// monitorColumns are read by scanMonitor, from monitors m joined with monitor_state st.
const monitorColumns = `m.id, m.org_id, m.name, m.type, m.interval_ms, m.timeout_ms, m.retries, m.recoveries,
	m.retry_interval_ms, m.paused, m.managed_by, m.settings, m.created_at, m.updated_at,
	m.alert_degraded, m.alert_late, m.cert_alert_days, m.remind_every_ms, m.flap_changes, m.flap_window_ms,
	st.status, st.since, st.last_checked_at, st.last_duration_ms, st.last_message,
	st.consecutive_failures, st.consecutive_successes`

// monitorFrom is the FROM clause that goes with monitorColumns.
const monitorFrom = ` FROM monitors m JOIN monitor_state st ON st.monitor_id = m.id`

func scanMonitor(row interface{ Scan(...any) error }) (monitor.Monitor, error) {
	var m monitor.Monitor
	var interval, timeout, retryInterval, created, updated, since, lastDuration, remind, flapWindow int64
	var settings sql.NullString
	var lastChecked sql.NullInt64
	a := &m.Alerts
	err := row.Scan(&m.ID, &m.OrgID, &m.Name, &m.Type, &interval, &timeout, &m.Retries, &m.Recoveries,
		&retryInterval, &m.Paused, &m.ManagedBy, &settings, &created, &updated,
		&a.Degraded, &a.Late, &a.CertExpiryDays, &remind, &a.FlapChanges, &flapWindow,
		&m.State.Status, &since, &lastChecked, &lastDuration, &m.State.LastMessage,
		&m.State.ConsecutiveFailures, &m.State.ConsecutiveSuccesses)
	if err != nil {
		return m, err
	}
	m.Interval, m.Timeout, m.RetryInterval = msDuration(interval), msDuration(timeout), msDuration(retryInterval)
	m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
	m.State.Since, m.State.LastCheckedAt = fromMillis(since), fromNullMillis(lastChecked)
	m.State.LastDuration = msDuration(lastDuration)
	a.RemindEvery, a.FlapWindow = msDuration(remind), msDuration(flapWindow)
	if settings.Valid {
		if m.Settings, err = monitor.UnmarshalSettings(m.Type, []byte(settings.String)); err != nil {
			return m, fmt.Errorf("monitor %d: settings: %w", m.ID, err)
		}
	}
	return m, nil
}

// alertArgs are the values of the alert option columns of monitors, in their order.
func alertArgs(a monitor.AlertOptions) []any {
	return []any{a.Degraded, a.Late, a.CertExpiryDays, durationMs(a.RemindEvery), a.FlapChanges, durationMs(a.FlapWindow)}
}

// msDuration converts stored milliseconds to a duration.
func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// durationMs stores a duration as whole milliseconds.
func durationMs(d time.Duration) int64 { return d.Milliseconds() }

// settingsJSON encodes m's settings, NULL for a monitor without (browser, heartbeat). Settings
// of another type than the monitor's are refused: they would not decode back.
func settingsJSON(m monitor.Monitor) (sql.NullString, error) {
	if m.Settings == nil {
		return sql.NullString{}, nil
	}
	if t := m.Settings.Type(); t != m.Type {
		return sql.NullString{}, fmt.Errorf("settings of type %q for a %q monitor", t, m.Type)
	}
	b, err := monitor.MarshalSettings(m.Settings)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// CreateMonitor inserts m into m.OrgID with the state pending (paused if m.Paused) since now,
// and returns it with its ID, State and timestamps. Another config-managed monitor with the
// same name in the organization makes it fail (a unique index).
func (s *Store) CreateMonitor(ctx context.Context, m monitor.Monitor, now time.Time) (monitor.Monitor, error) {
	settings, err := settingsJSON(m)
	if err != nil {
		return monitor.Monitor{}, fmt.Errorf("store: create monitor: %w", err)
	}
	status := monitor.StatusPending
	if m.Type == monitor.TypeHeartbeat {
		status = monitor.StatusNew
	}
	if m.Paused {
		status = monitor.StatusPaused
	}
	var created monitor.Monitor
	err = s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO monitors (org_id, name, type, interval_ms, timeout_ms, retries,
			recoveries, retry_interval_ms, paused, managed_by, settings, created_at, updated_at,
			alert_degraded, alert_late, cert_alert_days, remind_every_ms, flap_changes, flap_window_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{m.OrgID, m.Name, string(m.Type), durationMs(m.Interval), durationMs(m.Timeout), m.Retries,
				m.Recoveries, durationMs(m.RetryInterval), m.Paused, m.ManagedBy, settings, millis(now), millis(now)},
				alertArgs(m.Alerts)...)...)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_state (monitor_id, status, since) VALUES (?, ?, ?)`,
			id, string(status), millis(now)); err != nil {
			return err
		}
		if m.Type == monitor.TypeHeartbeat {
			if err := createHeartbeat(ctx, tx, m, id); err != nil {
				return err
			}
		}
		created, err = monitorInTx(ctx, tx, m.OrgID, id)
		return err
	})
	if err != nil {
		return monitor.Monitor{}, fmt.Errorf("store: create monitor: %w", err)
	}
	return created, nil
}

// UpdateMonitor replaces the definition of the monitor (m.OrgID, m.ID): name, type, timings,
// policy, managed_by and settings. Its state is kept, and so is its paused flag: pausing goes
// through SetPaused, which records the flip. It returns ErrNotFound when the organization
// has no such monitor.
func (s *Store) UpdateMonitor(ctx context.Context, m monitor.Monitor, now time.Time) (monitor.Monitor, error) {
	settings, err := settingsJSON(m)
	if err != nil {
		return monitor.Monitor{}, fmt.Errorf("store: update monitor: %w", err)
	}
	var updated monitor.Monitor
	err = s.Write(ctx, func(tx *sql.Tx) error {
		var curType monitor.Type
		err := tx.QueryRowContext(ctx, `SELECT type FROM monitors WHERE id = ? AND org_id = ?`, m.ID, m.OrgID).Scan(&curType)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if (curType == monitor.TypeHeartbeat) != (m.Type == monitor.TypeHeartbeat) {
			return ErrTypeChange
		}
		args := append([]any{m.Name, string(m.Type), durationMs(m.Interval), durationMs(m.Timeout), m.Retries, m.Recoveries,
			durationMs(m.RetryInterval), m.ManagedBy, settings, millis(now)}, alertArgs(m.Alerts)...)
		res, err := tx.ExecContext(ctx, `UPDATE monitors SET name = ?, type = ?, interval_ms = ?, timeout_ms = ?,
			retries = ?, recoveries = ?, retry_interval_ms = ?, managed_by = ?, settings = ?, updated_at = ?,
			alert_degraded = ?, alert_late = ?, cert_alert_days = ?, remind_every_ms = ?, flap_changes = ?, flap_window_ms = ?
			WHERE id = ? AND org_id = ?`, append(args, m.ID, m.OrgID)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if m.Type == monitor.TypeHeartbeat {
			if err := updateHeartbeat(ctx, tx, m); err != nil {
				return err
			}
		}
		updated, err = monitorInTx(ctx, tx, m.OrgID, m.ID)
		return err
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrTypeChange) {
		return monitor.Monitor{}, err
	}
	if err != nil {
		return monitor.Monitor{}, fmt.Errorf("store: update monitor: %w", err)
	}
	return updated, nil
}

// DeleteMonitor deletes a monitor of orgID with its results, flips and rollups (foreign keys
// cascade). It returns ErrNotFound when the organization has no such monitor.
func (s *Store) DeleteMonitor(ctx context.Context, orgID, id int64) error {
	return s.updateOne(ctx, "delete monitor", `DELETE FROM monitors WHERE id = ? AND org_id = ?`, id, orgID)
}

// Monitor returns a monitor of orgID with its state.
func (s *Store) Monitor(ctx context.Context, orgID, id int64) (monitor.Monitor, error) {
	m, err := scanMonitor(s.read.QueryRowContext(ctx, `SELECT `+monitorColumns+monitorFrom+
		` WHERE m.id = ? AND m.org_id = ?`, id, orgID))
	if err != nil {
		return monitor.Monitor{}, notFoundOr(err, "monitor")
	}
	return m, nil
}

// Monitors lists the monitors of orgID with their states, by name (case-insensitively).
func (s *Store) Monitors(ctx context.Context, orgID int64) ([]monitor.Monitor, error) {
	return s.listMonitors(ctx, "monitors", ` WHERE m.org_id = ? ORDER BY m.name COLLATE NOCASE, m.id`, orgID)
}

// ScheduledMonitors lists, across every organization, the monitors the scheduler must run:
// not paused, of a probed (active) type. Only the scheduler may use this unscoped list.
func (s *Store) ScheduledMonitors(ctx context.Context) ([]monitor.Monitor, error) {
	return s.listMonitors(ctx, "scheduled monitors", ` WHERE m.paused = 0 AND m.type <> ? ORDER BY m.id`,
		string(monitor.TypeHeartbeat))
}

// AllMonitors lists every monitor of every organization with its state, by id. It is
// unscoped: only the Prometheus endpoint (an operator's view of the whole instance) may use
// it; tenant code uses Monitors.
func (s *Store) AllMonitors(ctx context.Context) ([]monitor.Monitor, error) {
	return s.listMonitors(ctx, "all monitors", ` ORDER BY m.id`)
}

// MonitorForProbe returns a monitor by id in whatever organization: the scheduler reloads a
// monitor before each run with it. Everything else must use Monitor, which is scoped.
func (s *Store) MonitorForProbe(ctx context.Context, id int64) (monitor.Monitor, error) {
	m, err := scanMonitor(s.read.QueryRowContext(ctx, `SELECT `+monitorColumns+monitorFrom+` WHERE m.id = ?`, id))
	if err != nil {
		return monitor.Monitor{}, notFoundOr(err, "monitor for probe")
	}
	return m, nil
}

func (s *Store) listMonitors(ctx context.Context, what, where string, args ...any) ([]monitor.Monitor, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+monitorColumns+monitorFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []monitor.Monitor
	for rows.Next() {
		m, err := scanMonitor(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// monitorInTx reads a monitor of orgID inside a write transaction.
func monitorInTx(ctx context.Context, tx *sql.Tx, orgID, id int64) (monitor.Monitor, error) {
	m, err := scanMonitor(tx.QueryRowContext(ctx, `SELECT `+monitorColumns+monitorFrom+
		` WHERE m.id = ? AND m.org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// SetPaused pauses or resumes a monitor of orgID (monitor.Pause / monitor.Resume) and records
// the flip in the same transaction. Pausing a paused monitor, or resuming a running one,
// changes nothing and returns a nil flip.
func (s *Store) SetPaused(ctx context.Context, orgID, id int64, paused bool, now time.Time) (monitor.Monitor, *monitor.Flip, error) {
	var out monitor.Monitor
	var flip *monitor.Flip
	err := s.Write(ctx, func(tx *sql.Tx) error {
		m, err := monitorInTx(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		next, f := monitor.Resume(m.State, now)
		if paused {
			next, f = monitor.Pause(m.State, now)
		}
		if m.Type == monitor.TypeHeartbeat {
			hs, hf, err := setHeartbeatPaused(ctx, tx, id, paused, now)
			if err != nil {
				return err
			}
			next.Status, next.Since, f = hs.Status, hs.Since, hf
		}
		if f == nil && m.Paused == paused {
			out, flip = m, nil
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE monitors SET paused = ?, updated_at = ? WHERE id = ?`,
			paused, millis(now), id); err != nil {
			return err
		}
		if err := updateState(ctx, hotTx{tx: tx}, id, next); err != nil {
			return err
		}
		if f != nil {
			if err := insertFlip(ctx, hotTx{tx: tx}, id, f, ""); err != nil {
				return err
			}
		}
		m.Paused, m.State, m.UpdatedAt = paused, next, fromMillis(millis(now))
		out, flip = m, f
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return monitor.Monitor{}, nil, ErrNotFound
	}
	if err != nil {
		return monitor.Monitor{}, nil, fmt.Errorf("store: set paused: %w", err)
	}
	return out, flip, nil
}

// Flips lists the status changes of a monitor of orgID, newest first; limit <= 0 means 100.
func (s *Store) Flips(ctx context.Context, orgID, monitorID int64, limit int) ([]monitor.Flip, error) {
	if limit <= 0 {
		limit = defaultListLimit
	}
	if err := s.checkMonitor(ctx, "flips", orgID, monitorID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, monitor_id, at, from_status, to_status, reason FROM flips
		WHERE monitor_id = ? ORDER BY at DESC, id DESC LIMIT ?`, monitorID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: flips: %w", err)
	}
	defer rows.Close()
	out := []monitor.Flip{}
	for rows.Next() {
		var f monitor.Flip
		var at int64
		if err := rows.Scan(&f.ID, &f.MonitorID, &at, &f.From, &f.To, &f.Reason); err != nil {
			return nil, fmt.Errorf("store: flips: %w", err)
		}
		f.At = fromMillis(at)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: flips: %w", err)
	}
	return out, nil
}

// defaultListLimit is the page size of lists called with limit <= 0.
const defaultListLimit = 100

// checkMonitor returns ErrNotFound unless orgID has the monitor: lists of a monitor's rows
// tell "no rows yet" from "no such monitor" (or "not yours").
func (s *Store) checkMonitor(ctx context.Context, what string, orgID, id int64) error {
	var one int
	err := s.read.QueryRowContext(ctx, `SELECT 1 FROM monitors WHERE id = ? AND org_id = ?`, id, orgID).Scan(&one)
	if err != nil {
		return notFoundOr(err, what)
	}
	return nil
}
