package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"statusthing/app/alert"
	"statusthing/app/monitor"
)

// This file writes the alerts that are not an incident's own down and up (those are in
// incidents.go): degraded, late, their "up", the flap guard's flapping and settling alerts,
// reminders and certificate alerts. Each goes to the outbox in the transaction of what
// causes it: the flip, the result, or the periodic AlertTick's own write.

// alertState is a monitor's alert options and alert state, read in a write transaction.
type alertState struct {
	orgID    int64
	opts     monitor.AlertOptions
	status   monitor.Status
	flapping time.Time // zero when not flapping
}

func alertStateInTx(ctx context.Context, tx *sql.Tx, id int64) (alertState, error) {
	var a alertState
	var remind, window int64
	var flapping sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT m.org_id, m.alert_degraded, m.alert_late, m.cert_alert_days, m.remind_every_ms,
		m.flap_changes, m.flap_window_ms, st.status, st.flapping_since
		FROM monitors m JOIN monitor_state st ON st.monitor_id = m.id WHERE m.id = ?`, id).Scan(
		&a.orgID, &a.opts.Degraded, &a.opts.Late, &a.opts.CertExpiryDays, &remind, &a.opts.FlapChanges, &window,
		&a.status, &flapping)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.opts.RemindEvery, a.opts.FlapWindow, a.flapping = msDuration(remind), msDuration(window), fromNullMillis(flapping)
	return a, err
}

// flipsAfter returns the flips of monitor id after `after`, oldest first (the flap guard's
// window: at most a thousand, which is far more than any threshold).
func flipsAfter(ctx context.Context, tx *sql.Tx, id int64, after time.Time) ([]monitor.Flip, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at, from_status, to_status FROM flips WHERE monitor_id = ? AND at > ?
		ORDER BY at DESC, id DESC LIMIT 1000`, id, millis(after))
	if err != nil {
		return nil, fmt.Errorf("recent flips: %w", err)
	}
	defer rows.Close()
	var out []monitor.Flip
	for rows.Next() {
		var f monitor.Flip
		var at int64
		if err := rows.Scan(&at, &f.From, &f.To); err != nil {
			return nil, fmt.Errorf("recent flips: %w", err)
		}
		f.MonitorID, f.At = id, fromMillis(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// applyFlip carries status change f of monitor id (just inserted) over to its incident
// (applyIncident) and its alerts (alert.OnFlip: the flap guard, degraded, late, and the up
// that ends them), in the flip's transaction.
func applyFlip(ctx context.Context, h hotTx, id int64, f *monitor.Flip, cause monitor.ErrorClass) error {
	st, err := alertStateInTx(ctx, h.tx, id)
	if err != nil {
		return fmt.Errorf("alert state: %w", err)
	}
	var recent []monitor.Flip
	if st.flapping.IsZero() && st.opts.FlapChanges > 0 {
		if recent, err = flipsAfter(ctx, h.tx, id, f.At.Add(-st.opts.FlapWindow)); err != nil {
			return err
		}
	}
	d := alert.OnFlip(*f, st.opts, !st.flapping.IsZero(), recent)
	if err := applyIncident(ctx, h, id, f, cause, d.Notify); err != nil {
		return err
	}
	switch {
	case d.StartFlapping:
		if _, err := h.tx.ExecContext(ctx, `UPDATE monitor_state SET flapping_since = ? WHERE monitor_id = ?`, millis(f.At), id); err != nil {
			return fmt.Errorf("flapping: %w", err)
		}
		return flipAlert(ctx, h.tx, st.orgID, id, f, alert.EventFlapping, alert.FlappingReason(st.opts))
	case d.Event != "":
		return flipAlert(ctx, h.tx, st.orgID, id, f, d.Event, f.Reason)
	}
	return nil
}

// flipAlert enqueues the alert event caused by flip f, unless a maintenance window covers
// the monitor.
func flipAlert(ctx context.Context, tx *sql.Tx, orgID, id int64, f *monitor.Flip, event alert.Event, reason string) error {
	if covered, err := inMaintenance(ctx, tx, orgID, id, f.At); err != nil || covered {
		return err
	}
	a := alert.Alert{Event: event, Status: string(f.To), Reason: reason, Time: f.At}
	// A flapping monitor is often in the middle of an incident: the alert names it, and it
	// shows in that incident's timeline.
	var incidentID int64
	if event == alert.EventFlapping {
		if err := tx.QueryRowContext(ctx, `SELECT ifnull(max(id), 0) FROM incidents WHERE monitor_id = ? AND resolved_at IS NULL`,
			id).Scan(&incidentID); err != nil {
			return fmt.Errorf("flapping: %w", err)
		}
	}
	return enqueue(ctx, tx, id, incidentID, a, func(ch int64) string { return alert.FlipKey(f.ID, event, ch) })
}

// certAlert enqueues the certificate_expiring alert of monitor id, whose certificate
// expiring at expiry was seen at `at`, and remembers the certificate (one alert each). A
// maintenance window covering the monitor holds it back: the next check after the window
// alerts. It reports whether it enqueued the alert.
func certAlert(ctx context.Context, tx *sql.Tx, id int64, status monitor.Status, expiry, at time.Time) (bool, error) {
	var orgID int64
	if err := tx.QueryRowContext(ctx, `SELECT org_id FROM monitors WHERE id = ?`, id).Scan(&orgID); err != nil {
		return false, fmt.Errorf("certificate alert: %w", err)
	}
	if covered, err := inMaintenance(ctx, tx, orgID, id, at); err != nil || covered {
		return false, err
	}
	a := alert.Alert{Event: alert.EventCertExpiring, Status: string(status), Reason: alert.CertReason(expiry, at),
		Time: at, CertExpiry: expiry.UTC()}
	if err := enqueue(ctx, tx, id, 0, a, func(ch int64) string { return alert.CertKey(id, expiry, ch) }); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE monitor_state SET cert_alerted_expiry = ? WHERE monitor_id = ?`, millis(expiry), id); err != nil {
		return false, fmt.Errorf("certificate alert: %w", err)
	}
	return true, nil
}

// AlertTick sends the alerts that no status change causes, at now: the reminders of
// monitors still down (remind_every) and the settling alert of flapping monitors that have
// been stable for their flap window. Call it periodically (every 30 s is plenty: reminders
// are at least 5 minutes apart). Each alert is written with the state that records it
// (the incident's reminder count, the cleared flapping flag) in one transaction, and keyed
// by its number or flapping start, so a crash or a second run cannot send it twice. It
// returns how many monitors it alerted about.
func (s *Store) AlertTick(ctx context.Context, now time.Time) (int, error) {
	reminded, err := s.sendReminders(ctx, now)
	if err != nil {
		return reminded, fmt.Errorf("store: reminders: %w", err)
	}
	settled, err := s.settleFlapping(ctx, now)
	if err != nil {
		return reminded + settled, fmt.Errorf("store: flapping: %w", err)
	}
	if reminded+settled > 0 {
		s.wakeAlerts()
	}
	return reminded + settled, nil
}

// qReminderDue selects the open, unacknowledged incidents whose monitor wants reminders
// and is still down (not paused, not flapping).
const qReminderDue = `SELECT i.id, i.monitor_id, i.org_id, i.opened_at, i.reminders, i.message, m.remind_every_ms
	FROM incidents i JOIN monitors m ON m.id = i.monitor_id JOIN monitor_state st ON st.monitor_id = m.id
	WHERE i.resolved_at IS NULL AND i.status = 'open' AND m.remind_every_ms > 0 AND m.paused = 0
	AND st.status = 'down' AND st.flapping_since IS NULL`

type reminderRow struct {
	id, monitorID, orgID int64
	opened               time.Time
	sent                 int
	cause                string
	every                time.Duration
}

func scanReminder(row interface{ Scan(...any) error }) (reminderRow, error) {
	var r reminderRow
	var opened, every int64
	err := row.Scan(&r.id, &r.monitorID, &r.orgID, &opened, &r.sent, &r.cause, &every)
	r.opened, r.every = fromMillis(opened), msDuration(every)
	return r, err
}

func (s *Store) sendReminders(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.read.QueryContext(ctx, qReminderDue)
	if err != nil {
		return 0, err
	}
	var due []int64
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if alert.ReminderDue(r.opened, now, r.every) > r.sent {
			due = append(due, r.id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	sent := 0
	for _, id := range due {
		var ok bool
		err := s.Write(ctx, func(tx *sql.Tx) error {
			ok = false
			// Again in the transaction: it may have recovered or been acknowledged meanwhile.
			r, err := scanReminder(tx.QueryRowContext(ctx, qReminderDue+` AND i.id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			n := alert.ReminderDue(r.opened, now, r.every)
			if n <= r.sent {
				return nil
			}
			if covered, err := inMaintenance(ctx, tx, r.orgID, r.monitorID, now); err != nil || covered {
				return err
			}
			// Only the latest reminder due: after a long stop, one reminder, not a burst.
			a := alert.Alert{Event: alert.EventReminder, Status: string(monitor.StatusDown),
				Reason: alert.ReminderReason(n, r.every, r.cause), Time: now, Reminder: n}
			if err := enqueue(ctx, tx, r.monitorID, r.id, a, func(ch int64) string { return alert.ReminderKey(r.id, n, ch) }); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE incidents SET reminders = ? WHERE id = ?`, n, r.id); err != nil {
				return err
			}
			ok = true
			return nil
		})
		if err != nil {
			return sent, fmt.Errorf("incident %d: %w", id, err)
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Store) settleFlapping(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT monitor_id FROM monitor_state WHERE flapping_since IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	settled := 0
	for _, id := range ids {
		var ok bool
		err := s.Write(ctx, func(tx *sql.Tx) error {
			ok = false
			st, err := alertStateInTx(ctx, tx, id)
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err != nil || st.flapping.IsZero() {
				return err
			}
			recent, err := flipsAfter(ctx, tx, id, now.Add(-st.opts.FlapWindow))
			if err != nil || !alert.Settled(recent, st.opts) {
				return err
			}
			if covered, err := inMaintenance(ctx, tx, st.orgID, id, now); err != nil || covered {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE monitor_state SET flapping_since = NULL WHERE monitor_id = ?`, id); err != nil {
				return err
			}
			event := alert.SettledEvent(st.status, st.opts)
			if event == "" {
				return nil // paused meanwhile: nothing to tell
			}
			var incidentID int64
			err = tx.QueryRowContext(ctx, `SELECT id FROM incidents WHERE monitor_id = ? AND resolved_at IS NULL`, id).Scan(&incidentID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			a := alert.Alert{Event: event, Status: string(st.status), Reason: alert.SettledReason(st.opts), Time: now}
			ok = true
			return enqueue(ctx, tx, id, incidentID, a, func(ch int64) string { return alert.SettledKey(id, st.flapping, ch) })
		})
		if err != nil {
			return settled, fmt.Errorf("monitor %d: %w", id, err)
		}
		if ok {
			settled++
		}
	}
	return settled, nil
}
