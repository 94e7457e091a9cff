package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

var (
	pingURLRE  = regexp.MustCompile(`id="ping-url" type="text" value="([^"]+)"`)
	slugURLRE  = regexp.MustCompile(`id="slug-url" type="text" value="([^"]+)"`)
	datetimeRE = regexp.MustCompile(`<time datetime="([^"]+)"`)
	pingRowRE  = regexp.MustCompile(`<tr data-ping-id="(\d+)"`)
	olderRE    = regexp.MustCompile(`href="(/admin/monitors/\d+\?before=\d+#pings)" data-testid="pings-older"`)
)

// heartbeatForm is a valid heartbeat as the new-monitor form posts it.
func heartbeatForm(name string) url.Values {
	return url.Values{"type": {"heartbeat"}, "name": {name}, "schedule": {"cron"}, "period": {"24h"},
		"cron": {"0 2 * * *"}, "timezone": {"Europe/Paris"}, "grace": {"30m"}}
}

// postNewMonitor posts the new-monitor form (with a fresh CSRF token) and returns the answer.
func postNewMonitor(t *testing.T, s *testServer, c *http.Client, form url.Values) response {
	t.Helper()
	return post(t, s, c, "/admin/monitors/new?type="+form.Get("type"), "/admin/monitors", form)
}

func TestHeartbeatFormAndPage(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)

	// The form offers heartbeats, with their own fields and without probe timings or Test.
	form := do(t, c, "GET", s.URL+"/admin/monitors/new?type=heartbeat", nil, nil)
	if form.Status != http.StatusOK {
		t.Fatalf("heartbeat form: %d", form.Status)
	}
	for _, want := range []string{`data-testid="type-heartbeat"`, `name="cron"`, `name="period"`, `name="grace"`,
		`list="f-timezones"`, `<option value="Europe/Paris">`, `data-testid="schedule-preview"`, "Next expected pings (UTC)"} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("heartbeat form lacks %s", want)
		}
	}
	for _, unwanted := range []string{`name="interval"`, `name="retries"`, `name="timeout"`, `data-testid="test"`} {
		if strings.Contains(form.Body, unwanted) {
			t.Errorf("heartbeat form has %s", unwanted)
		}
	}
	if n := len(datetimeRE.FindAllString(form.Body, -1)); n != 5 {
		t.Errorf("the form previews %d pings, want 5", n)
	}

	t.Run("refused values are named", func(t *testing.T) {
		tests := []struct {
			name   string
			edit   func(url.Values)
			testID string
			want   string
		}{
			{"bad cron", func(v url.Values) { v.Set("cron", "61 2 * * *") }, "error-cron", "minute: "},
			{"cron macro", func(v url.Values) { v.Set("cron", "@daily") }, "error-cron", "macros like @daily are not supported"},
			{"unknown time zone", func(v url.Values) { v.Set("timezone", "Mars/Olympus") }, "error-timezone", "unknown time zone"},
			{"short grace", func(v url.Values) { v.Set("grace", "10s") }, "error-grace", "at least 1 minute"},
			{"bad period", func(v url.Values) { v.Set("schedule", "period"); v.Set("period", "daily") }, "error-period", "is not a duration"},
			// A probe setting is refused, and shown although the form has no such field.
			{"interval", func(v url.Values) { v.Set("interval", "60s") }, "form-error", "interval: is not a setting of heartbeat monitors"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				v := heartbeatForm("Refused")
				tt.edit(v)
				res := postNewMonitor(t, s, c, v)
				if res.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.Status)
				}
				m := regexp.MustCompile(`data-testid="` + tt.testID + `"[^>]*>([^<]*(?:<ul[^>]*>(?:\s*<li>[^<]*</li>)*)?)`).FindStringSubmatch(res.Body)
				if m == nil || !strings.Contains(m[1], tt.want) {
					t.Errorf("%s does not say %q: %v", tt.testID, tt.want, m)
				}
				// What the user typed is shown again, with the preview of the schedule.
				if !strings.Contains(res.Body, `value="Refused"`) || !strings.Contains(res.Body, `data-testid="schedule-preview"`) {
					t.Error("the refused form lost the values or the preview")
				}
			})
		}
		if n := queryString(t, readDB(t, s.DBPath), `SELECT count(*) FROM monitors`); n != "0" {
			t.Errorf("%s monitors saved from refused forms", n)
		}
	})

	t.Run("the Test button refuses heartbeats", func(t *testing.T) {
		res := post(t, s, c, "/admin/monitors/new?type=heartbeat", "/admin/monitors/test", heartbeatForm("Tested"))
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "send a ping to its URL") {
			t.Errorf("test a heartbeat: %d", res.Status)
		}
	})

	path := createMonitor(t, s, c, heartbeatForm("Nightly backup"))
	page := do(t, c, "GET", s.URL+path, nil, nil)
	if page.Status != http.StatusOK || statusOf(t, page.Body) != "new" {
		t.Fatalf("new heartbeat page: %d", page.Status)
	}
	m := pingURLRE.FindStringSubmatch(page.Body)
	if m == nil || !regexp.MustCompile(`^`+regexp.QuoteMeta(s.URL)+`/ping/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(m[1]) {
		t.Fatalf("no ping URL on the page: %v", m)
	}
	pingURL := m[1]
	for _, want := range []string{
		"0 2 * * * /path/to/job.sh &amp;&amp; curl -fsS -m 10 --retry 5 -o /dev/null " + pingURL,
		"url=" + pingURL, `curl -fsS -m 10 --retry 5 -o /dev/null &#34;$url/start&#34;`, "status=$?",
		`--data-raw &#34;$output&#34; &#34;$url/$status&#34;`, "Cron 0 2 * * * (Europe/Paris)", "after the first ping",
		"Waiting for the first ping", "No ping received yet.",
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("heartbeat page lacks %q", want)
		}
	}
	for _, unwanted := range []string{`data-testid="check-now"`, "Response time, last 24 hours", "Uptime 24 h"} {
		if strings.Contains(page.Body, unwanted) {
			t.Errorf("heartbeat page shows %q", unwanted)
		}
	}

	// A job pings with its output as the body: the page shows it, and the monitor is up.
	if code, body, _ := curl(t, "POST", pingURL, "backup done\n42 files <b>copied</b>"); code != 200 || body != "OK" {
		t.Fatalf("ping: %d %q", code, body)
	}
	page = do(t, c, "GET", s.URL+path, nil, nil)
	if got := statusOf(t, page.Body); got != "up" {
		t.Fatalf("after a ping: %s", got)
	}
	for _, want := range []string{`<pre data-testid="ping-body">backup done` + "\n" + `42 files &lt;b&gt;copied&lt;/b&gt;</pre>`,
		"POST 127.0.0.1", "curl/8.5.0", ">Success<", `data-testid="next-ping"><time datetime="`, `data-testid="down-at"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("after a ping the page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "<b>copied</b>") {
		t.Error("the ping body is not escaped")
	}
	if strings.Contains(page.Body, "Waiting for the first ping") {
		t.Error("still waiting for the first ping after it came")
	}

	// A run: start, then a failing exit status with its output.
	if code, _, _ := curl(t, "GET", pingURL+"/start", ""); code != 200 {
		t.Fatalf("start: %d", code)
	}
	page = do(t, c, "GET", s.URL+path, nil, nil)
	if !regexp.MustCompile(`data-testid="running">running for (under|\d)`).MatchString(page.Body) {
		t.Errorf("an open run is not shown:\n%s", page.Body)
	}
	time.Sleep(30 * time.Millisecond) // the run must last a measurable time
	if code, _, _ := curl(t, "POST", pingURL+"/3", "error: disk full"); code != 200 {
		t.Fatalf("exit status: %d", code)
	}
	page = do(t, c, "GET", s.URL+path, nil, nil)
	if got := statusOf(t, page.Body); got != "down" {
		t.Errorf("after exit status 3: %s", got)
	}
	for _, want := range []string{">Exit 3<", `data-testid="run-chart"`, `class="bar failed"`, "1 run: ", "job reported failure (exit status 3)"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("after a failed run the page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, `data-testid="running"`) {
		t.Error("the finished run is still shown as running")
	}

	t.Run("live fragment", func(t *testing.T) {
		res := do(t, c, "GET", s.URL+path+"/heartbeat", nil, nil)
		if res.Status != http.StatusOK || !strings.Contains(res.Body, `data-part="status"`) || !strings.Contains(res.Body, `data-part="activity"`) ||
			!strings.Contains(res.Body, "error: disk full") || strings.Contains(res.Body, "<html") {
			t.Errorf("fragment: %d\n%s", res.Status, res.Body)
		}
	})

	t.Run("edit keeps the schedule", func(t *testing.T) {
		edit := do(t, c, "GET", s.URL+path+"/edit", nil, nil)
		for _, want := range []string{`value="cron" id="f-schedule-cron" checked`, `name="cron" type="text" value="0 2 * * *"`,
			`value="Europe/Paris"`, `name="grace" type="text" value="30m"`, "Next expected pings (Europe/Paris)"} {
			if !strings.Contains(edit.Body, want) {
				t.Errorf("edit form lacks %s", want)
			}
		}
		v := heartbeatForm("Nightly backup")
		v.Set("schedule", "period")
		v.Set("period", "6h")
		res := post(t, s, c, path+"/edit", path, v)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.Status, res.Body)
		}
		if page := do(t, c, "GET", s.URL+path, nil, nil); !strings.Contains(page.Body, "Every 6 h") || !strings.Contains(page.Body, "0 */6 * * * /path/to/job.sh") {
			t.Error("the new period is not shown")
		}
	})

	t.Run("monitors list", func(t *testing.T) {
		list := do(t, c, "GET", s.URL+"/admin/monitors", nil, nil)
		for _, want := range []string{`<option value="late">Late</option>`, `<option value="new">New</option>`, "Last ping", `<td class="num">–</td>`} {
			if !strings.Contains(list.Body, want) {
				t.Errorf("list lacks %s", want)
			}
		}
		if strings.Contains(list.Body, "sparkline") {
			t.Error("a heartbeat row has a latency sparkline")
		}
		if down := do(t, c, "GET", s.URL+"/admin/monitors?status=down", nil, nil); !strings.Contains(down.Body, "Nightly backup") {
			t.Error("the down filter misses the heartbeat")
		}
		if up := do(t, c, "GET", s.URL+"/admin/monitors?status=new", nil, nil); strings.Contains(up.Body, "Nightly backup") {
			t.Error("the new filter shows a down heartbeat")
		}
	})

	t.Run("settings and the slug URL", func(t *testing.T) {
		settings := do(t, c, "GET", s.URL+"/admin/settings", nil, nil)
		key := regexp.MustCompile(`data-testid="ping-key">([0-9a-f]{32})<`).FindStringSubmatch(settings.Body)
		if key == nil {
			t.Fatal("no ping key on the settings page")
		}
		for _, want := range []string{s.URL + "/ping/" + key[1] + "/&lt;slug&gt;", s.URL + "/ping/" + key[1] + "/nightly-backup"} {
			if !strings.Contains(settings.Body, want) {
				t.Errorf("settings lack %s", want)
			}
		}
		page := do(t, c, "GET", s.URL+path, nil, nil)
		slug := slugURLRE.FindStringSubmatch(page.Body)
		if slug == nil || slug[1] != s.URL+"/ping/"+key[1]+"/nightly-backup" {
			t.Fatalf("slug URL on the page: %v", slug)
		}
		if code, body, _ := curl(t, "GET", slug[1], ""); code != 200 || body != "OK" {
			t.Errorf("ping by slug: %d %q", code, body)
		}
		if got := statusOf(t, do(t, c, "GET", s.URL+path, nil, nil).Body); got != "up" {
			t.Errorf("after a ping by slug: %s", got)
		}
	})

	t.Run("older pings", func(t *testing.T) {
		for i := range 30 {
			if code, _, _ := curl(t, "POST", pingURL+"/log", "line "+strconv.Itoa(i)); code != 200 {
				t.Fatalf("log ping %d: %d", i, code)
			}
		}
		first := do(t, c, "GET", s.URL+path, nil, nil)
		rows := pingRowRE.FindAllStringSubmatch(first.Body, -1)
		older := olderRE.FindStringSubmatch(first.Body)
		if len(rows) != 25 || older == nil || !strings.Contains(first.Body, "line 29") {
			t.Fatalf("first page: %d rows, older link %v", len(rows), older)
		}
		second := do(t, c, "GET", s.URL+older[1], nil, nil)
		rows2 := pingRowRE.FindAllStringSubmatch(second.Body, -1)
		if len(rows2) == 0 || !strings.Contains(second.Body, `data-testid="pings-newest"`) || strings.Contains(second.Body, "line 29") {
			t.Fatalf("second page: %d rows", len(rows2))
		}
		last, _ := strconv.Atoi(rows[len(rows)-1][1])
		if next, _ := strconv.Atoi(rows2[0][1]); next >= last {
			t.Errorf("the older page starts at ping %d, after %d", next, last)
		}
		// 34 pings in all: the second page holds the 9 oldest, with the first body.
		if len(rows2) != 9 || !strings.Contains(second.Body, "backup done") {
			t.Errorf("second page: %d rows", len(rows2))
		}
	})
}

func TestSchedulePreview(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	preview := func(q url.Values) response {
		t.Helper()
		res := do(t, c, "GET", s.URL+"/admin/monitors/schedule-preview?"+q.Encode(), nil, nil)
		if res.Status != http.StatusOK || strings.Contains(res.Body, "<html") {
			t.Fatalf("preview %s: %d\n%s", q.Encode(), res.Status, res.Body)
		}
		return res
	}

	t.Run("cron across a daylight saving change", func(t *testing.T) {
		// 02:30 on the Sundays of March in Paris. On the last one the clocks jump from 02:00
		// to 03:00: there is no 02:30, and cron runs the job at 03:00 (summer time).
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		var want []string
		for d := now.In(paris); len(want) < 5; d = d.AddDate(0, 0, 1) {
			if d.Month() != time.March || d.Weekday() != time.Sunday {
				continue
			}
			at := time.Date(d.Year(), time.March, d.Day(), 2, 30, 0, 0, paris)
			if d.AddDate(0, 0, 7).Month() != time.March { // the last Sunday: the gap
				at = time.Date(d.Year(), time.March, d.Day(), 3, 0, 0, 0, paris)
			}
			if at.After(now) {
				want = append(want, at.Format(time.RFC3339))
			}
		}
		res := preview(url.Values{"schedule": {"cron"}, "cron": {"30 2 * 3 0"}, "timezone": {"Europe/Paris"}, "grace": {"1h"}, "period": {"ignored"}})
		var got []string
		for _, m := range datetimeRE.FindAllStringSubmatch(res.Body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("next pings\n got %v\nwant %v", got, want)
		}
		if !strings.Contains(res.Body, "Next expected pings (Europe/Paris)") || !strings.Contains(res.Body, " 03:00 CEST</time>") ||
			!strings.Contains(res.Body, "Sun ") || !strings.Contains(res.Body, "up to 1 h late") {
			t.Errorf("preview text:\n%s", res.Body)
		}
	})

	t.Run("period", func(t *testing.T) {
		res := preview(url.Values{"schedule": {"period"}, "period": {"6h"}, "cron": {"not used"}, "grace": {"15m"}})
		var times []time.Time
		for _, m := range datetimeRE.FindAllStringSubmatch(res.Body, -1) {
			at, err := time.Parse(time.RFC3339, m[1])
			if err != nil {
				t.Fatal(err)
			}
			times = append(times, at)
		}
		if len(times) != 5 {
			t.Fatalf("%d times", len(times))
		}
		for i := 1; i < len(times); i++ {
			if d := times[i].Sub(times[i-1]); d != 6*time.Hour {
				t.Errorf("times %d apart", d)
			}
		}
		if !strings.Contains(res.Body, "Counted from the last ping") {
			t.Error("no note on periods")
		}
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			q    url.Values
			want string
		}{
			{url.Values{"schedule": {"cron"}, "cron": {"0 25 * * *"}}, "Cron expression: hour: "},
			{url.Values{"schedule": {"cron"}, "cron": {"0 2 * * *"}, "timezone": {"Nowhere/City"}}, "Time zone: unknown time zone"},
			{url.Values{"schedule": {"period"}, "period": {"soon"}}, "Period: &#34;soon&#34; is not a duration"},
			{url.Values{"schedule": {"cron"}, "cron": {"0 0 31 2 *"}}, "Cron expression: day-of-month: 31 never occurs"},
		}
		for _, tt := range tests {
			res := preview(tt.q)
			if !strings.Contains(res.Body, `data-testid="preview-errors"`) || !strings.Contains(res.Body, tt.want) {
				t.Errorf("%s: want %q in\n%s", tt.q.Encode(), tt.want, res.Body)
			}
		}
	})

	t.Run("logged in only", func(t *testing.T) {
		res := do(t, browserClient(t), "GET", s.URL+"/admin/monitors/schedule-preview?cron=0+2+*+*+*", nil, nil)
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("anonymous preview: %d %q", res.Status, res.Header.Get("Location"))
		}
	})
}

// TestBrowserHeartbeat creates a heartbeat in Chromium with the live schedule preview, then
// pings it from Go and watches its page follow without a reload.
func TestBrowserHeartbeat(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))

	b := newBrowser(t)
	p := newPage(t, b, 1280, 900)
	navigate(t, p, s.URL+"/login")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")

	navigate(t, p, s.URL+"/admin/monitors/new")
	click(t, p, "[data-testid=type-heartbeat]")
	if has, _, _ := p.Has("#f-interval"); has {
		t.Error("the heartbeat form shows the interval field")
	}
	fill(t, p, "#f-name", "Invoice export")
	// Switching to cron hides the period field.
	if err := p.MustElement("#f-schedule-cron").Click(proto.InputMouseButtonLeft, 1); err != nil {
		t.Fatal(err)
	}
	if visible, _ := p.MustElement("#f-period").Visible(); visible {
		t.Error("the period field is still visible with a cron schedule")
	}
	fill(t, p, "#f-timezone", "Asia/Tokyo")
	fill(t, p, "#f-cron", "15 4 * * 1-5")
	// The preview follows the typing: weekdays at 04:15 Tokyo time (+09:00, no DST).
	waitForText(t, p, "[data-testid=schedule-preview]", `Next expected pings \(Asia/Tokyo\)`, 10*time.Second)
	times, err := p.Elements("[data-testid=preview-times] time")
	if err != nil || len(times) != 5 {
		t.Fatalf("%d preview times (%v)", len(times), err)
	}
	for _, el := range times {
		iso, _ := el.Attribute("datetime")
		at, err := time.Parse(time.RFC3339, *iso)
		if err != nil || !strings.HasSuffix(*iso, "T04:15:00+09:00") || at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			t.Errorf("preview time %s", *iso)
		}
	}
	fill(t, p, "#f-cron", "15 4 * * 8")
	waitForText(t, p, "[data-testid=preview-errors]", "day-of-week", 10*time.Second)
	fill(t, p, "#f-cron", "15 4 * * 1-5")
	waitFor(t, p, "[data-testid=preview-times]", 10*time.Second)
	screenshot(t, p, "heartbeat-form")

	phone := newPage(t, b, 390, 844)
	navigate(t, phone, s.URL+"/admin/monitors/new?type=heartbeat")
	noOverflow(t, phone, "heartbeat form")
	screenshot(t, phone, "heartbeat-form-phone")
	if err := phone.MustElement("[data-testid=schedule-preview]").ScrollIntoView(); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "heartbeat-form-phone-preview")

	click(t, p, "[data-testid=save]")
	if got := text(t, p, "[data-testid=page-title]"); got != "Invoice export" {
		t.Fatalf("after save: title %q", got)
	}
	pingURL, err := p.MustElement("[data-testid=ping-url]").Property("value")
	if err != nil || !strings.HasPrefix(pingURL.Str(), s.URL+"/ping/") {
		t.Fatalf("ping URL %v (%v)", pingURL, err)
	}
	waitFor(t, p, "[data-live][data-live-state=connected]", 10*time.Second)
	screenshot(t, p, "heartbeat-new")
	if _, err := p.Eval(`() => { window.__noReload = true }`); err != nil {
		t.Fatal(err)
	}

	// Copy: to the clipboard, or selected for Ctrl+C when the browser refuses.
	if err := p.MustElement("[data-testid=copy-ping-url]").Click(proto.InputMouseButtonLeft, 1); err != nil {
		t.Fatal(err)
	}
	waitForText(t, p, "[data-testid=copy-ping-url]", "Copied|Selected", 5*time.Second)
	label := text(t, p, "[data-testid=copy-ping-url]")
	if label != "Copied" && label != "Selected: press Ctrl+C" {
		t.Errorf("copy button says %q", label)
	}

	// A cron job pings with its output: the page follows without a reload.
	res, err := http.Post(pingURL.Str(), "text/plain", strings.NewReader("exported 12 invoices"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	waitFor(t, p, "[data-testid=monitor-status] [data-status=up]", 10*time.Second)
	waitFor(t, p, "[data-testid=pings] [data-kind=up]", 10*time.Second)
	if has, _, _ := p.Has("[data-testid=waiting]"); has {
		t.Error("the live page still waits for the first ping")
	}
	body, err := p.MustElement("[data-testid=ping-body]").Property("textContent")
	if err != nil || body.Str() != "exported 12 invoices" {
		t.Errorf("ping body %v (%v)", body, err)
	}
	if err := p.MustElement("[data-testid=pings] details summary").Click(proto.InputMouseButtonLeft, 1); err != nil {
		t.Fatal(err)
	}

	// A run: start, then success; the chart appears, the open body stays open.
	for _, suffix := range []string{"/start", "/0"} {
		res, err := http.Get(pingURL.Str() + suffix)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if suffix == "/start" {
			waitFor(t, p, "[data-testid=running]", 10*time.Second)
			time.Sleep(20 * time.Millisecond) // a run of measurable length
		}
	}
	// The end of the run came less than a second after its start: the server sent no event
	// for it (one per second at most), and the page catches up on its own.
	waitFor(t, p, "[data-testid=run-chart] rect.bar", 10*time.Second)
	if still, err := p.Eval(`() => window.__noReload === true`); err != nil || !still.Value.Bool() {
		t.Fatal("the page was reloaded")
	}
	if open, err := p.Eval(`() => document.querySelector('[data-testid=pings] details[open] [data-testid=ping-body]')?.textContent`); err != nil || open.Value.Str() != "exported 12 invoices" {
		t.Errorf("the opened ping body was closed by the live update: %v", open)
	}
	if _, err := p.Eval(`() => window.scrollTo(0, 0)`); err != nil {
		t.Fatal(err)
	}
	screenshot(t, p, "heartbeat-page")
	if err := p.MustElement("#pings").ScrollIntoView(); err != nil {
		t.Fatal(err)
	}
	screenshot(t, p, "heartbeat-page-log")

	path := currentPath(t, p)
	navigate(t, phone, s.URL+path)
	noOverflow(t, phone, "heartbeat page")
	screenshot(t, phone, "heartbeat-page-phone")
	if err := phone.MustElement("[data-testid=ping-setup]").ScrollIntoView(); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "heartbeat-page-phone-setup")
	if err := phone.MustElement("#pings").ScrollIntoView(); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "heartbeat-page-phone-log")

	if err := (proto.EmulationSetEmulatedMedia{Features: []*proto.EmulationMediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}).Call(phone); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "heartbeat-page-phone-dark")

	navigate(t, p, s.URL+"/admin/monitors")
	waitFor(t, p, "[data-testid=monitor-row] [data-status=up]", 5*time.Second)
	screenshot(t, p, "heartbeat-list")
	navigate(t, phone, s.URL+"/admin/monitors")
	noOverflow(t, phone, "monitors list")
	navigate(t, phone, s.URL+"/admin/settings")
	noOverflow(t, phone, "settings")
	if err := phone.MustElement("[data-testid=ping-settings]").ScrollIntoView(); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "settings-pings-phone-dark")
}

// waitForText waits (bounded by timeout) until an element matching selector has a text
// matching the JavaScript regular expression pattern.
func waitForText(t *testing.T, p *rod.Page, selector, pattern string, timeout time.Duration) {
	t.Helper()
	if _, err := p.Timeout(timeout).ElementR(selector, pattern); err != nil {
		t.Fatalf("waiting for %s to say /%s/: %v", selector, pattern, err)
	}
}

// noOverflow fails when something sticks out on the right of a phone screen (except in the
// navigation, which scrolls sideways).
func noOverflow(t *testing.T, p *rod.Page, what string) {
	t.Helper()
	res, err := p.Eval(`() => document.documentElement.scrollWidth > window.innerWidth ?
		"page " + document.documentElement.scrollWidth :
		([...document.querySelectorAll('body *')].filter(e => !e.closest('.nav') && e.getBoundingClientRect().right > window.innerWidth + 1)
			.map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))[0] || "")`)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Value.Str(); got != "" {
		t.Errorf("%s wider than a phone screen: %s", what, got)
	}
}
