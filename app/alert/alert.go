// Package alert is the domain of alerting: channels (where alerts go), the alert payload
// written to the outbox in the transaction of the status change that caused it, and the
// retry policy of its delivery. It is pure: no I/O, no clock; callers pass times in.
// The store persists these types and app/notify delivers them.
package alert

import (
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"time"
)

// Type is the kind of a channel.
type Type string

// Channel types.
const (
	TypeEmail    Type = "email"
	TypeWebhook  Type = "webhook"
	TypeSlack    Type = "slack"
	TypeDiscord  Type = "discord"
	TypeTeams    Type = "teams"
	TypeTelegram Type = "telegram"
	TypeNtfy     Type = "ntfy"
)

// Types lists the channel types in display order.
func Types() []Type {
	return []Type{TypeEmail, TypeWebhook, TypeSlack, TypeDiscord, TypeTeams, TypeTelegram, TypeNtfy}
}

// Valid reports whether t is a known channel type.
func (t Type) Valid() bool { return slices.Contains(Types(), t) }

// Channel is one place alerts go. Settings is the type's settings as JSON (see app/notify
// for each type's struct); it holds secrets (tokens, passwords, webhook URLs), so a Channel
// logs without it (LogValue).
type Channel struct {
	ID        int64
	OrgID     int64
	Name      string
	Type      Type
	Settings  json.RawMessage
	IsDefault bool // alerts for every monitor of the organization
	Enabled   bool
	CreatedAt time.Time
}

// LogValue leaves Settings out: it holds secrets.
func (c Channel) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", c.ID), slog.String("name", c.Name), slog.String("type", string(c.Type)))
}

// ErrUnknownChannel refuses a channel id that is not one of the organization's channels.
var ErrUnknownChannel = errors.New("no such channel")

// Event is what an alert tells.
type Event string

// Alert events: the "event" of the webhook payload (see the README).
const (
	EventDown         Event = "down"                 // an incident opened
	EventUp           Event = "up"                   // it was resolved, or the monitor is no longer degraded or late
	EventDegraded     Event = "degraded"             // the monitor turned degraded (alert_degraded)
	EventLate         Event = "late"                 // a heartbeat turned late (alert_late)
	EventReminder     Event = "reminder"             // still down (remind_every)
	EventCertExpiring Event = "certificate_expiring" // its certificate expires soon (cert_alert_days)
	EventFlapping     Event = "flapping"             // it keeps changing: quiet until it settles
	EventTest         Event = "test"                 // "Send test" of a channel: receivers may ignore it
)

// Monitor is the monitor an alert is about.
type Monitor struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Target string `json:"target,omitempty"` // URL, host:port or hostname; "" for heartbeats
	URL    string `json:"url,omitempty"`    // its admin page; filled in at delivery from the base URL
}

// Incident is the incident an alert is about.
type Incident struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	OpenedAt   time.Time `json:"opened_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	URL        string    `json:"url,omitempty"` // filled in at delivery from the base URL
}

// Alert is the payload of one notification: the same for every channel of one status
// change but for IdempotencyKey, which identifies one (alert, channel) delivery so that a
// receiver can drop the duplicates at-least-once delivery may produce.
//
// Incident is left out (zero) for alerts that are about no incident: degraded, late,
// certificate_expiring, flapping and the "up" that ends degraded or late.
type Alert struct {
	Event          Event     `json:"event"`
	Monitor        Monitor   `json:"monitor"`
	Incident       Incident  `json:"incident,omitzero"`
	Status         string    `json:"status"` // the monitor's (new) status
	Reason         string    `json:"reason"`
	Time           time.Time `json:"time"`
	Reminder       int       `json:"reminder,omitempty"`   // reminders: 1 for the first
	CertExpiry     time.Time `json:"cert_expiry,omitzero"` // certificate_expiring: when it expires
	IdempotencyKey string    `json:"idempotency_key"`
}

// Key is the idempotency key of the alert for event of incidentID sent to channelID.
func Key(incidentID int64, event Event, channelID int64) string {
	return "statusthing-incident-" + itoa(incidentID) + "-" + string(event) + "-channel-" + itoa(channelID)
}

// FlipKey is the idempotency key of the alert for event caused by status change flipID
// (degraded, late, up from those, flapping) sent to channelID.
func FlipKey(flipID int64, event Event, channelID int64) string {
	return "statusthing-flip-" + itoa(flipID) + "-" + string(event) + "-channel-" + itoa(channelID)
}

// ReminderKey is the idempotency key of reminder n of incidentID sent to channelID: one
// reminder is sent once, whatever the crashes and restarts.
func ReminderKey(incidentID int64, n int, channelID int64) string {
	return "statusthing-incident-" + itoa(incidentID) + "-reminder-" + strconv.Itoa(n) + "-channel-" + itoa(channelID)
}

// CertKey is the idempotency key of the certificate_expiring alert of monitorID's
// certificate expiring at expiry, sent to channelID: one alert per certificate.
func CertKey(monitorID int64, expiry time.Time, channelID int64) string {
	return "statusthing-monitor-" + itoa(monitorID) + "-cert-" + itoa(expiry.Unix()) + "-channel-" + itoa(channelID)
}

// SettledKey is the idempotency key of the alert that ends the flapping of monitorID that
// began at since, sent to channelID.
func SettledKey(monitorID int64, since time.Time, channelID int64) string {
	return "statusthing-monitor-" + itoa(monitorID) + "-settled-" + itoa(since.UnixMilli()) + "-channel-" + itoa(channelID)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Delivery is one outbox row: an alert for one channel and where its delivery stands.
type Delivery struct {
	ID            int64
	OrgID         int64
	Channel       Channel
	Alert         Alert
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	DeliveredAt   time.Time // zero until delivered
	FailedAt      time.Time // zero unless given up
	LastError     string
}

// Attempt is one try at delivering an outbox row.
type Attempt struct {
	At         time.Time
	OK         bool
	StatusCode int    // HTTP (or SMTP) status when there was one, else 0
	Error      string // "" when OK
	// RetryAfter is the wait the receiver asked for (Retry-After of a 429 or 503), as
	// honoured (capped); 0 when it asked for none.
	RetryAfter time.Duration
}

// Backoff is the retry policy: the delay after the n-th failed attempt is
// min(Base*2^(n-1), Max), with jitter taking it down by up to half; after MaxAttempts
// attempts the delivery is given up.
type Backoff struct {
	Base        time.Duration
	Max         time.Duration
	MaxAttempts int
}

// Delay is the wait after attempts failed attempts (attempts >= 1); jitter in [0, 1)
// spreads retries of alerts that failed together: the delay is d*(1-jitter/2).
func (b Backoff) Delay(attempts int, jitter float64) time.Duration {
	d := b.Base
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	return d - time.Duration(float64(d)*jitter/2)
}

// Next returns when to try again after attempts failed attempts at now, or the zero time
// when the delivery should be given up (permanent error or too many attempts).
func (b Backoff) Next(now time.Time, attempts int, permanent bool, jitter float64) time.Time {
	if permanent || attempts >= b.MaxAttempts {
		return time.Time{}
	}
	return now.Add(b.Delay(attempts, jitter))
}
