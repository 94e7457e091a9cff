package views

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }

// SchedulePreview is the "next expected pings" box of the heartbeat form, also served alone
// as an HTML fragment for the live preview.
type SchedulePreview struct {
	Heading string
	Times   []ExpectedPing
	Errors  []string // refused settings, each with its field's label
	Notes   []string // how to read the list (period schedules, grace)
}

// ExpectedPing is one time a ping is expected, in the schedule's time zone.
type ExpectedPing struct {
	ISO      string // RFC 3339 with the zone's offset, for <time datetime>
	Label    string // "Sun 2026-03-29 03:00 CEST"
	Relative string // "in 5 h"
}

// Moment is a point in time shown with an absolute and a relative form.
type Moment struct {
	Label    string // absolute, in the schedule's time zone; "" when there is none
	Relative string // "in 3 h", "5 min ago"
	ISO      string
	Overdue  bool
	Empty    string // shown instead when Label is ""
}

// PingRow is one line of a heartbeat's ping log.
type PingRow struct {
	ID          string
	At          string
	Kind        string // translated
	KindClass   string // up, down, start, log: drives the colour
	Exit        string
	RunTime     string
	Source      string
	UserAgent   string
	Body        string
	BodySummary string
	BodySize    string
	Truncated   bool
}

// RunBar is one finished run in the run durations chart.
type RunBar struct {
	X, Y, W, H float64
	Failed     bool
	Title      string // when, how long, outcome
}

// RunChart is the server-rendered bar chart of recent run durations.
type RunChart struct {
	Width, Height int
	Bars          []RunBar
	YTicks        []ChartPoint
	XTicks        []ChartPoint
	Empty         bool
	Summary       string // text alternative, or why it is empty
	OKLabel       string
	FailedLabel   string
}

// HeartbeatPanel is what the page of a heartbeat monitor shows instead of probe results.
type HeartbeatPanel struct {
	RefreshURL    string // the live part of the page, re-fetched on each event
	Schedule      string
	Grace         string
	LastPing      string
	LastPingTitle string
	NextPing      Moment
	DownAt        Moment
	Running       string // "running for 5 min"; "" when no run is open
	TooLong       bool
	PingURL       string
	SlugURL       string
	Crontab       string
	Wrapper       string
	Pings         []PingRow
	OlderURL      string
	NewestURL     string
	Runs          RunChart
	Waiting       bool // never pinged: the setup instructions come first
}
