package monitoring

import (
	"context"
	"time"

	"statusthing/app/incident"
)

// MaintenanceStore is the persistence of maintenance windows; *store.Store satisfies it.
// The store itself keeps covered monitors from opening incidents.
type MaintenanceStore interface {
	Maintenances(ctx context.Context, orgID int64) ([]incident.Maintenance, error)
	Maintenance(ctx context.Context, orgID, id int64) (incident.Maintenance, error)
	CreateMaintenance(ctx context.Context, m incident.Maintenance, now time.Time) (incident.Maintenance, error)
	UpdateMaintenance(ctx context.Context, m incident.Maintenance, now time.Time) error
	DeleteMaintenance(ctx context.Context, orgID, id int64) error
}

// Maintenances lists org's maintenance windows by id.
func (s *Service) Maintenances(ctx context.Context, orgID int64) ([]incident.Maintenance, error) {
	return s.store.Maintenances(ctx, orgID)
}

// Maintenance returns one of org's maintenance windows.
func (s *Service) Maintenance(ctx context.Context, orgID, id int64) (incident.Maintenance, error) {
	return s.store.Maintenance(ctx, orgID, id)
}

// CreateMaintenance validates and saves a window of org; refusals are
// *incident.MaintenanceError (wrapped).
func (s *Service) CreateMaintenance(ctx context.Context, orgID int64, m incident.Maintenance) (incident.Maintenance, error) {
	m.OrgID = orgID
	defer s.pagesChanged(orgID)
	return s.store.CreateMaintenance(ctx, m, s.now())
}

// UpdateMaintenance replaces window m.ID of org and returns it as stored.
func (s *Service) UpdateMaintenance(ctx context.Context, orgID int64, m incident.Maintenance) (incident.Maintenance, error) {
	m.OrgID = orgID
	defer s.pagesChanged(orgID)
	if err := s.store.UpdateMaintenance(ctx, m, s.now()); err != nil {
		return incident.Maintenance{}, err
	}
	return s.store.Maintenance(ctx, orgID, m.ID)
}

// DeleteMaintenance deletes a window of org.
func (s *Service) DeleteMaintenance(ctx context.Context, orgID, id int64) error {
	defer s.pagesChanged(orgID)
	return s.store.DeleteMaintenance(ctx, orgID, id)
}

// MonitorMaintenance returns the end of the active maintenance covering a monitor now, if
// any ("in maintenance until ...").
func (s *Service) MonitorMaintenance(ctx context.Context, orgID, monitorID int64) (time.Time, bool, error) {
	ms, err := s.store.Maintenances(ctx, orgID)
	if err != nil {
		return time.Time{}, false, err
	}
	until, ok := incident.Suppressed(ms, monitorID, s.now())
	return until, ok, nil
}
