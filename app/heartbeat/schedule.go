package heartbeat

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"statusthing/app/monitor"
)

// Bounds of periods and grace times (the same as Healthchecks').
const (
	MinPeriod = time.Minute
	MaxPeriod = 365 * 24 * time.Hour
	MinGrace  = time.Minute
	MaxGrace  = 365 * 24 * time.Hour
)

// FieldError is one refused value of a Schedule, named by its configuration key ("period",
// "cron", "timezone", "grace"). It is monitor.FieldError, so heartbeat problems join the
// other problems of a monitor spec without conversion.
type FieldError = monitor.FieldError

// ErrInvalidSchedule is returned (wrapped) by the schedule methods when the schedule does
// not validate; callers validate on save, so seeing it means stored data is broken.
var ErrInvalidSchedule = errors.New("heartbeat: invalid schedule")

// Schedule says when pings are expected: every Period after the last one (a "simple"
// schedule), or at the times of a cron expression in a time zone. Either way a ping may be
// up to Grace late before the monitor is down.
type Schedule struct {
	Period   time.Duration // simple schedule; 0 when Cron is set
	Cron     string        // 5-field cron expression; "" for a simple schedule
	TimeZone string        // IANA name for Cron ("" = UTC); for a simple schedule only display
	Grace    time.Duration
}

// Validate returns every problem of s, each named by its key; nil when s is valid.
func (s Schedule) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case s.Period == 0 && s.Cron == "":
		add("period", "set a period or a cron expression")
	case s.Period != 0 && s.Cron != "":
		add("cron", "set either a period or a cron expression, not both")
	case s.Cron != "":
		if _, err := ParseCron(s.Cron); err != nil {
			add("cron", "%s", err)
		}
	case s.Period < MinPeriod:
		add("period", "must be at least 1 minute, got %s", s.Period)
	case s.Period > MaxPeriod:
		add("period", "must be at most 365 days, got %s", s.Period)
	}
	if _, err := LoadLocation(s.TimeZone); err != nil {
		add("timezone", "%s", err)
	}
	switch {
	case s.Grace < MinGrace:
		add("grace", "must be at least 1 minute, got %s", s.Grace)
	case s.Grace > MaxGrace:
		add("grace", "must be at most 365 days, got %s", s.Grace)
	}
	return errs
}

// LoadLocation loads the IANA time zone of a schedule or a maintenance window; "" is UTC.
// "Local" is refused: it would depend on the server's configuration, not on the job's.
func LoadLocation(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return nil, fmt.Errorf("%q is not an IANA time zone; use a name like Europe/Paris", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (use an IANA name like Europe/Paris)", name)
	}
	return loc, nil
}

// compiled is a schedule ready to compute times with.
type compiled struct {
	period time.Duration
	cron   Cron
	loc    *time.Location
}

func (s Schedule) compile() (compiled, error) {
	if errs := s.Validate(); errs != nil {
		parts := make([]string, len(errs))
		for i, e := range errs {
			parts[i] = e.Field + ": " + e.Message
		}
		return compiled{}, fmt.Errorf("%w: %s", ErrInvalidSchedule, strings.Join(parts, "; "))
	}
	loc, _ := LoadLocation(s.TimeZone) // checked by Validate
	c := compiled{period: s.Period, loc: loc}
	if s.Cron != "" {
		c.cron, _ = ParseCron(s.Cron) // checked by Validate
	}
	return c, nil
}

func (c compiled) next(t time.Time) (time.Time, error) {
	if c.period > 0 {
		return t.Add(c.period).In(c.loc), nil
	}
	n := c.cron.Next(t, c.loc)
	if n.IsZero() {
		return n, fmt.Errorf("heartbeat: cron %q does not fire in the 50 years after %s", c.cron, t.Format(time.RFC3339))
	}
	return n, nil
}

// Next returns the first time a ping is expected strictly after t: t + Period for a simple
// schedule, the next time the cron expression fires after t otherwise (see Cron.Next for
// daylight saving time). The result is in the schedule's time zone.
func (s Schedule) Next(t time.Time) (time.Time, error) {
	c, err := s.compile()
	if err != nil {
		return time.Time{}, err
	}
	return c.next(t)
}

// NextN lists the next n times pings are expected after t, in the schedule's time zone (the
// "next expected pings" preview of the edit form). n <= 0 gives an empty list.
func (s Schedule) NextN(t time.Time, n int) ([]time.Time, error) {
	c, err := s.compile()
	if err != nil || n <= 0 {
		return nil, err
	}
	out := make([]time.Time, 0, n)
	for range n {
		if t, err = c.next(t); err != nil {
			return out, err
		}
		out = append(out, t)
	}
	return out, nil
}
