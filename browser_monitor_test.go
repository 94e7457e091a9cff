package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// secretValue is a browser monitor's secret: it must never appear in a page or an answer.
const secretValue = "hunter2-TOP-SECRET"

// loginPage is a local site for browser monitors: its greeting only appears once its
// JavaScript ran, and only for the right password.
func loginPage(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte(`document.getElementById("greeting").textContent = "Hello from JavaScript";
document.getElementById("login").addEventListener("submit", function (e) {
  e.preventDefault();
  var ok = document.getElementById("password").value === "` + secretValue + `";
  document.getElementById("result").textContent = ok ? "Welcome back" : "Wrong password";
});`))
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<!doctype html><html><head><title>Shop login</title></head><body>
<h1 id="greeting">Loading…</h1>
<form id="login"><input id="user"><input id="password" type="password"><button type="submit">Sign in</button></form>
<p id="result"></p><script src="/app.js"></script></body></html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// browserForm is the new-monitor form of a browser monitor with one secret.
func browserForm(name, pageURL, steps string) url.Values {
	return url.Values{
		"type": {"browser"}, "name": {name}, "url": {pageURL}, "interval": {"5m"}, "timeout": {"30s"}, "retries": {"0"},
		"viewport": {"1280x800"}, "steps": {steps}, "fail_on_js_errors": {"on"}, "allowed_request_errors": {"/favicon.ico"},
		"secret_name": {"password", ""}, "secret_value": {secretValue, ""}, "secret_was": {"", ""},
	}
}

const loginSteps = "wait_idle\nassert_text Hello from JavaScript\ntype #user me\ntype #password {{password}}\n" +
	"click \"button[type=submit]\"\nassert_text_in #result Welcome"

// storedSettings reads a monitor's settings JSON as committed.
func storedSettings(t *testing.T, s *testServer, path string) string {
	t.Helper()
	id := strings.TrimPrefix(path, "/admin/monitors/")
	return queryString(t, readDB(t, s.DBPath), "SELECT settings FROM monitors WHERE id = ?", id)
}

var stepsErrorRE = regexp.MustCompile(`data-testid="error-steps">([^<]*)<`)

func TestBrowserMonitorForm(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	site := loginPage(t)

	form := do(t, c, "GET", s.URL+"/admin/monitors/new?type=browser", nil, nil)
	for _, want := range []string{`data-testid="type-browser" aria-current="page"`, `name="steps"`, `data-testid="step-help"`,
		`<code>assert_count SELECTOR N</code>`, `name="secret_name"`, `type="password" name="secret_value"`, `name="fail_on_js_errors"`,
		`name="allowed_request_errors"`, `name="screenshot_on_success"`, `value="1280x800"`, `value="30s"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("browser form lacks %s", want)
		}
	}

	// Every message has its French translation (a missing one would show its key).
	fr := do(t, c, "GET", s.URL+"/admin/monitors/new?type=browser", nil, map[string]string{"Accept-Language": "fr"}).Body
	if m := regexp.MustCompile(`>\s*((form|step|browser|type)\.[a-z_.]+)\s*<|"((form|step|browser)\.[a-z_.]+)"`).FindString(fr); m != "" ||
		!strings.Contains(fr, "Ce que fait le navigateur") {
		t.Errorf("French browser form: untranslated %q", m)
	}

	// Refused steps are named by their number, every one of them; the typed secret is not
	// shown back, and the form asks for it again.
	bad := browserForm("Shop login", site.URL, "wait_idle\nfly away\nclick\nassert_count li x")
	bad.Set("csrf_token", csrfOf(t, form.Body))
	res := do(t, c, "POST", s.URL+"/admin/monitors", bad, nil)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad steps: %d", res.Status)
	}
	m := stepsErrorRE.FindStringSubmatch(res.Body)
	if m == nil || !strings.Contains(m[1], "step 2: unknown action") || !strings.Contains(m[1], "step 3: click needs a CSS selector") ||
		!strings.Contains(m[1], "step 4: assert_count needs a count") {
		t.Errorf("steps error %v", m)
	}
	if strings.Contains(res.Body, secretValue) {
		t.Error("the refused form shows the secret back")
	}
	if !strings.Contains(res.Body, "Type the value again") || !strings.Contains(res.Body, `value="password"`) {
		t.Error("the refused form does not keep the secret's row")
	}
	// A secret named in no step, and a step naming no secret.
	unused := browserForm("Shop login", site.URL, "assert_text Hello")
	unused.Set("csrf_token", csrfOf(t, form.Body))
	if res := do(t, c, "POST", s.URL+"/admin/monitors", unused, nil); !strings.Contains(res.Body, `data-testid="error-secrets"`) {
		t.Errorf("unused secret accepted: %d", res.Status)
	}
	missing := browserForm("Shop login", site.URL, "type #password {{pin}}")
	missing.Set("csrf_token", csrfOf(t, form.Body))
	res = do(t, c, "POST", s.URL+"/admin/monitors", missing, nil)
	if m := stepsErrorRE.FindStringSubmatch(res.Body); m == nil || !strings.Contains(m[1], "step 1: {{pin}} is not one of the secrets") {
		t.Errorf("unknown placeholder: %v", m)
	}

	path := createMonitor(t, s, c, browserForm("Shop login", site.URL, loginSteps))
	if settings := storedSettings(t, s, path); !strings.Contains(settings, secretValue) {
		t.Fatalf("secret not stored: %s", settings)
	}
	page := do(t, c, "GET", s.URL+path, nil, nil)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `<span class="tag">BROWSER</span>`) || !strings.Contains(page.Body, site.URL) {
		t.Errorf("monitor page: %d", page.Status)
	}
	list := do(t, c, "GET", s.URL+"/admin/monitors", nil, nil).Body
	if !strings.Contains(list, `<span class="tag">BROWSER</span>`) || !strings.Contains(list, "Shop login") {
		t.Error("monitors list lacks the browser monitor")
	}

	// The edit form shows the secret's name, never its value.
	edit := do(t, c, "GET", s.URL+path+"/edit", nil, nil)
	if strings.Contains(edit.Body, secretValue) {
		t.Fatal("the edit form contains the secret")
	}
	if !strings.Contains(edit.Body, `name="secret_name" value="password"`) || !strings.Contains(edit.Body, "Stored: empty keeps it") ||
		!strings.Contains(edit.Body, "{{password}}") {
		t.Errorf("edit form does not show the stored secret's row:\n%s", edit.Body)
	}
	// Saved with the value left empty: the stored one stays.
	upd := browserForm("Shop login (edited)", site.URL, loginSteps)
	upd["secret_value"], upd["secret_was"] = []string{"", ""}, []string{"password", ""}
	if res := post(t, s, c, path+"/edit", path, upd); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	if settings := storedSettings(t, s, path); !strings.Contains(settings, secretValue) {
		t.Fatalf("an empty value lost the stored secret: %s", settings)
	}
	if !strings.Contains(do(t, c, "GET", s.URL+path, nil, nil).Body, "Shop login (edited)") {
		t.Error("update not applied")
	}
	// The JSON API masks it too, and its answer sent back keeps it.
	api := apiClient{t: t, base: s.URL, token: createToken(t, s, "write")}
	id := strings.TrimPrefix(path, "/admin/monitors/")
	var got map[string]any
	if code, _ := api.call("GET", "/api/v1/monitors/"+id, "", &got); code != http.StatusOK ||
		got["secrets"].(map[string]any)["password"] != "********" || got["type"] != "browser" {
		t.Fatalf("API: %d %v", code, got)
	}
	// A refused edit neither loses nor shows the secret.
	refused := browserForm("Shop login", site.URL, loginSteps+"\nbogus step")
	refused["secret_value"], refused["secret_was"] = []string{"", ""}, []string{"password", ""}
	res = post(t, s, c, path+"/edit", path, refused)
	if res.Status != http.StatusUnprocessableEntity || strings.Contains(res.Body, secretValue) || !strings.Contains(res.Body, "step 7: unknown action") {
		t.Errorf("refused edit: %d", res.Status)
	}
	// A new value replaces it; clearing the name (and the step using it) removes it.
	upd["secret_value"] = []string{"new-value-42", ""}
	post(t, s, c, path+"/edit", path, upd)
	if settings := storedSettings(t, s, path); !strings.Contains(settings, "new-value-42") || strings.Contains(settings, secretValue) {
		t.Errorf("new value not stored: %s", settings)
	}
	noSecret := browserForm("Shop login", site.URL, "assert_text Hello from JavaScript")
	noSecret["secret_name"], noSecret["secret_value"], noSecret["secret_was"] = []string{"", ""}, []string{"", ""}, []string{"password", ""}
	if res := post(t, s, c, path+"/edit", path, noSecret); res.Status != http.StatusSeeOther {
		t.Fatalf("removing the secret: %d\n%s", res.Status, stepsErrorRE.FindString(res.Body))
	}
	if settings := storedSettings(t, s, path); strings.Contains(settings, "secrets") {
		t.Errorf("secret not removed: %s", settings)
	}

	// The Test button runs the check (whatever the prober makes of it) and saves nothing.
	testForm := browserForm("Try me", site.URL, loginSteps)
	res = post(t, s, c, "/admin/monitors/new?type=browser", "/admin/monitors/test", testForm)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `data-testid="test-result"`) || strings.Contains(res.Body, secretValue) {
		t.Errorf("test button: %d", res.Status)
	}

	// No screenshot: 404, and only for a logged-in user.
	if res := do(t, c, "GET", s.URL+path+"/results/1/screenshot", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("missing screenshot: %d", res.Status)
	}
	if res := do(t, browserClient(t), "GET", s.URL+path+"/results/1/screenshot", nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("screenshot without a session: %d", res.Status)
	}
	if code, _ := api.call("GET", "/api/v1/monitors/"+id+"/results/1/screenshot", "", nil); code != http.StatusNotFound {
		t.Errorf("API missing screenshot: %d", code)
	}
}

// pngMagic starts every PNG file.
const pngMagic = "\x89PNG\r\n\x1a\n"

// recordBrowserFailure records a failed browser check with a screenshot, as the browser
// prober would, through the running server's store. It starts now: the monitor's next
// scheduled check is an interval (5m) away, so it stays the latest.
func recordBrowserFailure(t *testing.T, s *testServer, path string, png []byte) {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/admin/monitors/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	res := monitor.Result{MonitorID: id, StartedAt: time.Now(), Duration: 3200 * time.Millisecond,
		Outcome: monitor.OutcomeDown, ErrorClass: monitor.ClassStep, Message: `step 5: click "button.buy": no element matches`,
		Details: monitor.Details{FirstByte: 84 * time.Millisecond, Browser: &monitor.BrowserDetails{FailedStep: 5, Step: `click "button.buy"`,
			DOMContentLoaded: 412 * time.Millisecond, Load: 1380 * time.Millisecond, Requests: 23, Bytes: 1_482_113,
			ConsoleErrors:  []string{"Uncaught TypeError: Cannot read properties of null (reading 'x') <script>alert(1)</script>"},
			FailedRequests: []string{"404 " + "https://shop.example.com/static/js/checkout.3f9a1c.js", "net::ERR_NAME_NOT_RESOLVED https://cdn.tracker.example/t.js"}}},
		Screenshot: &monitor.Screenshot{Format: "png", Data: png, Width: 1280, Height: 800}}
	if _, _, err := s.Store.RecordResult(context.Background(), res); err != nil {
		t.Fatal(err)
	}
}

var screenshotSrcRE = regexp.MustCompile(`data-testid="screenshot-link"><img src="([^"]+)"`)

func TestBrowserMonitorScreenshotRoutes(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	form := browserForm("Checkout", "https://shop.example.com/", "click button.buy")
	form["secret_name"], form["secret_value"], form["secret_was"] = nil, nil, nil
	path := createMonitor(t, s, c, form)
	png := []byte(pngMagic + "not really an image, but the route does not care")
	recordBrowserFailure(t, s, path, png)

	page := do(t, c, "GET", s.URL+path, nil, nil).Body
	for _, want := range []string{`data-testid="browser-check"`, `data-testid="failed-step"><strong>Failed at step 5</strong> <code>click &#34;button.buy&#34;</code>`,
		"Console errors (1)", "&lt;script&gt;alert(1)&lt;/script&gt;", "Failed requests (2)", "checkout.3f9a1c.js", "1.5 MB", "412 ms",
		`data-testid="result-screenshot"`, `data-refresh="` + path + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("monitor page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Error("a console error is not escaped")
	}
	m := screenshotSrcRE.FindStringSubmatch(page)
	if m == nil || !regexp.MustCompile(`^`+path+`/results/\d+/screenshot$`).MatchString(m[1]) {
		t.Fatalf("screenshot img: %v", m)
	}
	shot := do(t, c, "GET", s.URL+m[1], nil, nil)
	if shot.Status != http.StatusOK || shot.Header.Get("Content-Type") != "image/png" || shot.Body != string(png) ||
		shot.Header.Get("Cache-Control") != "private, max-age=86400" {
		t.Errorf("screenshot: %d %q %q", shot.Status, shot.Header.Get("Content-Type"), shot.Header.Get("Cache-Control"))
	}
	if csp := shot.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if res := do(t, browserClient(t), "GET", s.URL+m[1], nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("screenshot without a session: %d", res.Status)
	}
	// The API lists it with its URL and serves the same bytes.
	api := apiClient{t: t, base: s.URL, token: createToken(t, s, "read")}
	id := strings.TrimPrefix(path, "/admin/monitors/")
	var results struct {
		Items []struct {
			ScreenshotURL string `json:"screenshot_url"`
		} `json:"items"`
	}
	api.call("GET", "/api/v1/monitors/"+id+"/results?limit=1", "", &results)
	rid := m[1][strings.LastIndex(m[1][:len(m[1])-len("/screenshot")], "/")+1 : len(m[1])-len("/screenshot")]
	if len(results.Items) != 1 || results.Items[0].ScreenshotURL != "/api/v1/monitors/"+id+"/results/"+rid+"/screenshot" {
		t.Fatalf("API results %+v", results)
	}
	res := do(t, http.DefaultClient, "GET", s.URL+results.Items[0].ScreenshotURL, nil, map[string]string{"Authorization": "Bearer " + api.token})
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || res.Body != string(png) {
		t.Errorf("API screenshot: %d %q", res.Status, res.Header.Get("Content-Type"))
	}
}
