package views

// StatusPage is a public status page, formatted in the page's language.
type StatusPage struct {
	Lang        string
	T           func(key string, args ...any) string
	Title       string
	Description string
	CSSURL      string
	JSURL       string
	IconURL     string
	LogoURL     string // "" without a logo
	HomeURL     string // the page itself
	FeedURL     string
	SummaryURL  string
	EventsURL   string
	HistoryURL  string
	Banner      StatusBanner
	Groups      []StatusGroup
	Active      []PublicIncident
	Maintenance []PublicMaintenance
	History     []PublicIncident
	UpdatedAt   string // "last updated" time, formatted
	UpdatedISO  string
	// Preview marks an unsaved page shown to its editor (no live updates, not cached).
	Preview bool
	// Archive is set on the incident history page: the list replaces the components.
	Archive  bool
	OlderURL string // next archive page; "" at the end
	// SubscribeURL is where the "Subscribe to updates" form posts; "" when the page takes
	// no e-mail subscriptions (private, or no [smtp] relay).
	SubscribeURL string
}

// StatusMessage is a small page of a status page's subscription flow ("check your mail",
// "confirm", "unsubscribed"...), optionally with a form: the subscribe form again (Email
// set) or one button posting Token.
type StatusMessage struct {
	Title  string
	Body   string
	Error  string // a refused subscription's message
	Action string // form target; "" for no form
	Token  string // hidden token of a confirm or unsubscribe form
	Button string
	// EmailField shows the e-mail input (the subscribe form) with Email typed in.
	EmailField bool
	Email      string
}

// StatusBanner is the page's overall status.
type StatusBanner struct {
	Class string // none | maintenance | minor | major | critical
	Text  string
}

// StatusGroup is a group of components; Name "" shows its components without a header.
type StatusGroup struct {
	Name       string
	Open       bool
	StatusText string
	Class      string
	Components []StatusComponent
}

// StatusComponent is one component line with its uptime bar.
type StatusComponent struct {
	ID          int64
	Name        string
	Description string
	StatusText  string
	Class       string // operational | degraded_performance | partial_outage | major_outage | under_maintenance
	UptimeText  string // "99.98% uptime" or ""
	BarLabel    string // the bar's summary for screen readers
	Bar         []BarCell
	BarStart    string // "90 days ago"
	BarEnd      string // "Today"
	Chart       *Sparkline
	ChartLabel  string
}

// BarCell is a run of days of the same, clean level, or one day with something to tell.
type BarCell struct {
	Span  string // CSS class spanning its days: "s1" … "s90"
	Level string // none | ok | minor | partial | major
	Text  string // shown on hover and focus, read by screen readers
}

// PublicIncident is an incident as visitors see it.
type PublicIncident struct {
	ID          int64
	Title       string
	ImpactClass string
	ImpactText  string
	StatusText  string
	Components  string // affected components, comma separated
	When        string // opened … resolved
	Updates     []PublicUpdate
}

// PublicUpdate is one public update of an incident.
type PublicUpdate struct {
	Status  string
	Message string
	At      string
	ISO     string
}

// PublicMaintenance is an ongoing or upcoming maintenance window.
type PublicMaintenance struct {
	Title      string
	When       string
	Active     bool
	Components string
}
