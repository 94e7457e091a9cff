package incident

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// Bounds of a maintenance window.
const (
	MaxMaintenanceTitle    = 200
	MaxMaintenanceDuration = 31 * 24 * time.Hour
)

// Maintenance is a window during which the monitors it covers still run but open no
// incident and send no alert. It is either one-off (Start, End) or recurring (Cron fires
// in TimeZone, each window lasting Duration). MonitorIDs empty covers every monitor of the
// organization.
type Maintenance struct {
	ID         int64
	OrgID      int64
	Title      string
	Start, End time.Time     // one-off; zero for a recurring window
	Cron       string        // recurring: 5-field cron expression; "" for a one-off window
	Duration   time.Duration // recurring: length of each window
	TimeZone   string        // IANA name ("" = UTC): the cron's zone, and the form's for one-off times
	MonitorIDs []int64
}

// Recurring reports whether m repeats on a cron expression.
func (m Maintenance) Recurring() bool { return m.Cron != "" }

// MaintenanceError lists every refused value of a Maintenance, named by field ("title",
// "start", "end", "cron", "duration", "timezone").
type MaintenanceError struct{ Fields monitor.FieldErrors }

func (e *MaintenanceError) Error() string { return e.Fields.Join("invalid maintenance") }

// For returns the message for field, or "".
func (e *MaintenanceError) For(field string) string { return e.Fields.For(field) }

// Validate returns a *MaintenanceError listing every problem of m, or nil.
func (m Maintenance) Validate() error {
	var errs []monitor.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, monitor.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(m.Title)); {
	case n == 0:
		add("title", "is required")
	case n > MaxMaintenanceTitle:
		add("title", "must be at most %d characters", MaxMaintenanceTitle)
	}
	if _, err := heartbeat.LoadLocation(m.TimeZone); err != nil {
		add("timezone", "%s", err)
	}
	if m.Recurring() {
		if !m.Start.IsZero() || !m.End.IsZero() {
			add("start", "set either start and end or a cron expression, not both")
		}
		if _, err := heartbeat.ParseCron(m.Cron); err != nil {
			add("cron", "%s", err)
		}
		switch {
		case m.Duration < time.Minute:
			add("duration", "must be at least 1 minute")
		case m.Duration > MaxMaintenanceDuration:
			add("duration", "must be at most 31 days")
		}
	} else {
		if m.Start.IsZero() {
			add("start", "is required (or set a cron expression)")
		}
		if m.End.IsZero() {
			add("end", "is required")
		} else if !m.Start.IsZero() && !m.End.After(m.Start) {
			add("end", "must be after the start")
		}
		if m.Duration != 0 {
			add("duration", "only applies to a recurring window")
		}
	}
	for _, id := range m.MonitorIDs {
		if id <= 0 {
			add("monitors", "unknown monitor %d", id)
			break
		}
	}
	if errs != nil {
		return &MaintenanceError{Fields: errs}
	}
	return nil
}

// Location is m's time zone (UTC when invalid).
func (m Maintenance) Location() *time.Location {
	loc, err := heartbeat.LoadLocation(m.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Covers reports whether m applies to monitorID (an empty list covers every monitor).
func (m Maintenance) Covers(monitorID int64) bool {
	if len(m.MonitorIDs) == 0 {
		return true
	}
	for _, id := range m.MonitorIDs {
		if id == monitorID {
			return true
		}
	}
	return false
}

// Window returns the window in effect at t: [start, end) with start <= t < end, and ok.
// A recurring window started by the latest cron firing t0 with t0 <= t < t0+Duration.
// An invalid m is never active.
func (m Maintenance) Window(at time.Time) (start, end time.Time, ok bool) {
	if !m.Recurring() {
		if m.Start.IsZero() || m.End.IsZero() {
			return time.Time{}, time.Time{}, false
		}
		ok = !at.Before(m.Start) && at.Before(m.End)
		return m.Start, m.End, ok
	}
	c, err := heartbeat.ParseCron(m.Cron)
	if err != nil || m.Duration <= 0 {
		return time.Time{}, time.Time{}, false
	}
	loc := m.Location()
	// Firings in (at-Duration, at]: Next is strictly after, so start from at-Duration.
	for f := c.Next(at.Add(-m.Duration), loc); !f.IsZero() && !f.After(at); f = c.Next(f, loc) {
		start, ok = f, true
	}
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return start, start.Add(m.Duration), true
}

// Active reports whether m is in effect at t.
func (m Maintenance) Active(at time.Time) bool {
	_, _, ok := m.Window(at)
	return ok
}

// NextWindow returns the first window starting strictly after t (ok false if none: a
// one-off window that started, or a cron that never fires).
func (m Maintenance) NextWindow(at time.Time) (start, end time.Time, ok bool) {
	if !m.Recurring() {
		if m.Start.After(at) {
			return m.Start, m.End, true
		}
		return time.Time{}, time.Time{}, false
	}
	c, err := heartbeat.ParseCron(m.Cron)
	if err != nil || m.Duration <= 0 {
		return time.Time{}, time.Time{}, false
	}
	f := c.Next(at, m.Location())
	if f.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	return f, f.Add(m.Duration), true
}

// Suppressed reports whether one of ms covers monitorID and is active at t, with the end of
// the latest such window (for "in maintenance until ...").
func Suppressed(ms []Maintenance, monitorID int64, at time.Time) (until time.Time, ok bool) {
	for _, m := range ms {
		if !m.Covers(monitorID) {
			continue
		}
		if _, end, active := m.Window(at); active {
			ok = true
			if end.After(until) {
				until = end
			}
		}
	}
	return until, ok
}
