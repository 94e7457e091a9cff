package views

// StatusBadge is a monitor status shown as a coloured dot and a word.
type StatusBadge struct {
	Status string // up, down, degraded, pending, paused, ...: drives the colour
	Label  string
}

// Sparkline is a tiny latency line drawn as SVG.
type Sparkline struct {
	Points string // "x,y x,y ..." in a Width x Height box
	Width  int
	Height int
	Label  string // for screen readers
}

// MonitorRow is one line of the monitors list.
type MonitorRow struct {
	ID              int64
	URL             string
	Name            string
	Type            string
	Target          string
	Status          StatusBadge
	Uptime          string
	Sparkline       Sparkline
	LastCheck       string
	LastCheckTitle  string
	Message         string
	Heartbeat       bool   // no latency or uptime: LastPing and NextPing instead
	LastPing        string // "5 min ago"
	NextPing        string // "in 3 h", "overdue by 5 min"
	NextPingOverdue bool
	IncidentURL     string // the monitor's open incident, if any (dashboard)
}

// MonitorsPage lists the organization's monitors.
type MonitorsPage struct {
	Shell
	LiveURL  string
	Rows     []MonitorRow
	Statuses []Option
	Query    string
	Total    int
	Filtered bool
	NewURL   string
}

// ChartPoint is a labelled tick of a chart axis.
type ChartPoint struct {
	X, Y  float64
	Label string
}

// Chart is a server-rendered response-time chart.
type Chart struct {
	Width, Height int
	AvgPath       string // polyline points
	P95Path       string
	XTicks        []ChartPoint
	YTicks        []ChartPoint
	Empty         bool
	Summary       string // text alternative
	AvgLabel      string
	P95Label      string
}

// FlipRow is one status change.
type FlipRow struct {
	At     string
	From   StatusBadge
	To     StatusBadge
	Reason string
}

// ResultRow is one check result.
type ResultRow struct {
	At            string
	Outcome       StatusBadge
	Duration      string
	Code          string
	Message       string
	ScreenshotURL string // browser checks with a stored screenshot
	ErrorClass    string // what kind of failure (incident pages)
}

// BrowserPanel is the last check of a browser monitor: where it failed, what the page did,
// and the latest screenshot.
type BrowserPanel struct {
	At         string
	Outcome    StatusBadge
	FailedStep string // "Failed at step 3"; "" when no step failed
	Step       string // the failed step's line, "click #buy"
	Message    string
	Facts      []Fact     // timings, requests, transfer size
	Lists      []FactList // console errors, failed requests
	Screenshot *ScreenshotView
}

// ScreenshotView is a stored screenshot of a browser check.
type ScreenshotView struct {
	URL     string
	Alt     string
	Caption string // which check it shows
	// Inline is set for a test check's screenshot, which is not stored: a data: URL.
	Inline bool
}

// MonitorPage is one monitor with its history.
type MonitorPage struct {
	Shell
	LiveURL     string
	ID          int64
	Name        string
	Type        string
	Target      string
	Status      StatusBadge
	Since       string
	LastCheck   string
	LastMessage string
	Paused      bool
	Managed     bool
	Interval    string
	Uptimes     []Stat
	Chart       Chart
	Flips       []FlipRow
	Results     []ResultRow
	Flash       string
	FlashError  bool
	EditURL     string
	ActionURL   string          // prefix for /pause, /resume, /check, /delete
	Heartbeat   *HeartbeatPanel // set for heartbeat monitors, which have no probe results
	Browser     *BrowserPanel   // browser monitors with at least one result
	IsBrowser   bool
	// RefreshURL is re-fetched after each event of the monitor to swap its data-part
	// elements (browser monitors; heartbeats have their own in Heartbeat).
	RefreshURL string
	// Incident links to the monitor's open incident; nil when there is none.
	Incident *Link
	// Maintenance is "In maintenance until …" while a window covers the monitor; "" otherwise.
	Maintenance string
}

// TypeTab is one monitor type choice on the new-monitor form.
type TypeTab struct {
	Type    string
	Label   string
	URL     string
	Current bool
}

// MonitorFormPage creates or edits a monitor.
type MonitorFormPage struct {
	Shell
	ID          int64
	IsNew       bool
	Action      string
	CancelURL   string
	Type        string
	Types       []TypeTab
	Values      map[string]string
	Errors      map[string]string
	FormError   string
	Methods     []Option
	RecordTypes []Option
	Test        *TestResult
	HasSecret   map[string]bool // fields whose stored secret is kept when left empty
	Preview     *SchedulePreview
	PreviewURL  string      // live schedule preview (heartbeats)
	TimeZones   []string    // suggestions for the time zone field
	OtherErrors []string    // refused values of fields this form does not show
	Secrets     []SecretRow // browser monitors: the secrets rows, values never included
	StepHelp    []StepHelp  // browser monitors: the step actions
	Channels    []ChannelOption
}

// ChannelOption is one alert channel of the monitor form. A default channel alerts for
// every monitor: its box is ticked and fixed; Attached keeps its attachment (a hidden
// field) should it stop being a default.
type ChannelOption struct {
	Value    string
	Label    string
	Checked  bool
	Default  bool
	Attached bool
}

// SecretRow is one secret of a browser monitor's form. Its value is never sent to the
// browser: an empty value field keeps the stored one.
type SecretRow struct {
	Name   string
	Was    string // the stored name this row edits ("" for a new row), to follow renames
	Stored bool   // a value is stored: leaving the field empty keeps it
	Retype bool   // a value was typed but the form was refused: it must be typed again
}

// StepHelp documents one browser step action.
type StepHelp struct {
	Syntax string // "type SELECTOR TEXT"
	Text   string
}

// TestResult is what the form's "Test" button found.
type TestResult struct {
	Outcome    StatusBadge
	Summary    string
	Facts      []Fact
	Lists      []FactList      // browser checks: console errors, failed requests
	Screenshot *ScreenshotView // browser checks: the page at the end of the test
}

// FactList is a labelled list of values.
type FactList struct {
	Label  string
	Items  []string
	TestID string
}

// advancedOpen opens the advanced section when one of its fields was refused.
func (p MonitorFormPage) advancedOpen() bool {
	for _, k := range []string{"method", "max_redirects", "headers", "body", "auth_user", "auth_password", "bearer_token",
		"body_not_contains", "body_regex", "header_equals", "header_contains", "cert_degraded_days", "cert_down_days",
		"send", "expect", "resolver", "server_name", "retry_interval", "recoveries", "viewport", "user_agent"} {
		if p.Errors[k] != "" {
			return true
		}
	}
	return false
}

// secretHint tells the user an empty secret field keeps the stored secret.
func (p MonitorFormPage) secretHint(name string) string {
	if p.HasSecret[name] {
		return p.T("form.secret_kept")
	}
	return ""
}
