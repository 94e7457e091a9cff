package views

// PagesPage lists the organization's status pages.
type PagesPage struct {
	Shell
	Rows  []PageRow
	Flash string
}

// PageRow is one status page of the list.
type PageRow struct {
	ID         int64
	Title      string
	PublicURL  string
	EditURL    string
	Components int
	Public     bool
	Default    bool
	Domain     string
	// Subscribers is how many receive the page's updates (confirmed e-mail and webhooks).
	Subscribers int
}

// PageFormPage creates or edits a status page and its components. Errors are keyed by
// field ("slug", "components[2].name", ...).
type PageFormPage struct {
	Shell
	Heading         string
	Action          string
	Editing         bool
	PublicURL       string
	DeleteURL       string
	LogoURL         string // form target for the logo; "" until the page exists
	LogoPreview     string // the current logo; "" without one
	Title           string
	Slug            string
	Description     string
	CustomDomain    string
	Locales         []Option
	Public          bool
	Default         bool
	CollapsedGroups string
	Rows            []ComponentRow
	Errors          map[string]string
	Flash           string
	// Subscribers is the subscribers box of an existing page; nil on a new page.
	Subscribers *SubscribersBox
}

// SubscribersBox lists a page's subscribers with their counts, and adds webhook ones.
// Errors of the webhook form are in PageFormPage.Errors ("subscriber.url", "subscriber.secret").
type SubscribersBox struct {
	Counts  string // "2 confirmed by e-mail, 1 waiting for confirmation, 1 webhooks"
	Note    string // why visitors cannot subscribe by e-mail, if they cannot
	Rows    []SubscriberRow
	AddURL  string
	HookURL string // the webhook form's URL, kept when refused
	Failed  []FailedNoticeRow
}

// FailedNoticeRow is a notice given up, with its Retry form.
type FailedNoticeRow struct {
	At, To, Event, Error, Attempts string
	RetryURL                       string
}

// SubscriberRow is one subscriber of the page.
type SubscriberRow struct {
	Address   string
	Kind      string
	State     string
	Pending   bool
	RemoveURL string
}

// ComponentRow is one component line of the page form ("" Name on a blank row).
type ComponentRow struct {
	Index       int
	ID          int64
	Position    int
	Group       string
	Name        string
	Description string
	Monitors    []Option // first: "set by hand"
	Statuses    []Option
	Chart       bool
	Blank       bool
}
