// Package incident is the domain of incidents: what a monitor's status change does to its
// incident (open, resolve, note), their lifecycle and their history ("seen before"). It
// is pure: no I/O, no clock; callers pass times in.
package incident

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"statusthing/app/monitor"
)

// Status is where an incident is in its life.
type Status string

// Incident statuses.
const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged" // someone is on it; still open
	StatusResolved     Status = "resolved"
)

// Statuses lists them in display order.
func Statuses() []Status { return []Status{StatusOpen, StatusAcknowledged, StatusResolved} }

// Incident is one outage of a monitor (opened by its status going down).
type Incident struct {
	ID             int64
	OrgID          int64
	MonitorID      int64
	MonitorName    string
	Title          string
	Status         Status
	Cause          monitor.ErrorClass // error class of the result that opened it ("" unknown)
	Message        string             // why it opened, one line
	OpenedAt       time.Time
	AcknowledgedAt time.Time // zero when not acknowledged
	AcknowledgedBy string
	ResolvedAt     time.Time // zero while open
	Impact         Impact    // for status pages; "none" for automatic incidents until published
	Public         bool      // shown on the status pages of its components
}

// Open reports whether the incident is not resolved yet.
func (i Incident) Open() bool { return i.ResolvedAt.IsZero() }

// Duration is how long the incident lasted, or has lasted at now while open.
func (i Incident) Duration(now time.Time) time.Duration {
	end := i.ResolvedAt
	if end.IsZero() {
		end = now
	}
	return max(end.Sub(i.OpenedAt), 0)
}

// EventKind is what happened in an incident's timeline.
type EventKind string

// Timeline events.
const (
	EventOpened         EventKind = "opened"
	EventStateChange    EventKind = "state_change" // the monitor's status changed while open
	EventAcknowledged   EventKind = "acknowledged"
	EventUnacknowledged EventKind = "unacknowledged"
	EventComment        EventKind = "comment"
	EventResolved       EventKind = "resolved"
)

// Event is one entry of an incident's timeline. Actor is the user's e-mail, or "" for
// statusthing itself.
type Event struct {
	ID         int64
	IncidentID int64
	At         time.Time
	Kind       EventKind
	Actor      string
	Message    string
}

// Action is what a status change does to the monitor's incident.
type Action int

// Actions of OnFlip.
const (
	Note    Action = iota // record it in the open incident's timeline, if there is one
	Open                  // open an incident (or note it, if one is already open)
	Resolve               // resolve the open incident, if there is one
)

// OnFlip decides what a monitor's status change does to its incident: going down opens one,
// coming back up (degraded counts: it answers) resolves it, anything else (late, paused,
// pending) is only noted. A monitor paused while down keeps its incident open: pausing does
// not fix anything.
func OnFlip(f monitor.Flip) Action {
	switch f.To {
	case monitor.StatusDown:
		return Open
	case monitor.StatusUp, monitor.StatusDegraded:
		return Resolve
	}
	return Note
}

// Title is the title of an incident opened automatically for a monitor.
func Title(monitorName string) string { return monitorName + " is down" }

// History summarises a monitor's earlier incidents with the same cause: how many opened in
// the window and how long they took to resolve.
type History struct {
	Count       int           // earlier incidents with the same cause in the window
	MeanResolve time.Duration // mean time to resolve of the resolved ones; 0 if none
	Recent      []Incident    // the latest few, newest first
}

// Summarise builds a History from earlier incidents (any order), keeping the recent ones.
func Summarise(earlier []Incident, keep int) History {
	h := History{Count: len(earlier)}
	var total time.Duration
	var resolved int
	for _, e := range earlier {
		if !e.ResolvedAt.IsZero() {
			total += e.ResolvedAt.Sub(e.OpenedAt)
			resolved++
		}
	}
	if resolved > 0 {
		h.MeanResolve = total / time.Duration(resolved)
	}
	recent := slices.Clone(earlier)
	slices.SortFunc(recent, func(a, b Incident) int { return b.OpenedAt.Compare(a.OpenedAt) })
	if len(recent) > keep {
		recent = recent[:keep]
	}
	h.Recent = recent
	return h
}

// Filter narrows a list of incidents; zero fields do not filter.
type Filter struct {
	Status    Status
	MonitorID int64
	From, To  time.Time // opened in [From, To)
}

// ErrResolved refuses to acknowledge (or unacknowledge) a resolved incident: there is
// nobody left to wake.
var ErrResolved = errors.New("the incident is resolved")

// MaxComment is the longest comment, in characters.
const MaxComment = 5000

// Comment refusals.
var (
	ErrCommentEmpty   = errors.New("the comment is empty")
	ErrCommentTooLong = errors.New("the comment is longer than 5000 characters")
)

// CheckComment refuses an empty (blank) comment or one longer than MaxComment characters.
func CheckComment(text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return ErrCommentEmpty
	case utf8.RuneCountInString(text) > MaxComment:
		return ErrCommentTooLong
	}
	return nil
}

// Impact is how bad an incident is for the customers of a status page.
type Impact string

// Impacts, from none to critical (the Statuspage scale).
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// Impacts lists them from least to most severe.
func Impacts() []Impact { return []Impact{ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical} }

// Rank orders impacts: 0 for none up to 3 for critical, -1 for an unknown one.
func (i Impact) Rank() int { return slices.Index(Impacts(), i) }

// UpdateStatus is where a public incident stands, as its updates tell visitors.
type UpdateStatus string

// Public update statuses, in the order an incident usually goes through them.
const (
	UpdateInvestigating UpdateStatus = "investigating"
	UpdateIdentified    UpdateStatus = "identified"
	UpdateMonitoring    UpdateStatus = "monitoring"
	UpdateResolved      UpdateStatus = "resolved"
)

// UpdateStatuses lists them in order.
func UpdateStatuses() []UpdateStatus {
	return []UpdateStatus{UpdateInvestigating, UpdateIdentified, UpdateMonitoring, UpdateResolved}
}

// Update is one public update of an incident: what status page visitors read.
type Update struct {
	ID         int64
	IncidentID int64
	At         time.Time
	Status     UpdateStatus
	Message    string
	Actor      string // the user's e-mail, never shown publicly; "" for statusthing
}

// MaxTitle is the longest incident title, in characters.
const MaxTitle = 200

// Draft is a public incident declared by hand, or the publication of an automatic one:
// its title, impact, affected components and first update.
type Draft struct {
	Title        string
	Impact       Impact
	ComponentIDs []int64
	Status       UpdateStatus
	Message      string
}

// DraftError lists every refused value of a Draft or an Update, named by field ("title",
// "impact", "status", "message").
type DraftError struct{ Fields monitor.FieldErrors }

func (e *DraftError) Error() string { return e.Fields.Join("invalid incident") }

// For returns the message for field, or "".
func (e *DraftError) For(field string) string { return e.Fields.For(field) }

// Validate returns a *DraftError listing every problem of d, or nil. A manual incident
// needs a title; the impact defaults to none and the status to investigating.
func (d *Draft) Validate() error {
	var fields []monitor.FieldError
	d.Title = strings.TrimSpace(d.Title)
	switch {
	case d.Title == "":
		fields = append(fields, monitor.FieldError{Field: "title", Message: "a title is required"})
	case utf8.RuneCountInString(d.Title) > MaxTitle:
		fields = append(fields, monitor.FieldError{Field: "title", Message: "at most 200 characters"})
	}
	if d.Impact == "" {
		d.Impact = ImpactNone
	}
	if d.Impact.Rank() < 0 {
		fields = append(fields, monitor.FieldError{Field: "impact", Message: "one of none, minor, major, critical"})
	}
	fields = append(fields, checkUpdate(&d.Status, d.Message)...)
	if len(fields) > 0 {
		return &DraftError{Fields: fields}
	}
	return nil
}

// CheckUpdate validates a public update's status (default investigating) and message.
func CheckUpdate(status *UpdateStatus, message string) error {
	if fields := checkUpdate(status, message); len(fields) > 0 {
		return &DraftError{Fields: fields}
	}
	return nil
}

func checkUpdate(status *UpdateStatus, message string) []monitor.FieldError {
	var fields []monitor.FieldError
	if *status == "" {
		*status = UpdateInvestigating
	}
	if !slices.Contains(UpdateStatuses(), *status) {
		fields = append(fields, monitor.FieldError{Field: "status", Message: "one of investigating, identified, monitoring, resolved"})
	}
	switch {
	case strings.TrimSpace(message) == "":
		fields = append(fields, monitor.FieldError{Field: "message", Message: "a message is required: visitors read it"})
	case utf8.RuneCountInString(message) > MaxComment:
		fields = append(fields, monitor.FieldError{Field: "message", Message: "at most 5000 characters"})
	}
	return fields
}

// ResolvedMessage is the public update statusthing posts when a published incident of a
// monitor resolves by itself.
const ResolvedMessage = "This incident has been resolved."

// Public is an incident as status pages show it: with the components it affects and its
// public updates, newest first.
type Public struct {
	Incident
	ComponentIDs []int64
	Updates      []Update
}

// PublicStatus is the status of the latest update; without one, investigating while open
// and resolved after.
func (p Public) PublicStatus() UpdateStatus {
	if len(p.Updates) > 0 {
		return p.Updates[0].Status
	}
	if p.Open() {
		return UpdateInvestigating
	}
	return UpdateResolved
}

// Change is a public update of an incident, possibly changing what the page shows of it:
// the first one publishes an automatic incident. Zero fields keep the current value
// (ComponentIDs nil keeps them; an automatic incident published without any shows on the
// components bound to its monitor).
type Change struct {
	Title        string
	Impact       Impact
	ComponentIDs []int64
	Status       UpdateStatus
	Message      string
}

// Validate normalizes c and returns a *DraftError listing every problem, or nil.
func (c *Change) Validate() error {
	var fields []monitor.FieldError
	c.Title = strings.TrimSpace(c.Title)
	if utf8.RuneCountInString(c.Title) > MaxTitle {
		fields = append(fields, monitor.FieldError{Field: "title", Message: "at most 200 characters"})
	}
	if c.Impact != "" && c.Impact.Rank() < 0 {
		fields = append(fields, monitor.FieldError{Field: "impact", Message: "one of none, minor, major, critical"})
	}
	fields = append(fields, checkUpdate(&c.Status, c.Message)...)
	if len(fields) > 0 {
		return &DraftError{Fields: fields}
	}
	return nil
}
