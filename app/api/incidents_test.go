package api_test

import (
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
	Events         []struct {
		Kind    string  `json:"kind"`
		Actor   *string `json:"actor"`
		Message string  `json:"message"`
	} `json:"events"`
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
		latest.ResolvedAt != nil || latest.DurationMs <= 0 {
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
