package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"statusthing/app/auth"
	"statusthing/store"
)

// clock is a settable time source shared by the service under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	email    = "owner@example.com"
	password = "a long enough password"
)

// newService returns a service on a real, migrated SQLite file with one owner.
func newService(t *testing.T) (*auth.Service, *clock, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "st.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	svc, err := auth.New(ctx, st, auth.Options{SessionIdleTimeout: time.Hour, SessionLifetime: 24 * time.Hour, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Setup(ctx, auth.SetupInput{Email: email, Password: password, OrgName: "Acme"}); err != nil {
		t.Fatal(err)
	}
	return svc, clk, st
}

func TestPasswordHash(t *testing.T) {
	hash, err := auth.HashPassword("s3cret passphrase")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		hash     string
		password string
		ok       bool
		wantErr  bool
	}{
		{"right password", hash, "s3cret passphrase", true, false},
		{"wrong password", hash, "s3cret passphrasE", false, false},
		{"empty password", hash, "", false, false},
		{"not a PHC string", "plaintext", "plaintext", false, true},
		{"bcrypt is not argon2id", "$2a$10$abcdefghijklmnopqrstuu", "x", false, true},
		{"bad parameters", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$a2V5", "x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(tt.hash, tt.password)
			if ok != tt.ok || (err != nil) != tt.wantErr {
				t.Errorf("CheckPassword = %v, %v; want %v, err %v", ok, err, tt.ok, tt.wantErr)
			}
		})
	}
	other, _ := auth.HashPassword("s3cret passphrase")
	if other == hash {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestLoginAndSessionExpiry(t *testing.T) {
	svc, clk, _ := newService(t)
	ctx := context.Background()

	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: "wrong password", IP: "192.0.2.1"}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: "ghost@example.com", Password: password, IP: "192.0.2.1"}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	token, _, err := svc.Login(ctx, auth.LoginInput{Email: "OWNER@example.com", Password: password, IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("login (e-mail case-insensitive): %v", err)
	}
	id, err := svc.Authenticate(ctx, token)
	if err != nil || id.User.Email != email || id.Org().Role != auth.RoleOwner || id.Org().OrgName != "Acme" {
		t.Fatalf("authenticate: %+v %v", id, err)
	}

	// Activity keeps the session alive past the idle timeout...
	for range 5 {
		clk.Advance(50 * time.Minute)
		if _, err := svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("active session expired: %v", err)
		}
	}
	// ...but not idleness.
	clk.Advance(61 * time.Minute)
	if _, err := svc.Authenticate(ctx, token); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Fatalf("idle session: %v", err)
	}

	// The absolute lifetime ends even an active session.
	token, _, err = svc.Login(ctx, auth.LoginInput{Email: email, Password: password, IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	for range 26 { // 23h50m of activity
		clk.Advance(55 * time.Minute)
		if _, err := svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("active session ended before its lifetime: %v", err)
		}
	}
	clk.Advance(15 * time.Minute) // 24h05m after login, 15 minutes after the last request
	if _, err := svc.Authenticate(ctx, token); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Fatalf("session older than its lifetime: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "made-up"); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Fatalf("made-up token: %v", err)
	}
}

func TestLoginReplacesPreviousSession(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	first, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password, PreviousToken: first})
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Fatal("login reused the session token")
	}
	if _, err := svc.Authenticate(ctx, first); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Errorf("replaced session still valid: %v", err)
	}
	if _, err := svc.Authenticate(ctx, second); err != nil {
		t.Errorf("new session: %v", err)
	}
}

func TestLoginThrottle(t *testing.T) {
	svc, clk, _ := newService(t)
	ctx := context.Background()
	attempt := func(mail, pw, ip string) error {
		_, _, err := svc.Login(ctx, auth.LoginInput{Email: mail, Password: pw, IP: ip})
		return err
	}
	for i := range 5 {
		if err := attempt(email, "wrong", "192.0.2.1"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
		clk.Advance(time.Minute)
	}
	var throttled *auth.ThrottledError
	// Locked per account: the right password from another address is refused too.
	if err := attempt(email, password, "198.51.100.7"); !errors.As(err, &throttled) {
		t.Fatalf("6th attempt: %v", err)
	}
	if throttled.RetryAfter <= 0 || throttled.RetryAfter > 15*time.Minute {
		t.Errorf("RetryAfter = %s", throttled.RetryAfter)
	}
	clk.Advance(throttled.RetryAfter)
	if err := attempt(email, password, "198.51.100.7"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	// Per address: many accounts from one address.
	for i := range 20 {
		_ = attempt("user"+string(rune('a'+i))+"@example.com", "wrong", "203.0.113.5")
	}
	if err := attempt(email, password, "203.0.113.5"); !errors.As(err, &throttled) {
		t.Fatalf("address not throttled: %v", err)
	}
	if err := attempt(email, password, "203.0.113.6"); err != nil {
		t.Fatalf("other address throttled: %v", err)
	}
}

func TestCSRFToken(t *testing.T) {
	svc, _, _ := newService(t)
	tok := svc.CSRFToken("session-a")
	tests := []struct {
		name, binding, token string
		ok                   bool
	}{
		{"matching", "session-a", tok, true},
		{"other binding", "session-b", tok, false},
		{"missing token", "session-a", "", false},
		{"missing binding", "", tok, false},
		{"forged", "session-a", "AAAA" + tok[4:], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := svc.CheckCSRF(tt.binding, tt.token); (err == nil) != tt.ok {
				t.Errorf("CheckCSRF = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestCSRFKeySurvivesRestart(t *testing.T) {
	svc, _, st := newService(t)
	again, err := auth.New(context.Background(), st, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.CSRFToken("x") != again.CSRFToken("x") {
		t.Error("CSRF key changed between two starts: open forms would break on every restart")
	}
}

func TestAPITokens(t *testing.T) {
	svc, clk, _ := newService(t)
	ctx := context.Background()
	secret, tok, err := svc.CreateAPIToken(ctx, auth.CreateAPITokenInput{Name: "ci", Scope: auth.ScopeRead, ExpiresAt: clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 40 || secret[:3] != "st_" || tok.Prefix != secret[:len(tok.Prefix)] {
		t.Fatalf("secret %q prefix %q", secret, tok.Prefix)
	}
	got, err := svc.VerifyAPIToken(ctx, secret)
	if err != nil || got.ID != tok.ID || got.Scope != auth.ScopeRead || got.LastUsedAt.IsZero() {
		t.Fatalf("verify: %+v %v", got, err)
	}
	for _, bad := range []string{"", "st_", secret + "x", "xx" + secret[2:]} {
		if _, err := svc.VerifyAPIToken(ctx, bad); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	clk.Advance(time.Hour)
	if _, err := svc.VerifyAPIToken(ctx, secret); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("expired token accepted: %v", err)
	}

	var ve *auth.ValidationError
	for _, in := range []auth.CreateAPITokenInput{
		{Name: ""},
		{Name: "x", Scope: "admin"},
		{Name: "x", ExpiresAt: clk.Now().Add(-time.Minute)},
		{Name: "x", OrgSlug: "no-such-org"},
	} {
		if _, _, err := svc.CreateAPIToken(ctx, in); !errors.As(err, &ve) {
			t.Errorf("%+v: %v, want a validation error", in, err)
		}
	}
}

func TestListAndRevokeAPITokens(t *testing.T) {
	svc, clk, _ := newService(t)
	ctx := context.Background()
	secret, tok, err := svc.CreateAPIToken(ctx, auth.CreateAPITokenInput{Name: "ci", Scope: auth.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	// A token made for an organization by id (the API's own token creation).
	_, byID, err := svc.CreateAPIToken(ctx, auth.CreateAPITokenInput{OrgID: tok.OrgID, Name: "bot", Scope: auth.ScopeRead})
	if err != nil || byID.OrgID != tok.OrgID {
		t.Fatalf("create by org id: %+v %v", byID, err)
	}
	list, err := svc.ListAPITokens(ctx, tok.OrgID, 0, time.Time{}, time.Time{}, 10)
	if err != nil || len(list) != 2 || list[0].ID != tok.ID || list[1].ID != byID.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	clk.Advance(time.Minute)
	revoked, err := svc.RevokeAPIToken(ctx, tok.OrgID, tok.ID)
	if err != nil || !revoked.RevokedAt.Equal(clk.Now()) {
		t.Fatalf("revoke: %+v %v", revoked, err)
	}
	if _, err := svc.VerifyAPIToken(ctx, secret); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("revoked token accepted: %v", err)
	}
	if _, err := svc.RevokeAPIToken(ctx, tok.OrgID+1, byID.ID); !auth.IsNotFound(err) {
		t.Errorf("revoking in another organization: %v", err)
	}
}

func TestSetupOnlyOnce(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "st.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := auth.New(ctx, st, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent setups: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Setup(ctx, auth.SetupInput{Email: "u" + string(rune('a'+i)) + "@example.com", Password: password})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, auth.ErrSetupDone):
			t.Errorf("setup: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d setups succeeded, want 1", won)
	}
	if n, _ := st.CountUsers(ctx); n != 1 {
		t.Fatalf("%d users", n)
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	token, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	var ve *auth.ValidationError
	if err := svc.SetPassword(ctx, email, "short"); !errors.As(err, &ve) {
		t.Fatalf("short password: %v", err)
	}
	if err := svc.SetPassword(ctx, email, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, token); !errors.Is(err, auth.ErrSessionInvalid) {
		t.Errorf("session survived a password change: %v", err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: password}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Errorf("old password still works: %v", err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: "a brand new password"}); err != nil {
		t.Errorf("new password: %v", err)
	}
	if err := svc.SetPassword(ctx, "ghost@example.com", "a brand new password"); !errors.As(err, &ve) {
		t.Errorf("unknown user: %v", err)
	}
}

func TestCreateUserRoles(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "viewer@example.com", Password: password, Role: auth.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "Viewer@Example.com", Password: password}); !errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("duplicate e-mail: %v", err)
	}
	var ve *auth.ValidationError
	if _, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "x@example.com", Password: password, Role: "god"}); !errors.As(err, &ve) {
		t.Errorf("bad role: %v", err)
	}
	if _, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "x@example.com", Password: password, OrgSlug: "nope"}); !errors.As(err, &ve) {
		t.Errorf("bad org: %v", err)
	}
	token, _, err := svc.Login(ctx, auth.LoginInput{Email: "viewer@example.com", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	id, err := svc.Authenticate(ctx, token)
	if err != nil || id.Org().Role != auth.RoleViewer || id.User.IsInstanceAdmin {
		t.Errorf("viewer identity: %+v %v", id, err)
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{"Acme Inc.": "acme-inc", "  --  ": "org", "Ops/Team 2": "ops-team-2"}
	for in, want := range tests {
		if got := auth.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoleMatrix(t *testing.T) {
	want := map[auth.Role][]auth.Permission{
		auth.RoleViewer: {auth.PermRead, auth.PermRespond},
		auth.RoleEditor: {auth.PermRead, auth.PermRespond, auth.PermEdit},
		auth.RoleAdmin:  {auth.PermRead, auth.PermRespond, auth.PermEdit, auth.PermManage},
		auth.RoleOwner:  auth.Permissions(),
		"god":           nil,
	}
	for role, allowed := range want {
		for _, p := range auth.Permissions() {
			t.Run(string(role)+"/"+string(p), func(t *testing.T) {
				if got := role.Allows(p); got != slices.Contains(allowed, p) {
					t.Errorf("%s allows %s: %v", role, p, got)
				}
			})
		}
	}
	if auth.RoleOwner.Min(auth.RoleEditor) != auth.RoleEditor || auth.RoleViewer.Min(auth.RoleAdmin) != auth.RoleViewer {
		t.Error("Min")
	}
}
