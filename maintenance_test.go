package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMaintenanceAdmin(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{
		"type": {"http"}, "name": {"Shop"}, "url": {tg.URL}, "interval": {"1h"}, "retries": {"0"}, "expected_status": {"200-299"},
	})
	monitorID := strings.TrimPrefix(path, "/admin/monitors/")
	get := func(p string) string {
		t.Helper()
		res := do(t, c, "GET", s.URL+p, nil, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, res.Status)
		}
		return res.Body
	}
	if body := get("/admin/incidents"); !strings.Contains(body, `href="/admin/maintenance"`) {
		t.Error("the incidents page does not link to maintenance")
	}
	if body := get("/admin/maintenance"); !strings.Contains(body, `data-testid="empty-maintenance"`) {
		t.Fatalf("maintenance list before any:\n%s", body)
	}

	now := time.Now().UTC()
	form := func(start, end time.Time) url.Values {
		return url.Values{"title": {"DB upgrade"}, "kind": {"once"}, "timezone": {"UTC"},
			"start": {start.Format("2006-01-02T15:04")}, "end": {end.Format("2006-01-02T15:04")}, "monitor": {monitorID}}
	}
	// Refused: the end is before the start; the form says so next to the field.
	res := post(t, s, c, "/admin/maintenance/new", "/admin/maintenance", form(now.Add(time.Hour), now.Add(-time.Hour)))
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="error-end"`) ||
		!strings.Contains(res.Body, `value="DB upgrade"`) {
		t.Fatalf("refused window: %d\n%s", res.Status, res.Body)
	}
	res = post(t, s, c, "/admin/maintenance/new", "/admin/maintenance", form(now.Add(-time.Hour), now.Add(time.Hour)))
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/maintenance?done=created" {
		t.Fatalf("create: %d %q\n%s", res.Status, res.Header.Get("Location"), res.Body)
	}
	list := get("/admin/maintenance")
	if !strings.Contains(list, "DB upgrade") || !strings.Contains(list, `data-testid="maintenance-active"`) || !strings.Contains(list, "Shop") {
		t.Fatalf("maintenance list:\n%s", list)
	}

	// Down during the window: no incident, and the monitor page says it is in maintenance.
	tg.status.Store(http.StatusServiceUnavailable)
	if res := post(t, s, c, path, path+"/check", nil); res.Header.Get("Location") != path+"?done=checked" {
		t.Fatalf("check now: %d %q", res.Status, res.Header.Get("Location"))
	}
	page := get(path)
	if statusOf(t, page) != "down" || !strings.Contains(page, `data-testid="maintenance-banner"`) || strings.Contains(page, `data-testid="incident-banner"`) {
		t.Fatalf("monitor page during maintenance:\n%s", page)
	}
	if body := get("/admin/incidents"); incidentRows(body) != 0 {
		t.Fatal("an incident was opened during maintenance")
	}

	// Edit, then delete.
	edit := regexp.MustCompile(`href="(/admin/maintenance/\d+)/edit"`).FindStringSubmatch(list)
	if edit == nil {
		t.Fatal("no edit link")
	}
	f := form(now.Add(-time.Hour), now.Add(2*time.Hour))
	f.Set("title", "Longer upgrade")
	if res := post(t, s, c, edit[1]+"/edit", edit[1], f); res.Header.Get("Location") != "/admin/maintenance?done=saved" {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	if body := get("/admin/maintenance"); !strings.Contains(body, "Longer upgrade") {
		t.Error("update not shown")
	}
	if res := post(t, s, c, edit[1]+"/edit", edit[1]+"/delete", nil); res.Header.Get("Location") != "/admin/maintenance?done=deleted" {
		t.Fatalf("delete: %d", res.Status)
	}
	if body := get(path); strings.Contains(body, `data-testid="maintenance-banner"`) {
		t.Error("banner after the window was deleted")
	}
}
