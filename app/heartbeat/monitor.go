package heartbeat

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"statusthing/app/monitor"
)

// BuildSpec validates spec and returns the monitor it describes: monitor.Spec.Build, plus
// the schedule checks of heartbeat specs (this package owns schedules and imports monitor,
// so monitor cannot call them itself). Every caller that builds specs uses it.
func BuildSpec(spec monitor.Spec) (monitor.Monitor, error) {
	m, err := spec.Build()
	if spec.Type != monitor.TypeHeartbeat {
		return m, err
	}
	var fields []monitor.FieldError
	var invalid *monitor.ValidationError
	if errors.As(err, &invalid) {
		fields = invalid.Fields
	} else if err != nil {
		return monitor.Monitor{}, err
	}
	fields = append(fields, ScheduleOf(spec.HeartbeatSettings()).Validate()...)
	if len(fields) > 0 {
		return monitor.Monitor{}, &monitor.ValidationError{Fields: fields}
	}
	return m, nil
}

// ScheduleOf is the schedule of a heartbeat monitor's settings.
func ScheduleOf(h monitor.HeartbeatSettings) Schedule {
	return Schedule{Period: h.Period, Cron: h.Cron, TimeZone: h.TimeZone, Grace: h.Grace}
}

// Info is what a heartbeat monitor has beside the common monitor fields: its ping address
// and the state of its state machine and open runs.
type Info struct {
	MonitorID int64
	OrgID     int64
	UUID      string // the secret of /ping/{uuid}
	Slug      string // the name part of /ping/{ping_key}/{slug}
	State     State
	Running   []RunningRun
}

// Record is one stored ping, as the ping log shows it.
type Record struct {
	ID        int64
	MonitorID int64
	Ping
	Method    string // GET, POST, HEAD; "PUSH" for the Uptime Kuma push API
	RemoteIP  string
	UserAgent string
	Body      string
	Truncated bool          // Body was cut at heartbeat.max_body_bytes
	RunTime   time.Duration // duration of the run this ping finished; 0 if none
}

// Slug derives the name part of slug ping URLs from a monitor name: lower-case ASCII
// letters and digits, other runs of characters as one "-" ("Nightly DB backup" ->
// "nightly-db-backup"). Accented letters lose their accent when it is a common one.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		r = fold(r)
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// fold drops the accent of common accented letters.
func fold(r rune) rune {
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		return 'a'
	case 'ç':
		return 'c'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'î', 'ï', 'í', 'ì':
		return 'i'
	case 'ñ':
		return 'n'
	case 'ô', 'ö', 'ó', 'ò', 'õ', 'ø':
		return 'o'
	case 'ù', 'û', 'ü', 'ú':
		return 'u'
	case 'ÿ', 'ý':
		return 'y'
	}
	return r
}

// NextCheck is when the status of st can next change without a ping, the time the sweep
// must look at the monitor again; zero when only a ping can change it (new, down, paused).
func NextCheck(st State, s Schedule) time.Time {
	switch st.status() {
	case monitor.StatusUp, monitor.StatusLate:
	default:
		return time.Time{}
	}
	due, downAt, err := Expected(st, s)
	if err != nil || due.IsZero() {
		return time.Time{}
	}
	next := due
	if st.status() == monitor.StatusLate {
		next = downAt
	}
	if st.HoldUntil.After(next) {
		next = st.HoldUntil
	}
	return next.UTC()
}
