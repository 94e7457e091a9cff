// Package views renders every HTML page with templ. Each page takes one view-model struct
// holding only what it shows, already formatted and translated by app/web; templates only
// loop and branch.
package views

// Page is what the document layout of every page needs.
type Page struct {
	Lang    string
	T       func(key string, args ...any) string // the page's message catalog
	Title   string
	CSSURL  string
	JSURL   string   // live updates; "" on pages without them
	Scripts []string // further scripts of the page (copy buttons, form preview)
	IconURL string
	CSRF    string // token for the page's forms
}

// Shell is the admin layout: navigation and the signed-in account.
type Shell struct {
	Page
	Nav       []NavItem
	UserEmail string
	OrgName   string
	// What the member's role allows (auth.Role.Allows): buttons and forms the role may
	// not use are not shown (the routes refuse them anyway).
	CanEdit   bool
	CanManage bool
	// Orgs are the user's organizations when there are several (the switcher), the
	// current one selected.
	Orgs []Option
}

// NavItem is one entry of the admin navigation.
type NavItem struct {
	Label   string
	URL     string
	Icon    string
	Current bool
	TestID  string
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Page
	Email string
	Next  string
	Error string
}

// SetupPage is the one-time form that creates the first account.
type SetupPage struct {
	Page
	PasswordHint string
	Token        string
	Email        string
	OrgName      string
	Errors       map[string]string // field -> message
}

// MessagePage is a simple page with a heading, a message and a link: errors, setup closed.
type MessagePage struct {
	Page
	Heading   string
	Message   string
	LinkURL   string
	LinkLabel string
}

// Stat is one figure on the dashboard.
type Stat struct {
	Label string
	Value string
	Class string
}

// DashboardPage is the admin home.
type DashboardPage struct {
	Shell
	LiveURL     string
	Stats       []Stat
	HasMonitors bool
	Attention   []MonitorRow // monitors down or degraded
	Steps       []string
}

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// SettingsPage shows the user's preferences and facts about the instance.
type SettingsPage struct {
	Shell
	Flash   string // what the last change did
	Error   string
	Facts   []Fact
	Ping    *PingSettings // nil when the ping key could not be read
	Profile ProfileSection
	// InstanceAdmin shows the link to the instance admins' page.
	InstanceAdmin bool
	// CanDeleteOrg shows owners the form deleting the organization (typing OrgSlug).
	CanDeleteOrg   bool
	OrgSlug        string
	DeleteOrgError string
}

// PingSettings tells how jobs reach heartbeats by name: the organization's ping key and the
// slug URL pattern.
type PingSettings struct {
	Key     string
	Pattern string // <base>/ping/<key>/<slug>
	Example string
}

// Fact is a label/value pair.
type Fact struct {
	Label string
	Value string
}
