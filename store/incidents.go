package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
	"statusthing/app/monitor"
)

// applyIncident carries a monitor's status change f over to its incident, in the flip's
// transaction (incident.OnFlip): going down opens one — the partial unique index keeps it
// to one open incident per monitor, whatever the writers —, coming back up resolves it,
// and anything else is noted in the open one's timeline. Opening and resolving also
// enqueue the alerts (enqueueAlerts), in the same transaction, unless notify is false (the
// flap guard holds them back). Going down while an active maintenance window covers the
// monitor opens nothing (see OpenIncidentsAfterMaintenance).
func applyIncident(ctx context.Context, h hotTx, monitorID int64, f *monitor.Flip, cause monitor.ErrorClass, notify bool) error {
	switch incident.OnFlip(*f) {
	case incident.Open:
		var orgID int64
		var name string
		if err := h.tx.QueryRowContext(ctx, `SELECT org_id, name FROM monitors WHERE id = ?`, monitorID).Scan(&orgID, &name); err != nil {
			return err
		}
		// During a maintenance window covering the monitor: no incident, no alert; the
		// flip itself is recorded. OpenIncidentsAfterMaintenance opens it if the monitor
		// is still down when the window ends.
		if covered, err := inMaintenance(ctx, h.tx, orgID, monitorID, f.At); err != nil || covered {
			return err
		}
		if opened, err := openIncident(ctx, h.tx, orgID, monitorID, name, f, cause, notify); err != nil || opened {
			return err
		}
	case incident.Resolve:
		var id int64
		err := h.tx.QueryRowContext(ctx, `UPDATE incidents SET status = 'resolved', resolved_at = ?
			WHERE monitor_id = ? AND resolved_at IS NULL RETURNING id`, millis(f.At), monitorID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := addEvent(ctx, h.tx, id, f.At, incident.EventResolved, "", f.Reason); err != nil || !notify {
			return err
		}
		if err := closePublicIncident(ctx, h.tx, id, f.At, ""); err != nil {
			return err
		}
		return enqueueAlerts(ctx, h.tx, monitorID, id, alert.EventUp, f)
	}
	_, err := h.tx.ExecContext(ctx, `INSERT INTO incident_events (incident_id, at, kind, message)
		SELECT id, ?, ?, ? FROM incidents WHERE monitor_id = ? AND resolved_at IS NULL`,
		millis(f.At), string(incident.EventStateChange), string(f.From)+" → "+string(f.To)+": "+f.Reason, monitorID)
	return err
}

func addEvent(ctx context.Context, tx *sql.Tx, incidentID int64, at time.Time, kind incident.EventKind, actor, message string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_events (incident_id, at, kind, actor, message) VALUES (?, ?, ?, ?, ?)`,
		incidentID, millis(at), string(kind), actor, message)
	return err
}

const incidentColumns = `i.id, i.org_id, ifnull(i.monitor_id, 0), ifnull(m.name, ''), i.title, i.status, i.cause, i.message,
	i.opened_at, i.acknowledged_at, ifnull(i.acknowledged_by, ''), i.resolved_at, i.impact, i.public`

const incidentFrom = ` FROM incidents i LEFT JOIN monitors m ON m.id = i.monitor_id`

func scanIncident(row interface{ Scan(...any) error }) (incident.Incident, error) {
	var in incident.Incident
	var opened int64
	var acked, resolved sql.NullInt64
	err := row.Scan(&in.ID, &in.OrgID, &in.MonitorID, &in.MonitorName, &in.Title, &in.Status, &in.Cause, &in.Message,
		&opened, &acked, &in.AcknowledgedBy, &resolved, &in.Impact, &in.Public)
	in.OpenedAt, in.AcknowledgedAt, in.ResolvedAt = fromMillis(opened), fromNullMillis(acked), fromNullMillis(resolved)
	return in, err
}

// Incidents lists the incidents of orgID matching f with an id below beforeID (no bound
// when 0), newest first, at most limit (<= 0 means 100).
func (s *Store) Incidents(ctx context.Context, orgID int64, f incident.Filter, beforeID int64, limit int) ([]incident.Incident, error) {
	where := []string{"i.org_id = ?"}
	args := []any{orgID}
	if beforeID > 0 {
		where, args = append(where, "i.id < ?"), append(args, beforeID)
	}
	if f.Status != "" {
		where, args = append(where, "i.status = ?"), append(args, string(f.Status))
	}
	if f.MonitorID != 0 {
		where, args = append(where, "i.monitor_id = ?"), append(args, f.MonitorID)
	}
	lo, hi := timeBounds(f.From, f.To)
	where, args = append(where, "i.opened_at >= ? AND i.opened_at < ?"), append(args, lo, hi)
	rows, err := s.read.QueryContext(ctx, `SELECT `+incidentColumns+incidentFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY i.id DESC LIMIT ?`, append(args, pageLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	defer rows.Close()
	out := []incident.Incident{}
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: incidents: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	return out, nil
}

// Incident returns an incident of orgID with its timeline, oldest event first.
func (s *Store) Incident(ctx context.Context, orgID, id int64) (incident.Incident, []incident.Event, error) {
	in, err := scanIncident(s.read.QueryRowContext(ctx, `SELECT `+incidentColumns+incidentFrom+` WHERE i.id = ? AND i.org_id = ?`, id, orgID))
	if err != nil {
		return incident.Incident{}, nil, notFoundOr(err, "incident")
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, at, kind, actor, message FROM incident_events WHERE incident_id = ? ORDER BY id`, id)
	if err != nil {
		return incident.Incident{}, nil, fmt.Errorf("store: incident events: %w", err)
	}
	defer rows.Close()
	var events []incident.Event
	for rows.Next() {
		e := incident.Event{IncidentID: id}
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.Actor, &e.Message); err != nil {
			return incident.Incident{}, nil, fmt.Errorf("store: incident events: %w", err)
		}
		e.At = fromMillis(at)
		events = append(events, e)
	}
	return in, events, rows.Err()
}

// ErrIncidentResolved refuses to acknowledge a resolved incident.
var ErrIncidentResolved = incident.ErrResolved // app/web and app/api recognise it without importing store

// AcknowledgeIncident acknowledges (ack) or unacknowledges an open incident of orgID for
// actor, with a timeline event. Acknowledging twice changes nothing.
func (s *Store) AcknowledgeIncident(ctx context.Context, orgID, id int64, actor string, ack bool, now time.Time) error {
	return s.incidentWrite(ctx, orgID, id, func(tx *sql.Tx, in incident.Incident) error {
		if !in.Open() {
			return ErrIncidentResolved
		}
		if ack == (in.Status == incident.StatusAcknowledged) {
			return nil
		}
		if ack {
			if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?
				WHERE id = ?`, millis(now), actor, id); err != nil {
				return err
			}
			return addEvent(ctx, tx, id, now, incident.EventAcknowledged, actor, "")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = 'open', acknowledged_at = NULL, acknowledged_by = NULL
			WHERE id = ?`, id); err != nil {
			return err
		}
		return addEvent(ctx, tx, id, now, incident.EventUnacknowledged, actor, "")
	})
}

// CommentIncident adds actor's comment to an incident's timeline.
func (s *Store) CommentIncident(ctx context.Context, orgID, id int64, actor, text string, now time.Time) error {
	return s.incidentWrite(ctx, orgID, id, func(tx *sql.Tx, in incident.Incident) error {
		return addEvent(ctx, tx, id, now, incident.EventComment, actor, text)
	})
}

// ResolveIncident resolves an open incident by hand (the monitor may still be down: its
// next going down opens a new one) and queues the "up" alerts of its channels. Resolving a
// resolved incident changes nothing.
func (s *Store) ResolveIncident(ctx context.Context, orgID, id int64, actor string, now time.Time) error {
	defer s.wakeAlerts()
	return s.incidentWrite(ctx, orgID, id, func(tx *sql.Tx, in incident.Incident) error {
		if !in.Open() {
			return nil
		}
		return resolveByHand(ctx, tx, in, actor, now)
	})
}

func (s *Store) incidentWrite(ctx context.Context, orgID, id int64, fn func(*sql.Tx, incident.Incident) error) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		in, err := scanIncident(tx.QueryRowContext(ctx, `SELECT `+incidentColumns+incidentFrom+` WHERE i.id = ? AND i.org_id = ?`, id, orgID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return fn(tx, in)
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrIncidentResolved) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: incident: %w", err)
	}
	return nil
}

// IncidentHistory returns the earlier incidents of in's monitor with the same cause opened
// in [since, in.OpenedAt) ("seen before").
func (s *Store) IncidentHistory(ctx context.Context, orgID int64, in incident.Incident, since time.Time) ([]incident.Incident, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+incidentColumns+incidentFrom+`
		WHERE i.org_id = ? AND i.monitor_id = ? AND i.cause = ? AND i.id <> ? AND i.opened_at >= ? AND i.opened_at < ?
		ORDER BY i.opened_at DESC LIMIT 500`, orgID, in.MonitorID, string(in.Cause), in.ID, millis(since), millis(in.OpenedAt))
	if err != nil {
		return nil, fmt.Errorf("store: incident history: %w", err)
	}
	defer rows.Close()
	var out []incident.Incident
	for rows.Next() {
		e, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: incident history: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
