package monitoring

import (
	"context"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
)

// IncidentStore is the persistence of incidents; *store.Store satisfies it. Incidents are
// opened and resolved by the store itself, in the transaction of the status change.
type IncidentStore interface {
	Incidents(ctx context.Context, orgID int64, f incident.Filter, beforeID int64, limit int) ([]incident.Incident, error)
	Incident(ctx context.Context, orgID, id int64) (incident.Incident, []incident.Event, error)
	AcknowledgeIncident(ctx context.Context, orgID, id int64, actor string, ack bool, now time.Time) error
	CommentIncident(ctx context.Context, orgID, id int64, actor, text string, now time.Time) error
	ResolveIncident(ctx context.Context, orgID, id int64, actor string, now time.Time) error
	IncidentHistory(ctx context.Context, orgID int64, in incident.Incident, since time.Time) ([]incident.Incident, error)
	IncidentAlerts(ctx context.Context, orgID, incidentID int64) ([]alert.Delivery, error)
}

// IncidentAlerts lists the alerts written for an incident, oldest first, with their
// delivery state.
func (s *Service) IncidentAlerts(ctx context.Context, orgID, id int64) ([]alert.Delivery, error) {
	return s.inc.IncidentAlerts(ctx, orgID, id)
}

// SeenBefore is how far back "seen before" looks for earlier incidents of the same cause.
const SeenBefore = 30 * 24 * time.Hour

// Incidents lists org's incidents matching f, newest first, with ids below beforeID (0:
// the newest).
func (s *Service) Incidents(ctx context.Context, orgID int64, f incident.Filter, beforeID int64, limit int) ([]incident.Incident, error) {
	return s.inc.Incidents(ctx, orgID, f, beforeID, limit)
}

// Incident returns an incident with its timeline and its monitor's earlier incidents of the
// same cause in the last 30 days.
func (s *Service) Incident(ctx context.Context, orgID, id int64) (incident.Incident, []incident.Event, incident.History, error) {
	in, events, err := s.inc.Incident(ctx, orgID, id)
	if err != nil {
		return in, nil, incident.History{}, err
	}
	var h incident.History
	if in.MonitorID != 0 {
		earlier, err := s.inc.IncidentHistory(ctx, orgID, in, in.OpenedAt.Add(-SeenBefore))
		if err != nil {
			return in, nil, incident.History{}, err
		}
		h = incident.Summarise(earlier, 5)
	}
	return in, events, h, nil
}

// AcknowledgeIncident acknowledges (or, with ack false, unacknowledges) an open incident.
func (s *Service) AcknowledgeIncident(ctx context.Context, orgID, id int64, actor string, ack bool) error {
	return s.inc.AcknowledgeIncident(ctx, orgID, id, actor, ack, s.now())
}

// CommentIncident adds a comment to an incident's timeline; incident.CheckComment's
// refusals are returned as they are.
func (s *Service) CommentIncident(ctx context.Context, orgID, id int64, actor, text string) error {
	if err := incident.CheckComment(text); err != nil {
		return err
	}
	return s.inc.CommentIncident(ctx, orgID, id, actor, text, s.now())
}

// ResolveIncident resolves an incident by hand.
func (s *Service) ResolveIncident(ctx context.Context, orgID, id int64, actor string) error {
	defer s.pagesChanged(orgID)
	return s.inc.ResolveIncident(ctx, orgID, id, actor, s.now())
}
