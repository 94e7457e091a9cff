// Package auth holds users, organizations, sessions, API tokens, CSRF tokens and password
// hashing. It knows nothing of HTTP or SQL: app/web maps cookies and forms onto it and
// *store.Store satisfies its Store interface.
package auth

import (
	"errors"
	"time"
)

// Role is what a member may do in an organization.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleEditor, RoleViewer:
		return true
	}
	return false
}

// Scope limits what an API token may do.
type Scope string

// Token scopes.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// Organization is the tenant every user-managed row belongs to.
type Organization struct {
	ID        int64
	Slug      string
	Name      string
	CreatedAt time.Time
}

// User is a person who can log in.
type User struct {
	ID              int64
	Email           string
	Name            string
	PasswordHash    string
	Locale          string // "" follows the browser's Accept-Language
	IsInstanceAdmin bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Membership is a user's role in one organization.
type Membership struct {
	OrgID   int64
	OrgSlug string
	OrgName string
	UserID  int64
	Role    Role
}

// Session is a logged-in browser. Only the SHA-256 of its token is stored.
type Session struct {
	ID         int64
	TokenHash  []byte
	UserID     int64
	OrgID      int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry; idle expiry derives from LastSeenAt
	IP         string
	UserAgent  string
}

// APIToken authorizes API calls for one organization. Only the SHA-256 of the secret is stored.
type APIToken struct {
	ID         int64
	OrgID      int64
	Name       string
	Prefix     string // the secret's first characters, shown to tell tokens apart
	TokenHash  []byte
	Scope      Scope
	CreatedBy  int64 // 0: created from the CLI
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: active
}

// Errors returned by the service. Messages are safe to show to users.
var (
	ErrInvalidCredentials = errors.New("invalid e-mail or password")
	ErrSessionInvalid     = errors.New("session expired or invalid")
	ErrTokenInvalid       = errors.New("API token invalid, expired or revoked")
	ErrSetupDone          = errors.New("setup is already complete")
	ErrEmailTaken         = errors.New("a user with this e-mail already exists")
	ErrCSRF               = errors.New("invalid or missing CSRF token")
)

// ThrottledError is returned by Login while an account or address is locked out.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "too many failed logins; try again in " + e.RetryAfter.Round(time.Second).String()
}

// ValidationError names the form field whose value was refused.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }
