package monitoring

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/app/statuspage"
)

// PageStore is the persistence of status pages and public incidents; *store.Store
// satisfies it.
type PageStore interface {
	StatusPages(ctx context.Context, orgID int64) ([]statuspage.Page, error)
	StatusPage(ctx context.Context, orgID, id int64) (statuspage.Page, error)
	StatusPageBySlug(ctx context.Context, slug string) (statuspage.Page, error)
	StatusPageByDomain(ctx context.Context, host string) (statuspage.Page, error)
	DefaultStatusPage(ctx context.Context) (statuspage.Page, error)
	StatusPageRoutes(ctx context.Context) ([]statuspage.Page, error)
	PublicComponent(ctx context.Context, monitorID int64) (name string, orgID int64, err error)
	CreateStatusPage(ctx context.Context, p statuspage.Page, now time.Time) (statuspage.Page, error)
	UpdateStatusPage(ctx context.Context, p statuspage.Page, now time.Time) (statuspage.Page, error)
	DeleteStatusPage(ctx context.Context, orgID, id int64) error
	SetStatusPageLogo(ctx context.Context, orgID, id int64, data []byte, mediaType string, now time.Time) error
	StatusPageLogo(ctx context.Context, id int64) ([]byte, string, error)
	RollupsOf(ctx context.Context, orgID int64, monitorIDs []int64, hourly bool, from time.Time) (map[int64][]monitor.RollupBucket, error)
	FlipsOf(ctx context.Context, orgID int64, monitorIDs []int64, from time.Time) (map[int64][]monitor.Flip, error)
	DeclareIncident(ctx context.Context, orgID int64, d incident.Draft, actor string, now time.Time) (int64, error)
	PostIncidentUpdate(ctx context.Context, orgID, id int64, c incident.Change, actor string, now time.Time) error
	PublicIncidents(ctx context.Context, orgID int64, componentIDs []int64, since time.Time, beforeID int64, limit int) ([]incident.Public, error)
	IncidentPublic(ctx context.Context, orgID, id int64) (incident.Public, error)
}

// PageWatcher is told when something a status page of an organization shows may have
// changed other than a monitor's status (a page, a public incident, a maintenance window):
// the public pages' cache.
type PageWatcher interface {
	PagesChanged(orgID int64)
}

func (s *Service) pagesChanged(orgID int64) {
	if s.pages != nil {
		s.pages.PagesChanged(orgID)
	}
}

// StatusPages lists the status pages of orgID.
func (s *Service) StatusPages(ctx context.Context, orgID int64) ([]statuspage.Page, error) {
	return s.store.StatusPages(ctx, orgID)
}

// StatusPage returns a status page of orgID.
func (s *Service) StatusPage(ctx context.Context, orgID, id int64) (statuspage.Page, error) {
	return s.store.StatusPage(ctx, orgID, id)
}

// CreateStatusPage validates and stores a new page.
func (s *Service) CreateStatusPage(ctx context.Context, orgID int64, p statuspage.Page) (statuspage.Page, error) {
	p.OrgID, p.ID = orgID, 0
	out, err := s.store.CreateStatusPage(ctx, p, s.now())
	if err == nil {
		s.pagesChanged(orgID)
	}
	return out, err
}

// UpdateStatusPage replaces a page of orgID and its components (see store.UpdateStatusPage).
func (s *Service) UpdateStatusPage(ctx context.Context, orgID int64, p statuspage.Page) (statuspage.Page, error) {
	p.OrgID = orgID
	out, err := s.store.UpdateStatusPage(ctx, p, s.now())
	if err == nil {
		s.pagesChanged(orgID)
	}
	return out, err
}

// DeleteStatusPage deletes a page of orgID.
func (s *Service) DeleteStatusPage(ctx context.Context, orgID, id int64) error {
	err := s.store.DeleteStatusPage(ctx, orgID, id)
	if err == nil {
		s.pagesChanged(orgID)
	}
	return err
}

// SetStatusPageLogo checks and stores a page's logo; empty data removes it.
func (s *Service) SetStatusPageLogo(ctx context.Context, orgID, id int64, data []byte) error {
	var mediaType string
	if len(data) > 0 {
		t, err := statuspage.CheckLogo(data)
		if err != nil {
			return err
		}
		mediaType = t
	}
	err := s.store.SetStatusPageLogo(ctx, orgID, id, data, mediaType, s.now())
	if err == nil {
		s.pagesChanged(orgID)
	}
	return err
}

// StatusPageLogo returns a page's logo and its media type.
func (s *Service) StatusPageLogo(ctx context.Context, pageID int64) ([]byte, string, error) {
	return s.store.StatusPageLogo(ctx, pageID)
}

// PageRoutes lists every page's slug, custom domain and default flag (no components).
func (s *Service) PageRoutes(ctx context.Context) ([]statuspage.Page, error) {
	return s.store.StatusPageRoutes(ctx)
}

// ErrNoPage is returned by PublicPage when no page answers the request.
var ErrNoPage = errors.New("no such status page")

// PublicPage finds the page a visitor asked for: by custom domain when host is one (then
// slug must be "" — the page is served at "/"), else by slug, else the default page when
// slug is "".
func (s *Service) PublicPage(ctx context.Context, host, slug string) (statuspage.Page, error) {
	var p statuspage.Page
	var err error
	switch {
	case slug != "":
		p, err = s.store.StatusPageBySlug(ctx, slug)
	case host != "":
		p, err = s.store.StatusPageByDomain(ctx, host)
		if isNotFound(err) {
			p, err = s.store.DefaultStatusPage(ctx)
		}
	default:
		p, err = s.store.DefaultStatusPage(ctx)
	}
	if isNotFound(err) {
		return statuspage.Page{}, ErrNoPage
	}
	return p, err
}

func isNotFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.As(err, &nf) && nf.NotFound()
}

// PageView reads everything page p shows and builds its view at now.
func (s *Service) PageView(ctx context.Context, p statuspage.Page) (statuspage.View, error) {
	now := s.now()
	in := statuspage.Input{Page: p, Now: now, Monitors: map[int64]monitor.Monitor{}}
	ids := p.MonitorIDs()
	if len(ids) > 0 {
		all, err := s.store.Monitors(ctx, p.OrgID)
		if err != nil {
			return statuspage.View{}, err
		}
		for _, m := range all {
			if slices.Contains(ids, m.ID) {
				in.Monitors[m.ID] = m
			}
		}
		barStart := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(statuspage.BarDays - 1))
		if in.Daily, err = s.store.RollupsOf(ctx, p.OrgID, ids, false, barStart); err != nil {
			return statuspage.View{}, err
		}
		if in.Flips, err = s.store.FlipsOf(ctx, p.OrgID, ids, barStart); err != nil {
			return statuspage.View{}, err
		}
		var charted []int64
		for _, c := range p.Components {
			if c.ShowResponseTime && c.MonitorID > 0 {
				charted = append(charted, c.MonitorID)
			}
		}
		if in.Hourly, err = s.store.RollupsOf(ctx, p.OrgID, charted, true, now.Add(-statuspage.ResponseWindow)); err != nil {
			return statuspage.View{}, err
		}
		if in.Maintenances, err = s.store.Maintenances(ctx, p.OrgID); err != nil {
			return statuspage.View{}, err
		}
	}
	incidents, err := s.store.PublicIncidents(ctx, p.OrgID, p.ComponentIDs(), now.Add(-statuspage.IncidentHorizon), 0, 500)
	if err != nil {
		return statuspage.View{}, err
	}
	in.Incidents = incidents
	return statuspage.Build(in), nil
}

// PageArchive lists the public incidents of page p older than the page's history, newest
// first, with an id below beforeID (0: from the newest), at most limit.
func (s *Service) PageArchive(ctx context.Context, p statuspage.Page, beforeID int64, limit int) ([]incident.Public, error) {
	return s.store.PublicIncidents(ctx, p.OrgID, p.ComponentIDs(), time.Time{}, beforeID, limit)
}

// DeclareIncident opens a public incident by hand for actor.
func (s *Service) DeclareIncident(ctx context.Context, orgID int64, d incident.Draft, actor string) (int64, error) {
	id, err := s.store.DeclareIncident(ctx, orgID, d, actor, s.now())
	if err != nil {
		return 0, err
	}
	s.pagesChanged(orgID)
	return id, nil
}

// PostIncidentUpdate adds a public update to an incident (publishing it; see
// store.PostIncidentUpdate).
func (s *Service) PostIncidentUpdate(ctx context.Context, orgID, id int64, c incident.Change, actor string) error {
	if err := s.store.PostIncidentUpdate(ctx, orgID, id, c, actor, s.now()); err != nil {
		return err
	}
	s.pagesChanged(orgID)
	return nil
}

// IncidentPublic returns the public side of an incident (components, updates).
func (s *Service) IncidentPublic(ctx context.Context, orgID, id int64) (incident.Public, error) {
	return s.store.IncidentPublic(ctx, orgID, id)
}

// Badge is what a monitor's public badges show.
type Badge struct {
	Name   string            // its component's public name
	Status statuspage.Status // as its component shows it
	Uptime float64           // percent over the asked period; NaN without checks
}

// PublicBadge returns the badge of a monitor shown on a public page, with its uptime since
// now-period; ErrNoPage when no public page shows it.
func (s *Service) PublicBadge(ctx context.Context, monitorID int64, period time.Duration) (Badge, error) {
	name, orgID, err := s.store.PublicComponent(ctx, monitorID)
	if isNotFound(err) {
		return Badge{}, ErrNoPage
	}
	if err != nil {
		return Badge{}, err
	}
	m, err := s.store.Monitor(ctx, orgID, monitorID)
	if err != nil {
		return Badge{}, err
	}
	ms, err := s.store.Maintenances(ctx, orgID)
	if err != nil {
		return Badge{}, err
	}
	now := s.now()
	_, maint := incident.Suppressed(ms, monitorID, now)
	b := Badge{Name: name, Status: statuspage.FromMonitor(m.State.Status, maint), Uptime: math.NaN()}
	if period > 0 {
		u, err := s.store.MonitorUptime(ctx, orgID, monitorID, now.Add(-period))
		if err != nil {
			return Badge{}, err
		}
		if u.Ratio >= 0 {
			b.Uptime = u.Ratio * 100
		}
	}
	return b, nil
}
