package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
	"statusthing/app/monitor"
)

// queryer is what reading maintenance windows needs: the read pool or a write transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const maintenanceSelect = `SELECT w.id, w.org_id, w.title, w.starts_at, w.ends_at, w.cron, w.duration_ms, w.time_zone,
	ifnull((SELECT group_concat(mm.monitor_id) FROM maintenance_monitors mm WHERE mm.maintenance_id = w.id), '')
	FROM maintenances w`

func queryMaintenances(ctx context.Context, q queryer, where string, args ...any) ([]incident.Maintenance, error) {
	rows, err := q.QueryContext(ctx, maintenanceSelect+` WHERE `+where+` ORDER BY w.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []incident.Maintenance{}
	for rows.Next() {
		var m incident.Maintenance
		var starts, ends sql.NullInt64
		var durMs int64
		var ids string
		if err := rows.Scan(&m.ID, &m.OrgID, &m.Title, &starts, &ends, &m.Cron, &durMs, &m.TimeZone, &ids); err != nil {
			return nil, err
		}
		m.Start, m.End = fromNullMillis(starts), fromNullMillis(ends)
		m.Duration = time.Duration(durMs) * time.Millisecond
		if ids != "" {
			for _, s := range strings.Split(ids, ",") {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return nil, err
				}
				m.MonitorIDs = append(m.MonitorIDs, id)
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Maintenances lists the maintenance windows of orgID by id.
func (s *Store) Maintenances(ctx context.Context, orgID int64) ([]incident.Maintenance, error) {
	ms, err := queryMaintenances(ctx, s.read, `w.org_id = ?`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: maintenances: %w", err)
	}
	return ms, nil
}

// Maintenance returns a maintenance window of orgID.
func (s *Store) Maintenance(ctx context.Context, orgID, id int64) (incident.Maintenance, error) {
	ms, err := queryMaintenances(ctx, s.read, `w.org_id = ? AND w.id = ?`, orgID, id)
	if err != nil {
		return incident.Maintenance{}, fmt.Errorf("store: maintenance: %w", err)
	}
	if len(ms) == 0 {
		return incident.Maintenance{}, ErrNotFound
	}
	return ms[0], nil
}

// MonitorMaintenance returns the end of the latest active maintenance window covering a
// monitor of orgID at now, and whether there is one ("in maintenance until ...").
func (s *Store) MonitorMaintenance(ctx context.Context, orgID, monitorID int64, now time.Time) (time.Time, bool, error) {
	ms, err := s.Maintenances(ctx, orgID)
	if err != nil {
		return time.Time{}, false, err
	}
	until, ok := incident.Suppressed(ms, monitorID, now)
	return until, ok, nil
}

// CreateMaintenance validates and stores a maintenance window (m.ID is ignored). Monitor
// ids must be monitors of m.OrgID. Refusals are *incident.MaintenanceError (wrapped).
func (s *Store) CreateMaintenance(ctx context.Context, m incident.Maintenance, now time.Time) (incident.Maintenance, error) {
	if err := m.Validate(); err != nil {
		return incident.Maintenance{}, fmt.Errorf("store: create maintenance: %w", err)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO maintenances (org_id, title, starts_at, ends_at, cron, duration_ms, time_zone, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.OrgID, strings.TrimSpace(m.Title), msOrNull(m.Start), msOrNull(m.End),
			m.Cron, m.Duration.Milliseconds(), m.TimeZone, millis(now)).Scan(&m.ID); err != nil {
			return err
		}
		if err := setMaintenanceMonitors(ctx, tx, m); err != nil {
			return err
		}
		return notifyMaintenance(ctx, tx, m, false, now)
	})
	if err != nil {
		return incident.Maintenance{}, fmt.Errorf("store: create maintenance: %w", err)
	}
	s.wakeSubscribers()
	return s.Maintenance(ctx, m.OrgID, m.ID)
}

// UpdateMaintenance replaces a maintenance window of m.OrgID (at now, for the notices to
// the subscribers of the pages it concerns); ErrNotFound if it has none with m.ID.
func (s *Store) UpdateMaintenance(ctx context.Context, m incident.Maintenance, now time.Time) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("store: update maintenance: %w", err)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE maintenances SET title = ?, starts_at = ?, ends_at = ?, cron = ?, duration_ms = ?, time_zone = ?
			WHERE id = ? AND org_id = ?`, strings.TrimSpace(m.Title), msOrNull(m.Start), msOrNull(m.End), m.Cron, m.Duration.Milliseconds(),
			m.TimeZone, m.ID, m.OrgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM maintenance_monitors WHERE maintenance_id = ?`, m.ID); err != nil {
			return err
		}
		if err := setMaintenanceMonitors(ctx, tx, m); err != nil {
			return err
		}
		return notifyMaintenance(ctx, tx, m, true, now)
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: update maintenance: %w", err)
	}
	s.wakeSubscribers()
	return nil
}

// DeleteMaintenance deletes a maintenance window of orgID. Monitors still down when it
// goes get their incident from the next OpenIncidentsAfterMaintenance.
func (s *Store) DeleteMaintenance(ctx context.Context, orgID, id int64) error {
	return s.updateOne(ctx, "delete maintenance", `DELETE FROM maintenances WHERE id = ? AND org_id = ?`, id, orgID)
}

func setMaintenanceMonitors(ctx context.Context, tx *sql.Tx, m incident.Maintenance) error {
	for _, id := range m.MonitorIDs {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO maintenance_monitors (maintenance_id, monitor_id)
			SELECT ?, id FROM monitors WHERE id = ? AND org_id = ?`, m.ID, id, m.OrgID)
		if err != nil {
			return err
		}
		var exists int
		if n, _ := res.RowsAffected(); n == 0 {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM monitors WHERE id = ? AND org_id = ?`, id, m.OrgID).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return &incident.MaintenanceError{Fields: []monitor.FieldError{{Field: "monitors", Message: fmt.Sprintf("unknown monitor %d", id)}}}
			}
		}
	}
	return nil
}

// inMaintenance reports whether an active maintenance window of orgID covers monitorID at t.
func inMaintenance(ctx context.Context, tx *sql.Tx, orgID, monitorID int64, at time.Time) (bool, error) {
	ms, err := queryMaintenances(ctx, tx, `w.org_id = ?`, orgID)
	if err != nil {
		return false, fmt.Errorf("maintenances: %w", err)
	}
	_, ok := incident.Suppressed(ms, monitorID, at)
	return ok, nil
}

// openIncident opens the incident of a monitor going down (f) unless one is open — the
// partial unique index keeps it to one —, with its timeline event and, when notify, its
// alerts, in tx. It reports whether it opened one.
func openIncident(ctx context.Context, tx *sql.Tx, orgID, monitorID int64, name string, f *monitor.Flip, cause monitor.ErrorClass, notify bool) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO incidents (org_id, monitor_id, title, status, cause, message, opened_at)
		VALUES (?, ?, ?, 'open', ?, ?, ?) ON CONFLICT DO NOTHING`,
		orgID, monitorID, incident.Title(name), string(cause), f.Reason, millis(f.At))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return false, err
	}
	if err := addEvent(ctx, tx, id, f.At, incident.EventOpened, "", f.Reason); err != nil || !notify {
		return err == nil, err
	}
	return true, enqueueAlerts(ctx, tx, monitorID, id, alert.EventDown, f)
}

// MessageAfterMaintenance is the reason of an incident opened when a window ends on a
// monitor that is still down.
const MessageAfterMaintenance = "still down after maintenance"

// OpenIncidentsAfterMaintenance opens (and alerts) the incidents of the monitors that are
// down at now with no active maintenance window covering them and no incident since they
// went down (none open, none opened or resolved by hand since): those that went down
// during a window that has ended since. Call it periodically. It returns how
// many incidents it opened.
func (s *Store) OpenIncidentsAfterMaintenance(ctx context.Context, now time.Time) (int, error) {
	type downMonitor struct {
		id, org int64
		name    string
		cause   string
	}
	rows, err := s.read.QueryContext(ctx, `SELECT m.id, m.org_id, m.name,
		ifnull((SELECT r.error_class FROM results r WHERE r.monitor_id = m.id ORDER BY r.id DESC LIMIT 1), '')
		FROM monitors m JOIN monitor_state st ON st.monitor_id = m.id
		WHERE st.status = ? AND m.paused = 0
		AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.monitor_id = m.id
			AND (i.resolved_at IS NULL OR i.opened_at >= st.since OR i.resolved_at >= st.since))`, string(monitor.StatusDown))
	if err != nil {
		return 0, fmt.Errorf("store: incidents after maintenance: %w", err)
	}
	var down []downMonitor
	for rows.Next() {
		var d downMonitor
		if err := rows.Scan(&d.id, &d.org, &d.name, &d.cause); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: incidents after maintenance: %w", err)
		}
		down = append(down, d)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("store: incidents after maintenance: %w", err)
	}
	opened := 0
	for _, d := range down {
		err := s.Write(ctx, func(tx *sql.Tx) error {
			// Check again in the transaction: the monitor may have recovered, or been opened meanwhile.
			var status string
			var flapping bool
			if err := tx.QueryRowContext(ctx, `SELECT status, flapping_since IS NOT NULL FROM monitor_state WHERE monitor_id = ?`,
				d.id).Scan(&status, &flapping); err != nil {
				return err
			}
			if status != string(monitor.StatusDown) {
				return nil
			}
			if covered, err := inMaintenance(ctx, tx, d.org, d.id, now); err != nil || covered {
				return err
			}
			f := &monitor.Flip{MonitorID: d.id, At: now, From: monitor.StatusDown, To: monitor.StatusDown, Reason: MessageAfterMaintenance}
			ok, err := openIncident(ctx, tx, d.org, d.id, d.name, f, monitor.ErrorClass(d.cause), !flapping)
			if ok && err == nil {
				opened++
			}
			return err
		})
		if err != nil {
			return opened, fmt.Errorf("store: incidents after maintenance: %w", err)
		}
	}
	return opened, nil
}
