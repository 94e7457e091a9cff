package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

// loginUI signs the admin in on p.
func loginUI(t *testing.T, p *rod.Page, s *testServer) {
	t.Helper()
	navigate(t, p, s.URL+"/login")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")
}

// imageLoaded tells whether the img matching selector loaded a picture.
func imageLoaded(t *testing.T, p *rod.Page, selector string) bool {
	t.Helper()
	el, err := p.Timeout(10 * time.Second).Element(selector)
	if err != nil {
		t.Fatalf("element %s: %v", selector, err)
	}
	res, err := el.Eval(`function () {
		if (this.complete && this.naturalWidth > 0) return true;
		return new Promise(done => { this.onload = () => done(this.naturalWidth > 0); this.onerror = () => done(false); });
	}`)
	if err != nil {
		t.Fatal(err)
	}
	return res.Value.Bool()
}

// TestBrowserMonitorFormAndFailurePage drives the browser monitor form in Chromium, desktop
// and phone, then shows a failed check (recorded as the prober would) with its screenshot.
func TestBrowserMonitorFormAndFailurePage(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))
	site := loginPage(t)
	b := newBrowser(t)
	p := newPage(t, b, 1280, 1500)
	loginUI(t, p, s)

	navigate(t, p, s.URL+"/admin/monitors/new")
	click(t, p, "[data-testid=type-browser]")
	fill(t, p, "#f-name", "Shop checkout")
	fill(t, p, "#f-url", site.URL+"/")
	fill(t, p, "#f-retries", "0")
	fill(t, p, "#f-steps", "wait_idle\nassert_text Hello from JavaScript\ntype #user me\ntype #password {{password}}\nclick \"button[type=submit]\"\nassert_text_in #result Welcome")
	fill(t, p, "#f-secret-name-0", "password")
	fill(t, p, "#f-secret-value-0", secretValue)
	p.MustElement("[data-testid=f-fail_on_js_errors]").MustClick()
	p.MustElement("[data-testid=step-help] summary").MustClick()
	screenshot(t, p, "browser-form")

	phone := newPage(t, b, 390, 844)
	navigate(t, phone, s.URL+"/admin/monitors/new?type=browser")
	noOverflow(t, phone, "browser form")
	phone.MustElement("[data-testid=step-help] summary").MustClick()
	noOverflow(t, phone, "browser form with the step help open")
	phone.MustElement("#f-steps").MustScrollIntoView()
	screenshot(t, phone, "browser-form-phone")
	phone.MustElement("[data-testid=secrets]").MustScrollIntoView()
	screenshot(t, phone, "browser-form-phone-secrets")

	click(t, p, "[data-testid=save]")
	if got := text(t, p, "[data-testid=page-title]"); got != "Shop checkout" {
		t.Fatalf("after save: title %q", got)
	}
	path := currentPath(t, p)
	path = path[:strings.IndexAny(path+"?", "?")]

	// The edit form never holds the secret, in any field.
	navigate(t, p, s.URL+path+"/edit")
	html, err := p.HTML()
	if err != nil {
		t.Fatal(err)
	}
	values, err := p.Eval(`() => [...document.querySelectorAll("input, textarea")].map(e => e.value).join("\n")`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, secretValue) || strings.Contains(values.Value.Str(), secretValue) {
		t.Fatal("the edit form holds the secret")
	}
	screenshot(t, p, "browser-form-edit")

	// A failed check with a real screenshot: Chromium's picture of the site under test.
	shotPage := newPage(t, b, 1280, 800)
	navigate(t, shotPage, site.URL+"/")
	png, err := shotPage.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	recordBrowserFailure(t, s, path, png)

	navigate(t, p, s.URL+path)
	waitFor(t, p, "[data-testid=monitor-status] [data-status=down]", 5*time.Second)
	if got := text(t, p, "[data-testid=failed-step]"); got != `Failed at step 5 click "button.buy"` {
		t.Errorf("failed step %q", got)
	}
	if got := text(t, p, "[data-testid=console-errors] li"); !strings.HasSuffix(got, "<script>alert(1)</script>") {
		t.Errorf("console error %q", got)
	}
	if !imageLoaded(t, p, "[data-testid=browser-check] [data-testid=screenshot-img]") {
		t.Error("the screenshot does not load")
	}
	screenshot(t, p, "browser-monitor-down")

	phone = newPage(t, b, 390, 844)
	navigate(t, phone, s.URL+path)
	noOverflow(t, phone, "failed browser monitor page")
	if !imageLoaded(t, phone, "[data-testid=browser-check] [data-testid=screenshot-img]") {
		t.Error("the screenshot does not load on a phone")
	}
	phone.MustElement("[data-testid=browser-check]").MustScrollIntoView()
	screenshot(t, phone, "browser-monitor-down-phone")
	phone.MustElement("[data-testid=results]").MustScrollIntoView()
	noOverflow(t, phone, "results of a browser monitor")
	screenshot(t, phone, "browser-monitor-results-phone")
}

// TestBrowserMonitorChecksInChromium runs real browser checks: a monitor created in the UI
// logs into a local site whose content only JavaScript writes (up), then fails at a step (down,
// with the step, the message and a screenshot served by the admin and the API).
func TestBrowserMonitorChecksInChromium(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))
	site := loginPage(t)
	b := newBrowser(t)
	p := newPage(t, b, 1280, 1500)
	loginUI(t, p, s)

	navigate(t, p, s.URL+"/admin/monitors/new?type=browser")
	fill(t, p, "#f-name", "Shop login")
	fill(t, p, "#f-url", site.URL+"/")
	fill(t, p, "#f-retries", "0")
	fill(t, p, "#f-steps", loginSteps)
	fill(t, p, "#f-secret-name-0", "password")
	fill(t, p, "#f-secret-value-0", secretValue)
	click(t, p, "[data-testid=save]")
	path := currentPath(t, p)
	path = path[:strings.IndexAny(path+"?", "?")]

	click(t, p, "[data-testid=check-now]")
	waitFor(t, p, "[data-testid=monitor-status] [data-status=up]", 60*time.Second)
	if got := text(t, p, "[data-testid=browser-check] .check-line"); !strings.Contains(got, "Up") {
		t.Errorf("last check %q", got)
	}
	if _, err := p.Timeout(time.Second).Element("[data-testid=failed-step]"); err == nil {
		t.Error("a successful check shows a failed step")
	}
	screenshot(t, p, "browser-monitor-up")

	// The greeting check passes, the login does not find its button: down at step 5. The
	// Test button shows it first, with the page as the test left it; the secret stays stored
	// though the edit form left it empty.
	failing := strings.Replace(loginSteps, `click "button[type=submit]"`, `click "button.buy-now"`, 1)
	navigate(t, p, s.URL+path+"/edit")
	fill(t, p, "#f-timeout", "5s")
	fill(t, p, "#f-steps", failing)
	click(t, p, "[data-testid=test]")
	waitFor(t, p, "[data-testid=test-result] [data-status=down]", 5*time.Second)
	if got := text(t, p, "[data-testid=test-result]"); !strings.Contains(got, "Failed step") || !strings.Contains(got, "5: click button.buy-now") {
		t.Errorf("test result %q", got)
	}
	if !imageLoaded(t, p, "[data-testid=test-result] [data-testid=screenshot-img]") {
		t.Error("the test's screenshot does not load")
	}
	screenshot(t, p, "browser-form-test")
	navigate(t, p, s.URL+path+"/edit")
	fill(t, p, "#f-timeout", "5s")
	fill(t, p, "#f-steps", failing)
	click(t, p, "[data-testid=save]")
	if settings := storedSettings(t, s, path); !strings.Contains(settings, secretValue) {
		t.Fatal("saving the edit form lost the secret")
	}
	click(t, p, "[data-testid=check-now]")
	waitFor(t, p, "[data-testid=monitor-status] [data-status=down]", 60*time.Second)
	if got := text(t, p, "[data-testid=failed-step]"); !strings.HasPrefix(got, "Failed at step 5") || !strings.Contains(got, "button.buy-now") {
		t.Errorf("failed step %q", got)
	}
	t.Logf("failure message: %s", text(t, p, "[data-testid=check-message]"))
	html, err := p.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, secretValue) {
		t.Error("the monitor page shows the secret")
	}
	img := "[data-testid=browser-check] [data-testid=screenshot-img]"
	if !imageLoaded(t, p, img) {
		t.Fatal("the failure's screenshot does not load")
	}
	got, err := p.MustElement(img).Eval(`async function () {
		const res = await fetch(this.src);
		const head = new Uint8Array(await res.arrayBuffer()).slice(0, 8);
		return [String(res.status), res.headers.get("content-type"), res.headers.get("cache-control"), head.join(",")];
	}`)
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Value.Arr(); len(a) != 4 || a[0].Str() != "200" || a[1].Str() != "image/png" || a[2].Str() != "private, max-age=86400" || a[3].Str() != "137,80,78,71,13,10,26,10" {
		t.Errorf("screenshot answer %v", got.Value)
	}
	waitFor(t, p, "[data-testid=results] [data-testid=result-screenshot]", time.Second)
	screenshot(t, p, "browser-monitor-real-down")

	// The API lists the failure with its screenshot URL and serves the same image.
	api := apiClient{t: t, base: s.URL, token: createToken(t, s, "write")}
	var results struct {
		Items []struct {
			Outcome       string `json:"outcome"`
			ScreenshotURL string `json:"screenshot_url"`
			Details       struct {
				Browser struct {
					FailedStep int `json:"failed_step"`
				} `json:"browser"`
			} `json:"details"`
		} `json:"items"`
	}
	api.call("GET", "/api/v1/monitors/"+strings.TrimPrefix(path, "/admin/monitors/")+"/results", "", &results)
	if len(results.Items) != 2 || results.Items[0].Outcome != "down" || results.Items[0].Details.Browser.FailedStep != 5 ||
		results.Items[0].ScreenshotURL == "" || results.Items[1].Outcome != "up" {
		t.Fatalf("API results %+v", results)
	}
	res := do(t, http.DefaultClient, "GET", s.URL+results.Items[0].ScreenshotURL, nil, map[string]string{"Authorization": "Bearer " + api.token})
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(res.Body, pngMagic) {
		t.Errorf("API screenshot: %d %q", res.Status, res.Header.Get("Content-Type"))
	}

	phone := newPage(t, b, 390, 844)
	navigate(t, phone, s.URL+path)
	noOverflow(t, phone, "failed browser monitor page")
	phone.MustElement("[data-testid=browser-check]").MustScrollIntoView()
	screenshot(t, phone, "browser-monitor-real-down-phone")

	// A check run elsewhere (the API here, the scheduler usually) shows on the open page
	// without a reload: the last check panel and the results with their screenshot links.
	if _, err := p.Eval(`() => { window.__noReload = true }`); err != nil {
		t.Fatal(err)
	}
	before := text(t, p, "[data-testid=browser-check] .check-line")
	if code, _ := api.call("POST", "/api/v1/monitors/"+strings.TrimPrefix(path, "/admin/monitors/")+"/check", "", nil); code != http.StatusOK {
		t.Fatalf("API check: %d", code)
	}
	if _, err := p.Timeout(15 * time.Second).ElementByJS(rod.Eval(`() => document.querySelectorAll("[data-testid=result-screenshot]").length === 2 ?
		document.querySelector("[data-testid=browser-check]") : null`)); err != nil {
		t.Fatalf("the page did not follow the check: %v", err)
	}
	if still, err := p.Eval(`() => window.__noReload === true`); err != nil || !still.Value.Bool() {
		t.Fatal("the page was reloaded")
	}
	if after := text(t, p, "[data-testid=browser-check] .check-line"); after == before {
		t.Errorf("the last check panel still shows %q", after)
	}
}
