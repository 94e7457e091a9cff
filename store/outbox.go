package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"statusthing/app/alert"
	"statusthing/app/monitor"
)

// qAlertChannels selects the channels that alert for a monitor: the enabled default channels
// of its organization and the enabled channels attached to it. It is the only statement
// enqueueAlerts runs for an organization without channels (channels_org index, no rows).
const qAlertChannels = `SELECT c.id FROM channels c
	WHERE c.org_id = (SELECT org_id FROM monitors WHERE id = ?1) AND c.enabled
	AND (c.is_default OR EXISTS (SELECT 1 FROM monitor_channels mc WHERE mc.monitor_id = ?1 AND mc.channel_id = c.id))
	ORDER BY c.id`

// enqueueAlerts writes, in tx (the transaction of flip f), one outbox row per channel that
// alerts for the monitor about event of its incident incidentID. The idempotency key makes
// a second enqueue of the same (incident, event, channel) a no-op.
func enqueueAlerts(ctx context.Context, tx *sql.Tx, monitorID, incidentID int64, event alert.Event, f *monitor.Flip) error {
	a := alert.Alert{Event: event, Status: string(f.To), Reason: f.Reason, Time: f.At}
	return enqueue(ctx, tx, monitorID, incidentID, a, func(ch int64) string { return alert.Key(incidentID, event, ch) })
}

// enqueue writes, in tx, one outbox row per channel that alerts for the monitor (see
// qAlertChannels). a is the payload with its Event, Status, Reason, Time and the event's
// own fields set; its Monitor, and its Incident when incidentID is not 0, are filled in
// here. key gives each channel's row its idempotency key: a row whose key exists is not
// written again.
func enqueue(ctx context.Context, tx *sql.Tx, monitorID, incidentID int64, a alert.Alert, key func(channelID int64) string) error {
	rows, err := tx.QueryContext(ctx, qAlertChannels, monitorID)
	if err != nil {
		return fmt.Errorf("alert channels: %w", err)
	}
	var channels []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("alert channels: %w", err)
		}
		channels = append(channels, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("alert channels: %w", err)
	}
	if len(channels) == 0 {
		return nil
	}

	a.Time = fromMillis(millis(a.Time))
	var orgID int64
	var opened, resolved sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT m.org_id, m.id, m.name, m.type,
		coalesce(json_extract(m.settings, '$.url'), json_extract(m.settings, '$.address'), json_extract(m.settings, '$.hostname'), ''),
		ifnull(i.id, 0), ifnull(i.title, ''), i.opened_at, i.resolved_at
		FROM monitors m LEFT JOIN incidents i ON i.id = ?2 AND i.monitor_id = m.id WHERE m.id = ?1`, monitorID, incidentID).Scan(
		&orgID, &a.Monitor.ID, &a.Monitor.Name, &a.Monitor.Type, &a.Monitor.Target,
		&a.Incident.ID, &a.Incident.Title, &opened, &resolved)
	if err != nil {
		return fmt.Errorf("alert payload: %w", err)
	}
	a.Monitor.Target = publicTarget(a.Monitor.Target)
	a.Incident.OpenedAt, a.Incident.ResolvedAt = fromNullMillis(opened), fromNullMillis(resolved)
	for _, ch := range channels {
		a.IdempotencyKey = key(ch)
		payload, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("alert payload: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (org_id, channel_id, event, idempotency_key, created_at, next_attempt_at, incident_id)
			VALUES (?, ?, ?, ?, ?, ?, nullif(?, 0)) ON CONFLICT (idempotency_key) DO NOTHING`,
			orgID, ch, string(payload), a.IdempotencyKey, millis(a.Time), millis(a.Time), a.Incident.ID); err != nil {
			return fmt.Errorf("enqueue alert: %w", err)
		}
	}
	return nil
}

// publicTarget drops the credentials a monitored URL may carry (https://user:pass@host/):
// alerts leave the building.
func publicTarget(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		return target
	}
	u.User = nil
	return u.String()
}

// AlertsQueued is signalled (without blocking; one pending signal at most) after a write
// that may have committed alerts to the outbox: the dispatcher waits on it besides polling.
func (s *Store) AlertsQueued() <-chan struct{} { return s.alertWake }

// wakeAlerts signals AlertsQueued, and SubscribersQueued (a flip may resolve a public
// incident, whose closing update is told to the page's subscribers). Called after the
// commit of a write with a flip: a spurious signal costs a dispatcher one poll.
func (s *Store) wakeAlerts() {
	select {
	case s.alertWake <- struct{}{}:
	default:
	}
	s.wakeSubscribers()
}

// deliveryColumns are read by scanDelivery, from outbox o joined with channels c.
const deliveryColumns = `o.id, o.org_id, o.event, o.idempotency_key, o.created_at, o.next_attempt_at, o.attempts,
	o.delivered_at, o.failed_at, o.last_error, ` + channelColumns

func scanDelivery(row interface{ Scan(...any) error }) (alert.Delivery, error) {
	var d alert.Delivery
	var event, key, settings string
	var created, next, chCreated int64
	var delivered, failed sql.NullInt64
	c := &d.Channel
	err := row.Scan(&d.ID, &d.OrgID, &event, &key, &created, &next, &d.Attempts, &delivered, &failed, &d.LastError,
		&c.ID, &c.OrgID, &c.Name, &c.Type, &settings, &c.IsDefault, &c.Enabled, &chCreated)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(event), &d.Alert); err != nil {
		return d, fmt.Errorf("outbox %d: event: %w", d.ID, err)
	}
	d.Alert.IdempotencyKey = key
	c.Settings, c.CreatedAt = json.RawMessage(settings), fromMillis(chCreated)
	d.CreatedAt, d.NextAttemptAt = fromMillis(created), fromMillis(next)
	d.DeliveredAt, d.FailedAt = fromNullMillis(delivered), fromNullMillis(failed)
	return d, nil
}

func (s *Store) deliveries(ctx context.Context, what, query string, args ...any) ([]alert.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []alert.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// DueAlerts returns the undelivered, not given up outbox rows due at now, oldest due
// first: at most perChannel per channel (so that a backlog on one channel does not fill
// the batch and hold back the others) and limit in all. Rows of disabled channels are
// returned too: the dispatcher gives them up.
func (s *Store) DueAlerts(ctx context.Context, now time.Time, perChannel, limit int) ([]alert.Delivery, error) {
	return s.deliveries(ctx, "due alerts", `SELECT `+deliveryColumns+` FROM (
			SELECT *, row_number() OVER (PARTITION BY channel_id ORDER BY next_attempt_at, id) AS rn FROM outbox
			WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
		) o JOIN channels c ON c.id = o.channel_id
		WHERE o.rn <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?`, millis(now), max(perChannel, 1), max(limit, 1))
}

// FailedAlerts lists the alerts of orgID given up on, most recent first (at most 100).
func (s *Store) FailedAlerts(ctx context.Context, orgID int64) ([]alert.Delivery, error) {
	return s.deliveries(ctx, "failed alerts", `SELECT `+deliveryColumns+` FROM outbox o JOIN channels c ON c.id = o.channel_id
		WHERE o.org_id = ? AND o.failed_at IS NOT NULL ORDER BY o.failed_at DESC, o.id DESC LIMIT 100`, orgID)
}

// IncidentAlerts lists the alerts written for an incident of orgID, oldest first: the
// timeline's "alerted whom".
func (s *Store) IncidentAlerts(ctx context.Context, orgID, incidentID int64) ([]alert.Delivery, error) {
	return s.deliveries(ctx, "incident alerts", `SELECT `+deliveryColumns+` FROM outbox o JOIN channels c ON c.id = o.channel_id
		WHERE o.incident_id = ? AND o.org_id = ? ORDER BY o.created_at, o.id LIMIT 500`, incidentID, orgID)
}

// OutboxAlert returns the outbox row id of orgID.
func (s *Store) OutboxAlert(ctx context.Context, orgID, id int64) (alert.Delivery, error) {
	list, err := s.deliveries(ctx, "outbox alert", `SELECT `+deliveryColumns+` FROM outbox o JOIN channels c ON c.id = o.channel_id
		WHERE o.id = ? AND o.org_id = ?`, id, orgID)
	if err != nil {
		return alert.Delivery{}, err
	}
	if len(list) == 0 {
		return alert.Delivery{}, ErrNotFound
	}
	return list[0], nil
}

// AlertAttempts lists the delivery attempts of the outbox row id of orgID, oldest first.
func (s *Store) AlertAttempts(ctx context.Context, orgID, id int64) ([]alert.Attempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.at, a.ok, a.status_code, a.error, a.retry_after_ms FROM delivery_attempts a
		JOIN outbox o ON o.id = a.outbox_id WHERE a.outbox_id = ? AND o.org_id = ? ORDER BY a.id`, id, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: alert attempts: %w", err)
	}
	defer rows.Close()
	out := []alert.Attempt{}
	for rows.Next() {
		var a alert.Attempt
		var at, retryAfter int64
		if err := rows.Scan(&at, &a.OK, &a.StatusCode, &a.Error, &retryAfter); err != nil {
			return nil, fmt.Errorf("store: alert attempts: %w", err)
		}
		a.At, a.RetryAfter = fromMillis(at), msDuration(retryAfter)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alert attempts: %w", err)
	}
	return out, nil
}

// RecordAttempt records attempt a at delivering the pending outbox row id: delivered when
// a.OK; else tried again at next, or given up (failed_at = a.At) when next is zero.
// ErrNotFound when the row is gone (its channel was deleted) or no longer pending.
func (s *Store) RecordAttempt(ctx context.Context, id int64, a alert.Attempt, next time.Time) error {
	at := millis(a.At)
	var delivered, failed, nextAt any
	switch {
	case a.OK:
		delivered, nextAt = at, at
	case next.IsZero():
		failed, nextAt = at, at
	default:
		nextAt = millis(next)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, delivered_at = ?,
			failed_at = ?, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL`,
			a.Error, delivered, failed, nextAt, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delivery_attempts (outbox_id, at, ok, status_code, error, retry_after_ms)
			VALUES (?, ?, ?, ?, ?, ?)`, id, at, a.OK, a.StatusCode, a.Error, durationMs(a.RetryAfter))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: record attempt: %w", err)
	}
	return nil
}

// RetryAlert puts an alert of orgID that was given up back in the outbox, due at now,
// with a fresh count of attempts (its earlier attempts stay in its history). ErrNotFound
// unless it exists and was given up.
func (s *Store) RetryAlert(ctx context.Context, orgID, id int64, now time.Time) error {
	err := s.updateOne(ctx, "retry alert", `UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ?
		WHERE id = ? AND org_id = ? AND failed_at IS NOT NULL`, millis(now), id, orgID)
	if err == nil {
		s.wakeAlerts()
	}
	return err
}

// AlertCounts counts the outbox's pending (waiting for an attempt), failed (given up) and
// delivered alerts, and the open incidents, across every organization: only /metrics uses
// this unscoped view.
func (s *Store) AlertCounts(ctx context.Context) (pending, failed, delivered, openIncidents int64, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL),
		(SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL),
		(SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL),
		(SELECT count(*) FROM incidents WHERE resolved_at IS NULL)`).Scan(&pending, &failed, &delivered, &openIncidents)
	if err != nil {
		err = fmt.Errorf("store: count alerts: %w", err)
	}
	return pending, failed, delivered, openIncidents, err
}
