package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"statusthing/app/monitor"
)

type maintenanceView struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	StartAt     *time.Time `json:"start_at"`
	EndAt       *time.Time `json:"end_at"`
	Cron        string     `json:"cron"`
	DurationMs  int64      `json:"duration_ms"`
	TimeZone    string     `json:"time_zone"`
	MonitorIDs  []int64    `json:"monitor_ids"`
	Active      bool       `json:"active"`
	ActiveUntil *time.Time `json:"active_until"`
	NextStart   *time.Time `json:"next_start"`
}

func TestMaintenancesAPI(t *testing.T) {
	e := newEnv(t)
	web := e.createMonitor(`{"name": "web", "type": "http", "url": "https://example.com/", "retries": 0}`)

	e.fails("POST", "/api/v1/maintenances", e.write, `{"title": "", "cron": "61 * * * *", "duration_ms": 1000}`,
		http.StatusUnprocessableEntity, "validation_failed", "title")
	e.fails("POST", "/api/v1/maintenances", e.read, `{"title": "x"}`, http.StatusForbidden, "insufficient_scope", "")

	var m maintenanceView
	body := fmt.Sprintf(`{"title": "upgrade", "start_at": %q, "end_at": %q, "monitor_ids": [%d]}`,
		t0.Format(time.RFC3339), t0.Add(time.Hour).Format(time.RFC3339), web.ID)
	e.json("POST", "/api/v1/maintenances", e.write, body, http.StatusCreated, &m)
	if m.ID == 0 || !m.Active || m.ActiveUntil == nil || !m.ActiveUntil.Equal(t0.Add(time.Hour)) || len(m.MonitorIDs) != 1 {
		t.Fatalf("created %+v", m)
	}
	// Down during the window: no incident.
	e.record(web.ID, t0.Add(time.Minute), time.Millisecond, monitor.OutcomeDown)
	var list pageOf[incidentView]
	e.json("GET", "/api/v1/incidents", e.read, "", http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("incidents during maintenance: %+v", list.Items)
	}

	e.json("PUT", fmt.Sprintf("/api/v1/maintenances/%d", m.ID), e.write,
		`{"title": "nightly", "cron": "0 3 * * *", "duration_ms": 3600000, "time_zone": "Europe/Paris"}`, http.StatusOK, &m)
	if m.Cron != "0 3 * * *" || m.StartAt != nil || len(m.MonitorIDs) != 0 || m.NextStart == nil {
		t.Errorf("replaced %+v", m)
	}
	var page pageOf[maintenanceView]
	e.json("GET", "/api/v1/maintenances", e.read, "", http.StatusOK, &page)
	if len(page.Items) != 1 || page.Items[0].Title != "nightly" {
		t.Errorf("list %+v", page)
	}
	e.do("DELETE", fmt.Sprintf("/api/v1/maintenances/%d", m.ID), e.write, "")
	e.fails("GET", fmt.Sprintf("/api/v1/maintenances/%d", m.ID), e.read, "", http.StatusNotFound, "not_found", "")
}
