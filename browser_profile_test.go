package main

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"statusthing/app/auth"
)

// TestBrowserTwoFactorLogin: in Chromium, the owner turns two-factor login on from the
// settings page (typing a code computed from the secret shown), sees the recovery codes,
// logs out, and logs in again with the password and then a code.
func TestBrowserTwoFactorLogin(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))

	b := newBrowser(t)
	p := newPage(t, b, 1280, 900)
	navigate(t, p, s.URL+"/login")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")
	navigate(t, p, s.URL+"/admin/settings")
	click(t, p, "[data-testid=totp-start]")
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(text(t, p, "[data-testid=totp-secret]"))
	if err != nil {
		t.Fatal(err)
	}
	if !imageLoaded(t, p, "[data-testid=totp-qr]") {
		t.Error("the QR code does not show")
	}
	screenshot(t, p, "totp-setup")
	fill(t, p, "#totp-code", auth.TOTPCode(secret, time.Now()))
	click(t, p, "[data-testid=totp-confirm]")
	if codes := strings.Fields(text(t, p, "[data-testid=recovery-codes]")); len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("recovery codes: %q", codes)
	}
	screenshot(t, p, "totp-recovery-codes")

	click(t, p, "[data-testid=logout]")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")
	waitFor(t, p, "[data-testid=totp-form]", 5*time.Second)
	screenshot(t, p, "totp-login")
	// The next step's code: the current one turned two-factor login on.
	fill(t, p, "#code", auth.TOTPCode(secret, time.Now().Add(auth.TOTPPeriod)))
	click(t, p, "[data-testid=totp-submit]")
	if got := currentPath(t, p); got != "/admin" {
		t.Fatalf("after the second step: %s", got)
	}
}
