package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"

	"statusthing/app/monitor"
)

// artifactDir is where the status page screenshots go: SCREENSHOT_DIR when set, else a
// fixed directory under the system's temporary one, kept after the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "statusthing-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func saveScreenshot(t *testing.T, p *rod.Page, dir, name string) {
	t.Helper()
	png, err := p.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestBrowserStatusPageLive opens a public status page in Chromium, stops a monitored
// service and sees its component turn to an outage without a reload; the page is
// screenshotted at desktop and phone widths, and its day tooltips open with the keyboard.
func TestBrowserStatusPageLive(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	api, web := newTarget(t), newTarget(t)
	apiPath := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"api"}, "url": {api.URL}, "interval": {"1h"}, "retries": {"0"},
		"expected_status": {"200-299"}})
	webPath := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"web"}, "url": {web.URL}, "interval": {"1h"}, "retries": {"0"},
		"expected_status": {"200-299"}})
	apiID, _ := strconv.ParseInt(strings.TrimPrefix(apiPath, "/admin/monitors/"), 10, 64)
	webID, _ := strconv.ParseInt(strings.TrimPrefix(webPath, "/admin/monitors/"), 10, 64)
	// History to look at: 90 days of checks with a few bad hours.
	now := time.Now().UTC()
	start := now.Truncate(24*time.Hour).AddDate(0, 0, -89)
	for at := start; at.Before(now.Add(-time.Hour)); at = at.Add(2 * time.Hour) {
		for _, id := range []int64{apiID, webID} {
			r := monitor.Result{MonitorID: id, StartedAt: at, Outcome: monitor.OutcomeUp, Duration: time.Duration(30+at.Hour()) * time.Millisecond}
			day := int(at.Sub(start) / (24 * time.Hour))
			if id == apiID && (day == 20 || day == 61) && at.Hour() < 4 {
				r.Outcome, r.ErrorClass, r.Message = monitor.OutcomeDown, monitor.ClassRefused, "connection refused"
			}
			if _, _, err := s.Store.RecordResult(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range []string{apiPath, webPath} {
		post(t, s, c, p, p+"/check", nil)
	}
	createPage(t, s, c, url.Values{"title": {"Acme status"}, "slug": {"acme"}, "description": {"Live status of Acme's services."},
		"locale": {"en"}, "public": {"1"}, "rows": {"4"},
		"c0.name": {"Website"}, "c0.monitor": {strconv.FormatInt(webID, 10)}, "c0.position": {"1"},
		"c1.name": {"Public API"}, "c1.monitor": {strconv.FormatInt(apiID, 10)}, "c1.position": {"2"}, "c1.group": {"Platform"}, "c1.chart": {"1"},
		"c2.name": {"Webhooks"}, "c2.position": {"3"}, "c2.group": {"Platform"},
		"c3.name": {"Support desk"}, "c3.position": {"4"}, "c3.group": {"Support"}})

	b := newBrowser(t)
	p := newPage(t, b, 1280, 900)
	navigate(t, p, s.URL+"/status/acme")
	waitForText(t, p, "[data-testid=banner]", "All systems operational", 10*time.Second)
	if _, err := p.Eval(`() => { window.__noReload = true }`); err != nil {
		t.Fatal(err)
	}
	dir := artifactDir(t)
	saveScreenshot(t, p, dir, "status-page-1280")

	// A day cell's tooltip opens on keyboard focus.
	cell, err := p.Element(".bar > li")
	if err != nil {
		t.Fatal(err)
	}
	if err := cell.Focus(); err != nil {
		t.Fatal(err)
	}
	if w, err := p.Eval(`() => document.activeElement.querySelector("span").getBoundingClientRect().width`); err != nil || w.Value.Num() < 50 {
		t.Errorf("the focused day's tooltip is not shown: %v %v", w, err)
	}

	api.status.Store(http.StatusServiceUnavailable)
	post(t, s, c, apiPath, apiPath+"/check", nil)
	waitForText(t, p, `[data-component="Public API"] [data-testid=component-status]`, "Major outage", 15*time.Second)
	waitForText(t, p, "[data-testid=banner]", "Partial system outage", 5*time.Second)
	if still, err := p.Eval(`() => window.__noReload === true`); err != nil || !still.Value.Bool() {
		t.Fatal("the page was reloaded")
	}
	saveScreenshot(t, p, dir, "status-page-outage-1280")

	phone := newPage(t, b, 375, 812)
	navigate(t, phone, s.URL+"/status/acme")
	waitForText(t, phone, "[data-testid=banner]", "Partial system outage", 10*time.Second)
	noOverflow(t, phone, "status page")
	saveScreenshot(t, phone, dir, "status-page-375")
	if err := (proto.EmulationSetEmulatedMedia{Features: []*proto.EmulationMediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}).Call(phone); err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, phone, dir, "status-page-375-dark")
	narrow := newPage(t, b, 360, 800) // the narrowest width the page is made for
	navigate(t, narrow, s.URL+"/status/acme")
	noOverflow(t, narrow, "status page at 360 px")
}
