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
