package views

// ChannelsPage lists the alert channels and the alerts given up on.
type ChannelsPage struct {
	Shell
	Rows       []ChannelRow
	NewLinks   []Link // "Add channel": one link per type
	Failed     []FailedAlertRow
	Flash      string
	FlashError bool
}

// ChannelRow is one channel of the list.
type ChannelRow struct {
	ID       int64
	Name     string
	Type     string
	Default  bool
	Enabled  bool
	Monitors string // how many monitors it is attached to
	EditURL  string
	TestURL  string
}

// FailedAlertRow is one alert whose delivery was given up.
type FailedAlertRow struct {
	ID       int64
	Channel  string
	Monitor  string
	Event    string
	At       string
	Attempts string
	Error    string
	RetryURL string
}

// ChannelFormPage creates or edits a channel of one type.
type ChannelFormPage struct {
	Shell
	Heading   string
	Action    string
	Type      string
	TypeLabel string
	Name      string
	Default   bool
	Enabled   bool
	Fields    []ChannelField
	Monitors  []CheckOption // monitors the channel is attached to
	Error     string
	Editing   bool
	TestURL   string
	DeleteURL string
}

// ChannelField is one setting of a channel's type. Secrets are write-only: Value is always
// empty for them and HasValue tells whether one is stored.
type ChannelField struct {
	Name     string
	Label    string
	Hint     string
	Kind     string // text, number, url, password, textarea, select
	Value    string
	Options  []Option
	Secret   bool
	HasValue bool
	Required bool
}

// CheckOption is one checkbox of a list.
type CheckOption struct {
	Value   string
	Label   string
	Checked bool
}
