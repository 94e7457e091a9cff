package views

// MembersPage lists the organization's members and invitations, with the forms that
// manage them (for owners and admins).
type MembersPage struct {
	Shell
	Members     []MemberRow
	Invitations []InvitationRow
	Roles       []Option // the roles the viewer may grant
	InviteEmail string
	InviteError string
	// InviteLink is the link of the invitation just made: shown once.
	InviteLink string
	Flash      string
	FlashError bool
}

// MemberRow is one member.
type MemberRow struct {
	UserID    int64
	Email     string
	Name      string
	Role      string // translated
	RoleValue string
	Joined    string
	You       bool
	Editable  bool     // the viewer may change or remove this member
	Roles     []Option // choices when Editable
}

// InvitationRow is one invitation.
type InvitationRow struct {
	ID      int64
	Email   string
	Role    string
	State   string // "pending until …", "accepted", "revoked", "expired"
	Pending bool
}

// InvitePage is the page an invitation link opens.
type InvitePage struct {
	Page
	OrgName  string
	Role     string
	Email    string
	LoggedIn bool // join as the logged-in user; otherwise create an account
	Action   string
	Errors   map[string]string
	Invalid  bool
}

// InstancePage is the instance admins' page: organizations and health.
type InstancePage struct {
	Shell
	Orgs   []OrgRow
	Health []Fact
	Name   string
	Slug   string
	Errors map[string]string
}

// OrgRow is one organization of the instance.
type OrgRow struct {
	Name, Slug, Created      string
	Members, Monitors, Pages int
}

// AuditPage is the organization's audit log.
type AuditPage struct {
	Shell
	Rows     []AuditRow
	OlderURL string
}

// AuditRow is one change.
type AuditRow struct {
	At, Actor, Action, Target, Via, IP string
}
