package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Store is the persistence the service needs; *store.Store implements it. Lookups of a missing
// row return an error for which IsNotFound is true.
type Store interface {
	CountUsers(ctx context.Context) (int, error)
	// CreateFirstUser creates org and u (owner, instance admin) unless any user exists, in
	// which case it returns ErrSetupDone. It is atomic: two concurrent setups create one user.
	CreateFirstUser(ctx context.Context, org Organization, u User) (User, Organization, error)
	CreateUser(ctx context.Context, u User, orgID int64, role Role) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	UpdatePasswordHash(ctx context.Context, userID int64, hash string, now time.Time) error
	UpdateUserLocale(ctx context.Context, userID int64, locale string, now time.Time) error
	Organizations(ctx context.Context) ([]Organization, error)
	OrganizationBySlug(ctx context.Context, slug string) (Organization, error)
	MembershipsOfUser(ctx context.Context, userID int64) ([]Membership, error)

	// CreateSession inserts s and, in the same transaction, deletes the session whose token
	// hash is replaces (if any): logging in always yields a new session id.
	CreateSession(ctx context.Context, s Session, replaces []byte) (Session, error)
	SessionByTokenHash(ctx context.Context, hash []byte) (Session, error)
	TouchSession(ctx context.Context, id int64, now time.Time) error
	DeleteSessionByTokenHash(ctx context.Context, hash []byte) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int64, error)

	CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error)
	// APITokenByHash returns a token with its creator's current role in the token's
	// organization ("" when the creator is not a member, or when there is none).
	APITokenByHash(ctx context.Context, hash []byte) (APIToken, Role, error)
	TouchAPIToken(ctx context.Context, id int64, now time.Time) error
	// APITokens lists the tokens of orgID with an id above afterID, by id, created in
	// [from, to) (zero: unbounded), at most limit.
	APITokens(ctx context.Context, orgID, afterID int64, from, to time.Time, limit int) ([]APIToken, error)
	// RevokeAPIToken revokes a token of orgID (keeping an earlier revocation time) and
	// returns it.
	RevokeAPIToken(ctx context.Context, orgID, id int64, now time.Time) (APIToken, error)

	// EnsureSetting stores value under key unless the key exists, and returns the stored value.
	EnsureSetting(ctx context.Context, key string, value []byte) ([]byte, error)
}

// IsNotFound reports whether err means a missing row (store.ErrNotFound implements NotFound).
func IsNotFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.As(err, &nf) && nf.NotFound()
}

// Options tunes the service; zero values take the defaults.
type Options struct {
	SessionIdleTimeout time.Duration // default 7 days
	SessionLifetime    time.Duration // default 30 days
	Now                func() time.Time
	Logger             *slog.Logger
}

// Service is the single place where credentials are checked and sessions and tokens made.
type Service struct {
	store       Store
	idle        time.Duration
	lifetime    time.Duration
	now         func() time.Time
	log         *slog.Logger
	csrfKey     []byte
	perAccount  *throttle
	perAddress  *throttle
	dummyHash   string
	touchWindow time.Duration
}

// Login throttling: 5 failures per account or 20 per address within 15 minutes lock that
// account or address until the oldest counted failure is 15 minutes old.
const (
	accountFailureLimit = 5
	addressFailureLimit = 20
	failureWindow       = 15 * time.Minute
	maxThrottleKeys     = 100_000
)

// New builds the service. It loads (or creates, on first start) the instance's CSRF key.
func New(ctx context.Context, st Store, opts Options) (*Service, error) {
	if opts.SessionIdleTimeout <= 0 {
		opts.SessionIdleTimeout = 7 * 24 * time.Hour
	}
	if opts.SessionLifetime <= 0 {
		opts.SessionLifetime = 30 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	key, err := st.EnsureSetting(ctx, "csrf_key", randomBytes(32))
	if err != nil {
		return nil, fmt.Errorf("auth: csrf key: %w", err)
	}
	// A real hash to compare against when the e-mail is unknown, so a failed login takes the
	// same time whether or not the account exists.
	dummy, err := HashPassword(base64.RawURLEncoding.EncodeToString(randomBytes(16)))
	if err != nil {
		return nil, err
	}
	return &Service{
		store:       st,
		idle:        opts.SessionIdleTimeout,
		lifetime:    opts.SessionLifetime,
		now:         opts.Now,
		log:         opts.Logger,
		csrfKey:     key,
		perAccount:  newThrottle(accountFailureLimit, failureWindow, maxThrottleKeys),
		perAddress:  newThrottle(addressFailureLimit, failureWindow, maxThrottleKeys),
		dummyHash:   dummy,
		touchWindow: time.Minute,
	}, nil
}

// NeedsSetup reports whether no user exists yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	return n == 0, nil
}

// SetupInput is the first-run form.
type SetupInput struct {
	Email    string
	Password string
	OrgName  string
}

// Setup creates the first organization and its owner, who is also the instance admin.
func (s *Service) Setup(ctx context.Context, in SetupInput) (User, error) {
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	if err := ValidatePassword(in.Password); err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(in.OrgName)
	if name == "" {
		name = "My organization"
	}
	if len(name) > 100 {
		return User{}, &ValidationError{Field: "org_name", Message: "must be at most 100 characters"}
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	org := Organization{Slug: Slugify(name), Name: name, CreatedAt: now}
	u := User{Email: email, PasswordHash: hash, IsInstanceAdmin: true, CreatedAt: now, UpdatedAt: now}
	u, _, err = s.store.CreateFirstUser(ctx, org, u)
	if err != nil {
		return User{}, err
	}
	s.log.Info("first user created", "user_id", u.ID)
	return u, nil
}

// CreateUserInput is what the CLI (and later the members page) gives to create a user.
type CreateUserInput struct {
	Email    string
	Password string
	OrgSlug  string // "" = the first organization
	Role     Role   // "" = owner
}

// CreateUser adds a user to an organization. With no organization yet it behaves like Setup.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (User, error) {
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	if err := ValidatePassword(in.Password); err != nil {
		return User{}, err
	}
	if in.Role == "" {
		in.Role = RoleOwner
	}
	if !in.Role.Valid() {
		return User{}, &ValidationError{Field: "role", Message: "must be owner, admin, editor or viewer"}
	}
	setup, err := s.NeedsSetup(ctx)
	if err != nil {
		return User{}, err
	}
	if setup {
		return s.Setup(ctx, SetupInput{Email: email, Password: in.Password})
	}
	var org Organization
	if in.OrgSlug == "" {
		orgs, err := s.store.Organizations(ctx)
		if err != nil {
			return User{}, err
		}
		if len(orgs) == 0 {
			return User{}, errors.New("auth: users exist but no organization does")
		}
		org = orgs[0]
	} else if org, err = s.store.OrganizationBySlug(ctx, in.OrgSlug); err != nil {
		if IsNotFound(err) {
			return User{}, &ValidationError{Field: "org", Message: fmt.Sprintf("no organization %q", in.OrgSlug)}
		}
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	return s.store.CreateUser(ctx, User{Email: email, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}, org.ID, in.Role)
}

// SetPassword changes a user's password and logs out all their sessions.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, strings.TrimSpace(email))
	if err != nil {
		if IsNotFound(err) {
			return &ValidationError{Field: "email", Message: fmt.Sprintf("no user with e-mail %q", email)}
		}
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.UpdatePasswordHash(ctx, u.ID, hash, s.now()); err != nil {
		return err
	}
	return s.store.DeleteUserSessions(ctx, u.ID)
}

// SetLocale stores the user's language ("" follows the browser).
func (s *Service) SetLocale(ctx context.Context, userID int64, locale string) error {
	return s.store.UpdateUserLocale(ctx, userID, locale, s.now())
}

// LoginInput carries a login attempt and where it came from.
type LoginInput struct {
	Email     string
	Password  string
	IP        string
	UserAgent string
	// PreviousToken is the session cookie the browser sent, if any; that session is deleted.
	PreviousToken string
}

// Login checks credentials and opens a new session. It returns the session's secret token
// (for the cookie), or ErrInvalidCredentials, or *ThrottledError, or, for a user with
// two-factor login on, *SecondFactorRequired (and no session: LoginSecondFactor opens it).
func (s *Service) Login(ctx context.Context, in LoginInput) (string, Session, error) {
	now := s.now()
	account := accountKey(in.Email)
	address := "address:" + in.IP
	if wait := max(s.perAccount.retryAfter(account, now), s.perAddress.retryAfter(address, now)); wait > 0 {
		return "", Session{}, &ThrottledError{RetryAfter: wait}
	}
	u, err := s.store.UserByEmail(ctx, strings.TrimSpace(in.Email))
	hash := u.PasswordHash
	if err != nil {
		if !IsNotFound(err) {
			return "", Session{}, err
		}
		hash = s.dummyHash
	}
	ok, cerr := CheckPassword(hash, in.Password)
	if cerr != nil {
		return "", Session{}, cerr
	}
	if err != nil || !ok {
		s.perAccount.fail(account, now)
		s.perAddress.fail(address, now)
		return "", Session{}, ErrInvalidCredentials
	}
	if !u.TOTPEnabledAt.IsZero() {
		// The account's failures are forgotten only after the second factor, or the
		// password would buy fresh guesses at the code.
		expires := now.Add(PendingLoginLifetime)
		return "", Session{}, &SecondFactorRequired{Pending: s.pendingToken(u, expires), ExpiresAt: expires}
	}
	s.perAccount.reset(account)
	return s.openSession(ctx, u, in.IP, in.UserAgent, in.PreviousToken)
}

// openSession opens a session of u (once its credentials were checked) in its first
// organization, replacing the session of previousToken if any.
func (s *Service) openSession(ctx context.Context, u User, ip, userAgent, previousToken string) (string, Session, error) {
	memberships, err := s.store.MembershipsOfUser(ctx, u.ID)
	if err != nil {
		return "", Session{}, err
	}
	if len(memberships) == 0 {
		return "", Session{}, ErrInvalidCredentials
	}
	now := s.now()
	token := newSecret("")
	sess := Session{
		TokenHash:  hashSecret(token),
		UserID:     u.ID,
		OrgID:      memberships[0].OrgID,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.lifetime),
		IP:         ip,
		UserAgent:  truncate(userAgent, 256),
	}
	var replaces []byte
	if previousToken != "" {
		replaces = hashSecret(previousToken)
	}
	sess, err = s.store.CreateSession(ctx, sess, replaces)
	if err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// Identity is who a valid session belongs to.
type Identity struct {
	Session     Session
	User        User
	Memberships []Membership
}

// Org is the membership of the session's current organization.
func (id Identity) Org() Membership {
	for _, m := range id.Memberships {
		if m.OrgID == id.Session.OrgID {
			return m
		}
	}
	return Membership{}
}

// Authenticate resolves a session token, enforcing idle and absolute expiry.
func (s *Service) Authenticate(ctx context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, ErrSessionInvalid
	}
	sess, err := s.store.SessionByTokenHash(ctx, hashSecret(token))
	if err != nil {
		if IsNotFound(err) {
			return Identity{}, ErrSessionInvalid
		}
		return Identity{}, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.idle {
		if err := s.store.DeleteSessionByTokenHash(ctx, sess.TokenHash); err != nil {
			s.log.Warn("delete expired session", "err", err)
		}
		return Identity{}, ErrSessionInvalid
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		if IsNotFound(err) {
			return Identity{}, ErrSessionInvalid
		}
		return Identity{}, err
	}
	memberships, err := s.store.MembershipsOfUser(ctx, u.ID)
	if err != nil {
		return Identity{}, err
	}
	// Recording activity costs a write; once a minute per session is precise enough for a
	// 7-day idle timeout.
	if now.Sub(sess.LastSeenAt) >= s.touchWindow {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return Identity{}, err
		}
		sess.LastSeenAt = now
	}
	return Identity{Session: sess, User: u, Memberships: memberships}, nil
}

// Logout ends the session with this token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSessionByTokenHash(ctx, hashSecret(token))
}

// PruneSessions deletes idle and expired sessions.
func (s *Service) PruneSessions(ctx context.Context) (int64, error) {
	now := s.now()
	return s.store.DeleteExpiredSessions(ctx, now.Add(-s.idle), now)
}

// CreateAPITokenInput describes a new API token.
type CreateAPITokenInput struct {
	OrgID   int64  // the token's organization; 0: OrgSlug says
	OrgSlug string // used when OrgID is 0; "" = the first organization
	Name    string
	Scope   Scope // "" = write
	// Role is what the token may do; "" = CreatorRole, or owner from the CLI. It may not
	// exceed CreatorRole (the role of the member or token creating it; "" from the CLI).
	Role        Role
	CreatorRole Role
	ExpiresAt   time.Time
	CreatedBy   int64
}

// CreateAPIToken stores a new token and returns its secret, which is shown once and never
// stored.
func (s *Service) CreateAPIToken(ctx context.Context, in CreateAPITokenInput) (string, APIToken, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 100 {
		return "", APIToken{}, &ValidationError{Field: "name", Message: "is required, at most 100 characters"}
	}
	if in.Scope == "" {
		in.Scope = ScopeWrite
	}
	if !in.Scope.Valid() {
		return "", APIToken{}, &ValidationError{Field: "scope", Message: "must be read or write"}
	}
	if in.Role == "" {
		in.Role = RoleOwner
		if in.CreatorRole != "" {
			in.Role = in.CreatorRole
		}
	}
	if !in.Role.Valid() {
		return "", APIToken{}, &ValidationError{Field: "role", Message: "must be owner, admin, editor or viewer"}
	}
	if in.CreatorRole != "" && !in.CreatorRole.AtLeast(in.Role) {
		return "", APIToken{}, &ValidationError{Field: "role", Message: "may not exceed your own role (" + string(in.CreatorRole) + ")"}
	}
	now := s.now()
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(now) {
		return "", APIToken{}, &ValidationError{Field: "expires", Message: "must be in the future"}
	}
	var org Organization
	var err error
	switch {
	case in.OrgID != 0:
		org.ID = in.OrgID // a token made through the API, for the caller's organization
	case in.OrgSlug == "":
		orgs, err := s.store.Organizations(ctx)
		if err != nil {
			return "", APIToken{}, err
		}
		if len(orgs) == 0 {
			return "", APIToken{}, &ValidationError{Field: "org", Message: "no organization yet: create the first user first"}
		}
		org = orgs[0]
	default:
		if org, err = s.store.OrganizationBySlug(ctx, in.OrgSlug); err != nil {
			if IsNotFound(err) {
				return "", APIToken{}, &ValidationError{Field: "org", Message: fmt.Sprintf("no organization %q", in.OrgSlug)}
			}
			return "", APIToken{}, err
		}
	}
	secret := newSecret(apiTokenPrefix)
	t := APIToken{
		OrgID:     org.ID,
		Name:      name,
		Prefix:    secret[:len(apiTokenPrefix)+6],
		TokenHash: hashSecret(secret),
		Scope:     in.Scope,
		Role:      in.Role,
		CreatedBy: in.CreatedBy,
		CreatedAt: now,
		ExpiresAt: in.ExpiresAt,
	}
	t, err = s.store.CreateAPIToken(ctx, t)
	if err != nil {
		return "", APIToken{}, err
	}
	return secret, t, nil
}

// VerifyAPIToken resolves a bearer token to its record, refusing revoked and expired tokens.
func (s *Service) VerifyAPIToken(ctx context.Context, secret string) (APIToken, error) {
	if !strings.HasPrefix(secret, apiTokenPrefix) {
		return APIToken{}, ErrTokenInvalid
	}
	t, creatorRole, err := s.store.APITokenByHash(ctx, hashSecret(secret))
	if err != nil {
		if IsNotFound(err) {
			return APIToken{}, ErrTokenInvalid
		}
		return APIToken{}, err
	}
	now := s.now()
	if !t.RevokedAt.IsZero() || (!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return APIToken{}, ErrTokenInvalid
	}
	// A token never does more than the member who made it may do now: demoted, the
	// token is too; gone from the organization, it is void.
	if t.CreatedBy != 0 {
		if creatorRole == "" {
			return APIToken{}, ErrTokenInvalid
		}
		t.Role = t.Role.Min(creatorRole)
	}
	if now.Sub(t.LastUsedAt) >= s.touchWindow {
		if err := s.store.TouchAPIToken(ctx, t.ID, now); err != nil {
			return APIToken{}, err
		}
		t.LastUsedAt = now
	}
	return t, nil
}

// ListAPITokens returns a page of the API tokens of org (revoked and expired ones too), by
// id, after the token afterID, created in [from, to) (zero: unbounded). Their secrets are
// not stored, so not returned.
func (s *Service) ListAPITokens(ctx context.Context, orgID, afterID int64, from, to time.Time, limit int) ([]APIToken, error) {
	return s.store.APITokens(ctx, orgID, afterID, from, to, limit)
}

// RevokeAPIToken revokes a token of org at once: its next call is refused. Revoking it again
// changes nothing. A missing token gives an error for which IsNotFound is true.
func (s *Service) RevokeAPIToken(ctx context.Context, orgID, id int64) (APIToken, error) {
	t, err := s.store.RevokeAPIToken(ctx, orgID, id, s.now())
	if err != nil {
		return APIToken{}, err
	}
	s.log.Info("api token revoked", "token_id", t.ID, "org_id", orgID)
	return t, nil
}

// CSRFToken returns the token forms must carry. binding ties it to one browser: the session
// token for logged-in users, an anonymous cookie value before login.
func (s *Service) CSRFToken(binding string) string {
	mac := hmac.New(sha256.New, s.csrfKey)
	mac.Write([]byte("csrf\x00"))
	mac.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CheckCSRF verifies a submitted token against its binding in constant time.
func (s *Service) CheckCSRF(binding, token string) error {
	if binding == "" || token == "" || !hmac.Equal([]byte(s.CSRFToken(binding)), []byte(token)) {
		return ErrCSRF
	}
	return nil
}

// NewSecret returns a random URL-safe secret for one-time links and cookies.
func NewSecret() string { return newSecret("") }

// apiTokenPrefix marks API tokens so secret scanners can find leaked ones.
const apiTokenPrefix = "st_"

func newSecret(prefix string) string {
	return prefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error()) // crypto/rand never fails on Linux
	}
	return b
}

func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func normalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", &ValidationError{Field: "email", Message: "must be a valid e-mail address"}
	}
	return email, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns a name into a lowercase URL segment ("Acme Inc." -> "acme-inc").
func Slugify(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		return "org"
	}
	return s
}

// SessionLifetime is the absolute lifetime of a session (the cookie's Max-Age).
func (s *Service) SessionLifetime() time.Duration { return s.lifetime }
