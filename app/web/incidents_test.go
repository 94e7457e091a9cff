package web

import (
	"net/url"
	"testing"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
)

func TestParseIncidentQuery(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		query string
		want  incident.Filter
		back  string // the query rebuilt for the next page (before=7)
		bad   bool
	}{
		{name: "none", query: "", back: "before=7"},
		{name: "status", query: "status=acknowledged", want: incident.Filter{Status: incident.StatusAcknowledged},
			back: "before=7&status=acknowledged"},
		{name: "unknown status ignored", query: "status=closed", back: "before=7"},
		{name: "monitor", query: "monitor=12", want: incident.Filter{MonitorID: 12}, back: "before=7&monitor=12"},
		{name: "bad monitor ignored", query: "monitor=-3", back: "before=7"},
		{name: "dates, to inclusive", query: "from=2026-11-20&to=2026-11-20",
			want: incident.Filter{From: day, To: day.AddDate(0, 0, 1)}, back: "before=7&from=2026-11-20&to=2026-11-20"},
		{name: "bad date", query: "from=20/11/2026", bad: true, back: "before=7"},
		{name: "page key dropped", query: "before=99&status=open", want: incident.Filter{Status: incident.StatusOpen},
			back: "before=7&status=open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			iq := parseIncidentQuery(q)
			if iq.filter != tc.want || iq.bad != tc.bad {
				t.Errorf("filter %+v bad %v, want %+v bad %v", iq.filter, iq.bad, tc.want, tc.bad)
			}
			if got := iq.values(7).Encode(); got != tc.back {
				t.Errorf("next page query %q, want %q", got, tc.back)
			}
		})
	}
}

func TestIncidentPage(t *testing.T) {
	f := testFormatter(t, "en")
	now := f.now
	opened := now.Add(-30 * time.Minute)
	in := incident.Incident{ID: 4, MonitorID: 2, MonitorName: "Shop", Title: "Shop is down", Status: incident.StatusAcknowledged,
		Cause: monitor.ClassStatus, Message: "got 503", OpenedAt: opened, AcknowledgedAt: opened.Add(time.Minute), AcknowledgedBy: "ann@example.com"}
	events := []incident.Event{
		{At: opened, Kind: incident.EventOpened, Message: "got 503"},
		{At: opened.Add(time.Minute), Kind: incident.EventAcknowledged, Actor: "ann@example.com"},
		{At: opened.Add(2 * time.Minute), Kind: incident.EventComment, Actor: "token:bot", Message: "a\nb"},
	}
	results := []monitor.Result{ // newest first, as the service lists them
		{ID: 9, MonitorID: 2, StartedAt: now.Add(-time.Minute), Outcome: monitor.OutcomeDown, ErrorClass: monitor.ClassTimeout,
			Message: "timeout", ScreenshotID: 5},
		{StartedAt: now.Add(-2 * time.Minute), Outcome: monitor.OutcomeUp},
		{StartedAt: opened, Outcome: monitor.OutcomeDown, ErrorClass: monitor.ClassStatus, Message: "got 503"},
		{StartedAt: opened.Add(-time.Hour), Outcome: monitor.OutcomeDown, Message: "an earlier outage"},
	}

	t.Run("open", func(t *testing.T) {
		p := incidentPage(f, in, events, incident.History{}, results)
		if !p.Open || !p.Acknowledged || p.Status.Status != "degraded" || p.MonitorURL != "/admin/monitors/2" || p.ActionURL != "/admin/incidents/4" {
			t.Errorf("page: %+v", p)
		}
		if p.SeenBefore != nil {
			t.Error("seen before without earlier incidents")
		}
		if len(p.Results) != 2 || p.Results[0].ErrorClass != "timeout" || p.Results[1].Message != "got 503" {
			t.Errorf("failing results: %+v", p.Results)
		}
		// A browser check's screenshot is one click away from the incident.
		if p.Results[0].ScreenshotURL != "/admin/monitors/2/results/9/screenshot" || p.Results[1].ScreenshotURL != "" {
			t.Errorf("screenshot links: %q %q", p.Results[0].ScreenshotURL, p.Results[1].ScreenshotURL)
		}
		if len(p.Events) != 3 || p.Events[0].Actor != "statusthing" || p.Events[2].Actor != "token:bot" || p.Events[2].Message != "a\nb" {
			t.Errorf("events: %+v", p.Events)
		}
		if p.Facts[1].Value != "2026-11-25 11:31:00 UTC by ann@example.com" || p.Facts[2].Value != "30 min" {
			t.Errorf("facts: %+v", p.Facts)
		}
	})

	t.Run("resolved and seen before", func(t *testing.T) {
		r := in
		r.Status, r.ResolvedAt = incident.StatusResolved, now.Add(-90*time.Second)
		hist := incident.History{Count: 2, MeanResolve: 12 * time.Minute,
			Recent: []incident.Incident{{ID: 3, OpenedAt: opened.Add(-24 * time.Hour), ResolvedAt: opened.Add(-23 * time.Hour)}}}
		p := incidentPage(f, r, events, hist, results)
		if p.Open || p.Status.Status != "up" {
			t.Errorf("resolved page: %+v", p)
		}
		if len(p.Results) != 1 || p.Results[0].Message != "got 503" {
			t.Errorf("results after the resolution are not the incident's: %+v", p.Results)
		}
		if sb := p.SeenBefore; sb == nil || sb.Mean == "" || len(sb.Recent) != 1 || sb.Recent[0].URL != "/admin/incidents/3" {
			t.Errorf("seen before: %+v", p.SeenBefore)
		}
	})

	t.Run("at most 20 results", func(t *testing.T) {
		var many []monitor.Result
		for i := range 50 {
			many = append(many, monitor.Result{StartedAt: now.Add(-time.Duration(i) * time.Second), Outcome: monitor.OutcomeDown})
		}
		if p := incidentPage(f, in, nil, incident.History{}, many); len(p.Results) != maxIncidentResults {
			t.Errorf("%d results", len(p.Results))
		}
	})
}
