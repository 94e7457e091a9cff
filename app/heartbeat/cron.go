package heartbeat

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed 5-field cron expression: minute hour day-of-month month day-of-week.
//
// Each field accepts "*", numbers, names (JAN-DEC, SUN-SAT, any case), ranges ("1-5",
// "MON-FRI"), lists ("1,15,30") and steps ("*/5", "1-30/2", "10/15" = 10 to the end by 15).
// Day-of-week 0 and 7 are both Sunday. As in Vixie/Debian cron (and Healthchecks' cronsim),
// when both day-of-month and day-of-week are restricted (neither starts with "*") a day
// matches if EITHER matches; otherwise both must match.
//
// The zero Cron matches no time at all.
type Cron struct {
	// Bit i is set when value i is allowed. Day-of-week uses 0-6 (7 is folded into 0).
	minute, hour, dom, month, dow uint64
	// domStar and dowStar record whether the field started with "*" (Vixie's rule for the
	// day-of-month/day-of-week OR).
	domStar, dowStar bool
	// wallClock is set when neither minute nor hour starts with "*": a job at a fixed time
	// of day (or with a granularity coarser than an hour), matched on the local wall clock
	// across daylight saving changes. Other jobs follow elapsed time. See Next.
	wallClock bool
	expr      string
}

// field describes one of the five cron fields.
type field struct {
	name     string
	min, max int
	names    string // three-letter names, concatenated, for value min onwards; "" if none
}

// The five fields, in order. A function rather than a package variable so that nothing at
// package level is mutable.
func cronFields() [5]field {
	return [5]field{
		{name: "minute", min: 0, max: 59},
		{name: "hour", min: 0, max: 23},
		{name: "day-of-month", min: 1, max: 31},
		{name: "month", min: 1, max: 12, names: "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"},
		{name: "day-of-week", min: 0, max: 7, names: "SUNMONTUEWEDTHUFRISAT"},
	}
}

// ParseCron parses a 5-field cron expression. Errors name the field, e.g.
// "minute: 61 is out of range 0-59". Macros (@daily, @hourly...) are not supported.
func ParseCron(expr string) (Cron, error) {
	parts := strings.Fields(expr)
	if len(parts) > 0 && strings.HasPrefix(parts[0], "@") {
		// Say why rather than "expected 5 fields, got 1".
		return Cron{}, fmt.Errorf("macros like %s are not supported: write the 5 fields (minute hour day-of-month month day-of-week), e.g. \"0 0 * * *\" for @daily", parts[0])
	}
	if len(parts) != 5 {
		return Cron{}, fmt.Errorf("expected 5 fields (minute hour day-of-month month day-of-week), got %d", len(parts))
	}
	fields := cronFields()
	var sets [5]uint64
	for i, f := range fields {
		set, err := parseField(parts[i], f)
		if err != nil {
			return Cron{}, fmt.Errorf("%s: %s", f.name, err)
		}
		sets[i] = set
	}
	if sets[4]&(1<<7) != 0 { // 7 is Sunday too
		sets[4] = sets[4]&^(1<<7) | 1
	}
	c := Cron{
		minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4],
		domStar:   strings.HasPrefix(parts[2], "*"),
		dowStar:   strings.HasPrefix(parts[4], "*"),
		wallClock: !strings.HasPrefix(parts[0], "*") && !strings.HasPrefix(parts[1], "*"),
		expr:      strings.Join(parts, " "),
	}
	// With the AND rule and every weekday allowed, the day-of-month alone decides: refuse
	// an expression that can never fire, like "0 0 30 2 *".
	if !c.domStar && c.dowStar {
		first := bits.TrailingZeros64(c.dom)
		longest := 0
		for m := time.January; m <= time.December; m++ {
			if c.month&(1<<m) != 0 {
				longest = max(longest, daysIn(m, 2000)) // 2000: a leap year, February has 29
			}
		}
		if first > longest {
			return Cron{}, fmt.Errorf("day-of-month: %d never occurs in the selected months", first)
		}
	}
	return c, nil
}

// parseField parses one field into a bit set.
func parseField(s string, f field) (uint64, error) {
	var set uint64
	for item := range strings.SplitSeq(s, ",") {
		if item == "" {
			return 0, fmt.Errorf("empty item in list %q", s)
		}
		rng, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 || !allDigits(stepStr) {
				return 0, fmt.Errorf("step %q must be a positive number", stepStr)
			}
			step = n
		}
		var lo, hi int
		if rng == "*" {
			lo, hi = f.min, f.max
		} else if a, b, isRange := strings.Cut(rng, "-"); isRange {
			var err error
			if lo, err = value(a, f); err != nil {
				return 0, err
			}
			if hi, err = value(b, f); err != nil {
				return 0, err
			}
			if lo > hi {
				return 0, fmt.Errorf("range %s is backwards (write the smaller value first)", rng)
			}
		} else {
			v, err := value(rng, f)
			if err != nil {
				return 0, err
			}
			lo, hi = v, v
			if hasStep { // "10/15": from 10 to the end of the range, every 15
				hi = f.max
			}
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

// value parses one number or name of field f.
func value(s string, f field) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("missing value (expected %d-%d)", f.min, f.max)
	}
	if f.names != "" && len(s) == 3 {
		if i := strings.Index(f.names, strings.ToUpper(s)); i >= 0 && i%3 == 0 {
			return f.min + i/3, nil
		}
	}
	if !allDigits(s) {
		if f.names != "" {
			return 0, fmt.Errorf("%q is not a number (%d-%d) or a name (%s-%s)", s, f.min, f.max,
				f.names[:3], f.names[len(f.names)-3:])
		}
		return 0, fmt.Errorf("%q is not a number (%d-%d)", s, f.min, f.max)
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%s is out of range %d-%d", s, f.min, f.max)
	}
	return v, nil
}

// String returns the expression with its fields separated by single spaces.
func (c Cron) String() string { return c.expr }

// Next returns the first time strictly after t at which c fires in loc (nil: UTC), or the
// zero time if it does not fire within 50 years. Cron resolution is one minute: the result
// always has zero seconds.
//
// Daylight saving time is handled like Debian's cron, and like cronsim, which Healthchecks
// uses, so that statusthing expects a ping exactly when the user's crontab sends it:
//
//   - Fixed-time jobs (neither minute nor hour starts with "*": "30 2 * * *",
//     "0 2,14 * * *", "0 0-23/6 * * *") are matched on the wall clock. A time that does not
//     exist (spring forward) fires at the first instant after the gap: "30 2 * * *" fires at
//     03:00 on the day Europe/Paris jumps from 02:00 to 03:00. A time that occurs twice
//     (fall back) fires once, at its first occurrence.
//   - Other jobs ("*/15 * * * *", "0 * * * *", "5 */2 * * *") follow elapsed time: they
//     fire at every real instant whose local time matches. Skipped local times do not
//     fire; the repeated hour of a fall back fires again (two real hours did pass), so
//     "0 * * * *" fires at 02:00 summer time and again at 02:00 winter time.
func (c Cron) Next(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if !c.wallClock || loc == time.UTC {
		return c.search(t.In(loc), loc)
	}
	// Search in naive wall-clock time (wall readings stored as UTC), then map each
	// candidate back to a real instant. A candidate may map to t or before it when t is in
	// the repeated hour of a fall back and the first occurrence already fired: skip it.
	lt := t.In(loc)
	w := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), time.UTC)
	for {
		w = c.search(w, time.UTC)
		if w.IsZero() {
			return w
		}
		if r := resolve(w, loc); r.After(t) {
			return r
		}
	}
}

// search returns the first whole minute strictly after t (in loc) that matches c, stepping
// through real time, or the zero time after 50 years without a match.
func (c Cron) search(t time.Time, loc *time.Location) time.Time {
	t = t.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(50, 0, 0)
	for t.Before(limit) {
		y, mo, d := t.Date()
		h, mi := t.Hour(), t.Minute()
		var next time.Time
		switch {
		case c.month&(1<<mo) == 0:
			next = resolve(time.Date(y, mo+1, 1, 0, 0, 0, 0, time.UTC), loc)
		case !c.dayMatches(d, t.Weekday()):
			next = resolve(time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC), loc)
		case c.hour&(1<<h) == 0:
			// Real minutes, not wall ones: across a transition the hour is checked again.
			next = t.Add(time.Duration(60-mi) * time.Minute)
		case c.minute&(1<<mi) == 0:
			later := c.minute >> (mi + 1) << (mi + 1) // allowed minutes after mi
			to := 60
			if later != 0 {
				to = bits.TrailingZeros64(later)
			}
			next = t.Add(time.Duration(to-mi) * time.Minute)
		default:
			return t
		}
		if !next.After(t) { // a backward transition at midnight: never loop
			next = t.Add(time.Minute)
		}
		t = next
	}
	return time.Time{}
}

// dayMatches applies the day-of-month / day-of-week rule.
func (c Cron) dayMatches(day int, wd time.Weekday) bool {
	domOK := c.dom&(1<<day) != 0
	dowOK := c.dow&(1<<wd) != 0
	if c.domStar || c.dowStar {
		return domOK && dowOK
	}
	return domOK || dowOK
}

// resolve maps a wall-clock reading w (its fields read as UTC) to a real instant in loc: its
// first occurrence if the reading is ambiguous (fall back), the end of the gap if it does
// not exist (spring forward).
func resolve(w time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return w
	}
	// Walk the zone periods around w: no UTC offset exceeds 15 hours, so the instant(s)
	// showing w lie within 15 hours of w read as UTC.
	to := w.Add(15 * time.Hour)
	p := w.Add(-15 * time.Hour)
	prevOff, first := 0, true
	for {
		lt := p.In(loc)
		_, off := lt.Zone()
		start, end := lt.ZoneBounds()
		cand := w.Add(-time.Duration(off) * time.Second)
		if (start.IsZero() || !cand.Before(start)) && (end.IsZero() || cand.Before(end)) {
			return cand.In(loc) // periods are in order: the first hit is the first occurrence
		}
		if !first && off > prevOff && cand.Before(start) && !w.Add(-time.Duration(prevOff)*time.Second).Before(start) {
			// The clock jumped from prevOff to off at start, skipping the readings in
			// [start+prevOff, start+off); w is one of them (else cand would be in this period).
			return start.In(loc)
		}
		if end.IsZero() || !end.Before(to) {
			break
		}
		prevOff, first, p = off, false, end
	}
	// Not reached with real zone data; fall back to the library's choice.
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
}

// daysIn returns the number of days of month m in year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
