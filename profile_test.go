package main

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"statusthing/app/auth"
)

// settingsPage fetches the settings page and its CSRF token.
func settingsPage(t *testing.T, s *testServer, c *http.Client) (response, string) {
	t.Helper()
	res := do(t, c, "GET", s.URL+"/admin/settings", nil, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /admin/settings: %d", res.Status)
	}
	return res, csrfOf(t, res.Body)
}

// post sends a form from the settings page with its CSRF token.
func postSettings(t *testing.T, s *testServer, c *http.Client, path string, form url.Values) response {
	t.Helper()
	_, csrf := settingsPage(t, s, c)
	form.Set("csrf_token", csrf)
	return do(t, c, "POST", s.URL+path, form, nil)
}

func TestProfileChanges(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	member(t, s, "taken@example.com", auth.RoleViewer)

	page, _ := settingsPage(t, s, c)
	for _, want := range []string{`name="name"`, `name="time_zone"`, `value="` + testEmail + `"`, `data-testid="password-form"`, `data-testid="totp-start"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("settings lack %s", want)
		}
	}
	tests := []struct {
		name  string
		form  url.Values
		field string // the id of the field whose error shows
	}{
		{"new e-mail, wrong current password", url.Values{"name": {"Ada"}, "email": {"ada@example.com"}, "current_password": {"not my password"}}, "profile-current-password"},
		{"new e-mail, no current password", url.Values{"email": {"ada@example.com"}}, "profile-current-password"},
		{"e-mail of another user", url.Values{"email": {"Taken@example.com"}, "current_password": {testPassword}}, "profile-email"},
		{"unknown time zone", url.Values{"time_zone": {"Europe/Atlantis"}}, "profile-time-zone"},
		{"unknown language", url.Values{"locale": {"xx"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postSettings(t, s, c, "/admin/settings/profile", tt.form)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.Status)
			}
			if tt.field != "" && !strings.Contains(res.Body, `data-testid="`+tt.field+`-error"`) {
				t.Errorf("no error on %s", tt.field)
			}
			if e := tt.form.Get("email"); e != "" && !strings.Contains(res.Body, `value="`+e+`"`) {
				t.Errorf("the posted e-mail is not kept")
			}
		})
	}

	res := postSettings(t, s, c, "/admin/settings/profile", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"},
		"current_password": {testPassword}, "time_zone": {"Europe/Paris"}, "locale": {""}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	page, _ = settingsPage(t, s, c)
	for _, want := range []string{`value="Ada Lovelace"`, `value="ada@example.com"`, `value="Europe/Paris"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("settings after saving lack %s", want)
		}
	}
	if res := login(t, s, browserClient(t), "ada@example.com", testPassword); res.Status != http.StatusSeeOther {
		t.Errorf("login with the new e-mail: %d", res.Status)
	}
	if res := login(t, s, browserClient(t), testEmail, testPassword); res.Status != http.StatusUnauthorized {
		t.Errorf("login with the old e-mail: %d", res.Status)
	}
}

func TestProfilePasswordLogsOutOtherSessions(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	other := browserClient(t)
	if res := login(t, s, other, testEmail, testPassword); res.Status != http.StatusSeeOther {
		t.Fatalf("second login: %d", res.Status)
	}
	page, _ := settingsPage(t, s, c)
	if !strings.Contains(page.Body, `data-testid="other-sessions" data-count="1"`) {
		t.Error("the other session is not counted")
	}

	res := postSettings(t, s, c, "/admin/settings/profile/password", url.Values{"current_password": {"not my password"}, "new_password": {"a brand new password"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="password-current-error"`) {
		t.Fatalf("wrong current password: %d", res.Status)
	}
	res = postSettings(t, s, c, "/admin/settings/profile/password", url.Values{"current_password": {testPassword}, "new_password": {"short"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="password-new-error"`) {
		t.Fatalf("short new password: %d", res.Status)
	}
	if res := do(t, other, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusOK {
		t.Fatalf("refused changes ended the other session: %d", res.Status)
	}
	res = postSettings(t, s, c, "/admin/settings/profile/password", url.Values{"current_password": {testPassword}, "new_password": {"a brand new password"}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/settings?saved=password" {
		t.Fatalf("change: %d %q", res.Status, res.Header.Get("Location"))
	}
	if res := do(t, c, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusOK {
		t.Errorf("this session ended: %d", res.Status)
	}
	if res := do(t, other, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("the other session survived the password change: %d", res.Status)
	}
	if res := login(t, s, browserClient(t), testEmail, testPassword); res.Status != http.StatusUnauthorized {
		t.Errorf("old password: %d", res.Status)
	}

	// "Log out other sessions".
	if res := login(t, s, other, testEmail, "a brand new password"); res.Status != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d", res.Status)
	}
	if res := postSettings(t, s, c, "/admin/settings/profile/sessions/logout", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("log out others: %d", res.Status)
	}
	if res := do(t, other, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther {
		t.Errorf("the other session survived: %d", res.Status)
	}
	page, _ = settingsPage(t, s, c)
	if !strings.Contains(page.Body, `data-testid="other-sessions" data-count="0"`) {
		t.Error("other sessions still counted")
	}
}

var (
	totpSecretRE   = regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7]+)<`)
	recoveryCodeRE = regexp.MustCompile(`<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>`)
	pendingRE      = regexp.MustCompile(`name="pending" value="([^"]+)"`)
)

// wrongCode is a 6-digit code that none of the steps around now accepts.
func wrongCode(secret []byte) string {
	now := time.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-2, -1, 0, 1, 2} {
		valid[auth.TOTPCode(secret, now.Add(d*auth.TOTPPeriod))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !valid[c] {
			return c
		}
	}
	panic("unreachable: five codes cannot cover six")
}

// loginStep2 logs in with the password, expects the second step and sends code.
func loginStep2(t *testing.T, s *testServer, c *http.Client, email, password, code string) response {
	t.Helper()
	first := login(t, s, c, email, password)
	if first.Status != http.StatusOK || !strings.Contains(first.Body, `data-testid="totp-form"`) {
		t.Fatalf("password step: %d, want the code form", first.Status)
	}
	m := pendingRE.FindStringSubmatch(first.Body)
	if m == nil {
		t.Fatal("no pending login in the form")
	}
	if res := do(t, c, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusSeeOther {
		t.Fatalf("a session exists before the second step: %d", res.Status)
	}
	return do(t, c, "POST", s.URL+"/login/totp", url.Values{"csrf_token": {csrfOf(t, first.Body)}, "pending": {m[1]}, "code": {code}}, nil)
}

func TestTOTPLoginOverHTTP(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	if res := postSettings(t, s, c, "/admin/settings/profile/totp", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("start: %d", res.Status)
	}
	page, _ := settingsPage(t, s, c)
	m := totpSecretRE.FindStringSubmatch(page.Body)
	if m == nil || !strings.Contains(page.Body, "otpauth://totp/statusthing:"+testEmail+"?") {
		t.Fatalf("no secret or URI on the page:\n%s", page.Body)
	}
	// The URI as a QR code: a PNG in a data: URL.
	qrSrc := regexp.MustCompile(`data-testid="totp-qr"|src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindAllStringSubmatch(page.Body, -1)
	var pngData []byte
	for _, q := range qrSrc {
		if q[1] != "" {
			pngData, _ = base64.StdEncoding.DecodeString(q[1])
		}
	}
	if img, err := png.Decode(bytes.NewReader(pngData)); err != nil || img.Bounds().Dx() < 100 || img.Bounds().Dx() != img.Bounds().Dy() {
		t.Errorf("QR code: %v", err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	// Not on until confirmed.
	if res := login(t, s, browserClient(t), testEmail, testPassword); res.Status != http.StatusSeeOther {
		t.Fatalf("login during enrolment: %d", res.Status)
	}
	res := postSettings(t, s, c, "/admin/settings/profile/totp/confirm", url.Values{"code": {wrongCode(secret)}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="totp-code-error"`) {
		t.Fatalf("confirm with a wrong code: %d", res.Status)
	}
	res = postSettings(t, s, c, "/admin/settings/profile/totp/confirm", url.Values{"code": {auth.TOTPCode(secret, time.Now())}})
	codes := recoveryCodeRE.FindAllStringSubmatch(res.Body, -1)
	if res.Status != http.StatusOK || len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("confirm: %d, %d recovery codes", res.Status, len(codes))
	}
	page, _ = settingsPage(t, s, c)
	if recoveryCodeRE.MatchString(page.Body) || !strings.Contains(page.Body, "Recovery codes left: 10.") {
		t.Error("recovery codes shown twice, or the count is missing")
	}

	// A wrong code, then the next step's code (the current one confirmed the enrolment).
	b := browserClient(t)
	if res := loginStep2(t, s, b, testEmail, testPassword, wrongCode(secret)); res.Status != http.StatusUnauthorized ||
		!strings.Contains(res.Body, `data-testid="login-error"`) {
		t.Fatalf("wrong code: %d", res.Status)
	}
	code := auth.TOTPCode(secret, time.Now().Add(auth.TOTPPeriod))
	if res := loginStep2(t, s, b, testEmail, testPassword, code); res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Fatalf("second step: %d %q", res.Status, res.Header.Get("Location"))
	}
	if res := do(t, b, "GET", s.URL+"/admin", nil, nil); res.Status != http.StatusOK {
		t.Fatalf("after the second step: %d", res.Status)
	}
	if res := loginStep2(t, s, browserClient(t), testEmail, testPassword, code); res.Status != http.StatusUnauthorized {
		t.Errorf("replayed code: %d", res.Status)
	}
	// A forged pending login goes back to the password.
	f := browserClient(t)
	first := login(t, s, f, testEmail, testPassword)
	res = do(t, f, "POST", s.URL+"/login/totp", url.Values{"csrf_token": {csrfOf(t, first.Body)}, "pending": {"1.9999999999.forged"},
		"code": {auth.TOTPCode(secret, time.Now())}}, nil)
	if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, `data-testid="login-form"`) {
		t.Errorf("forged pending login: %d", res.Status)
	}

	// Recovery codes work once each.
	recovery := codes[0][1]
	if res := loginStep2(t, s, browserClient(t), testEmail, testPassword, strings.ToUpper(recovery)); res.Status != http.StatusSeeOther {
		t.Errorf("recovery code: %d", res.Status)
	}
	if res := loginStep2(t, s, browserClient(t), testEmail, testPassword, recovery); res.Status != http.StatusUnauthorized {
		t.Errorf("recovery code used twice: %d", res.Status)
	}

	// Off again: the password and a code.
	res = postSettings(t, s, c, "/admin/settings/profile/totp/disable", url.Values{"current_password": {"not my password"}, "code": {codes[1][1]}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="totp-disable-password-error"`) {
		t.Fatalf("disable with a wrong password: %d", res.Status)
	}
	res = postSettings(t, s, c, "/admin/settings/profile/totp/disable", url.Values{"current_password": {testPassword}, "code": {codes[1][1]}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.Status)
	}
	if res := login(t, s, browserClient(t), testEmail, testPassword); res.Status != http.StatusSeeOther {
		t.Errorf("login after disabling: %d", res.Status)
	}

	logs := s.Logs.String()
	for _, secretText := range []string{m[1], codes[0][1], codes[1][1]} {
		if strings.Contains(logs, secretText) {
			t.Errorf("the log contains a secret or code %q", secretText)
		}
	}
	if n := queryString(t, readDB(t, s.DBPath), `SELECT count(*) FROM recovery_codes`); n != "0" {
		t.Errorf("recovery codes left after disabling: %s", n)
	}
}
