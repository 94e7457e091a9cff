// Package monitor is the domain of uptime monitoring: monitors and their typed settings,
// probe results, statuses and the state machine that turns results into status changes
// (flips). It is pure: no I/O, no clock; callers pass times in.
package monitor

import (
	"time"
)

// Type is what kind of thing a monitor watches.
type Type string

// Monitor types. Active types are probed on an interval; heartbeats are fed by pings.
const (
	TypeHTTP      Type = "http"
	TypeTCP       Type = "tcp"
	TypeDNS       Type = "dns"
	TypeTLS       Type = "tls"
	TypeBrowser   Type = "browser"
	TypeHeartbeat Type = "heartbeat"
)

// ProbedTypes lists the types probed on an interval, in display order.
func ProbedTypes() []Type { return []Type{TypeHTTP, TypeTCP, TypeDNS, TypeTLS, TypeBrowser} }

// SpecTypes lists the types a Spec may have (probed ones and heartbeats), in display order.
func SpecTypes() []Type { return append(ProbedTypes(), TypeHeartbeat) }

// Active reports whether monitors of this type are probed by the scheduler.
func (t Type) Active() bool { return t != TypeHeartbeat }

// Status is a monitor's current health.
type Status string

// Statuses. Heartbeats use new/late instead of pending.
const (
	StatusPending  Status = "pending"
	StatusUp       Status = "up"
	StatusDegraded Status = "degraded"
	StatusDown     Status = "down"
	StatusPaused   Status = "paused"
	StatusNew      Status = "new"
	StatusLate     Status = "late"
)

// Outcome is a single probe's verdict.
type Outcome string

// Probe outcomes.
const (
	OutcomeUp       Outcome = "up"
	OutcomeDegraded Outcome = "degraded" // worked, but slow or close to a limit
	OutcomeDown     Outcome = "down"
)

// Success reports whether the service answered acceptably (degraded counts: it is up).
func (o Outcome) Success() bool { return o == OutcomeUp || o == OutcomeDegraded }

// ErrorClass groups failures so they can be counted and compared ("seen before").
type ErrorClass string

// Error classes of failed or degraded results.
const (
	ClassDNS       ErrorClass = "dns"        // name did not resolve
	ClassRefused   ErrorClass = "refused"    // connection refused or reset
	ClassTimeout   ErrorClass = "timeout"    // no answer in time
	ClassNetwork   ErrorClass = "network"    // other network errors (unreachable...)
	ClassTLS       ErrorClass = "tls"        // handshake, chain or hostname failure
	ClassCert      ErrorClass = "cert"       // certificate expires soon or expired
	ClassStatus    ErrorClass = "status"     // unexpected HTTP status
	ClassAssertion ErrorClass = "assertion"  // body, header, JSON or DNS answer mismatch
	ClassLatency   ErrorClass = "latency"    // slower than a threshold
	ClassRedirect  ErrorClass = "redirect"   // too many redirects
	ClassProtocol  ErrorClass = "protocol"   // malformed answer
	ClassInternal  ErrorClass = "internal"   // a bug or misconfiguration on our side
	ClassBrowser   ErrorClass = "browser"    // Chromium missing, crashed or hung
	ClassStep      ErrorClass = "step"       // a browser step could not be done (element missing...)
	ClassScript    ErrorClass = "script"     // JavaScript errors on the page
	ClassRequest   ErrorClass = "request"    // failed subresource requests
	ClassMissed    ErrorClass = "missed"     // a heartbeat's ping did not come in time
	ClassJobFailed ErrorClass = "job_failed" // a heartbeat's job reported a failure
)

// Monitor is one thing we watch.
type Monitor struct {
	ID            int64
	OrgID         int64
	Name          string
	Type          Type
	Interval      time.Duration
	Timeout       time.Duration
	Retries       int           // extra consecutive failures that confirm down
	Recoveries    int           // consecutive successes that end down
	RetryInterval time.Duration // interval while failing but not yet confirmed down
	Paused        bool
	ManagedBy     string // "" (the UI/API) or "config"
	Settings      Settings
	Alerts        AlertOptions
	State         State
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AlertOptions are what a monitor's alerts say beyond "down" and "up" (which always go out),
// and the flap guard that holds them back while the monitor keeps changing.
type AlertOptions struct {
	Degraded bool // alert when it turns degraded, and when it is up again (probed types)
	Late     bool // alert when a heartbeat turns late, and when it is up again
	// CertExpiryDays alerts once per certificate when it expires within that many days
	// (tls monitors, http monitors of https:// URLs); 0 is off.
	CertExpiryDays int
	// RemindEvery repeats the "down" alert this often while the monitor stays down and its
	// incident is open and not acknowledged; 0 is off.
	RemindEvery time.Duration
	// FlapChanges status changes within FlapWindow make the monitor "flapping": one
	// "flapping" alert, then none until it has not changed for FlapWindow, when one alert
	// tells its status. FlapChanges 0 is off.
	FlapChanges int
	FlapWindow  time.Duration
}

// Policy returns the confirmation policy of m.
func (m Monitor) Policy() Policy { return Policy{Retries: m.Retries, Recoveries: m.Recoveries} }

// NextInterval is how long to wait before m's next check: the retry interval while a
// failure is being confirmed or a recovery counted, the normal interval otherwise.
func (m Monitor) NextInterval() time.Duration {
	confirming := m.State.Status != StatusDown && m.State.ConsecutiveFailures > 0
	recovering := m.State.Status == StatusDown && m.State.ConsecutiveSuccesses > 0
	if (confirming || recovering) && m.RetryInterval > 0 && m.RetryInterval < m.Interval {
		return m.RetryInterval
	}
	return m.Interval
}

// State is a monitor's current status and the counters the state machine needs.
type State struct {
	Status               Status
	Since                time.Time // when Status was entered
	LastCheckedAt        time.Time
	LastDuration         time.Duration
	LastMessage          string // the last result's message ("" when up)
	ConsecutiveFailures  int
	ConsecutiveSuccesses int
}

// Result is one probe outcome.
type Result struct {
	ID         int64
	MonitorID  int64
	StartedAt  time.Time
	Duration   time.Duration
	Outcome    Outcome
	ErrorClass ErrorClass // "" when up
	Message    string     // one line for humans, "" when up
	Details    Details
	// Screenshot of a browser check's page (on failure, or always with
	// screenshot_on_success); stored apart from the result, which then has ScreenshotID.
	Screenshot   *Screenshot
	ScreenshotID int64 // 0: none
}

// Screenshot is an image of the page a browser check ended on.
type Screenshot struct {
	Format string // "png" or "jpeg"
	Data   []byte
	Width  int
	Height int
}

// MediaType is the screenshot's MIME type, "" for a format statusthing does not store.
func (s Screenshot) MediaType() string {
	switch s.Format {
	case "png":
		return "image/png"
	case "jpeg":
		return "image/jpeg"
	}
	return ""
}

// BrowserDetails are what a browser check saw.
type BrowserDetails struct {
	// FailedStep is the failing step, from 1; 0 when the first page load failed or nothing
	// failed. Step is its one-line form (steps hold {{secret}} placeholders, never secrets).
	FailedStep       int           `json:"failed_step,omitempty"`
	Step             string        `json:"step,omitempty"`
	DOMContentLoaded time.Duration `json:"dom_content_loaded,omitempty"`
	Load             time.Duration `json:"load,omitempty"`
	Requests         int           `json:"requests,omitempty"`
	Bytes            int64         `json:"bytes,omitempty"`
	ConsoleErrors    []string      `json:"console_errors,omitempty"`  // uncaught exceptions and console.error
	FailedRequests   []string      `json:"failed_requests,omitempty"` // "404 https://…/app.js"
}

// Details are the measurements of a result; zero values mean "not measured".
type Details struct {
	StatusCode  int             `json:"status_code,omitempty"`
	DNS         time.Duration   `json:"dns,omitempty"`
	Connect     time.Duration   `json:"connect,omitempty"`
	TLS         time.Duration   `json:"tls,omitempty"`
	FirstByte   time.Duration   `json:"first_byte,omitempty"`
	CertExpiry  time.Time       `json:"cert_expiry,omitzero"`
	BodySnippet string          `json:"body,omitempty"` // start of the body, on failure only
	Answers     []string        `json:"answers,omitempty"`
	Browser     *BrowserDetails `json:"browser,omitempty"`
}

// Flip is a recorded status change: incidents, alerts and downtime statistics hang off it.
type Flip struct {
	ID        int64
	MonitorID int64
	At        time.Time
	From      Status
	To        Status
	Reason    string
}

// Event tells live views (SSE) that a monitor changed.
type Event struct {
	MonitorID int64
	OrgID     int64
	State     State
	Flip      *Flip   // set when the status changed
	Result    *Result // set when a check finished
	Deleted   bool
}
