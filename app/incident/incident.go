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
