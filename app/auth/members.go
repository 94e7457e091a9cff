package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// InvitationLifetime is how long an invitation link works (once).
const InvitationLifetime = 7 * 24 * time.Hour

// Member is a user as a member of one organization.
type Member struct {
	UserID   int64
	Email    string
	Name     string
	Role     Role
	JoinedAt time.Time
}

// Invitation is a pending (or used, revoked, expired) invitation to an organization.
type Invitation struct {
	ID         int64
	OrgID      int64
	OrgName    string
	Email      string
	Role       Role
	TokenHash  []byte
	InvitedBy  int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt time.Time // zero until used
	RevokedAt  time.Time // zero unless revoked
}

// Pending reports whether the invitation can still be accepted at now.
func (i Invitation) Pending(now time.Time) bool {
	return i.AcceptedAt.IsZero() && i.RevokedAt.IsZero() && now.Before(i.ExpiresAt)
}

// MemberStore is the persistence of members and invitations; *store.Store satisfies it.
type MemberStore interface {
	Members(ctx context.Context, orgID int64) ([]Member, error)
	CreateInvitation(ctx context.Context, inv Invitation) (Invitation, error)
	Invitations(ctx context.Context, orgID int64) ([]Invitation, error)
	InvitationByTokenHash(ctx context.Context, hash []byte) (Invitation, error)
	RevokeInvitation(ctx context.Context, orgID, id int64, now time.Time) error
	// AcceptInvitation marks a pending invitation used and makes userID (or, with userID
	// 0, newUser, created) a member with the invitation's role, in one transaction;
	// ErrInvitationInvalid when it is no longer pending at now.
	AcceptInvitation(ctx context.Context, hash []byte, userID int64, newUser User, now time.Time) (User, Invitation, error)
	// SetMemberRole and RemoveMember refuse (ErrLastOwner) to leave an organization without
	// an owner. RemoveMember also ends the member's sessions in it and revokes the API
	// tokens they made there.
	SetMemberRole(ctx context.Context, orgID, userID int64, role Role) error
	RemoveMember(ctx context.Context, orgID, userID int64, now time.Time) error
	SetSessionOrg(ctx context.Context, sessionID, orgID int64) error
}

// Member errors; their messages are safe to show.
var (
	ErrInvitationInvalid = errors.New("this invitation is not valid: it was used, revoked or has expired")
	ErrLastOwner         = errors.New("an organization keeps at least one owner")
	ErrOwnersOnly        = errors.New("only an owner may make, change or remove owners")
	ErrAlreadyMember     = errors.New("this person is already a member")
	ErrNotMember         = errors.New("not a member of this organization")
	ErrLastOrganization  = errors.New("the instance keeps at least one organization")
	ErrNowhereToGo       = errors.New("this is your only organization: create or join another one first")
)

// CanGrant reports whether a member with role actor may give (or take away) role: owners
// anything, admins everything but owner, nobody else anything.
func (actor Role) CanGrant(role Role) bool {
	if role == RoleOwner {
		return actor.Allows(PermOwn)
	}
	return actor.Allows(PermManage)
}

func (s *Service) members() (MemberStore, error) {
	ms, ok := s.store.(MemberStore)
	if !ok {
		return nil, errors.New("auth: the store keeps no members")
	}
	return ms, nil
}

// Members lists the members of an organization.
func (s *Service) Members(ctx context.Context, orgID int64) ([]Member, error) {
	ms, err := s.members()
	if err != nil {
		return nil, err
	}
	return ms.Members(ctx, orgID)
}

// InviteInput is an invitation to make: by whom (their role bounds what they may grant).
type InviteInput struct {
	OrgID    int64
	Email    string
	Role     Role
	ByUserID int64
	ByRole   Role
}

// Invite creates an invitation and returns its secret token (for the link /invite/<token>,
// shown once: only its hash is stored).
func (s *Service) Invite(ctx context.Context, in InviteInput) (string, Invitation, error) {
	ms, err := s.members()
	if err != nil {
		return "", Invitation{}, err
	}
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return "", Invitation{}, err
	}
	if !in.Role.Valid() {
		return "", Invitation{}, &ValidationError{Field: "role", Message: "must be owner, admin, editor or viewer"}
	}
	if !in.ByRole.CanGrant(in.Role) {
		return "", Invitation{}, ErrOwnersOnly
	}
	members, err := ms.Members(ctx, in.OrgID)
	if err != nil {
		return "", Invitation{}, err
	}
	for _, m := range members {
		if strings.EqualFold(m.Email, email) {
			return "", Invitation{}, ErrAlreadyMember
		}
	}
	token := newSecret("inv_")
	now := s.now()
	inv, err := ms.CreateInvitation(ctx, Invitation{OrgID: in.OrgID, Email: email, Role: in.Role, TokenHash: hashSecret(token),
		InvitedBy: in.ByUserID, CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)})
	if err != nil {
		return "", Invitation{}, err
	}
	s.log.Info("invitation created", "org_id", in.OrgID, "invitation_id", inv.ID, "role", in.Role)
	return token, inv, nil
}

// Invitations lists an organization's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, orgID int64) ([]Invitation, error) {
	ms, err := s.members()
	if err != nil {
		return nil, err
	}
	return ms.Invitations(ctx, orgID)
}

// RevokeInvitation voids an invitation of an organization.
func (s *Service) RevokeInvitation(ctx context.Context, orgID, id int64) error {
	ms, err := s.members()
	if err != nil {
		return err
	}
	return ms.RevokeInvitation(ctx, orgID, id, s.now())
}

// PendingInvitation returns the invitation of a token if it can still be accepted.
func (s *Service) PendingInvitation(ctx context.Context, token string) (Invitation, error) {
	ms, err := s.members()
	if err != nil {
		return Invitation{}, err
	}
	inv, err := ms.InvitationByTokenHash(ctx, hashSecret(token))
	if IsNotFound(err) || (err == nil && !inv.Pending(s.now())) {
		return Invitation{}, ErrInvitationInvalid
	}
	return inv, err
}

// AcceptInput accepts an invitation: as a logged-in user (UserID), or as a new user with
// the invitation's e-mail and a password.
type AcceptInput struct {
	Token    string
	UserID   int64
	Name     string
	Password string
}

// AcceptInvitation uses an invitation once and returns the member.
func (s *Service) AcceptInvitation(ctx context.Context, in AcceptInput) (User, Invitation, error) {
	ms, err := s.members()
	if err != nil {
		return User{}, Invitation{}, err
	}
	var newUser User
	if in.UserID == 0 {
		if err := ValidatePassword(in.Password); err != nil {
			return User{}, Invitation{}, err
		}
		name := strings.TrimSpace(in.Name)
		if len(name) > 100 {
			return User{}, Invitation{}, &ValidationError{Field: "name", Message: "at most 100 characters"}
		}
		hash, err := HashPassword(in.Password)
		if err != nil {
			return User{}, Invitation{}, err
		}
		now := s.now()
		newUser = User{Name: name, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	}
	u, inv, err := ms.AcceptInvitation(ctx, hashSecret(in.Token), in.UserID, newUser, s.now())
	if err != nil {
		return User{}, Invitation{}, err
	}
	s.log.Info("invitation accepted", "org_id", inv.OrgID, "invitation_id", inv.ID, "user_id", u.ID)
	return u, inv, nil
}

// SetMemberRole changes a member's role, as a member with role by.
func (s *Service) SetMemberRole(ctx context.Context, orgID int64, by Role, userID int64, role Role) error {
	ms, err := s.members()
	if err != nil {
		return err
	}
	if !role.Valid() {
		return &ValidationError{Field: "role", Message: "must be owner, admin, editor or viewer"}
	}
	cur, err := s.memberRole(ctx, ms, orgID, userID)
	if err != nil {
		return err
	}
	if !by.CanGrant(cur) || !by.CanGrant(role) {
		return ErrOwnersOnly
	}
	return ms.SetMemberRole(ctx, orgID, userID, role)
}

// RemoveMember takes a member out of an organization, as a member with role by.
func (s *Service) RemoveMember(ctx context.Context, orgID int64, by Role, userID int64) error {
	ms, err := s.members()
	if err != nil {
		return err
	}
	cur, err := s.memberRole(ctx, ms, orgID, userID)
	if err != nil {
		return err
	}
	if !by.CanGrant(cur) {
		return ErrOwnersOnly
	}
	if err := ms.RemoveMember(ctx, orgID, userID, s.now()); err != nil {
		return err
	}
	s.log.Info("member removed", "org_id", orgID, "user_id", userID)
	return nil
}

func (s *Service) memberRole(ctx context.Context, ms MemberStore, orgID, userID int64) (Role, error) {
	members, err := ms.Members(ctx, orgID)
	if err != nil {
		return "", err
	}
	for _, m := range members {
		if m.UserID == userID {
			return m.Role, nil
		}
	}
	return "", ErrNotMember
}

// OrganizationStore creates organizations; *store.Store satisfies it.
type OrganizationStore interface {
	CreateOrganization(ctx context.Context, org Organization, ownerID int64) (Organization, error)
}

// CreateOrganization makes a new organization owned by userID (an instance admin's act;
// the caller checks that). The slug is derived from the name when empty, and suffixed
// until unique.
func (s *Service) CreateOrganization(ctx context.Context, name, slug string, ownerID int64) (Organization, error) {
	os, ok := s.store.(OrganizationStore)
	if !ok {
		return Organization{}, errors.New("auth: the store creates no organizations")
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return Organization{}, &ValidationError{Field: "name", Message: "is required, at most 100 characters"}
	}
	if slug = strings.TrimSpace(slug); slug == "" {
		slug = Slugify(name)
	}
	if !orgSlugRE.MatchString(slug) {
		return Organization{}, &ValidationError{Field: "slug", Message: "lower-case letters, digits and dashes, at most 40"}
	}
	org, err := os.CreateOrganization(ctx, Organization{Name: name, Slug: slug, CreatedAt: s.now()}, ownerID)
	if err != nil {
		return Organization{}, err
	}
	s.log.Info("organization created", "org_id", org.ID, "by_user_id", ownerID)
	return org, nil
}

var orgSlugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// SwitchOrganization moves a session to another organization of its user.
func (s *Service) SwitchOrganization(ctx context.Context, id Identity, orgID int64) error {
	ms, err := s.members()
	if err != nil {
		return err
	}
	for _, m := range id.Memberships {
		if m.OrgID == orgID {
			return ms.SetSessionOrg(ctx, id.Session.ID, orgID)
		}
	}
	return fmt.Errorf("switch organization: %w", ErrNotMember)
}

// Organization returns one organization by id.
func (s *Service) Organization(ctx context.Context, id int64) (Organization, error) {
	orgs, err := s.store.Organizations(ctx)
	if err != nil {
		return Organization{}, err
	}
	for _, o := range orgs {
		if o.ID == id {
			return o, nil
		}
	}
	return Organization{}, ErrNotMember
}
