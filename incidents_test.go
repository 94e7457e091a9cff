package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

var incidentLinkRE = regexp.MustCompile(`href="(/admin/incidents/\d+)"`)

// incidentRows counts the rows of the incidents list.
func incidentRows(body string) int { return strings.Count(body, `data-testid="incident-row"`) }

func TestIncidentsAdmin(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{
		"type": {"http"}, "name": {"Shop"}, "url": {tg.URL}, "interval": {"1h"}, "retries": {"0"}, "expected_status": {"200-299"},
	})
	monitorID := strings.TrimPrefix(path, "/admin/monitors/")
	check := func() {
		t.Helper()
		if res := post(t, s, c, path, path+"/check", nil); res.Header.Get("Location") != path+"?done=checked" {
			t.Fatalf("check now: %d %q", res.Status, res.Header.Get("Location"))
		}
	}
	get := func(p string) string {
		t.Helper()
		res := do(t, c, "GET", s.URL+p, nil, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, res.Status)
		}
		return res.Body
	}

	check()
	if body := get("/admin/incidents"); !strings.Contains(body, `data-testid="empty-incidents"`) || incidentRows(body) != 0 {
		t.Fatalf("incidents before any outage:\n%s", body)
	}

	tg.status.Store(http.StatusServiceUnavailable)
	check()
	list := get("/admin/incidents")
	if incidentRows(list) != 1 || !strings.Contains(list, "Shop is down") || !strings.Contains(list, ">Open<") {
		t.Fatalf("incidents list after the outage:\n%s", list)
	}
	m := incidentLinkRE.FindStringSubmatch(list)
	if m == nil {
		t.Fatal("no link to the incident")
	}
	inc := m[1]
	page := get(inc)
	for _, want := range []string{"Shop is down", `data-kind="opened"`, "statusthing", "got 503", `data-testid="incident-results"`,
		`href="` + path + `"`, `data-testid="acknowledge"`} {
		if !strings.Contains(page, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}
	if strings.Contains(page, `data-testid="seen-before"`) {
		t.Error("a first incident was seen before")
	}
	if body := get(path); !strings.Contains(body, `data-testid="incident-banner"`) || !strings.Contains(body, `href="`+inc+`"`) {
		t.Error("the monitor page has no banner linking to its incident")
	}
	if body := get("/admin"); !strings.Contains(body, `data-testid="attention-incident"`) {
		t.Error("the dashboard does not link to the open incident")
	}

	// Acknowledge: the page says who.
	if res := post(t, s, c, inc, inc+"/acknowledge", nil); res.Status != http.StatusSeeOther || res.Header.Get("Location") != inc+"?done=acknowledged" {
		t.Fatalf("acknowledge: %d %q", res.Status, res.Header.Get("Location"))
	}
	page = get(inc + "?done=acknowledged")
	if !strings.Contains(page, "Incident acknowledged.") || !strings.Contains(page, "by "+testEmail) || !strings.Contains(page, `data-testid="unacknowledge"`) {
		t.Errorf("acknowledged incident page:\n%s", page)
	}
	if body := get(path); !strings.Contains(body, `data-testid="incident-banner"`) {
		t.Error("an acknowledged incident is still open: the banner must stay")
	}

	// Comments: refused empty, escaped, multi-line.
	res := post(t, s, c, inc, inc+"/comment", url.Values{"text": {"   "}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="error-comment"`) {
		t.Errorf("empty comment: %d", res.Status)
	}
	res = post(t, s, c, inc, inc+"/comment", url.Values{"text": {strings.Repeat("é", 5001)}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "at most 5000") {
		t.Errorf("long comment: %d", res.Status)
	}
	res = post(t, s, c, inc, inc+"/comment", url.Values{"text": {"<b>x</b>\nsecond line"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d\n%s", res.Status, res.Body)
	}
	page = get(inc)
	if !strings.Contains(page, "&lt;b&gt;x&lt;/b&gt;\nsecond line") || strings.Contains(page, "<b>x</b>") {
		t.Error("comment not shown escaped")
	}

	// Resolve by hand: acknowledging is refused now; the banner goes.
	if res := post(t, s, c, inc, inc+"/resolve", nil); res.Header.Get("Location") != inc+"?done=resolved" {
		t.Fatalf("resolve: %d %q", res.Status, res.Header.Get("Location"))
	}
	page = get(inc)
	if !strings.Contains(page, `data-kind="resolved"`) || strings.Contains(page, `data-testid="acknowledge"`) || !strings.Contains(page, ">Resolved<") {
		t.Error("resolved incident page")
	}
	if res := post(t, s, c, inc, inc+"/acknowledge", nil); res.Header.Get("Location") != inc+"?done=already_resolved" {
		t.Errorf("acknowledging a resolved incident: %q", res.Header.Get("Location"))
	}
	if body := get(path); strings.Contains(body, `data-testid="incident-banner"`) {
		t.Error("banner of a resolved incident")
	}

	// Up, down again: a new incident, seen before; recovery resolves it by itself.
	tg.status.Store(http.StatusOK)
	check()
	tg.status.Store(http.StatusServiceUnavailable)
	check()
	list = get("/admin/incidents?status=open")
	if incidentRows(list) != 1 {
		t.Fatalf("open incidents after the second outage: %d", incidentRows(list))
	}
	second := incidentLinkRE.FindStringSubmatch(list)[1]
	if second == inc {
		t.Fatal("the second outage reused the first incident")
	}
	if page := get(second); !strings.Contains(page, `data-testid="seen-before"`) || !strings.Contains(page, `href="`+inc+`"`) {
		t.Error("the second incident does not show the first as seen before")
	}
	tg.status.Store(http.StatusOK)
	check()
	page = get(second)
	if !strings.Contains(page, `data-kind="resolved"`) || !strings.Contains(page, ">Resolved<") {
		t.Error("recovery did not resolve the incident")
	}

	// Filters.
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	for _, tc := range []struct {
		name, query string
		want        int
	}{
		{"all", "", 2},
		{"resolved", "status=resolved", 2},
		{"open", "status=open", 0},
		{"acknowledged", "status=acknowledged", 0},
		{"monitor", "monitor=" + monitorID, 2},
		{"other monitor", "monitor=999999", 0},
		{"from tomorrow", "from=" + tomorrow, 0},
		{"to today", "from=" + today + "&to=" + today, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := get("/admin/incidents?" + tc.query)
			if got := incidentRows(body); got != tc.want {
				t.Errorf("%q: %d rows, want %d", tc.query, got, tc.want)
			}
			if tc.want == 0 && !strings.Contains(body, `data-testid="no-incidents-match"`) {
				t.Errorf("%q: no 'no match' state", tc.query)
			}
		})
	}
	if body := get("/admin/incidents?from=yesterday"); !strings.Contains(body, `data-testid="filter-error"`) || incidentRows(body) != 2 {
		t.Error("a bad date is not reported")
	}
	if res := do(t, c, "GET", s.URL+"/admin/incidents/999999", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("missing incident: %d", res.Status)
	}
	if res := do(t, c, "GET", s.URL+"/admin/incidents/abc", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("malformed id: %d", res.Status)
	}
	// Forms need the CSRF token.
	if res := do(t, c, "POST", s.URL+second+"/comment", url.Values{"text": {"hi"}}, nil); res.Status != http.StatusForbidden {
		t.Errorf("comment without CSRF token: %d", res.Status)
	}
}

func TestIncidentsListPages(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{
		"type": {"http"}, "name": {"Flappy"}, "url": {tg.URL}, "interval": {"1h"}, "retries": {"0"}, "expected_status": {"200-299"},
	})
	id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/admin/monitors/"), 10, 64)
	ctx := context.Background()
	at := time.Now().Add(-2 * time.Hour)
	for i := range 30 { // 30 outages of a minute each
		for _, o := range []monitor.Outcome{monitor.OutcomeDown, monitor.OutcomeUp} {
			at = at.Add(time.Minute)
			r := monitor.Result{MonitorID: id, StartedAt: at, Duration: time.Millisecond, Outcome: o}
			if o == monitor.OutcomeDown {
				r.ErrorClass, r.Message = monitor.ClassStatus, "outage "+strconv.Itoa(i)
			}
			if _, _, err := s.Store.RecordResult(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := do(t, c, "GET", s.URL+"/admin/incidents", nil, nil).Body
	if n := incidentRows(first); n != 25 || strings.Contains(first, `data-testid="incidents-newest"`) {
		t.Fatalf("first page: %d rows", n)
	}
	m := regexp.MustCompile(`href="(/admin/incidents\?before=\d+)" data-testid="incidents-older"`).FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no link to older incidents")
	}
	older := do(t, c, "GET", s.URL+m[1], nil, nil).Body
	if n := incidentRows(older); n != 5 || strings.Contains(older, `data-testid="incidents-older"`) ||
		!strings.Contains(older, `data-testid="incidents-newest"`) {
		t.Errorf("second page: %d rows", n)
	}
	// The filters carry over to the next page.
	filtered := do(t, c, "GET", s.URL+"/admin/incidents?status=resolved", nil, nil).Body
	if !regexp.MustCompile(`href="/admin/incidents\?before=\d+&amp;status=resolved"`).MatchString(filtered) {
		t.Error("the older link drops the filters")
	}
}
