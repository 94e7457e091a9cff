package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/app/statuspage"
)

func TestStatusPagesCRUD(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	other := testOrg(t, s, "b")
	api := createMonitor(t, s, httpMonitor(org, "API"))
	foreign := createMonitor(t, s, httpMonitor(other, "Theirs"))

	p, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: org, Slug: " Acme ", Title: "Acme status", Public: true, Default: true,
		CustomDomain: "Status.Acme.example.", CollapsedGroups: []string{"Backend"},
		Components: []statuspage.Component{
			{Name: "Website"},
			{Group: "Backend", Name: "API", MonitorID: api.ID, ShowResponseTime: true},
			{Group: "Backend", Name: "Queue", Status: statuspage.PartialOutage},
		}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Slug != "acme" || p.CustomDomain != "status.acme.example" || !p.Default || len(p.Components) != 3 ||
		p.Components[1].MonitorID != api.ID || p.Components[2].Status != statuspage.PartialOutage || p.Components[0].Status != statuspage.Operational {
		t.Fatalf("created page %+v", p)
	}
	for _, tc := range []struct {
		name  string
		page  statuspage.Page
		field string
	}{
		{"slug taken", statuspage.Page{OrgID: other, Slug: "acme", Title: "x"}, "slug"},
		{"domain taken", statuspage.Page{OrgID: other, Slug: "b", Title: "x", CustomDomain: "status.acme.example"}, "custom_domain"},
		{"bad slug", statuspage.Page{OrgID: org, Slug: "-no-", Title: "x"}, "slug"},
		{"another organization's monitor", statuspage.Page{OrgID: org, Slug: "c", Title: "x",
			Components: []statuspage.Component{{Name: "Theirs", MonitorID: foreign.ID}}}, "components[0].monitor_id"},
		{"bad domain", statuspage.Page{OrgID: org, Slug: "d", Title: "x", CustomDomain: "http://x.example/"}, "custom_domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateStatusPage(ctx, tc.page, t0)
			var pe *statuspage.Error
			if !errors.As(err, &pe) || pe.For(tc.field) == "" {
				t.Errorf("error %v, want one on %s", err, tc.field)
			}
		})
	}

	// A second default page takes over "/".
	q, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: other, Slug: "theirs", Title: "Theirs", Default: true}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := s.DefaultStatusPage(ctx); err != nil || d.ID != q.ID {
		t.Errorf("default page %+v, %v", d, err)
	}
	if got, err := s.StatusPageByDomain(ctx, "STATUS.acme.example"); err != nil || got.ID != p.ID {
		t.Errorf("by domain %+v, %v", got, err)
	}

	// Update: reorder, keep ids, drop one, add one.
	web, queue := p.Components[0], p.Components[2]
	p.Components = []statuspage.Component{queue, web, {Name: "CDN"}}
	p.Title = "Acme"
	u, err := s.UpdateStatusPage(ctx, p, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Components) != 3 || u.Components[0].ID != queue.ID || u.Components[1].ID != web.ID || u.Components[2].Name != "CDN" || u.Title != "Acme" {
		t.Errorf("updated components %+v", u.Components)
	}
	if _, err := s.UpdateStatusPage(ctx, statuspage.Page{ID: p.ID, OrgID: other, Slug: "zz", Title: "x"}, t0); err != ErrNotFound {
		t.Errorf("updating another organization's page: %v", err)
	}
	if err := s.DeleteStatusPage(ctx, other, p.ID); err != ErrNotFound {
		t.Errorf("deleting another organization's page: %v", err)
	}
	// Deleting a monitor turns its components into manual ones.
	p.Components = append(u.Components, statuspage.Component{Name: "API", MonitorID: api.ID})
	u, err = s.UpdateStatusPage(ctx, p, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMonitor(ctx, org, api.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.StatusPage(ctx, org, p.ID); got.Components[3].MonitorID != 0 {
		t.Errorf("component of a deleted monitor: %+v", got.Components[3])
	}
	if err := s.DeleteStatusPage(ctx, org, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StatusPageBySlug(ctx, "acme"); err != ErrNotFound {
		t.Errorf("deleted page: %v", err)
	}
}

func TestPublicIncidents(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	other := testOrg(t, s, "b")
	hm := httpMonitor(org, "API")
	hm.Retries = 0
	api := createMonitor(t, s, hm)
	p, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: org, Slug: "acme", Title: "Acme", Public: true,
		Components: []statuspage.Component{{Name: "Website"}, {Name: "Public API", MonitorID: api.ID}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	web, apiComp := p.Components[0].ID, p.Components[1].ID
	theirs, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: other, Slug: "theirs", Title: "T", Components: []statuspage.Component{{Name: "X"}}}, t0)
	if err != nil {
		t.Fatal(err)
	}

	// A manual incident on the website.
	id, err := s.DeclareIncident(ctx, org, incident.Draft{Title: "Slow checkout", Impact: incident.ImpactMinor,
		ComponentIDs: []int64{web}, Message: "We are looking into it."}, "ops@example.com", t0)
	if err != nil {
		t.Fatal(err)
	}
	var de *incident.DraftError
	if _, err := s.DeclareIncident(ctx, org, incident.Draft{Title: "x", ComponentIDs: []int64{theirs.Components[0].ID}, Message: "m"}, "", t0); !errors.As(err, &de) {
		t.Errorf("declaring on another organization's component: %v", err)
	}
	if _, err := s.DeclareIncident(ctx, org, incident.Draft{Impact: "huge"}, "", t0); !errors.As(err, &de) || de.For("title") == "" ||
		de.For("impact") == "" || de.For("message") == "" {
		t.Errorf("invalid draft: %v", err)
	}
	list, err := s.PublicIncidents(ctx, org, p.ComponentIDs(), t0.Add(-time.Hour), 0, 10)
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].PublicStatus() != incident.UpdateInvestigating ||
		list[0].Impact != incident.ImpactMinor || len(list[0].ComponentIDs) != 1 || list[0].MonitorID != 0 {
		t.Fatalf("public incidents %+v, %v", list, err)
	}
	if err := s.PostIncidentUpdate(ctx, org, id, incident.Change{Status: incident.UpdateResolved, Message: "Fixed."}, "ops@example.com", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.IncidentPublic(ctx, org, id)
	if err != nil || got.Open() || len(got.Updates) != 2 || got.Updates[0].Message != "Fixed." || got.PublicStatus() != incident.UpdateResolved {
		t.Errorf("resolved by an update: %+v, %v", got, err)
	}

	// An automatic incident is private until published; then it shows on the API's
	// component and its recovery closes it publicly.
	record(t, s, failed(api.ID, t0.Add(2*time.Hour)))
	auto, _ := s.Incidents(ctx, org, incident.Filter{Status: incident.StatusOpen}, 0, 10)
	if len(auto) != 1 || auto[0].Public {
		t.Fatalf("automatic incident %+v", auto)
	}
	if list, _ := s.PublicIncidents(ctx, org, []int64{apiComp}, t0, 0, 10); len(list) != 0 {
		t.Errorf("unpublished incident shown: %+v", list)
	}
	if err := s.PostIncidentUpdate(ctx, org, auto[0].ID, incident.Change{Impact: incident.ImpactMajor, Message: "API errors."}, "ops@example.com", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	list, _ = s.PublicIncidents(ctx, org, []int64{apiComp}, t0, 0, 10)
	if len(list) != 1 || list[0].ID != auto[0].ID || list[0].Impact != incident.ImpactMajor || len(list[0].ComponentIDs) != 1 || list[0].ComponentIDs[0] != apiComp {
		t.Fatalf("published incident %+v", list)
	}
	record(t, s, monitor.Result{MonitorID: api.ID, StartedAt: t0.Add(3 * time.Hour), Outcome: monitor.OutcomeUp})
	got, _ = s.IncidentPublic(ctx, org, auto[0].ID)
	if got.Open() || got.PublicStatus() != incident.UpdateResolved || got.Updates[0].Message != incident.ResolvedMessage {
		t.Errorf("recovered published incident %+v", got)
	}
	if _, err := s.IncidentPublic(ctx, other, id); err != ErrNotFound {
		t.Errorf("another organization's incident: %v", err)
	}
	// Paging: newest first, below an id.
	all, _ := s.PublicIncidents(ctx, org, p.ComponentIDs(), time.Time{}, 0, 1)
	if len(all) != 1 || all[0].ID != auto[0].ID {
		t.Errorf("first page %+v", all)
	}
	rest, _ := s.PublicIncidents(ctx, org, p.ComponentIDs(), time.Time{}, all[0].ID, 10)
	if len(rest) != 1 || rest[0].ID != id {
		t.Errorf("second page %+v", rest)
	}
}
