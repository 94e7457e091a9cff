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

// DeclareIncident opens a public incident by hand (no monitor): title, impact, affected
// components of orgID's pages and its first update, with its timeline event. Refusals are
// *incident.DraftError (wrapped). It returns the incident's id.
func (s *Store) DeclareIncident(ctx context.Context, orgID int64, d incident.Draft, actor string, now time.Time) (int64, error) {
	if err := d.Validate(); err != nil {
		return 0, fmt.Errorf("store: declare incident: %w", err)
	}
	var id int64
	defer s.wakeSubscribers()
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO incidents (org_id, title, status, opened_at, impact, public)
			VALUES (?, ?, 'open', ?, ?, 1) RETURNING id`, orgID, d.Title, millis(now), string(d.Impact)).Scan(&id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, now, incident.EventOpened, actor, "declared by hand"); err != nil {
			return err
		}
		if err := setIncidentComponents(ctx, tx, orgID, id, d.ComponentIDs); err != nil {
			return err
		}
		return addUpdate(ctx, tx, orgID, id, d.Status, d.Message, actor, now)
	})
	if err != nil {
		return 0, fmt.Errorf("store: declare incident: %w", err)
	}
	return id, nil
}

// PostIncidentUpdate adds a public update to an incident of orgID, publishing it if it was
// not (an automatic incident shows on the components bound to its monitor unless c names
// others). An update with status resolved resolves an open incident, as ResolveIncident
// does (with the "up" alerts of a monitor's incident).
func (s *Store) PostIncidentUpdate(ctx context.Context, orgID, id int64, c incident.Change, actor string, now time.Time) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store: incident update: %w", err)
	}
	defer s.wakeAlerts()
	return s.incidentWrite(ctx, orgID, id, func(tx *sql.Tx, in incident.Incident) error {
		title, impact := in.Title, in.Impact
		if c.Title != "" {
			title = c.Title
		}
		if c.Impact != "" {
			impact = c.Impact
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET title = ?, impact = ?, public = 1 WHERE id = ?`, title, string(impact), id); err != nil {
			return err
		}
		switch {
		case c.ComponentIDs != nil:
			if _, err := tx.ExecContext(ctx, `DELETE FROM incident_components WHERE incident_id = ?`, id); err != nil {
				return err
			}
			if err := setIncidentComponents(ctx, tx, orgID, id, c.ComponentIDs); err != nil {
				return err
			}
		case !in.Public && in.MonitorID != 0:
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO incident_components (incident_id, component_id)
				SELECT ?, id FROM page_components WHERE monitor_id = ?`, id, in.MonitorID); err != nil {
				return err
			}
		}
		if err := addUpdate(ctx, tx, orgID, id, c.Status, c.Message, actor, now); err != nil {
			return err
		}
		if c.Status == incident.UpdateResolved && in.Open() {
			return resolveByHand(ctx, tx, in, actor, now)
		}
		return nil
	})
}

// addUpdate posts a public update of incident id and queues its notices to the
// subscribers of the pages showing the incident (its components are set before).
func addUpdate(ctx context.Context, tx *sql.Tx, orgID, id int64, status incident.UpdateStatus, message, actor string, now time.Time) error {
	var updateID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO incident_updates (incident_id, at, status, message, actor) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		id, millis(now), string(status), strings.TrimSpace(message), actor).Scan(&updateID); err != nil {
		return err
	}
	return notifyUpdate(ctx, tx, updateID)
}

// setIncidentComponents links an incident to components, which must be on pages of orgID.
func setIncidentComponents(ctx context.Context, tx *sql.Tx, orgID, id int64, componentIDs []int64) error {
	for _, cid := range componentIDs {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO incident_components (incident_id, component_id)
			SELECT ?, c.id FROM page_components c JOIN status_pages p ON p.id = c.page_id WHERE c.id = ? AND p.org_id = ?`, id, cid, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM page_components c JOIN status_pages p ON p.id = c.page_id
				WHERE c.id = ? AND p.org_id = ?`, cid, orgID).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return &incident.DraftError{Fields: []monitor.FieldError{{Field: "component_ids", Message: fmt.Sprintf("unknown component %d", cid)}}}
			}
		}
	}
	return nil
}

// closePublicIncident posts the closing public update of a published incident resolving
// without one (its monitor came back, or someone resolved it without a word for visitors),
// and queues its notices to the subscribers of the pages showing it.
func closePublicIncident(ctx context.Context, tx *sql.Tx, id int64, at time.Time, actor string) error {
	var updateID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO incident_updates (incident_id, at, status, message, actor)
		SELECT id, ?, 'resolved', ?, ? FROM incidents i WHERE i.id = ? AND i.public = 1
		AND ifnull((SELECT status FROM incident_updates u WHERE u.incident_id = i.id ORDER BY u.at DESC, u.id DESC LIMIT 1), '') <> 'resolved'
		RETURNING id`,
		millis(at), incident.ResolvedMessage, actor, id).Scan(&updateID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not public, or its last update already says resolved
	}
	if err != nil {
		return err
	}
	return notifyUpdate(ctx, tx, updateID)
}

// resolveByHand resolves the open incident in, in tx: timeline event, closing public
// update, and the "up" alerts of a monitor's incident with the monitor's current status.
func resolveByHand(ctx context.Context, tx *sql.Tx, in incident.Incident, actor string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = 'resolved', resolved_at = ? WHERE id = ?`, millis(now), in.ID); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, in.ID, now, incident.EventResolved, actor, "resolved by hand"); err != nil {
		return err
	}
	if err := closePublicIncident(ctx, tx, in.ID, now, actor); err != nil {
		return err
	}
	if in.MonitorID == 0 {
		return nil
	}
	// Whoever was told it opened is told it is over, with the monitor's status as it is.
	var status monitor.Status
	if err := tx.QueryRowContext(ctx, `SELECT status FROM monitor_state WHERE monitor_id = ?`, in.MonitorID).Scan(&status); err != nil {
		return err
	}
	return enqueueAlerts(ctx, tx, in.MonitorID, in.ID, alert.EventUp,
		&monitor.Flip{At: now, From: status, To: status, Reason: "resolved by hand by " + actor})
}

// PublicIncidents returns the public incidents of orgID affecting any of componentIDs that
// are open or opened at or after since, newest first, with an id below beforeID (no bound
// when 0), at most limit (<= 0 means 100); each with its components and updates.
func (s *Store) PublicIncidents(ctx context.Context, orgID int64, componentIDs []int64, since time.Time, beforeID int64, limit int) ([]incident.Public, error) {
	if len(componentIDs) == 0 {
		return []incident.Public{}, nil
	}
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+incidentColumns+incidentFrom+`
		WHERE i.org_id = ? AND i.public = 1 AND i.id < ? AND (i.resolved_at IS NULL OR i.opened_at >= ?)
		AND EXISTS (SELECT 1 FROM incident_components ic WHERE ic.incident_id = i.id AND ic.component_id IN (`+inList(componentIDs)+`))
		ORDER BY i.id DESC LIMIT ?`, orgID, beforeID, millis(since), pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: public incidents: %w", err)
	}
	defer rows.Close()
	out := []incident.Public{}
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: public incidents: %w", err)
		}
		out = append(out, incident.Public{Incident: in})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: public incidents: %w", err)
	}
	if err := s.fillPublic(ctx, out); err != nil {
		return nil, fmt.Errorf("store: public incidents: %w", err)
	}
	return out, nil
}

// IncidentPublic returns the public side of an incident of orgID: its components and
// updates (none for an unpublished incident).
func (s *Store) IncidentPublic(ctx context.Context, orgID, id int64) (incident.Public, error) {
	in, err := scanIncident(s.read.QueryRowContext(ctx, `SELECT `+incidentColumns+incidentFrom+` WHERE i.id = ? AND i.org_id = ?`, id, orgID))
	if err != nil {
		return incident.Public{}, notFoundOr(err, "incident public")
	}
	out := []incident.Public{{Incident: in}}
	if err := s.fillPublic(ctx, out); err != nil {
		return incident.Public{}, fmt.Errorf("store: incident public: %w", err)
	}
	return out[0], nil
}

// fillPublic reads the components and updates of incidents in two queries.
func (s *Store) fillPublic(ctx context.Context, incidents []incident.Public) error {
	if len(incidents) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]int64, len(incidents))
	for i, in := range incidents {
		at[in.ID], ids[i] = i, in.ID
	}
	rows, err := s.read.QueryContext(ctx, `SELECT incident_id, component_id FROM incident_components
		WHERE incident_id IN (`+inList(ids)+`) ORDER BY incident_id, component_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var iid, cid int64
		if err := rows.Scan(&iid, &cid); err != nil {
			return err
		}
		p := &incidents[at[iid]]
		p.ComponentIDs = append(p.ComponentIDs, cid)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	urows, err := s.read.QueryContext(ctx, `SELECT id, incident_id, at, status, message, actor FROM incident_updates
		WHERE incident_id IN (`+inList(ids)+`) ORDER BY incident_id, at DESC, id DESC`)
	if err != nil {
		return err
	}
	defer urows.Close()
	for urows.Next() {
		var u incident.Update
		var ms int64
		if err := urows.Scan(&u.ID, &u.IncidentID, &ms, &u.Status, &u.Message, &u.Actor); err != nil {
			return err
		}
		u.At = fromMillis(ms)
		p := &incidents[at[u.IncidentID]]
		p.Updates = append(p.Updates, u)
	}
	return urows.Err()
}
