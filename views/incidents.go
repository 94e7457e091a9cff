package views

// IncidentRow is one line of the incidents list.
type IncidentRow struct {
	ID          int64
	URL         string
	Title       string
	Status      StatusBadge
	Monitor     string
	MonitorURL  string
	Opened      string // relative: "5 min ago"
	OpenedTitle string // absolute, for the tooltip and small screens
	Duration    string
	Cause       string
}

// IncidentsPage lists the organization's incidents, newest first, a page at a time.
type IncidentsPage struct {
	Shell
	Statuses    []Option
	Monitors    []Option
	From, To    string // the date filters as typed (YYYY-MM-DD)
	FilterError string
	Filtered    bool
	Rows        []IncidentRow
	OlderURL    string // next page; "" on the last one
	NewestURL   string // back to the first page; "" on it
}

// Link is a labelled URL.
type Link struct {
	Label string
	URL   string
}

// SeenBefore sums up a monitor's earlier incidents of the same cause.
type SeenBefore struct {
	Summary string // "3 times in the last 30 days"
	Mean    string // mean time to resolve; "" when none was resolved
	Recent  []Link
}

// IncidentEvent is one entry of an incident's timeline.
type IncidentEvent struct {
	At      string
	Kind    string // translated
	KindKey string // opened, comment...: drives the style
	Actor   string // the user, or statusthing
	Message string // comments may span lines: shown as typed, escaped
}

// IncidentPage is one incident with its timeline and the actions on it.
type IncidentPage struct {
	Shell
	ID           int64
	Title        string
	Status       StatusBadge
	Monitor      string
	MonitorURL   string
	Facts        []Fact // opened, acknowledged, resolved, duration, cause
	Message      string
	SeenBefore   *SeenBefore // nil: not seen before
	Events       []IncidentEvent
	Results      []ResultRow // the failing checks during the incident
	Open         bool
	Acknowledged bool
	ActionURL    string // prefix of /acknowledge, /unacknowledge, /comment, /resolve
	Comment      string // the refused comment, shown again
	CommentError string
	Flash        string
	FlashError   bool
	Public       PublicSection
}

// PublicSection is what status page visitors see of an incident, and the form posting a
// public update (the first one publishes it).
type PublicSection struct {
	Published  bool
	Impact     string // formatted, "" for none
	Updates    []PublicUpdate
	Form       PublicUpdateForm
	PagesLinks []Link // the pages showing it
}

// PublicUpdateForm posts a public update (or declares an incident, with Title).
type PublicUpdateForm struct {
	Action     string
	AskTitle   bool // declaring or publishing: the public title (the internal one names the monitor)
	Title      string
	Impacts    []Option
	Statuses   []Option
	Components []CheckOption // "Page · Component"
	Message    string
	Errors     map[string]string
}

// IncidentNewPage declares an incident by hand.
type IncidentNewPage struct {
	Shell
	Form PublicUpdateForm
}
