package probe_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// The browser tests drive the real Chromium (installed here and in CI by .ci/run) against
// local pages on 127.0.0.1.

const testPassword = "s3cret-P4ss"

// site is the "fake internet" of the browser tests.
type site struct {
	*httptest.Server
	mu      sync.Mutex
	headers http.Header // of the last /headers request
	logins  []string    // passwords received by /session (checked, never logged)
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{}
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, title, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body>%s</body></html>", title, body)
	}
	mux.HandleFunc("GET /js", func(w http.ResponseWriter, r *http.Request) {
		// The text is assembled by the script, so it is nowhere in the HTML.
		page(w, "JS page", `<div id="out">loading…</div><img src="/pixel.png" alt="">
<script>setTimeout(() => { document.getElementById('out').textContent = ['Rendered', 'by', 'JavaScript'].join(' ') }, 150)</script>`)
	})
	mux.HandleFunc("GET /pixel.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		img := image.NewRGBA(image.Rect(0, 0, 2, 2))
		_ = png.Encode(w, img)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		msg := ""
		if r.URL.Query().Has("failed") {
			// A careless page that echoes the password into its console.
			msg = `<p id="error">Wrong e-mail or password</p><script>console.error("login failed with password ` + testPassword + `")</script>`
		}
		page(w, "Log in", msg+`<form method="post" action="/session">
<input id="email" name="email" type="email"> <input id="password" name="password" type="password">
<button id="submit" type="submit">Log in</button></form><p>Please log in</p>`)
	})
	mux.HandleFunc("POST /session", func(w http.ResponseWriter, r *http.Request) {
		email, password := r.FormValue("email"), r.FormValue("password")
		s.mu.Lock()
		s.logins = append(s.logins, password)
		s.mu.Unlock()
		if email != "me@example.com" || password != testPassword {
			http.Redirect(w, r, "/login?failed", http.StatusSeeOther)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "ok", Path: "/"})
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("session"); err != nil || c.Value != "ok" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		page(w, "Dashboard", `<h1 id="welcome">Welcome, me@example.com</h1>`)
	})
	mux.HandleFunc("GET /throws", func(w http.ResponseWriter, r *http.Request) {
		page(w, "Throws", `<p>Still renders</p><script>throw new Error("boom from the page")</script>`)
	})
	mux.HandleFunc("GET /subresource", func(w http.ResponseWriter, r *http.Request) {
		page(w, "Subresource", `<p>Has a broken image</p><img src="/missing.png" alt=""><img src="/pixel.png" alt="">`)
	})
	mux.HandleFunc("GET /list", func(w http.ResponseWriter, r *http.Request) {
		page(w, "List", `<ul><li class="item">a</li><li class="item">b</li><li class="item">c</li></ul>
<button id="hidden" style="display:none">hidden</button><div id="cover" style="position:fixed;inset:0;background:#fff">overlay</div>
<button id="covered">under the overlay</button>`)
	})
	mux.HandleFunc("GET /viewport", func(w http.ResponseWriter, r *http.Request) {
		page(w, "size", `<script>document.title = innerWidth + 'x' + innerHeight</script>`)
	})
	mux.HandleFunc("GET /headers", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.headers = r.Header.Clone()
		s.mu.Unlock()
		page(w, "Headers", "ok")
	})
	mux.HandleFunc("GET /down", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<h1>Down for maintenance</h1>")
	})
	mux.HandleFunc("GET /slow-image", func(w http.ResponseWriter, r *http.Request) {
		page(w, "Slow image", `<p>text</p><img src="/never" alt="">`)
	})
	mux.HandleFunc("GET /never", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second): // longer than the checks' timeouts
		case <-r.Context().Done():
		}
		page(w, "Never", "too late")
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		page(w, "Slow", "finally")
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *site) lastHeaders() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers
}

func (s *site) passwords() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.logins...)
}

// newBrowserProber returns a prober whose Chromium is closed at the end of the test.
func newBrowserProber(t *testing.T, opts probe.Options) *probe.Prober {
	t.Helper()
	p := probe.New(opts)
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return p
}

func browserMonitor(timeout time.Duration, s monitor.BrowserSettings) monitor.Monitor {
	return monitor.Monitor{Type: monitor.TypeBrowser, Timeout: timeout, Settings: s}
}

func steps(t *testing.T, lines ...string) []monitor.BrowserStep {
	t.Helper()
	var out []monitor.BrowserStep
	for _, l := range lines {
		st, err := monitor.ParseStep(l)
		if err != nil {
			t.Fatalf("step %q: %v", l, err)
		}
		out = append(out, st)
	}
	return out
}

func decodeShot(t *testing.T, shot *monitor.Screenshot, format string, w, h int) {
	t.Helper()
	if shot == nil {
		t.Fatal("no screenshot")
	}
	if shot.Format != format || shot.Width != w || shot.Height != h {
		t.Fatalf("screenshot %s %dx%d, want %s %dx%d", shot.Format, shot.Width, shot.Height, format, w, h)
	}
	var img image.Image
	var err error
	if format == "png" {
		img, err = png.Decode(bytes.NewReader(shot.Data))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(shot.Data))
	}
	if err != nil {
		t.Fatalf("decode %s screenshot: %v", format, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("screenshot is %dx%d, want the viewport %dx%d", b.Dx(), b.Dy(), w, h)
	}
}

func TestBrowserChecks(t *testing.T) {
	web := newSite(t)
	p := newBrowserProber(t, probe.Options{BrowserPath: "/usr/bin/chromium"})
	tests := []struct {
		name    string
		timeout time.Duration
		s       monitor.BrowserSettings
		want    want
		check   func(t *testing.T, res monitor.Result)
	}{
		{
			name: "text rendered by JavaScript", timeout: 10 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/js", Steps: steps(t, "assert_text Rendered by JavaScript", "assert_title JS page")},
			want: up,
			check: func(t *testing.T, res monitor.Result) {
				d := res.Details.Browser
				if res.Details.StatusCode != 200 || res.Details.FirstByte <= 0 || d.DOMContentLoaded <= 0 || d.Load < d.DOMContentLoaded {
					t.Fatalf("timings: status %d ttfb %v dcl %v load %v", res.Details.StatusCode, res.Details.FirstByte, d.DOMContentLoaded, d.Load)
				}
				if d.Requests != 2 || d.Bytes <= 0 { // the page and its image
					t.Fatalf("requests %d bytes %d", d.Requests, d.Bytes)
				}
				if res.Screenshot != nil || d.FailedStep != 0 || len(d.ConsoleErrors)+len(d.FailedRequests) != 0 {
					t.Fatalf("unexpected details on success: %+v shot %v", d, res.Screenshot != nil)
				}
			},
		},
		{
			name: "login form with a secret", timeout: 10 * time.Second,
			s: monitor.BrowserSettings{URL: web.URL + "/login", Secrets: map[string]string{"password": testPassword},
				Steps: steps(t, "type #email me@example.com", "type #password {{password}}", "click #submit",
					"wait #welcome", "assert_url /dashboard", "assert_text_in h1 me@example.com")},
			want: up,
			check: func(t *testing.T, res monitor.Result) {
				if got := web.passwords(); len(got) == 0 || got[len(got)-1] != testPassword {
					t.Fatalf("the server did not receive the typed password")
				}
			},
		},
		{
			name: "cookies do not leak between checks", timeout: 10 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/dashboard", Steps: steps(t, "assert_url /login", "assert_text Please log in")},
			want: up,
		},
		{
			name: "wrong password fails at the wait, secret hidden", timeout: 3 * time.Second,
			s: monitor.BrowserSettings{URL: web.URL + "/login", Secrets: map[string]string{"password": testPassword},
				Steps: steps(t, "type #email someone@example.com", "type #password {{password}}", "click #submit", "wait #welcome")},
			want: want{monitor.OutcomeDown, monitor.ClassStep, "step 4 (wait #welcome): no element matches #welcome after"},
			check: func(t *testing.T, res monitor.Result) {
				d := res.Details.Browser
				if d.FailedStep != 4 || d.Step != "wait #welcome" {
					t.Fatalf("failed step %d %q", d.FailedStep, d.Step)
				}
				if len(d.ConsoleErrors) != 1 || d.ConsoleErrors[0] != "console.error: login failed with password ***" {
					t.Fatalf("console errors %q: the secret must be masked", d.ConsoleErrors)
				}
				if strings.Contains(fmt.Sprintf("%+v %+v", res, *d), testPassword) {
					t.Fatal("the secret appears in the result")
				}
			},
		},
		{
			name: "page error fails with fail_on_js_errors", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/throws", FailOnJSErrors: true},
			want: want{monitor.OutcomeDown, monitor.ClassScript, "JavaScript error: Uncaught Error: boom from the page"},
			check: func(t *testing.T, res monitor.Result) {
				decodeShot(t, res.Screenshot, "png", 1280, 800)
			},
		},
		{
			name: "page error is only reported without fail_on_js_errors", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/throws", Steps: steps(t, "assert_text Still renders")},
			want: up,
			check: func(t *testing.T, res monitor.Result) {
				if errs := res.Details.Browser.ConsoleErrors; len(errs) != 1 || !strings.Contains(errs[0], "boom from the page") {
					t.Fatalf("console errors %q", errs)
				}
			},
		},
		{
			name: "failed subresource fails with fail_on_request_errors", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/subresource", FailOnRequestErrors: true},
			want: want{monitor.OutcomeDown, monitor.ClassRequest, "failed request: 404 " + web.URL + "/missing.png"},
		},
		{
			name: "allowed failed subresource", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/subresource", FailOnRequestErrors: true, AllowedRequestErrors: []string{"/missing.png"}},
			want: up,
		},
		{
			name: "failed subresource is only reported without fail_on_request_errors", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/subresource"},
			want: up,
			check: func(t *testing.T, res monitor.Result) {
				if f := res.Details.Browser.FailedRequests; len(f) != 1 || f[0] != "404 "+web.URL+"/missing.png" {
					t.Fatalf("failed requests %q", f)
				}
			},
		},
		{
			name: "missing element", timeout: 3 * time.Second,
			s: monitor.BrowserSettings{URL: web.URL + "/list", Viewport: monitor.Viewport{Width: 800, Height: 600},
				Steps: steps(t, "assert_exists li.item", "click #nope")},
			want: want{monitor.OutcomeDown, monitor.ClassStep, "step 2 (click #nope): no element matches #nope after"},
			check: func(t *testing.T, res monitor.Result) {
				if d := res.Details.Browser; d.FailedStep != 2 || d.Step != "click #nope" {
					t.Fatalf("failed step %d %q", d.FailedStep, d.Step)
				}
				decodeShot(t, res.Screenshot, "png", 800, 600)
				if res.Duration > 3*time.Second {
					t.Fatalf("duration %v past the timeout", res.Duration)
				}
			},
		},
		{
			name: "hidden element", timeout: 3 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/list", Steps: steps(t, "click #hidden")},
			want: want{monitor.OutcomeDown, monitor.ClassStep, "step 1 (click #hidden): #hidden is not visible after"},
		},
		{
			name: "covered element", timeout: 3 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/list", Steps: steps(t, "click #covered")},
			want: want{monitor.OutcomeDown, monitor.ClassStep, "step 1 (click #covered): #covered is covered by div#cover after"},
		},
		{
			name: "invalid selector", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/list", Steps: steps(t, "wait li[")},
			want: want{monitor.OutcomeDown, monitor.ClassStep, `step 1 (wait li[): invalid CSS selector "li["`},
		},
		{
			name: "assert_count", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/list", Steps: steps(t, "assert_count li.item 3", "wait_hidden #hidden")},
			want: up,
		},
		{
			name: "assert_count mismatch", timeout: 3 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/list", Steps: steps(t, "assert_count li.item 5")},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, "step 1 (assert_count li.item 5): li.item matches 3 elements, expected 5"},
		},
		{
			name: "viewport, user agent and headers", timeout: 5 * time.Second,
			s: monitor.BrowserSettings{URL: web.URL + "/viewport", Viewport: monitor.Viewport{Width: 640, Height: 480},
				UserAgent: "statusthing-test/1", Headers: map[string]string{"X-Check": "yes"},
				Steps: steps(t, "assert_title 640x480", "navigate "+web.URL+"/headers", "wait_idle", "assert_text ok")},
			want: up,
			check: func(t *testing.T, res monitor.Result) {
				h := web.lastHeaders()
				if h.Get("User-Agent") != "statusthing-test/1" || h.Get("X-Check") != "yes" {
					t.Fatalf("headers seen by the server: %v", h)
				}
			},
		},
		{
			name: "success screenshot", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/js", Viewport: monitor.Viewport{Width: 400, Height: 300}, ScreenshotOnSuccess: true},
			want: up,
			check: func(t *testing.T, res monitor.Result) {
				decodeShot(t, res.Screenshot, "jpeg", 400, 300)
			},
		},
		{
			name: "main document 503", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/down"},
			want: want{monitor.OutcomeDown, monitor.ClassStatus, "status 503 (Service Unavailable)"},
			check: func(t *testing.T, res monitor.Result) {
				if res.Details.StatusCode != 503 || res.Details.Browser.FailedStep != 0 {
					t.Fatalf("status %d failed step %d", res.Details.StatusCode, res.Details.Browser.FailedStep)
				}
				decodeShot(t, res.Screenshot, "png", 1280, 800)
			},
		},
		{
			name: "navigate step to a 503", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/js", Steps: steps(t, "navigate "+web.URL+"/down")},
			want: want{monitor.OutcomeDown, monitor.ClassStatus, "step 1 (navigate " + web.URL + "/down): status 503"},
		},
		{
			name: "connection refused", timeout: 5 * time.Second,
			s:    monitor.BrowserSettings{URL: "http://" + closedAddr(t) + "/"},
			want: want{monitor.OutcomeDown, monitor.ClassRefused, "connection refused (127.0.0.1:"},
		},
		{
			name: "server answers too late", timeout: 3 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/never"},
			want: want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 3s waiting for \"" + web.URL + "/never\" to answer"},
		},
		{
			name: "page never finishes loading", timeout: 3 * time.Second,
			s:    monitor.BrowserSettings{URL: web.URL + "/slow-image"},
			want: want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 3s waiting for \"" + web.URL + "/slow-image\" to load (1 request pending)"},
		},
	}
	for _, tc := range tests {
		// One after the other: time spent waiting for a browser slot counts in a check's timeout.
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := p.Probe(context.Background(), browserMonitor(tc.timeout, tc.s))
			// The timeout is hard: a check never hangs (the bound is loose: CI machines are busy).
			if took := time.Since(start); took > tc.timeout+5*time.Second {
				t.Errorf("check took %v, timeout %v", took, tc.timeout)
			}
			check(t, res, tc.want)
			if res.Details.Browser == nil {
				t.Fatal("no browser details")
			}
			if res.Outcome != monitor.OutcomeUp && res.Screenshot == nil {
				t.Error("failed check without a screenshot")
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestBrowserPageNeedsJavaScript(t *testing.T) {
	// The same page through an http check: the text is not in the HTML.
	web := newSite(t)
	res := run(t, probe.New(probe.Options{}), monitor.Monitor{Type: monitor.TypeHTTP,
		Settings: monitor.HTTPSettings{URL: web.URL + "/js", BodyContains: "Rendered by JavaScript"}})
	check(t, res, want{monitor.OutcomeDown, monitor.ClassAssertion, `body does not contain "Rendered by JavaScript"`})
}

func TestBrowserNotAvailable(t *testing.T) {
	web := newSite(t)
	p := newBrowserProber(t, probe.Options{BrowserPath: filepath.Join(t.TempDir(), "no-chromium")})
	start := time.Now()
	res := p.Probe(context.Background(), browserMonitor(10*time.Second, monitor.BrowserSettings{URL: web.URL + "/js"}))
	check(t, res, want{monitor.OutcomeDown, monitor.ClassBrowser, "browser not available: "})
	// At once, not after the check's 10 s timeout (the bound is loose for busy machines).
	if !strings.Contains(res.Message, "install chromium or set [browser] path") || time.Since(start) > 5*time.Second {
		t.Fatalf("message %q after %v", res.Message, time.Since(start))
	}
	// Other checks of the same prober are unaffected.
	res = run(t, p, monitor.Monitor{Type: monitor.TypeHTTP, Settings: monitor.HTTPSettings{URL: web.URL + "/js"}})
	check(t, res, up)
}

// chromiumProcesses lists this test process's live descendants (leakless and Chromium).
func chromiumProcesses(t *testing.T) []string {
	t.Helper()
	parents := map[int]int{}
	names := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		fields := strings.Fields(s[end+2:])
		if fields[0] == "Z" {
			continue // exited, waiting to be reaped by init
		}
		ppid, _ := strconv.Atoi(fields[1])
		parents[pid], names[pid] = ppid, s[open+1:end]
	}
	var out []string
	for pid := range parents {
		for a := parents[pid]; a > 1; a = parents[a] {
			if a == os.Getpid() {
				out = append(out, fmt.Sprintf("%d %s", pid, names[pid]))
				break
			}
		}
	}
	return out
}

func waitGone(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s still there after 5s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBrowserCrashAndClose(t *testing.T) {
	web := newSite(t)
	// A profile left by a statusthing that was killed (its pid no longer runs) is removed at
	// the first launch.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(os.TempDir(), fmt.Sprintf("statusthing-chromium-%d-test", dead.Process.Pid))
	if err := os.MkdirAll(filepath.Join(stale, "Default"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(stale) })

	p := probe.New(probe.Options{})
	ok := browserMonitor(10*time.Second, monitor.BrowserSettings{URL: web.URL + "/js", Steps: steps(t, "assert_text Rendered by JavaScript")})
	check(t, p.Probe(context.Background(), ok), up)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale profile kept: %v", err)
	}
	pid, dir := probe.BrowserProcess(p)
	// leakless, the browser, its zygotes, GPU, network and storage processes, crash handlers.
	if pid == 0 || dir == "" || len(probe.ProfileProcesses(dir)) < 8 {
		t.Fatalf("pid %d dir %q processes %v", pid, dir, probe.ProfileProcesses(dir))
	}

	t.Run("killed mid-check", func(t *testing.T) {
		done := make(chan monitor.Result, 1)
		go func() {
			done <- p.Probe(context.Background(), browserMonitor(10*time.Second,
				monitor.BrowserSettings{URL: web.URL + "/js", Steps: steps(t, "wait #never")}))
		}()
		time.Sleep(700 * time.Millisecond)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		res := <-done
		check(t, res, want{monitor.OutcomeDown, monitor.ClassBrowser, "browser crashed"})
		if took := time.Since(killed); took > 5*time.Second { // well before the check's timeout
			t.Fatalf("the crash was noticed after %v", took)
		}
		check(t, p.Probe(context.Background(), ok), up)
		newPID, newDir := probe.BrowserProcess(p)
		if newPID == pid || newDir == dir {
			t.Fatalf("not relaunched: pid %d dir %s", newPID, newDir)
		}
		waitGone(t, "the old profile", func() bool {
			_, err := os.Stat(dir)
			return os.IsNotExist(err) && len(probe.ProfileProcesses(dir)) == 0
		})
		pid, dir = newPID, newDir
	})

	t.Run("killed between checks", func(t *testing.T) {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		check(t, p.Probe(context.Background(), ok), up) // relaunched, not failed
		pid, dir = probe.BrowserProcess(p)
	})

	t.Run("hung browser", func(t *testing.T) {
		// A stopped Chromium answers nothing: the check ends on time, the next one relaunches.
		if err := syscall.Kill(-pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res := p.Probe(context.Background(), browserMonitor(2*time.Second, monitor.BrowserSettings{URL: web.URL + "/js"}))
		check(t, res, want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 2s"})
		if took := time.Since(start); took > 5*time.Second { // the timeout is hard (loose bound: busy machines)
			t.Fatalf("hung check took %v", took)
		}
		check(t, p.Probe(context.Background(), ok), up)
		if newPID, _ := probe.BrowserProcess(p); newPID == pid {
			t.Fatal("the hung browser was kept")
		}
		waitGone(t, "the hung browser", func() bool { return len(probe.ProfileProcesses(dir)) == 0 })
		pid, dir = probe.BrowserProcess(p)
	})

	t.Run("close", func(t *testing.T) {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if procs := probe.ProfileProcesses(dir); len(procs) != 0 {
			t.Fatalf("Chromium processes left: %v", procs)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("profile directory left: %v", err)
		}
		if procs := chromiumProcesses(t); len(procs) != 0 {
			t.Fatalf("child processes left: %v", procs)
		}
		res := p.Probe(context.Background(), ok)
		check(t, res, want{monitor.OutcomeDown, monitor.ClassBrowser, "shut down"})
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBrowserConcurrencyLimit(t *testing.T) {
	web := newSite(t)
	p := newBrowserProber(t, probe.Options{BrowserConcurrency: 1})
	check(t, p.Probe(context.Background(), browserMonitor(10*time.Second, monitor.BrowserSettings{URL: web.URL + "/js"})), up)
	slow := make(chan monitor.Result, 1)
	go func() {
		slow <- p.Probe(context.Background(), browserMonitor(5*time.Second, monitor.BrowserSettings{URL: web.URL + "/slow"}))
	}()
	time.Sleep(300 * time.Millisecond)
	res := p.Probe(context.Background(), browserMonitor(time.Second, monitor.BrowserSettings{URL: web.URL + "/js"}))
	check(t, res, want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 1s waiting for a free browser ([browser] max_concurrency = 1)"})
	check(t, <-slow, up)
}

func TestBrowserCancelled(t *testing.T) {
	web := newSite(t)
	p := newBrowserProber(t, probe.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	res := p.Probe(ctx, browserMonitor(10*time.Second, monitor.BrowserSettings{URL: web.URL + "/js", Steps: steps(t, "wait #never")}))
	check(t, res, want{monitor.OutcomeDown, monitor.ClassInternal, "check cancelled"})
}

func TestBrowserRecycle(t *testing.T) {
	web := newSite(t)
	p := newBrowserProber(t, probe.Options{})
	probe.SetBrowserRecycle(p, 2)
	fast := browserMonitor(10*time.Second, monitor.BrowserSettings{URL: web.URL + "/js"})
	check(t, p.Probe(context.Background(), fast), up)
	pid, dir := probe.BrowserProcess(p)

	// The second check of this browser is still running when the third needs one: the third
	// gets a new browser, the old one is retired when the second ends.
	slow := make(chan monitor.Result, 1)
	go func() {
		slow <- p.Probe(context.Background(), browserMonitor(10*time.Second, monitor.BrowserSettings{URL: web.URL + "/slow"}))
	}()
	time.Sleep(300 * time.Millisecond)
	check(t, p.Probe(context.Background(), fast), up)
	newPID, _ := probe.BrowserProcess(p)
	if newPID == pid {
		t.Fatal("browser not replaced after 2 checks")
	}
	if len(probe.ProfileProcesses(dir)) == 0 {
		t.Fatal("the old browser was killed under a running check")
	}
	check(t, <-slow, up)
	waitGone(t, "the retired browser", func() bool {
		_, err := os.Stat(dir)
		return os.IsNotExist(err) && len(probe.ProfileProcesses(dir)) == 0
	})
}
