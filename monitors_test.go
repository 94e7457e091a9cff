package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"statusthing/app/config"
	"statusthing/app/monitor"
)

// target is a local HTTP service whose health a test switches.
type target struct {
	*httptest.Server
	status atomic.Int32
	hits   atomic.Int64
}

func newTarget(t *testing.T) *target {
	t.Helper()
	tg := &target{}
	tg.status.Store(http.StatusOK)
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(tg.status.Load()))
		if tg.status.Load() == http.StatusOK {
			w.Write([]byte(`{"status":"ok","queue":{"depth":3}}`))
		} else {
			w.Write([]byte(`{"status":"broken"}`))
		}
	}))
	t.Cleanup(tg.Close)
	return tg
}

var monitorLocationRE = regexp.MustCompile(`^/admin/monitors/(\d+)\?done=created$`)

// createMonitor posts the new-monitor form and returns the monitor's page path.
func createMonitor(t *testing.T, s *testServer, c *http.Client, form url.Values) string {
	t.Helper()
	page := do(t, c, "GET", s.URL+"/admin/monitors/new?type="+form.Get("type"), nil, nil)
	form.Set("csrf_token", csrfOf(t, page.Body))
	res := do(t, c, "POST", s.URL+"/admin/monitors", form, nil)
	m := monitorLocationRE.FindStringSubmatch(res.Header.Get("Location"))
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create monitor: status %d location %q\n%s", res.Status, res.Header.Get("Location"), res.Body)
	}
	return "/admin/monitors/" + m[1]
}

// post sends a form with the CSRF token of the page at path.
func post(t *testing.T, s *testServer, c *http.Client, pagePath, action string, form url.Values) response {
	t.Helper()
	page := do(t, c, "GET", s.URL+pagePath, nil, nil)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", csrfOf(t, page.Body))
	return do(t, c, "POST", s.URL+action, form, nil)
}

func statusOf(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`data-testid="monitor-status"><span class="status" data-status="([a-z]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no status on the page:\n%s", body)
	}
	return m[1]
}

func TestMonitorLifecycle(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)

	path := createMonitor(t, s, c, url.Values{
		"type": {"http"}, "name": {"API health"}, "url": {tg.URL + "/health"}, "interval": {"1m"},
		"retries": {"1"}, "expected_status": {"200-299"}, "json": {`$.status == "ok"` + "\n" + `$.queue.depth < 100`},
	})
	page := do(t, c, "GET", s.URL+path+"?done=created", nil, nil)
	if page.Status != http.StatusOK || statusOf(t, page.Body) != "pending" || !strings.Contains(page.Body, "Monitor created") {
		t.Fatalf("new monitor page: %d status %s", page.Status, statusOf(t, page.Body))
	}

	check := func(want string) string {
		t.Helper()
		res := post(t, s, c, path, path+"/check", nil)
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=checked" {
			t.Fatalf("check now: %d %q", res.Status, res.Header.Get("Location"))
		}
		body := do(t, c, "GET", s.URL+path, nil, nil).Body
		if got := statusOf(t, body); got != want {
			t.Fatalf("after check: status %s, want %s", got, want)
		}
		return body
	}
	check("up")
	if tg.hits.Load() == 0 {
		t.Fatal("the target was never requested")
	}

	tg.status.Store(http.StatusServiceUnavailable)
	body := check("up") // one failure is confirmed first (retries = 1)
	if !strings.Contains(body, "expected status 200-299, got 503") {
		t.Error("failure message not shown")
	}
	body = check("down")
	if !strings.Contains(body, "expected status 200-299, got 503 (2 consecutive failures)") {
		t.Error("flip reason not shown in the history")
	}
	tg.status.Store(http.StatusOK)
	check("up")

	// The list shows it, with its uptime over the last 24 h (2 of 4 checks failed).
	list := do(t, c, "GET", s.URL+"/admin/monitors", nil, nil).Body
	if !strings.Contains(list, "API health") || !strings.Contains(list, "50%") {
		t.Errorf("monitors list:\n%s", list)
	}
	if res := do(t, c, "GET", s.URL+"/admin/monitors?q=nothing-like-it", nil, nil); !strings.Contains(res.Body, "No monitor matches") {
		t.Error("search did not filter")
	}
	if res := do(t, c, "GET", s.URL+"/admin/monitors?status=down", nil, nil); strings.Contains(res.Body, "API health") {
		t.Error("status filter did not filter")
	}

	// Pause, resume, edit, delete.
	if res := post(t, s, c, path, path+"/pause", nil); res.Header.Get("Location") != path+"?done=paused" {
		t.Fatalf("pause: %d %q", res.Status, res.Header.Get("Location"))
	}
	if got := statusOf(t, do(t, c, "GET", s.URL+path, nil, nil).Body); got != "paused" {
		t.Fatalf("after pause: %s", got)
	}
	post(t, s, c, path, path+"/resume", nil)
	if got := statusOf(t, do(t, c, "GET", s.URL+path, nil, nil).Body); got != "pending" {
		t.Fatalf("after resume: %s", got)
	}
	edit := do(t, c, "GET", s.URL+path+"/edit", nil, nil)
	if !strings.Contains(edit.Body, `value="API health"`) || !strings.Contains(edit.Body, `$.queue.depth &lt; 100`) {
		t.Fatalf("edit form not filled:\n%s", edit.Body)
	}
	res := do(t, c, "POST", s.URL+path, url.Values{"csrf_token": {csrfOf(t, edit.Body)}, "type": {"http"}, "name": {"API"},
		"url": {tg.URL + "/v2/health"}, "interval": {"30s"}}, nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	page = do(t, c, "GET", s.URL+path, nil, nil)
	if !strings.Contains(page.Body, "/v2/health") || !strings.Contains(page.Body, ">30s<") {
		t.Error("update not applied")
	}
	if res := post(t, s, c, path, path+"/delete", nil); res.Header.Get("Location") != "/admin/monitors" {
		t.Fatalf("delete: %d %q", res.Status, res.Header.Get("Location"))
	}
	if res := do(t, c, "GET", s.URL+path, nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("deleted monitor: %d", res.Status)
	}
}

func TestMonitorFormRefusesBadSettings(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tests := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"bad URL", url.Values{"type": {"http"}, "name": {"x"}, "url": {"not a url"}}, "url", "absolute http"},
		{"bad regex", url.Values{"type": {"http"}, "name": {"x"}, "url": {"http://x"}, "body_regex": {"a(b"}}, "body_regex", "not a valid regular expression"},
		{"bad JSON path", url.Values{"type": {"http"}, "name": {"x"}, "url": {"http://x"}, "json": {"status is ok"}}, "json", "$.path"},
		{"interval 0", url.Values{"type": {"http"}, "name": {"x"}, "url": {"http://x"}, "interval": {"0"}}, "interval", "must be positive"},
		{"interval too short", url.Values{"type": {"tcp"}, "name": {"x"}, "address": {"db:5432"}, "interval": {"5s"}}, "interval", "between 10s"},
		{"no name", url.Values{"type": {"dns"}, "hostname": {"example.com"}}, "name", "required"},
		{"not a number", url.Values{"type": {"tcp"}, "name": {"x"}, "address": {"db:1"}, "retries": {"two"}}, "retries", "whole number"},
		{"bad header line", url.Values{"type": {"http"}, "name": {"x"}, "url": {"http://x"}, "headers": {"no colon here"}}, "headers", "Name: value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := do(t, c, "GET", s.URL+"/admin/monitors/new?type="+tt.form.Get("type"), nil, nil)
			tt.form.Set("csrf_token", csrfOf(t, page.Body))
			res := do(t, c, "POST", s.URL+"/admin/monitors", tt.form, nil)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.Status)
			}
			re := regexp.MustCompile(`data-testid="error-` + tt.field + `">([^<]*)<`)
			m := re.FindStringSubmatch(res.Body)
			if m == nil || !strings.Contains(m[1], htmlEscape(tt.msg)) {
				t.Errorf("field %s: error %v, want %q", tt.field, m, tt.msg)
			}
		})
	}
	if body := do(t, c, "GET", s.URL+"/admin/monitors", nil, nil).Body; !strings.Contains(body, "No monitors yet") {
		t.Error("a refused form created a monitor")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestMonitorTestButtonSavesNothing(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	tg.status.Store(http.StatusInternalServerError)
	page := do(t, c, "GET", s.URL+"/admin/monitors/new", nil, nil)
	res := do(t, c, "POST", s.URL+"/admin/monitors/test", url.Values{"csrf_token": {csrfOf(t, page.Body)},
		"type": {"http"}, "name": {"probe me"}, "url": {tg.URL}}, nil)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `data-testid="test-result"`) ||
		!strings.Contains(res.Body, "expected status 200-299, got 500") || !strings.Contains(res.Body, `value="probe me"`) {
		t.Fatalf("test result: %d\n%s", res.Status, res.Body)
	}
	if tg.hits.Load() != 1 {
		t.Errorf("target hit %d times, want 1", tg.hits.Load())
	}
	if body := do(t, c, "GET", s.URL+"/admin/monitors", nil, nil).Body; !strings.Contains(body, "No monitors yet") {
		t.Error("Test saved a monitor")
	}
}

func TestMonitorEventsStream(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"streamed"}, "url": {tg.URL}})

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/admin/events", nil)
	stream := &http.Client{Jar: c.Jar}
	res, err := stream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	post(t, s, c, path, path+"/check", nil)
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data: ") {
			if !strings.Contains(line, `"status":"up"`) || !strings.Contains(line, `"status_label":"Up"`) {
				t.Fatalf("event: %s", line)
			}
			return
		}
	}
	t.Fatalf("no event received: %v", sc.Err())
}

func TestMonitorsResumeAfterRestart(t *testing.T) {
	tg := newTarget(t)
	first := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, first, c)
	path := createMonitor(t, first, c, url.Values{"type": {"http"}, "name": {"survivor"}, "url": {tg.URL}})
	post(t, first, c, path, path+"/check", nil)
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	cfg := defaultTestConfig(first.DBPath)
	second := startServerWith(t, cfg, nil)
	c2 := browserClient(t)
	if res := login(t, second, c2, testEmail, testPassword); res.Status != http.StatusSeeOther {
		t.Fatalf("login after restart: %d", res.Status)
	}
	body := do(t, c2, "GET", second.URL+path, nil, nil).Body
	if got := statusOf(t, body); got != "up" {
		t.Errorf("status after restart: %s", got)
	}
	if !strings.Contains(second.Logs.String(), "scheduler started") || !strings.Contains(second.Logs.String(), "monitors=1") {
		t.Errorf("monitor not rescheduled after restart:\n%s", second.Logs.String())
	}
}

func TestConfigMonitorsAreSyncedAndReadOnly(t *testing.T) {
	tg := newTarget(t)
	dbPath := filepath.Join(t.TempDir(), "st.db")
	withMonitors := func(specs ...monitor.Spec) config.Config {
		cfg := defaultTestConfig(dbPath)
		cfg.Monitors = specs
		return cfg
	}
	web := monitor.Spec{Name: "Website", Type: monitor.TypeHTTP, URL: tg.URL + "/"}
	db := monitor.Spec{Name: "Database", Type: monitor.TypeTCP, Address: tg.Listener.Addr().String()}

	// Declared before anybody signed up: they go to an organization the first admin owns.
	first := startServerWith(t, withMonitors(web, db), nil)
	c := browserClient(t)
	setupAdmin(t, first, c)
	list := do(t, c, "GET", first.URL+"/admin/monitors", nil, nil).Body
	if !strings.Contains(list, "Website") || !strings.Contains(list, "Database") {
		t.Fatalf("config monitors missing from the list:\n%s", list)
	}
	path := "/admin/monitors/" + regexp.MustCompile(`href="/admin/monitors/(\d+)" class="name">Website<`).FindStringSubmatch(list)[1]
	page := do(t, c, "GET", first.URL+path, nil, nil).Body
	if !strings.Contains(page, "declared in the configuration file") || strings.Contains(page, `data-testid="edit"`) ||
		strings.Contains(page, `data-testid="delete"`) {
		t.Error("config monitor page offers editing")
	}
	// Forged posts are refused too.
	res := post(t, first, c, path, path, url.Values{"type": {"http"}, "name": {"Hijacked"}, "url": {"http://evil.example/"}})
	if res.Header.Get("Location") != path+"?done=managed" {
		t.Errorf("update of a config monitor: %d %q", res.Status, res.Header.Get("Location"))
	}
	if res := post(t, first, c, path, path+"/delete", nil); res.Header.Get("Location") != path+"?done=managed" {
		t.Errorf("delete of a config monitor: %d %q", res.Status, res.Header.Get("Location"))
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	// Next start: Website changed, Database removed from the file.
	web.URL = tg.URL + "/v2"
	second := startServerWith(t, withMonitors(web), nil)
	c = browserClient(t)
	login(t, second, c, testEmail, testPassword)
	list = do(t, c, "GET", second.URL+"/admin/monitors", nil, nil).Body
	if strings.Contains(list, "Database") || !strings.Contains(list, tg.URL+"/v2") {
		t.Errorf("config changes not applied:\n%s", list)
	}
	if !strings.Contains(second.Logs.String(), "updated=1 deleted=1") {
		t.Errorf("sync not logged:\n%s", second.Logs.String())
	}
}
