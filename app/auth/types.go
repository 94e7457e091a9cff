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

// rank orders roles: 0 for an unknown one.
func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// AtLeast reports whether r is o or more powerful (an unknown role is nothing).
func (r Role) AtLeast(o Role) bool { return r.rank() > 0 && r.rank() >= o.rank() }

// Min returns the less powerful of r and o: what a token made by a member may do.
func (r Role) Min(o Role) Role {
	if o.rank() < r.rank() {
		return o
	}
	return r
}

// Roles lists the roles from most to least powerful.
func Roles() []Role { return []Role{RoleOwner, RoleAdmin, RoleEditor, RoleViewer} }

// Permission is what an action needs: each admin route and API operation declares one.
type Permission string

// Permissions, from the least to the most demanding. The role matrix:
//
//	                  viewer  editor  admin  owner
//	PermRead            ✓       ✓       ✓      ✓   see everything of the organization
//	PermRespond         ✓       ✓       ✓      ✓   acknowledge and comment on incidents
//	PermEdit                    ✓       ✓      ✓   monitors, incidents, pages, channels, maintenance
//	PermManage                          ✓      ✓   members (not owners), invitations, the audit log
//	PermOwn                                    ✓   owners, deleting the organization
//
// PermInstance is apart: instance admins (a flag on the user, the first user has it),
// whatever their roles, create organizations and see the instance's health.
const (
	PermRead     Permission = "read"
	PermRespond  Permission = "respond"
	PermEdit     Permission = "edit"
	PermManage   Permission = "manage"
	PermOwn      Permission = "own"
	PermInstance Permission = "instance"
)

// Permissions lists them from the least to the most demanding.
func Permissions() []Permission {
	return []Permission{PermRead, PermRespond, PermEdit, PermManage, PermOwn}
}

// Allows reports whether a member with role r may do what p guards.
func (r Role) Allows(p Permission) bool {
	switch p {
	case PermRead, PermRespond:
		return r.AtLeast(RoleViewer)
	case PermEdit:
		return r.AtLeast(RoleEditor)
	case PermManage:
		return r.AtLeast(RoleAdmin)
	case PermOwn:
		return r.AtLeast(RoleOwner)
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
	TimeZone        string // IANA name; "" shows times in UTC
	IsInstanceAdmin bool
	// TOTPEnabledAt is when two-factor login was turned on; zero: off. The secret itself is
	// never part of a User (ProfileStore.TOTP reads it only to verify a code).
	TOTPEnabledAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
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
	ID        int64
	OrgID     int64
	Name      string
	Prefix    string // the secret's first characters, shown to tell tokens apart
	TokenHash []byte
	Scope     Scope
	// Role is what the token may do (Role.Allows); read-scoped tokens are limited to reads
	// besides. VerifyAPIToken lowers it to its creator's current role.
	Role       Role
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
