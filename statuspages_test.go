package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"statusthing/app/monitor"
)

var pageEditRE = regexp.MustCompile(`^/admin/pages/(\d+)/edit\?done=saved$`)

// createPage posts the new page form and returns the page's admin path (/admin/pages/{id}).
func createPage(t *testing.T, s *testServer, c *http.Client, form url.Values) string {
	t.Helper()
	res := post(t, s, c, "/admin/pages/new", "/admin/pages", form)
	m := pageEditRE.FindStringSubmatch(res.Header.Get("Location"))
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create page: %d %q\n%s", res.Status, res.Header.Get("Location"), res.Body)
	}
	return "/admin/pages/" + m[1]
}

// waitForPage polls a public page until it contains want (the cache rebuilds in the
// background after a change), bounded.
func waitForPage(t *testing.T, c *http.Client, u, want string) string {
	t.Helper()
	var body string
	for range 100 {
		res := do(t, c, "GET", u, nil, nil)
		if body = res.Body; res.Status == http.StatusOK && strings.Contains(body, want) {
			return body
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never showed %q:\n%s", u, want, body)
	return ""
}

func componentStatus(t *testing.T, body, name string) string {
	t.Helper()
	re := regexp.MustCompile(`data-component="` + regexp.QuoteMeta(name) + `"[\s\S]*?data-testid="component-status">([^<]+)<`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no component %q on the page:\n%s", name, body)
	}
	return m[1]
}

func TestStatusPageEndToEnd(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	web, db := newTarget(t), newTarget(t)
	webPath := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"shop-frontend-internal"}, "url": {web.URL + "/secret-path"},
		"interval": {"1h"}, "retries": {"0"}, "expected_status": {"200-299"}})
	dbPath := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"db-primary-10.0.3.7"}, "url": {db.URL + "/db-health"},
		"interval": {"1h"}, "retries": {"0"}, "expected_status": {"200-299"}})
	webID, dbID := strings.TrimPrefix(webPath, "/admin/monitors/"), strings.TrimPrefix(dbPath, "/admin/monitors/")
	for _, p := range []string{webPath, dbPath} {
		post(t, s, c, p, p+"/check", nil)
	}

	// The editor refuses what it cannot save, naming the field, and keeps what was typed.
	bad := post(t, s, c, "/admin/pages/new", "/admin/pages", url.Values{"title": {"Acme"}, "slug": {"Not a slug"}, "rows": {"1"},
		"c0.name": {"Website"}, "c0.monitor": {webID}, "locale": {"en"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `data-testid="error-slug"`) || !strings.Contains(bad.Body, `value="Website"`) {
		t.Fatalf("refused page: %d\n%s", bad.Status, bad.Body)
	}
	// The editor's preview shows an unsaved page as visitors would see it, and saves nothing.
	preview := post(t, s, c, "/admin/pages/new", "/admin/pages/preview", url.Values{"title": {"Draft status"}, "slug": {"draft"},
		"locale": {"en"}, "rows": {"1"}, "c0.name": {"Draft website"}, "c0.monitor": {webID}})
	if preview.Status != http.StatusOK || !strings.Contains(preview.Body, `data-testid="preview-bar"`) ||
		!strings.Contains(preview.Body, "Draft website") || preview.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("preview: %d\n%s", preview.Status, preview.Body)
	}
	if res := do(t, browserClient(t), "GET", s.URL+"/status/draft", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("the preview saved the page: %d", res.Status)
	}
	admin := createPage(t, s, c, url.Values{"title": {"Acme status"}, "slug": {"acme"}, "description": {"Live status of Acme's services."},
		"custom_domain": {"status.acme.test"}, "locale": {"en"}, "public": {"1"}, "collapsed_groups": {"Support"}, "rows": {"4"},
		"c0.name": {"Website"}, "c0.monitor": {webID}, "c0.position": {"1"}, "c0.chart": {"1"},
		"c1.name": {"Database"}, "c1.monitor": {dbID}, "c1.position": {"2"}, "c1.group": {"Backend"},
		"c2.name": {"Help desk"}, "c2.status": {"partial_outage"}, "c2.position": {"3"}, "c2.group": {"Support"},
		"c3.name": {""}})
	if list := do(t, c, "GET", s.URL+"/admin/pages", nil, nil).Body; !strings.Contains(list, `href="/status/acme"`) {
		t.Fatalf("pages list:\n%s", list)
	}

	visitor := browserClient(t)
	page := waitForPage(t, visitor, s.URL+"/status/acme", "Acme status")
	for _, want := range []string{`data-testid="banner"`, "Partial system outage", "Website", "Database", "Help desk", `<details class="group"`,
		"Live status of Acme&#39;s services."} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Nothing of the admin's: monitor names, targets, paths.
	for _, secret := range []string{"shop-frontend-internal", "db-primary", "secret-path", "db-health", "127.0.0.1"} {
		if strings.Contains(page, secret) {
			t.Errorf("the public page leaks %q", secret)
		}
	}
	if got := strings.Count(page, `data-testid="component"`); got != 3 {
		t.Errorf("%d components shown, want 3", got)
	}
	if got := componentStatus(t, page, "Help desk"); got != "Partial outage" {
		t.Errorf("hand-set component status %q", got)
	}
	if got := componentStatus(t, page, "Database"); got != "Operational" {
		t.Errorf("database status %q", got)
	}

	// Caching headers: ETag and 304, gzip for browsers that ask.
	res := do(t, visitor, "GET", s.URL+"/status/acme", nil, map[string]string{"Accept-Encoding": "gzip"})
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == "" {
		t.Fatalf("gzip answer headers %v", res.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Contains(plain, []byte("Acme status")) {
		t.Error("gzipped page does not decode to the page")
	}
	if res := do(t, visitor, "GET", s.URL+"/status/acme", nil, map[string]string{"If-None-Match": res.Header.Get("ETag")}); res.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.Status)
	}

	// The database goes down: its component turns to an outage without anyone editing the page.
	db.status.Store(http.StatusServiceUnavailable)
	post(t, s, c, dbPath, dbPath+"/check", nil)
	page = waitForPage(t, visitor, s.URL+"/status/acme", "Major outage")
	if got := componentStatus(t, page, "Database"); got != "Major outage" {
		t.Errorf("database after going down: %q", got)
	}

	// A custom domain serves the page at its root, and its feed.
	for _, p := range []string{"/", "/summary.json"} {
		req, _ := http.NewRequest("GET", s.URL+p, nil)
		req.Host = "Status.Acme.test:443"
		r, err := visitor.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK || !strings.Contains(string(body), "Acme status") {
			t.Errorf("custom domain %s: %d\n%s", p, r.StatusCode, body)
		}
	}
	if res := do(t, visitor, "GET", s.URL+"/", nil, nil); res.Status != http.StatusFound || res.Header.Get("Location") != "/admin" {
		t.Errorf("root without a default page: %d %q", res.Status, res.Header.Get("Location"))
	}

	// A manual incident, then an update: on the page, in the summary and the feed.
	decl := post(t, s, c, "/admin/incidents/new", "/admin/incidents", url.Values{"title": {"Checkout errors"}, "impact": {"major"},
		"status": {"identified"}, "component": {componentID(t, c, s, admin, "Website")}, "message": {"Payments fail for some <b>cards</b>."}})
	if decl.Status != http.StatusSeeOther || !strings.Contains(decl.Header.Get("Location"), "?done=declared") {
		t.Fatalf("declare: %d %q\n%s", decl.Status, decl.Header.Get("Location"), decl.Body)
	}
	incPath := strings.TrimSuffix(decl.Header.Get("Location"), "?done=declared")
	page = waitForPage(t, visitor, s.URL+"/status/acme", "Checkout errors")
	if !strings.Contains(page, "Payments fail for some &lt;b&gt;cards&lt;/b&gt;.") || strings.Contains(page, "<b>cards</b>") {
		t.Error("the update's text is not escaped")
	}
	refused := post(t, s, c, incPath, incPath+"/updates", url.Values{"status": {"monitoring"}, "message": {"  "}})
	if refused.Status != http.StatusUnprocessableEntity || !strings.Contains(refused.Body, `data-testid="error-message"`) {
		t.Errorf("empty update: %d", refused.Status)
	}
	post(t, s, c, incPath, incPath+"/updates", url.Values{"status": {"monitoring"}, "impact": {"major"},
		"component": {componentID(t, c, s, admin, "Website")}, "message": {"A fix is deployed."}})
	waitForPage(t, visitor, s.URL+"/status/acme", "A fix is deployed.")

	var summary struct {
		Page struct {
			ID, Name, URL string
		}
		Status struct {
			Indicator, Description string
		}
		Components []struct {
			ID, Name, Status string
			Group            bool
			GroupID          *string `json:"group_id"`
			Components       []string
		}
		Incidents []struct {
			Name, Status, Impact string
			IncidentUpdates      []struct{ Status, Body string } `json:"incident_updates"`
			Components           []struct{ Name string }
		}
		ScheduledMaintenances []any `json:"scheduled_maintenances"`
	}
	res = do(t, visitor, "GET", s.URL+"/status/acme/summary.json", nil, nil)
	if err := json.Unmarshal([]byte(res.Body), &summary); err != nil || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("summary: %v %q\n%s", err, res.Header.Get("Content-Type"), res.Body)
	}
	if summary.Page.ID != "acme" || summary.Page.URL != s.URL+"/status/acme" || summary.Status.Indicator != "major" ||
		len(summary.Components) != 5 || summary.ScheduledMaintenances == nil {
		t.Errorf("summary: %+v", summary)
	}
	groups := 0
	for _, c := range summary.Components {
		if c.Group {
			groups++
			if len(c.Components) != 1 {
				t.Errorf("group %q lists %v", c.Name, c.Components)
			}
		}
		if c.Name == "Database" && (c.Status != "major_outage" || c.GroupID == nil) {
			t.Errorf("database in summary: %+v", c)
		}
	}
	if groups != 2 || len(summary.Incidents) != 1 || summary.Incidents[0].Status != "monitoring" || summary.Incidents[0].Impact != "major" ||
		len(summary.Incidents[0].IncidentUpdates) != 2 || len(summary.Incidents[0].Components) != 1 || summary.Incidents[0].Components[0].Name != "Website" {
		t.Errorf("summary incidents: %+v", summary.Incidents)
	}

	res = do(t, visitor, "GET", s.URL+"/status/acme/feed.atom", nil, nil)
	feed, err := gofeed.NewParser().ParseString(res.Body)
	if err != nil || feed.FeedType != "atom" {
		t.Fatalf("feed: %v\n%s", err, res.Body)
	}
	if feed.Title != "Acme status" || len(feed.Items) != 1 || !strings.Contains(feed.Items[0].Title, "Checkout errors") ||
		!strings.Contains(feed.Items[0].Content, "A fix is deployed.") || feed.Items[0].Link != s.URL+"/status/acme/history#incident-"+strings.TrimPrefix(incPath, "/admin/incidents/") {
		t.Errorf("feed items: %+v", feed.Items)
	}

	// Badges: only monitors on a public page, under their public name.
	res = do(t, visitor, "GET", s.URL+"/badge/"+dbID+"/status.svg", nil, nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml; charset=utf-8" || !strings.Contains(res.Body, ">down<") ||
		!strings.Contains(res.Body, "Database") || strings.Contains(res.Body, "db-primary") {
		t.Errorf("status badge: %d\n%s", res.Status, res.Body)
	}
	if err := xml.Unmarshal([]byte(res.Body), new(struct{ XMLName xml.Name })); err != nil {
		t.Errorf("status badge is not XML: %v", err)
	}
	res = do(t, visitor, "GET", s.URL+"/badge/"+webID+"/uptime.svg?period=7d", nil, nil)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "100%") || !strings.Contains(res.Body, "Website 7d") {
		t.Errorf("uptime badge: %d\n%s", res.Status, res.Body)
	}
	if res := do(t, visitor, "GET", s.URL+"/badge/"+webID+"/uptime.svg?period=1y", nil, nil); res.Status != http.StatusBadRequest {
		t.Errorf("bad period: %d", res.Status)
	}

	// Private: visitors are sent to log in, members see it.
	edit := do(t, c, "GET", s.URL+admin+"/edit", nil, nil).Body
	form := pageFormValues(t, edit)
	form.Del("public")
	form.Set("csrf_token", csrfOf(t, edit))
	if res := do(t, c, "POST", s.URL+admin, form, nil); res.Status != http.StatusSeeOther {
		t.Fatalf("make private: %d\n%s", res.Status, res.Body)
	}
	for range 100 {
		if res = do(t, visitor, "GET", s.URL+"/status/acme", nil, nil); res.Status != http.StatusOK {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("private page for a visitor: %d %q", res.Status, res.Header.Get("Location"))
	}
	if res := do(t, visitor, "GET", s.URL+"/badge/"+dbID+"/status.svg", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("badge of a monitor on a private page only: %d", res.Status)
	}
	if res := do(t, c, "GET", s.URL+"/status/acme", nil, nil); res.Status != http.StatusOK || !strings.Contains(res.Body, "Acme status") {
		t.Errorf("private page for a member: %d", res.Status)
	}
	if res := do(t, visitor, "GET", s.URL+"/status/nope", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("unknown page: %d", res.Status)
	}
}

// componentID reads the id of a page's component from its edit form.
func componentID(t *testing.T, c *http.Client, s *testServer, admin, name string) string {
	t.Helper()
	body := do(t, c, "GET", s.URL+admin+"/edit", nil, nil).Body
	m := regexp.MustCompile(`name="c(\d+)\.name" type="text" value="` + regexp.QuoteMeta(name) + `"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no component %q in the form", name)
	}
	id := regexp.MustCompile(`name="c` + m[1] + `\.id" value="(\d+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("no id for component %q", name)
	}
	return id[1]
}

// pageFormValues reads the values of the page form as a browser would submit them
// (text inputs, ticked checkboxes, selected options).
func pageFormValues(t *testing.T, body string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*>`).FindAllStringSubmatch(body, -1) {
		tag := m[0]
		if strings.Contains(tag, `type="file"`) || m[1] == "csrf_token" {
			continue
		}
		v := regexp.MustCompile(`value="([^"]*)"`).FindStringSubmatch(tag)
		val := ""
		if v != nil {
			val = v[1]
		}
		if strings.Contains(tag, `type="checkbox"`) {
			if strings.Contains(tag, " checked") {
				form.Add(m[1], val)
			}
			continue
		}
		form.Add(m[1], strings.ReplaceAll(val, "&#39;", "'"))
	}
	for _, m := range regexp.MustCompile(`<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)</select>`).FindAllStringSubmatch(body, -1) {
		if o := regexp.MustCompile(`<option value="([^"]*)" selected`).FindStringSubmatch(m[2]); o != nil {
			form.Set(m[1], o[1])
		}
	}
	if d := regexp.MustCompile(`name="description"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body); d != nil {
		form.Set("description", strings.ReplaceAll(d[1], "&#39;", "'"))
	}
	return form
}

// TestStatusPageHistory renders a page over 90 days of real rollups with a gap, and its
// archive.
func TestStatusPageHistory(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"api"}, "url": {tg.URL}, "interval": {"1h"}, "retries": {"0"},
		"expected_status": {"200-299"}})
	id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/admin/monitors/"), 10, 64)
	// 90 days of hourly checks ending now, with days 40-44 missing (statusthing was off) and
	// a two-hour outage 10 days ago.
	now := time.Now().UTC()
	start := now.Truncate(24*time.Hour).AddDate(0, 0, -89)
	outage := now.Truncate(24*time.Hour).AddDate(0, 0, -10).Add(5 * time.Hour)
	for at := start; at.Before(now); at = at.Add(time.Hour) {
		if day := int(at.Sub(start) / (24 * time.Hour)); day >= 40 && day < 45 {
			continue
		}
		r := monitor.Result{MonitorID: id, StartedAt: at, Outcome: monitor.OutcomeUp, Duration: 40 * time.Millisecond}
		if !at.Before(outage) && at.Before(outage.Add(2*time.Hour)) {
			r.Outcome, r.ErrorClass, r.Message = monitor.OutcomeDown, monitor.ClassRefused, "connection refused"
		}
		if _, _, err := s.Store.RecordResult(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	createPage(t, s, c, url.Values{"title": {"History"}, "slug": {"history"}, "locale": {"en"}, "public": {"1"}, "rows": {"1"},
		"c0.name": {"API"}, "c0.monitor": {strconv.FormatInt(id, 10)}})
	page := waitForPage(t, browserClient(t), s.URL+"/status/history", "API")
	cells := regexp.MustCompile(`class="s(\d+) ([a-z]+)" tabindex`).FindAllStringSubmatch(page, -1)
	days, levels := 0, map[string]int{}
	for _, m := range cells {
		n, _ := strconv.Atoi(m[1])
		days += n
		levels[m[2]] += n
	}
	if days != 90 {
		t.Errorf("the bar covers %d days, want 90", days)
	}
	if levels["none"] != 5 || levels["minor"]+levels["partial"]+levels["major"] != 1 || levels["ok"] != 84 {
		t.Errorf("day levels %v", levels)
	}
	outageDay := outage.Format("Jan 2, 2006")
	if !regexp.MustCompile(regexp.QuoteMeta(outageDay) + ` · [0-9.]+% uptime · down for 2 h 0 min`).MatchString(page) {
		t.Errorf("no tooltip for the outage day %s", outageDay)
	}
	if !strings.Contains(page, "no data") || !strings.Contains(page, `data-testid="no-history"`) {
		t.Error("the gap or the empty history is not told")
	}
	if size := len(page); size > 100<<10 {
		t.Errorf("page of one component is %d bytes", size)
	}
	if res := do(t, c, "GET", s.URL+"/status/history/history", nil, nil); res.Status != http.StatusOK || !strings.Contains(res.Body, "No incidents reported.") {
		t.Errorf("archive: %d", res.Status)
	}
}
