package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"statusthing/app/config"
	"statusthing/store"
)

// syncBuffer collects the server log; the server writes from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is the real server on 127.0.0.1:0 with a temporary data directory.
type testServer struct {
	URL    string
	Logs   *syncBuffer
	DBPath string
	// Store is the running server's own store, for tests that record what no real probe
	// can produce on demand (a browser check's screenshot). Never open a second one.
	Store *store.Store
	stop  func() error
}

// defaultTestConfig is the default configuration on the database at dbPath.
func defaultTestConfig(dbPath string) config.Config {
	cfg := config.Default()
	cfg.Database.Path = dbPath
	return cfg
}

func startServer(t *testing.T, env []string, edit func(*config.Config)) *testServer {
	t.Helper()
	cfg := defaultTestConfig(filepath.Join(t.TempDir(), "data", "statusthing.db"))
	if edit != nil {
		edit(&cfg)
	}
	return startServerWith(t, cfg, env)
}

func startServerWith(t *testing.T, cfg config.Config, env []string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	if cfg.Server.TLSEnabled() {
		base = "https://" + ln.Addr().String()
	}
	cfg.Server.BaseURL = base
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := newServer(ctx, cfg, env, log)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("newServer: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx, ln) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(shutdownTimeout + 5*time.Second):
				stopErr = errors.New("server did not stop in time")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop server: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &testServer{URL: base, Logs: logs, DBPath: cfg.Database.Path, Store: srv.store, stop: stop}
}

var setupLinkRE = regexp.MustCompile(`/setup\?token=([A-Za-z0-9_-]+)`)

// setupToken reads the one-time token from the server log, as a user would.
func (s *testServer) setupToken(t *testing.T) string {
	t.Helper()
	m := setupLinkRE.FindStringSubmatch(s.Logs.String())
	if m == nil {
		t.Fatalf("no setup link in the log:\n%s", s.Logs.String())
	}
	return m[1]
}

// browserClient is an HTTP client with cookies that does not follow redirects, so tests see
// each 303.
func browserClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values, header map[string]string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf_token in page:\n%s", page)
	}
	return m[1]
}

const (
	testEmail    = "admin@example.com"
	testPassword = "correct horse battery"
)

// setupAdmin completes first-run setup over HTTP; the client ends up logged in.
func setupAdmin(t *testing.T, s *testServer, c *http.Client) {
	t.Helper()
	token := s.setupToken(t)
	page := do(t, c, "GET", s.URL+"/setup?token="+token, nil, nil)
	if page.Status != http.StatusOK {
		t.Fatalf("GET /setup: status %d", page.Status)
	}
	res := do(t, c, "POST", s.URL+"/setup", url.Values{
		"csrf_token": {csrfOf(t, page.Body)}, "token": {token},
		"email": {testEmail}, "password": {testPassword}, "org_name": {"Acme"},
	}, nil)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Fatalf("POST /setup: status %d location %q body %s", res.Status, res.Header.Get("Location"), res.Body)
	}
}

func login(t *testing.T, s *testServer, c *http.Client, email, password string) response {
	t.Helper()
	page := do(t, c, "GET", s.URL+"/login", nil, nil)
	return do(t, c, "POST", s.URL+"/login", url.Values{
		"csrf_token": {csrfOf(t, page.Body)}, "email": {email}, "password": {password},
	}, nil)
}

func TestFirstRunSetupLinkWorksOnce(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	token := s.setupToken(t)

	if res := do(t, c, "GET", s.URL+"/setup?token=wrong", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("wrong token: status %d, want 404", res.Status)
	}
	if res := do(t, c, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("admin before setup: status %d location %q", res.Status, res.Header.Get("Location"))
	}

	// A refused form keeps the values and names the field.
	page := do(t, c, "GET", s.URL+"/setup?token="+token, nil, nil)
	res := do(t, c, "POST", s.URL+"/setup", url.Values{
		"csrf_token": {csrfOf(t, page.Body)}, "token": {token}, "email": {"not-an-email"}, "password": {"short"},
	}, nil)
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Enter a valid e-mail address.") ||
		!strings.Contains(res.Body, `value="not-an-email"`) {
		t.Fatalf("invalid setup: status %d body %s", res.Status, res.Body)
	}

	setupAdmin(t, s, c)
	if res := do(t, c, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusOK ||
		!strings.Contains(res.Body, testEmail) || !strings.Contains(res.Body, "Acme") {
		t.Fatalf("dashboard after setup: status %d", res.Status)
	}

	// The link is spent: the page and the form both refuse, even with a fresh browser.
	other := browserClient(t)
	if res := do(t, other, "GET", s.URL+"/setup?token="+token, nil, nil); res.Status != http.StatusGone {
		t.Errorf("second GET /setup: status %d, want 410", res.Status)
	}
	page = do(t, other, "GET", s.URL+"/login", nil, nil)
	res = do(t, other, "POST", s.URL+"/setup", url.Values{
		"csrf_token": {csrfOf(t, page.Body)}, "token": {token}, "email": {"intruder@example.com"}, "password": {"intruder password"},
	}, nil)
	if res.Status != http.StatusGone {
		t.Errorf("second POST /setup: status %d, want 410", res.Status)
	}
	if res := login(t, s, other, "intruder@example.com", "intruder password"); res.Status != http.StatusUnauthorized {
		t.Errorf("intruder login: status %d, want 401", res.Status)
	}
}

func TestAdminFromEnvironment(t *testing.T) {
	const password = "s3cret-from-env-42"
	s := startServer(t, []string{config.EnvAdminEmail + "=ops@example.com", config.EnvAdminPassword + "=" + password}, nil)
	if strings.Contains(s.Logs.String(), "/setup?token=") {
		t.Error("setup link logged although the admin came from the environment")
	}
	if strings.Contains(s.Logs.String(), password) {
		t.Error("the password appears in the log")
	}
	c := browserClient(t)
	if res := login(t, s, c, "ops@example.com", password); res.Status != http.StatusSeeOther {
		t.Fatalf("login: status %d", res.Status)
	}
}

func TestDashboardFollowsAcceptLanguage(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)

	fr := do(t, c, "GET", s.URL+"/admin", nil, map[string]string{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
	if fr.Status != http.StatusOK {
		t.Fatalf("status %d", fr.Status)
	}
	for _, want := range []string{`<html lang="fr">`, "Tableau de bord", "Sondes", "Pages de statut", "Se déconnecter"} {
		if !strings.Contains(fr.Body, want) {
			t.Errorf("French dashboard lacks %q", want)
		}
	}
	en := do(t, c, "GET", s.URL+"/admin", nil, map[string]string{"Accept-Language": "de, en;q=0.5"})
	if !strings.Contains(en.Body, `<html lang="en">`) || !strings.Contains(en.Body, "Dashboard") {
		t.Error("English dashboard expected for de,en")
	}
	// The user's own setting beats the browser.
	settings := do(t, c, "GET", s.URL+"/admin/settings", nil, nil)
	res := do(t, c, "POST", s.URL+"/admin/settings/profile", url.Values{"csrf_token": {csrfOf(t, settings.Body)}, "locale": {"fr"}}, nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save profile: status %d", res.Status)
	}
	if res := do(t, c, "GET", s.URL+"/admin", nil, map[string]string{"Accept-Language": "en"}); !strings.Contains(res.Body, "Tableau de bord") {
		t.Error("user setting fr not applied")
	}
	res = do(t, c, "POST", s.URL+"/admin/settings/profile", url.Values{"csrf_token": {csrfOf(t, settings.Body)}, "locale": {"xx"}}, nil)
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown locale: status %d, want 422", res.Status)
	}
}

func TestAdminPagesRender(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	pages := map[string]string{
		"/admin":           "Get started",
		"/admin/monitors":  "No monitors yet",
		"/admin/incidents": "No incidents",
		"/admin/pages":     "No status pages yet",
		"/admin/channels":  "No alert channels yet",
		"/admin/settings":  "Browser default",
	}
	for path, want := range pages {
		res := do(t, c, "GET", s.URL+path, nil, nil)
		if res.Status != http.StatusOK || !strings.Contains(res.Body, want) {
			t.Errorf("%s: status %d, want 200 containing %q", path, res.Status, want)
		}
		if got := res.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") || strings.Contains(got, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, got)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: security headers missing: %v", path, res.Header)
		}
	}
	if res := do(t, c, "GET", s.URL+"/admin/nope", nil, nil); res.Status != http.StatusNotFound || !strings.Contains(res.Body, "Page not found") {
		t.Errorf("unknown page: status %d", res.Status)
	}
}

func TestCSRFIsRequired(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)

	tests := []struct {
		name   string
		path   string
		form   url.Values
		header map[string]string
	}{
		{"logout without token", "/logout", url.Values{}, nil},
		{"logout with forged token", "/logout", url.Values{"csrf_token": {"forged"}}, nil},
		{"profile without token", "/admin/settings/profile", url.Values{"locale": {"fr"}}, nil},
		{"login without token", "/login", url.Values{"email": {testEmail}, "password": {testPassword}}, nil},
		{"cross-site post", "/logout", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := do(t, c, "POST", s.URL+tt.path, tt.form, tt.header); res.Status != http.StatusForbidden {
				t.Errorf("status %d, want 403", res.Status)
			}
		})
	}
	// A token from another browser's page is no good either.
	other := browserClient(t)
	foreign := csrfOf(t, do(t, other, "GET", s.URL+"/login", nil, nil).Body)
	if res := do(t, c, "POST", s.URL+"/logout", url.Values{"csrf_token": {foreign}}, nil); res.Status != http.StatusForbidden {
		t.Errorf("foreign token: status %d, want 403", res.Status)
	}
	// Still logged in after all those refusals.
	if res := do(t, c, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusOK {
		t.Errorf("session lost: status %d", res.Status)
	}
}

func TestLoginLogoutAndSessionFixation(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))

	c := browserClient(t)
	u, _ := url.Parse(s.URL)
	planted := "attacker-chosen-session-id"
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "statusthing_session", Value: planted}})

	if res := login(t, s, c, testEmail, "wrong password"); res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, "Wrong e-mail or password.") {
		t.Fatalf("wrong password: status %d", res.Status)
	}
	if res := login(t, s, c, "nobody@example.com", testPassword); res.Status != http.StatusUnauthorized {
		t.Fatalf("unknown user: status %d", res.Status)
	}
	res := login(t, s, c, testEmail, testPassword)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Fatalf("login: status %d location %q", res.Status, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "statusthing_session" {
			session = ck
		}
	}
	if session == nil || session.Value == planted {
		t.Fatalf("session id not renewed on login: %v", session)
	}
	setCookie := strings.Join(res.Header.Values("Set-Cookie"), "\n")
	if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
		t.Errorf("session cookie flags: %s", setCookie)
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("Secure cookie over plain HTTP from an untrusted peer: %s", setCookie)
	}

	// The planted id does not open a session.
	attacker := browserClient(t)
	attacker.Jar.SetCookies(u, []*http.Cookie{{Name: "statusthing_session", Value: planted}})
	if res := do(t, attacker, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("planted session: status %d, want redirect to login", res.Status)
	}

	// Redirect back to where the user wanted to go, but only within the site.
	page := do(t, c, "GET", s.URL+"/admin", nil, nil)
	res = do(t, c, "POST", s.URL+"/logout", url.Values{"csrf_token": {csrfOf(t, page.Body)}}, nil)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("logout: status %d", res.Status)
	}
	if res := do(t, c, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("after logout: status %d", res.Status)
	}
	// The old cookie value is dead server-side, not just deleted in the browser.
	stale := browserClient(t)
	stale.Jar.SetCookies(u, []*http.Cookie{{Name: "statusthing_session", Value: session.Value}})
	if res := do(t, stale, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("logged-out session still valid: status %d", res.Status)
	}

	loginPage := do(t, c, "GET", s.URL+"/login?next=//evil.example/x", nil, nil)
	res = do(t, c, "POST", s.URL+"/login", url.Values{
		"csrf_token": {csrfOf(t, loginPage.Body)}, "email": {testEmail}, "password": {testPassword}, "next": {"//evil.example/x"},
	}, nil)
	if res.Header.Get("Location") != "/admin" {
		t.Errorf("open redirect: location %q", res.Header.Get("Location"))
	}
}

func TestLoginThrottling(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))
	c := browserClient(t)
	for i := range 5 {
		if res := login(t, s, c, testEmail, "wrong password"); res.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, res.Status)
		}
	}
	// Locked now, even with the right password.
	res := login(t, s, c, testEmail, testPassword)
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: status %d, want 429", res.Status)
	}
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
}

func TestTrustedProxyMakesCookieSecure(t *testing.T) {
	s := startServer(t, nil, func(c *config.Config) { c.Server.TrustedProxies = []string{"127.0.0.1/32"} })
	c := browserClient(t)
	page := do(t, c, "GET", s.URL+"/login", nil, map[string]string{"X-Forwarded-Proto": "https"})
	if !strings.Contains(strings.Join(page.Header.Values("Set-Cookie"), ";"), "Secure") {
		t.Errorf("cookie behind a trusted HTTPS proxy is not Secure: %v", page.Header.Values("Set-Cookie"))
	}
	do(t, c, "GET", s.URL+"/login", nil, map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if !strings.Contains(s.Logs.String(), "ip=203.0.113.9") {
		t.Error("client address from a trusted proxy's X-Forwarded-For not used")
	}

	untrusted := startServer(t, nil, nil)
	page = do(t, browserClient(t), "GET", untrusted.URL+"/login", nil, map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
	if strings.Contains(strings.Join(page.Header.Values("Set-Cookie"), ";"), "Secure") {
		t.Error("X-Forwarded-Proto believed from an untrusted peer")
	}
	if strings.Contains(untrusted.Logs.String(), "ip=203.0.113.9") {
		t.Error("X-Forwarded-For believed from an untrusted peer")
	}
}

func TestHealthzAndAssets(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	if res := do(t, c, "GET", s.URL+"/healthz", nil, nil); res.Status != http.StatusOK || res.Body != "ok\n" {
		t.Errorf("healthz: %d %q", res.Status, res.Body)
	}
	login := do(t, c, "GET", s.URL+"/login", nil, nil)
	css := regexp.MustCompile(`href="(/assets/app\.[0-9a-f]+\.css)"`).FindStringSubmatch(login.Body)
	if css == nil {
		t.Fatal("no fingerprinted stylesheet link")
	}
	res := do(t, &http.Client{Transport: &http.Transport{DisableCompression: true}}, "GET", s.URL+css[1], nil, map[string]string{"Accept-Encoding": "gzip"})
	if res.Status != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("asset: %d %v", res.Status, res.Header)
	}
	if res := do(t, c, "GET", s.URL+"/assets/app.0000000000.css", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("unknown asset: %d", res.Status)
	}
	// An oversized form is refused before it is parsed.
	big := url.Values{"csrf_token": {csrfOf(t, login.Body)}, "email": {strings.Repeat("a", 70<<10)}}
	if res := do(t, c, "POST", s.URL+"/login", big, nil); res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: status %d, want 413", res.Status)
	}
}

func TestGracefulShutdownClosesStore(t *testing.T) {
	s := startServer(t, nil, nil)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Logs.String(), "msg=stopped") {
		t.Errorf("no stop line in the log:\n%s", s.Logs.String())
	}
	if _, err := http.Get(s.URL + "/healthz"); err == nil {
		t.Error("server still answering after shutdown")
	}
}
