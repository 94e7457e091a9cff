package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"
	"github.com/go-rod/rod/lib/utils"
)

// chromiumPath finds the system Chromium. rod must never download a browser, so a missing
// one fails the test with instructions instead.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: apt-get install -y chromium, or set CHROMIUM=/path/to/chrome (.ci/run installs it)")
	return ""
}

// newBrowser launches headless Chromium for one test and closes it afterwards.
func newBrowser(t *testing.T) *rod.Browser {
	t.Helper()
	l := launcher.New().Bin(chromiumPath(t)).Headless(true).NoSandbox(true).Leakless(true).
		UserDataDir(t.TempDir()).
		Set("disable-gpu").Set("disable-background-networking").Set("disable-component-update").
		Set("disable-sync").Set("no-first-run").Set("disable-domain-reliability").Set("hide-scrollbars")
	u, err := l.Launch()
	if err != nil {
		t.Fatalf("launch chromium: %v", err)
	}
	b := rod.New().ControlURL(u)
	if err := b.Connect(); err != nil {
		l.Kill()
		t.Fatalf("connect to chromium: %v", err)
	}
	t.Cleanup(func() {
		_ = b.Close()
		l.Kill()
		l.Cleanup()
	})
	return b
}

// newPage opens a page with a deadline and quick element polling.
func newPage(t *testing.T, b *rod.Browser, width, height int) *rod.Page {
	t.Helper()
	p, err := b.Page(proto.TargetCreateTarget{URL: "about:blank", NewWindow: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	p = p.Context(ctx).Sleeper(func() utils.Sleeper { return utils.BackoffSleeper(10*time.Millisecond, 100*time.Millisecond, nil) })
	if err := p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
		t.Fatal(err)
	}
	return p
}

// screenshot saves a PNG when SCREENSHOT_DIR is set, to look at the pages by eye.
func screenshot(t *testing.T, p *rod.Page, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	// Only the viewport: rod's full-page mode resizes the viewport, which undoes phone emulation.
	png, err := p.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, p *rod.Page, selector string) string {
	t.Helper()
	el, err := p.Element(selector)
	if err != nil {
		t.Fatalf("element %s: %v", selector, err)
	}
	s, err := el.Text()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(s)
}

func fill(t *testing.T, p *rod.Page, selector, value string) {
	t.Helper()
	el, err := p.Element(selector)
	if err != nil {
		t.Fatalf("element %s: %v", selector, err)
	}
	// Replace, not append: a re-rendered form keeps the e-mail the user typed.
	if err := el.SelectAllText(); err != nil {
		t.Fatalf("select %s: %v", selector, err)
	}
	if err := el.Input(value); err != nil {
		t.Fatalf("input %s: %v", selector, err)
	}
}

func click(t *testing.T, p *rod.Page, selector string) {
	t.Helper()
	el, err := p.Element(selector)
	if err != nil {
		t.Fatalf("element %s: %v", selector, err)
	}
	wait := p.WaitNavigation(proto.PageLifecycleEventNameLoad)
	if err := el.Click(proto.InputMouseButtonLeft, 1); err != nil {
		t.Fatalf("click %s: %v", selector, err)
	}
	wait()
}

func navigate(t *testing.T, p *rod.Page, u string) {
	t.Helper()
	if err := p.Navigate(u); err != nil {
		t.Fatalf("navigate %s: %v", u, err)
	}
	if err := p.WaitLoad(); err != nil {
		t.Fatal(err)
	}
}

func currentPath(t *testing.T, p *rod.Page) string {
	t.Helper()
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(info.URL[len("http://"):], "/")
	return info.URL[len("http://")+i:]
}

// TestBrowserSetupLoginLogout drives the admin with Chromium: first-run setup, every section,
// logout, login again, and the phone layout.
func TestBrowserSetupLoginLogout(t *testing.T) {
	s := startServer(t, nil, nil)
	b := newBrowser(t)
	p := newPage(t, b, 1280, 800)

	navigate(t, p, s.URL+"/setup?token="+s.setupToken(t))
	screenshot(t, p, "setup")
	fill(t, p, "#org_name", "Acme Cloud")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=setup-submit]")

	if got := currentPath(t, p); got != "/admin" {
		t.Fatalf("after setup at %s", got)
	}
	if got := text(t, p, "[data-testid=page-title]"); got != "Dashboard" {
		t.Fatalf("dashboard title %q", got)
	}
	if got := text(t, p, "[data-testid=org-name]"); got != "Acme Cloud" {
		t.Errorf("org name %q", got)
	}
	screenshot(t, p, "dashboard")

	sections := []struct{ nav, title, empty string }{
		{"nav-monitors", "Monitors", "empty-monitors"},
		{"nav-incidents", "Incidents", "empty-incidents"},
		{"nav-pages", "Status pages", "empty-pages"},
		{"nav-channels", "Alert channels", "empty-channels"},
	}
	for _, sec := range sections {
		click(t, p, "[data-testid="+sec.nav+"]")
		if got := text(t, p, "[data-testid=page-title]"); got != sec.title {
			t.Errorf("%s: title %q, want %q", sec.nav, got, sec.title)
		}
		if _, err := p.Element("[data-testid=" + sec.empty + "]"); err != nil {
			t.Errorf("%s: no empty state", sec.nav)
		}
		if cur, err := p.Element("[data-testid=" + sec.nav + "][aria-current=page]"); err != nil || cur == nil {
			t.Errorf("%s: not marked current", sec.nav)
		}
	}
	click(t, p, "[data-testid=nav-settings]")
	screenshot(t, p, "settings")

	click(t, p, "[data-testid=logout]")
	if got := currentPath(t, p); got != "/login" {
		t.Fatalf("after logout at %s", got)
	}
	navigate(t, p, s.URL+"/admin/monitors")
	if got := currentPath(t, p); !strings.HasPrefix(got, "/login") {
		t.Fatalf("admin reachable after logout: %s", got)
	}
	screenshot(t, p, "login")

	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", "wrong password")
	click(t, p, "[data-testid=login-submit]")
	if got := text(t, p, "[data-testid=login-error]"); got != "Wrong e-mail or password." {
		t.Errorf("login error %q", got)
	}
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")
	// Back where the user was going before logging in.
	if got := currentPath(t, p); got != "/admin/monitors" {
		t.Fatalf("after login at %s, want /admin/monitors", got)
	}

	// Phone width: the navigation is still reachable and the page does not scroll sideways.
	phone := newPage(t, b, 390, 844)
	navigate(t, phone, s.URL+"/admin") // shares the browser's cookies
	if got := text(t, phone, "[data-testid=page-title]"); got != "Dashboard" {
		t.Fatalf("phone dashboard title %q", got)
	}
	// Nothing may stick out on the right, except inside the navigation, which scrolls sideways.
	overflow, err := phone.Eval(`() => document.documentElement.scrollWidth > window.innerWidth ||
		[...document.querySelectorAll('body *')].some(e => !e.closest('.nav') && e.getBoundingClientRect().right > window.innerWidth + 1)`)
	if err != nil {
		t.Fatal(err)
	}
	if overflow.Value.Bool() {
		t.Error("page wider than a phone screen")
	}
	for _, id := range []string{"nav-settings", "logout"} {
		if visible, err := phone.MustElement("[data-testid=" + id + "]").Visible(); err != nil || !visible {
			t.Errorf("%s not visible on a phone", id)
		}
	}
	screenshot(t, phone, "dashboard-phone")

	// Dark mode follows the system setting.
	if err := (proto.EmulationSetEmulatedMedia{Features: []*proto.EmulationMediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}).Call(phone); err != nil {
		t.Fatal(err)
	}
	bg, err := phone.Eval(`() => getComputedStyle(document.body).backgroundColor`)
	if err != nil {
		t.Fatal(err)
	}
	if got := bg.Value.Str(); got != "rgb(15, 18, 22)" {
		t.Errorf("dark background = %s", got)
	}
	screenshot(t, phone, "dashboard-phone-dark")
}

// waitFor waits (bounded by timeout) until selector matches on p, without reloading.
func waitFor(t *testing.T, p *rod.Page, selector string, timeout time.Duration) {
	t.Helper()
	if _, err := p.Timeout(timeout).Element(selector); err != nil {
		t.Fatalf("waiting for %s: %v", selector, err)
	}
}

// TestBrowserMonitorGoesDownLive creates a monitor through the UI, sees the scheduler mark
// it up, stops its target and sees it go down on the open page without a reload.
func TestBrowserMonitorGoesDownLive(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))
	tg := newTarget(t)

	b := newBrowser(t)
	p := newPage(t, b, 1280, 900)
	navigate(t, p, s.URL+"/login")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")

	navigate(t, p, s.URL+"/admin/monitors")
	click(t, p, "[data-testid=new-monitor]")
	fill(t, p, "#f-name", "Checkout API")
	fill(t, p, "#f-url", tg.URL+"/health")
	fill(t, p, "#f-interval", "10s")
	fill(t, p, "#f-retries", "0")
	screenshot(t, p, "monitor-form")
	click(t, p, "[data-testid=save]")
	if got := text(t, p, "[data-testid=page-title]"); got != "Checkout API" {
		t.Fatalf("after save: title %q", got)
	}
	// The page must not reload from here on: a marker in the DOM would vanish if it did.
	if _, err := p.Eval(`() => { window.__noReload = true }`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, `[data-testid=monitor-status] [data-status=up]`, 30*time.Second)
	screenshot(t, p, "monitor-up")

	tg.Close() // the service goes away: connection refused
	waitFor(t, p, `[data-testid=monitor-status] [data-status=down]`, 30*time.Second)
	still, err := p.Eval(`() => window.__noReload === true`)
	if err != nil || !still.Value.Bool() {
		t.Fatal("the page was reloaded")
	}
	// Live rows keep their own verdicts: the earlier success stays "up" next to the failure.
	waitFor(t, p, `[data-testid=results] [data-status=down]`, 5*time.Second)
	waitFor(t, p, `[data-testid=results] [data-status=up]`, 5*time.Second)
	if msg := text(t, p, "[data-testid=last-message]"); !strings.Contains(msg, "refused") {
		t.Errorf("last message %q", msg)
	}
	screenshot(t, p, "monitor-down")

	navigate(t, p, s.URL+"/admin/monitors")
	waitFor(t, p, `[data-testid=monitor-row] [data-status=down]`, 5*time.Second)
	screenshot(t, p, "monitors-list")
	navigate(t, p, s.URL+"/admin")
	screenshot(t, p, "dashboard-with-monitors")
}
