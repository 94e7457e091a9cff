package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

type incidentView struct {
	ID             int64      `json:"id"`
	MonitorID      int64      `json:"monitor_id"`
	MonitorName    string     `json:"monitor_name"`
	Title          string     `json:"title"`
	Status         string     `json:"status"`
	Cause          string     `json:"cause"`
	OpenedAt       time.Time  `json:"opened_at"`
	AcknowledgedBy *string    `json:"acknowledged_by"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	DurationMs     int64      `json:"duration_ms"`
	Impact         string     `json:"impact"`
	Public         bool       `json:"public"`
	ComponentIDs   []int64    `json:"component_ids"`
	Events         []struct {
		Kind    string  `json:"kind"`
		Actor   *string `json:"actor"`
		Message string  `json:"message"`
	} `json:"events"`
	Updates    []updateView `json:"updates"`
	SeenBefore *struct {
		Count         int            `json:"count"`
		MeanResolveMs int64          `json:"mean_resolve_ms"`
		Recent        []incidentView `json:"recent"`
	} `json:"seen_before"`
}

// outage records a down result then, after d (if d > 0), an up one: one incident.
func (e *env) outage(id int64, at time.Time, d time.Duration) {
	e.t.Helper()
	e.record(id, at, 10*time.Millisecond, monitor.OutcomeDown)
	if d > 0 {
		e.record(id, at.Add(d), 10*time.Millisecond, monitor.OutcomeUp)
	}
}

func TestIncidentsAPI(t *testing.T) {
	e := newEnv(t)
	web := e.createMonitor(`{"name": "web", "type": "http", "url": "https://example.com/", "retries": 0}`)
	db := e.createMonitor(`{"name": "db", "type": "http", "url": "https://example.com/db", "retries": 0}`)
	e.record(web.ID, t0.Add(time.Minute), time.Millisecond, monitor.OutcomeUp)
	e.outage(web.ID, t0.Add(2*time.Minute), 10*time.Minute) // resolved by recovery
	e.outage(db.ID, t0.Add(3*time.Minute), 0)               // still open
	e.outage(web.ID, t0.Add(20*time.Minute), 0)             // open, seen before once
	e.clk.Advance(30 * time.Minute)

	var list pageOf[incidentView]
	e.json("GET", "/api/v1/incidents", e.read, "", http.StatusOK, &list)
	if len(list.Items) != 3 || list.NextCursor != nil {
		t.Fatalf("list: %+v", list)
	}
	latest := list.Items[0]
	if latest.MonitorID != web.ID || latest.Status != "open" || latest.Title != "web is down" || latest.Cause != "timeout" ||
		latest.ResolvedAt != nil || latest.DurationMs <= 0 || latest.Impact != "none" || latest.Public ||
		latest.ComponentIDs == nil || len(latest.ComponentIDs) != 0 {
		t.Errorf("newest incident: %+v", latest)
	}
	first := list.Items[2]
	if first.Status != "resolved" || first.ResolvedAt == nil || first.DurationMs != (10*time.Minute).Milliseconds() {
		t.Errorf("recovered incident: %+v", first)
	}

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name, query string
			want        int
		}{
			{"status open", "status=open", 2},
			{"status resolved", "status=resolved", 1},
			{"monitor", "monitor=" + strconv.FormatInt(db.ID, 10), 1},
			{"monitor and status", "monitor=" + strconv.FormatInt(web.ID, 10) + "&status=open", 1},
			{"from", "from=" + t0.Add(10*time.Minute).Format(time.RFC3339), 1},
			{"to", "to=" + t0.Add(150*time.Second).Format(time.RFC3339), 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.json("GET", "/api/v1/incidents?"+tc.query, e.read, "", http.StatusOK, &list)
				if len(list.Items) != tc.want {
					t.Errorf("%s: %d items, want %d", tc.query, len(list.Items), tc.want)
				}
			})
		}
		e.fails("GET", "/api/v1/incidents?status=closed", e.read, "", http.StatusBadRequest, "invalid_parameter", "status")
		e.fails("GET", "/api/v1/incidents?monitor=x", e.read, "", http.StatusBadRequest, "invalid_parameter", "monitor")
		e.fails("GET", "/api/v1/incidents?cursor=bogus", e.read, "", http.StatusBadRequest, "invalid_cursor", "cursor")
	})

	t.Run("cursor", func(t *testing.T) {
		var seen []int64
		path := "/api/v1/incidents?limit=2"
		for range 3 {
			e.json("GET", path, e.read, "", http.StatusOK, &list)
			for _, it := range list.Items {
				seen = append(seen, it.ID)
			}
			if list.NextCursor == nil {
				break
			}
			path = "/api/v1/incidents?limit=2&cursor=" + *list.NextCursor
		}
		if len(seen) != 3 || seen[0] <= seen[1] || seen[1] <= seen[2] {
			t.Errorf("pages gave %v", seen)
		}
	})

	base := "/api/v1/incidents/" + strconv.FormatInt(latest.ID, 10)
	t.Run("get", func(t *testing.T) {
		var got incidentView
		e.json("GET", base, e.read, "", http.StatusOK, &got)
		if len(got.Events) != 1 || got.Events[0].Kind != "opened" || got.Events[0].Actor != nil {
			t.Errorf("events: %+v", got.Events)
		}
		if got.SeenBefore == nil || got.SeenBefore.Count != 1 || got.SeenBefore.MeanResolveMs != (10*time.Minute).Milliseconds() ||
			len(got.SeenBefore.Recent) != 1 || got.SeenBefore.Recent[0].ID != first.ID {
			t.Errorf("seen_before: %+v", got.SeenBefore)
		}
		e.fails("GET", "/api/v1/incidents/99999", e.read, "", http.StatusNotFound, "not_found", "")
		e.fails("GET", "/api/v1/incidents/abc", e.read, "", http.StatusNotFound, "not_found", "")
	})

	t.Run("write", func(t *testing.T) {
		e.fails("POST", base+"/acknowledge", e.read, "", http.StatusForbidden, "insufficient_scope", "")
		e.fails("POST", base+"/comments", e.read, `{"text": "hi"}`, http.StatusForbidden, "insufficient_scope", "")

		var got incidentView
		e.json("POST", base+"/acknowledge", e.write, "", http.StatusOK, &got)
		if got.Status != "acknowledged" || got.AcknowledgedBy == nil || *got.AcknowledgedBy != "token:writer" {
			t.Errorf("acknowledged: %+v", got)
		}
		e.json("POST", base+"/unacknowledge", e.write, "", http.StatusOK, &got)
		if got.Status != "open" || got.AcknowledgedBy != nil {
			t.Errorf("unacknowledged: %+v", got)
		}

		e.fails("POST", base+"/comments", e.write, `{"text": "  "}`, http.StatusUnprocessableEntity, "validation_failed", "text")
		e.fails("POST", base+"/comments", e.write, `{}`, http.StatusUnprocessableEntity, "validation_failed", "text")
		e.fails("POST", base+"/comments", e.write, `{"text": "`+strings.Repeat("x", 5001)+`"}`, http.StatusUnprocessableEntity, "validation_failed", "text")
		e.fails("POST", base+"/comments", e.write, `{"txt": "x"}`, http.StatusBadRequest, "unknown_field", "")
		e.json("POST", base+"/comments", e.write, `{"text": "looking\ninto it"}`, http.StatusCreated, &got)
		last := got.Events[len(got.Events)-1]
		if last.Kind != "comment" || last.Message != "looking\ninto it" || last.Actor == nil || *last.Actor != "token:writer" {
			t.Errorf("comment event: %+v", last)
		}

		e.json("POST", base+"/resolve", e.write, "", http.StatusOK, &got)
		if got.Status != "resolved" || got.ResolvedAt == nil {
			t.Errorf("resolved: %+v", got)
		}
		e.json("POST", base+"/resolve", e.write, "", http.StatusOK, &got) // again: nothing changes
		e.fails("POST", base+"/acknowledge", e.write, "", http.StatusConflict, "incident_resolved", "")
		e.fails("POST", base+"/unacknowledge", e.write, "", http.StatusConflict, "incident_resolved", "")
		e.json("POST", base+"/comments", e.write, `{"text": "post-mortem"}`, http.StatusCreated, nil) // resolved: comments still welcome

		for _, p := range []string{"/acknowledge", "/unacknowledge", "/resolve"} {
			e.fails("POST", "/api/v1/incidents/99999"+p, e.write, "", http.StatusNotFound, "not_found", "")
		}
		e.fails("POST", "/api/v1/incidents/99999/comments", e.write, `{"text": "x"}`, http.StatusNotFound, "not_found", "")
		e.fails("DELETE", base, e.write, "", http.StatusMethodNotAllowed, "method_not_allowed", "")
	})
}

type updateView struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Status  string    `json:"status"`
	Message string    `json:"message"`
	Actor   *string   `json:"actor"`
}

func TestDeclaredIncidents(t *testing.T) {
	e := newEnv(t)
	p := e.createPage(`{"slug": "acme", "title": "Acme", "components": [{"name": "API"}, {"name": "Website"}]}`)
	api, site := p.Components[0].ID, p.Components[1].ID

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, body  string
			status      int
			code, field string
		}{
			{"no title", `{"message": "m"}`, 422, "validation_failed", "title"},
			{"long title", `{"title": "` + strings.Repeat("t", 201) + `", "message": "m"}`, 422, "validation_failed", "title"},
			{"impact", `{"title": "t", "impact": "huge", "message": "m"}`, 422, "validation_failed", "impact"},
			{"status", `{"title": "t", "status": "fixed", "message": "m"}`, 422, "validation_failed", "status"},
			{"no message", `{"title": "t"}`, 422, "validation_failed", "message"},
			{"unknown component", `{"title": "t", "message": "m", "component_ids": [999]}`, 422, "validation_failed", "component_ids"},
			{"component ids type", `{"title": "t", "message": "m", "component_ids": "1"}`, 422, "validation_failed", "component_ids"},
			{"unknown key", `{"title": "t", "message": "m", "severity": "x"}`, 400, "unknown_field", "severity"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.fails("POST", "/api/v1/incidents", e.write, tc.body, tc.status, tc.code, tc.field)
			})
		}
		eb := e.fails("POST", "/api/v1/incidents", e.write, `{"impact": "x", "status": "y"}`, 422, "validation_failed", "title")
		if len(eb.Error.Fields) != 4 {
			t.Errorf("every refused field: %+v", eb.Error.Fields)
		}
		e.fails("POST", "/api/v1/incidents", e.read, `{"title": "t", "message": "m"}`, 403, "insufficient_scope", "")
		var list pageOf[incidentView]
		e.json("GET", "/api/v1/incidents", e.read, "", http.StatusOK, &list)
		if len(list.Items) != 0 {
			t.Errorf("refused declarations left incidents: %+v", list.Items)
		}
	})

	body := fmt.Sprintf(`{"title": "Slow API", "impact": "minor", "component_ids": [%d], "message": "We are looking into it."}`, api)
	a := e.do("POST", "/api/v1/incidents", e.write, body)
	if a.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", a.Status, a.Body)
	}
	var in incidentView
	e.json("GET", a.Header.Get("Location"), e.read, "", http.StatusOK, &in)
	if in.Title != "Slow API" || in.Impact != "minor" || !in.Public || in.Status != "open" || in.MonitorID != 0 ||
		len(in.ComponentIDs) != 1 || in.ComponentIDs[0] != api || len(in.Updates) != 1 || len(in.Events) != 1 {
		t.Fatalf("declared %+v", in)
	}
	if u := in.Updates[0]; u.Status != "investigating" || u.Message != "We are looking into it." || u.Actor == nil ||
		*u.Actor != "token:writer" || !u.At.Equal(t0) {
		t.Errorf("first update %+v", u)
	}
	if !strings.Contains(a.Body, `"monitor_id":null`) || !strings.Contains(a.Body, `"monitor_name":null`) {
		t.Errorf("a declared incident has no monitor: %s", a.Body)
	}
	base := fmt.Sprintf("/api/v1/incidents/%d", in.ID)

	for _, step := range []struct {
		name, body string
		check      func(incidentView) bool
	}{
		{"identified", `{"status": "identified", "message": "A bad deploy."}`, func(v incidentView) bool {
			return v.Status == "open" && v.Updates[0].Status == "identified" && v.Title == "Slow API" && v.Impact == "minor"
		}},
		{"worse", fmt.Sprintf(`{"status": "identified", "message": "Website too.", "title": "Outage", "impact": "major", "component_ids": [%d, %d]}`, api, site),
			func(v incidentView) bool {
				return v.Title == "Outage" && v.Impact == "major" && len(v.ComponentIDs) == 2
			}},
		{"monitoring", `{"status": "monitoring", "message": "Rolled back."}`, func(v incidentView) bool {
			return v.Status == "open" && len(v.ComponentIDs) == 2 && v.Updates[0].Status == "monitoring"
		}},
		{"resolved", `{"status": "resolved", "message": "All good."}`, func(v incidentView) bool {
			return v.Status == "resolved" && v.ResolvedAt != nil && v.Updates[0].Status == "resolved" && len(v.Updates) == 5 &&
				v.Events[len(v.Events)-1].Kind == "resolved"
		}},
	} {
		t.Run(step.name, func(t *testing.T) {
			e.clk.Advance(time.Minute)
			var got incidentView
			e.json("POST", base+"/updates", e.write, step.body, http.StatusCreated, &got)
			if !step.check(got) {
				t.Errorf("%s: %+v", step.body, got)
			}
		})
	}

	t.Run("update refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, path, body string
			status           int
			code, field      string
		}{
			{"no message", base + "/updates", `{"status": "monitoring"}`, 422, "validation_failed", "message"},
			{"status", base + "/updates", `{"status": "done", "message": "m"}`, 422, "validation_failed", "status"},
			{"impact", base + "/updates", `{"impact": "meh", "message": "m"}`, 422, "validation_failed", "impact"},
			{"long title", base + "/updates", `{"title": "` + strings.Repeat("t", 201) + `", "message": "m"}`, 422, "validation_failed", "title"},
			{"unknown component", base + "/updates", `{"message": "m", "component_ids": [999]}`, 422, "validation_failed", "component_ids"},
			{"unknown key", base + "/updates", `{"message": "m", "body": "x"}`, 400, "unknown_field", "body"},
			{"unknown incident", "/api/v1/incidents/999/updates", `{"message": "m"}`, 404, "not_found", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.fails("POST", tc.path, e.write, tc.body, tc.status, tc.code, tc.field)
			})
		}
		e.fails("POST", base+"/updates", e.read, `{"message": "m"}`, 403, "insufficient_scope", "")
	})

	t.Run("list updates", func(t *testing.T) {
		var got []string
		next := base + "/updates?limit=3"
		for range 3 {
			var list pageOf[updateView]
			e.json("GET", next, e.read, "", http.StatusOK, &list)
			for _, u := range list.Items {
				got = append(got, u.Status)
			}
			if list.NextCursor == nil {
				break
			}
			next = base + "/updates?limit=3&cursor=" + *list.NextCursor
		}
		if strings.Join(got, ",") != "resolved,monitoring,identified,identified,investigating" {
			t.Errorf("updates newest first: %v", got)
		}
		e.fails("GET", "/api/v1/incidents/999/updates", e.read, "", 404, "not_found", "")
		e.fails("GET", base+"/updates?cursor=bogus", e.read, "", 400, "invalid_cursor", "cursor")
	})
}

// TestPublishingAnIncident: a monitor's incident gets public with its first update, on the
// components bound to the monitor, and an update resolves it.
func TestPublishingAnIncident(t *testing.T) {
	e := newEnv(t)
	web := e.createMonitor(`{"name": "web", "type": "http", "url": "https://example.com/", "retries": 0}`)
	p := e.createPage(fmt.Sprintf(`{"slug": "acme", "title": "Acme", "components": [{"name": "Website", "monitor_id": %d}, {"name": "Other"}]}`, web.ID))
	e.outage(web.ID, t0.Add(time.Minute), 0)
	var list pageOf[incidentView]
	e.json("GET", "/api/v1/incidents", e.read, "", http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Public {
		t.Fatalf("incidents %+v", list.Items)
	}
	base := fmt.Sprintf("/api/v1/incidents/%d", list.Items[0].ID)
	var updates pageOf[updateView]
	e.json("GET", base+"/updates", e.read, "", http.StatusOK, &updates)
	if len(updates.Items) != 0 {
		t.Errorf("an unpublished incident has updates: %+v", updates.Items)
	}

	var in incidentView
	e.json("POST", base+"/updates", e.write, `{"message": "Our website is down.", "impact": "critical"}`, http.StatusCreated, &in)
	if !in.Public || in.Impact != "critical" || len(in.ComponentIDs) != 1 || in.ComponentIDs[0] != p.Components[0].ID ||
		in.Status != "open" || in.Title != "web is down" || in.MonitorName != "web" {
		t.Errorf("published %+v", in)
	}
	e.json("GET", "/api/v1/incidents?status=open", e.read, "", http.StatusOK, &list)
	if len(list.Items) != 1 || !list.Items[0].Public || len(list.Items[0].ComponentIDs) != 1 {
		t.Errorf("listed %+v", list.Items)
	}

	e.json("POST", base+"/updates", e.write, `{"status": "resolved", "message": "Fixed."}`, http.StatusCreated, &in)
	if in.Status != "resolved" || in.ResolvedAt == nil || len(in.Updates) != 2 || in.Updates[0].Message != "Fixed." {
		t.Errorf("resolved by update %+v", in)
	}
	// Resolved: further updates are still posted (a post-mortem), nothing reopens.
	e.json("POST", base+"/updates", e.write, `{"status": "resolved", "message": "Post-mortem: ..."}`, http.StatusCreated, &in)
	if in.Status != "resolved" || len(in.Updates) != 3 {
		t.Errorf("after a post-mortem %+v", in)
	}
}
