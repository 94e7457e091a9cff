package auth_test

import (
	"context"
	"encoding/base32"
	"errors"
	"strings"
	"testing"
	"time"

	"statusthing/app/auth"
)

func TestHOTPVectors(t *testing.T) {
	// RFC 4226, appendix D.
	secret := []byte("12345678901234567890")
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, code := range want {
		if got := auth.HOTP(secret, uint64(counter), 6); got != code {
			t.Errorf("HOTP(%d) = %s, want %s", counter, got, code)
		}
	}
}

func TestTOTPVectors(t *testing.T) {
	// RFC 6238, appendix B, SHA-1 rows (8 digits); the 6-digit code is their last 6.
	secret := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		at := time.Unix(tt.unix, 0)
		if got := auth.HOTP(secret, uint64(auth.TOTPStep(at)), 8); got != tt.code {
			t.Errorf("8 digits at %d = %s, want %s", tt.unix, got, tt.code)
		}
		if got := auth.TOTPCode(secret, at); got != tt.code[2:] {
			t.Errorf("TOTPCode at %d = %s, want %s", tt.unix, got, tt.code[2:])
		}
	}
}

// enrol turns two-factor login on for the owner and returns the secret and recovery codes.
func enrol(t *testing.T, svc *auth.Service, clk *clock, u auth.User) ([]byte, []string) {
	t.Helper()
	ctx := context.Background()
	setup, err := svc.BeginTOTP(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(setup.Secret)
	if err != nil || len(secret) != 20 {
		t.Fatalf("secret %q: %v", setup.Secret, err)
	}
	if !strings.HasPrefix(setup.URI, "otpauth://totp/statusthing:"+u.Email+"?") || !strings.Contains(setup.URI, "secret="+setup.Secret) ||
		!strings.Contains(setup.URI, "issuer=statusthing") {
		t.Errorf("URI %q", setup.URI)
	}
	var ve *auth.ValidationError
	if _, err := svc.ConfirmTOTP(ctx, u, "000000"); !errors.As(err, &ve) || ve.Field != "code" {
		t.Fatalf("confirm with a wrong code: %v", err)
	}
	// Not on until confirmed: the password alone still logs in.
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: u.Email, Password: password}); err != nil {
		t.Fatalf("login during enrolment: %v", err)
	}
	codes, err := svc.ConfirmTOTP(ctx, u, auth.TOTPCode(secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || seen[c] {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
	}
	if _, err := svc.ConfirmTOTP(ctx, u, auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrTOTPEnabled) {
		t.Errorf("confirming twice: %v", err)
	}
	if _, err := svc.BeginTOTP(ctx, u); !errors.Is(err, auth.ErrTOTPEnabled) {
		t.Errorf("beginning while on: %v", err)
	}
	return secret, codes
}

// pending logs in with the password and returns the pending second step.
func pending(t *testing.T, svc *auth.Service) string {
	t.Helper()
	_, _, err := svc.Login(context.Background(), auth.LoginInput{Email: email, Password: password, IP: "192.0.2.1"})
	var sf *auth.SecondFactorRequired
	if !errors.As(err, &sf) || sf.Pending == "" {
		t.Fatalf("login with two-factor on: %v", err)
	}
	return sf.Pending
}

func TestTOTPLogin(t *testing.T) {
	svc, clk, st := newService(t)
	ctx := context.Background()
	u, err := st.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	secret, codes := enrol(t, svc, clk, u)
	second := func(pending, code string) error {
		_, _, err := svc.LoginSecondFactor(ctx, auth.SecondFactorInput{Pending: pending, Code: code, IP: "192.0.2.1"})
		return err
	}

	// The code that confirmed the enrolment is spent.
	if err := second(pending(t, svc), auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrInvalidCode) {
		t.Fatalf("replayed enrolment code: %v", err)
	}
	clk.Advance(auth.TOTPPeriod)
	p := pending(t, svc)
	code := auth.TOTPCode(secret, clk.Now())
	token, sess, err := svc.LoginSecondFactor(ctx, auth.SecondFactorInput{Pending: p, Code: code[:3] + " " + code[3:], IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("second step: %v", err)
	}
	if id, err := svc.Authenticate(ctx, token); err != nil || id.Session.ID != sess.ID {
		t.Fatalf("session after the second step: %v", err)
	}
	if err := second(pending(t, svc), code); !errors.Is(err, auth.ErrInvalidCode) {
		t.Errorf("replayed code: %v", err)
	}

	// Window: one step either side of now.
	clk.Advance(15 * time.Minute) // past the failures above
	if err := second(pending(t, svc), auth.TOTPCode(secret, clk.Now().Add(-2*auth.TOTPPeriod))); !errors.Is(err, auth.ErrInvalidCode) {
		t.Errorf("code two steps old: %v", err)
	}
	if err := second(pending(t, svc), auth.TOTPCode(secret, clk.Now().Add(2*auth.TOTPPeriod))); !errors.Is(err, auth.ErrInvalidCode) {
		t.Errorf("code two steps ahead: %v", err)
	}
	if err := second(pending(t, svc), auth.TOTPCode(secret, clk.Now().Add(-auth.TOTPPeriod))); err != nil {
		t.Errorf("code one step old: %v", err)
	}
	if err := second(pending(t, svc), auth.TOTPCode(secret, clk.Now().Add(auth.TOTPPeriod))); err != nil {
		t.Errorf("code one step ahead: %v", err)
	}
	// Once a later step was used, an earlier one is refused even within the window.
	if err := second(pending(t, svc), auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrInvalidCode) {
		t.Errorf("code older than the last used: %v", err)
	}

	// Recovery codes: any case, with or without dashes, once each.
	clk.Advance(15 * time.Minute)
	if err := second(pending(t, svc), strings.ToUpper(strings.ReplaceAll(codes[0], "-", ""))); err != nil {
		t.Errorf("recovery code: %v", err)
	}
	if err := second(pending(t, svc), codes[0]); !errors.Is(err, auth.ErrInvalidCode) {
		t.Errorf("recovery code used twice: %v", err)
	}
	if status, err := svc.TOTPStatus(ctx, u); err != nil || !status.Enabled || status.RecoveryCodesLeft != auth.RecoveryCodeCount-1 {
		t.Errorf("status: %+v %v", status, err)
	}

	// The pending login expires, cannot be forged and dies with the password.
	clk.Advance(15 * time.Minute)
	p = pending(t, svc)
	clk.Advance(auth.PendingLoginLifetime)
	if err := second(p, auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrLoginExpired) {
		t.Errorf("expired pending login: %v", err)
	}
	p = pending(t, svc)
	parts := strings.SplitN(p, ".", 2)
	for _, forged := range []string{"", "x", "999." + parts[1], parts[0] + ".9999999999." + strings.Split(p, ".")[2], p + "x"} {
		if err := second(forged, auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrLoginExpired) {
			t.Errorf("forged pending %q: %v", forged, err)
		}
	}
	if err := svc.SetPassword(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	if err := second(p, auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrLoginExpired) {
		t.Errorf("pending login across a password change: %v", err)
	}
}

func TestTOTPThrottleAndDisable(t *testing.T) {
	svc, clk, st := newService(t)
	ctx := context.Background()
	u, _ := st.UserByEmail(ctx, email)
	secret, codes := enrol(t, svc, clk, u)
	clk.Advance(auth.TOTPPeriod)

	// Wrong codes count like wrong passwords; the right password does not wipe them.
	for i := range 5 {
		p := pending(t, svc)
		if _, _, err := svc.LoginSecondFactor(ctx, auth.SecondFactorInput{Pending: p, Code: "000000", IP: "192.0.2.1"}); !errors.Is(err, auth.ErrInvalidCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	var throttled *auth.ThrottledError
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password, IP: "198.51.100.1"}); !errors.As(err, &throttled) {
		t.Fatalf("login after 5 wrong codes: %v", err)
	}
	clk.Advance(throttled.RetryAfter)
	p := pending(t, svc)
	if _, _, err := svc.LoginSecondFactor(ctx, auth.SecondFactorInput{Pending: p, Code: auth.TOTPCode(secret, clk.Now()), IP: "192.0.2.1"}); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	var ve *auth.ValidationError
	if err := svc.DisableTOTP(ctx, auth.DisableTOTPInput{UserID: u.ID, Password: "wrong password", Code: codes[1]}); !errors.As(err, &ve) || ve.Field != "current_password" {
		t.Errorf("disable with a wrong password: %v", err)
	}
	if err := svc.DisableTOTP(ctx, auth.DisableTOTPInput{UserID: u.ID, Password: password, Code: "123456"}); !errors.As(err, &ve) || ve.Field != "code" {
		t.Errorf("disable with a wrong code: %v", err)
	}
	if err := svc.DisableTOTP(ctx, auth.DisableTOTPInput{UserID: u.ID, Password: password, Code: codes[1]}); err != nil {
		t.Fatalf("disable: %v", err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password}); err != nil {
		t.Errorf("login after disabling: %v", err)
	}
	if status, err := svc.TOTPStatus(ctx, u); err != nil || status.Enabled || status.Pending != nil {
		t.Errorf("status after disabling: %+v %v", status, err)
	}

	// A pending enrolment can be dropped; an enabled one only with DisableTOTP.
	if _, err := svc.BeginTOTP(ctx, u); err != nil {
		t.Fatal(err)
	}
	if status, _ := svc.TOTPStatus(ctx, u); status.Pending == nil {
		t.Error("no pending enrolment shown")
	}
	if err := svc.CancelTOTP(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmTOTP(ctx, u, "123456"); !errors.Is(err, auth.ErrNoTOTPSetup) {
		t.Errorf("confirm after cancel: %v", err)
	}
}

func TestUpdateProfile(t *testing.T) {
	svc, _, st := newService(t)
	ctx := context.Background()
	u, _ := st.UserByEmail(ctx, email)
	if _, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "other@example.com", Password: password, Role: auth.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	base := auth.Profile{Name: "Olga Owner", Email: email, Locale: "fr", TimeZone: "Europe/Paris"}
	if err := svc.UpdateProfile(ctx, auth.ProfileInput{UserID: u.ID, Profile: base}); err != nil {
		t.Fatalf("same e-mail, no password: %v", err)
	}
	got, _ := st.UserByID(ctx, u.ID)
	if got.Name != "Olga Owner" || got.Locale != "fr" || got.TimeZone != "Europe/Paris" {
		t.Errorf("stored %+v", got)
	}
	with := func(edit func(*auth.Profile), current string) error {
		p := base
		edit(&p)
		return svc.UpdateProfile(ctx, auth.ProfileInput{UserID: u.ID, Profile: p, CurrentPassword: current})
	}
	tests := []struct {
		name    string
		edit    func(*auth.Profile)
		current string
		field   string
	}{
		{"bad time zone", func(p *auth.Profile) { p.TimeZone = "Mars/Olympus" }, "", "time_zone"},
		{"Local is not a zone", func(p *auth.Profile) { p.TimeZone = "Local" }, "", "time_zone"},
		{"long name", func(p *auth.Profile) { p.Name = strings.Repeat("n", 101) }, "", "name"},
		{"bad e-mail", func(p *auth.Profile) { p.Email = "nope" }, password, "email"},
		{"new e-mail without password", func(p *auth.Profile) { p.Email = "new@example.com" }, "", "current_password"},
		{"new e-mail, wrong password", func(p *auth.Profile) { p.Email = "new@example.com" }, "wrong password", "current_password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *auth.ValidationError
			if err := with(tt.edit, tt.current); !errors.As(err, &ve) || ve.Field != tt.field {
				t.Errorf("error %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	if err := with(func(p *auth.Profile) { p.Email = "Other@example.com" }, password); !errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("e-mail taken: %v", err)
	}
	if err := with(func(p *auth.Profile) { p.Email = "new@example.com"; p.TimeZone = "" }, password); err != nil {
		t.Fatalf("new e-mail: %v", err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: "new@example.com", Password: password}); err != nil {
		t.Errorf("login with the new e-mail: %v", err)
	}
}

func TestChangePasswordAndOtherSessions(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	login := func(pw string) string {
		t.Helper()
		token, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	here, elsewhere, third := login(password), login(password), login(password)
	id, err := svc.Authenticate(ctx, here)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.OtherSessions(ctx, id); err != nil || n != 2 {
		t.Fatalf("other sessions: %d %v", n, err)
	}
	var ve *auth.ValidationError
	in := auth.ChangePasswordInput{UserID: id.User.ID, SessionID: id.Session.ID, CurrentPassword: "wrong password", NewPassword: "a brand new password"}
	if _, err := svc.ChangePassword(ctx, in); !errors.As(err, &ve) || ve.Field != "current_password" {
		t.Fatalf("wrong current password: %v", err)
	}
	in.CurrentPassword, in.NewPassword = password, "short"
	if _, err := svc.ChangePassword(ctx, in); !errors.As(err, &ve) || ve.Field != "new_password" {
		t.Fatalf("short new password: %v", err)
	}
	in.NewPassword = "a brand new password"
	if n, err := svc.ChangePassword(ctx, in); err != nil || n != 2 {
		t.Fatalf("change: %d %v", n, err)
	}
	if _, err := svc.Authenticate(ctx, here); err != nil {
		t.Errorf("this session ended: %v", err)
	}
	for _, other := range []string{elsewhere, third} {
		if _, err := svc.Authenticate(ctx, other); !errors.Is(err, auth.ErrSessionInvalid) {
			t.Errorf("other session survived: %v", err)
		}
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Errorf("old password: %v", err)
	}

	other := login("a brand new password")
	if n, err := svc.LogoutOtherSessions(ctx, id); err != nil || n != 1 {
		t.Fatalf("log out others: %d %v", n, err)
	}
	if _, err := svc.Authenticate(ctx, other); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Errorf("other session survived: %v", err)
	}
	if n, err := svc.OtherSessions(ctx, id); err != nil || n != 0 {
		t.Errorf("other sessions after: %d %v", n, err)
	}
}

// New recovery codes replace the old ones, with the password and a code.
func TestRegenerateRecoveryCodes(t *testing.T) {
	svc, clk, st := newService(t)
	ctx := context.Background()
	u, _ := st.UserByEmail(ctx, email)
	if _, err := svc.RegenerateRecoveryCodes(ctx, auth.DisableTOTPInput{UserID: u.ID, Password: password, Code: "123456"}); err == nil {
		t.Error("new codes without two-factor login on")
	}
	secret, old := enrol(t, svc, clk, u)
	clk.Advance(auth.TOTPPeriod)
	var ve *auth.ValidationError
	if _, err := svc.RegenerateRecoveryCodes(ctx, auth.DisableTOTPInput{UserID: u.ID, Password: "wrong password", Code: old[0]}); !errors.As(err, &ve) || ve.Field != "current_password" {
		t.Errorf("with a wrong password: %v", err)
	}
	codes, err := svc.RegenerateRecoveryCodes(ctx, auth.DisableTOTPInput{UserID: u.ID, Password: password, Code: auth.TOTPCode(secret, clk.Now())})
	if err != nil || len(codes) != auth.RecoveryCodeCount || codes[0] == old[0] {
		t.Fatalf("new codes %v, %v", codes, err)
	}
	if status, _ := svc.TOTPStatus(ctx, u); status.RecoveryCodesLeft != auth.RecoveryCodeCount {
		t.Errorf("%d codes left", status.RecoveryCodesLeft)
	}
	if _, _, err := svc.LoginSecondFactor(ctx, auth.SecondFactorInput{Pending: pending(t, svc), Code: old[1]}); !errors.Is(err, auth.ErrInvalidCode) {
		t.Errorf("an old recovery code still works: %v", err)
	}
	if _, _, err := svc.LoginSecondFactor(ctx, auth.SecondFactorInput{Pending: pending(t, svc), Code: codes[1]}); err != nil {
		t.Errorf("a new recovery code: %v", err)
	}
}
