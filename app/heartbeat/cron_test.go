package heartbeat

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the machine's zoneinfo
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustCron(t *testing.T, expr string) Cron {
	t.Helper()
	c, err := ParseCron(expr)
	if err != nil {
		t.Fatalf("ParseCron(%q): %v", expr, err)
	}
	return c
}

// nextTimes follows Next n times from `from`, formatting each result in RFC 3339 so that
// a comparison checks the instant and the offset (the result must be in loc).
func nextTimes(c Cron, loc *time.Location, from time.Time, n int) []string {
	out := make([]string, 0, n)
	for range n {
		from = c.Next(from, loc)
		out = append(out, from.Format(time.RFC3339))
	}
	return out
}

func TestParseCronErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "expected 5 fields (minute hour day-of-month month day-of-week), got 0"},
		{"* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
		{"0 * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"}, // no seconds field
		{"@daily", `macros like @daily are not supported: write the 5 fields (minute hour day-of-month month day-of-week), e.g. "0 0 * * *" for @daily`},
		{"@hourly", "macros like @hourly are not supported"},
		{"60 * * * *", "minute: 60 is out of range 0-59"},
		{"99999999999999999999 * * * *", "minute: 99999999999999999999 is out of range 0-59"},
		{"* 24 * * *", "hour: 24 is out of range 0-23"},
		{"* * 0 * *", "day-of-month: 0 is out of range 1-31"},
		{"* * 32 * *", "day-of-month: 32 is out of range 1-31"},
		{"* * * 0 *", "month: 0 is out of range 1-12"},
		{"* * * 13 *", "month: 13 is out of range 1-12"},
		{"* * * * 8", "day-of-week: 8 is out of range 0-7"},
		{"0-60 * * * *", "minute: 60 is out of range 0-59"},
		{"*/0 * * * *", `minute: step "0" must be a positive number`},
		{"*/-1 * * * *", `minute: step "-1" must be a positive number`},
		{"*/+5 * * * *", `minute: step "+5" must be a positive number`},
		{"*/x * * * *", `minute: step "x" must be a positive number`},
		{"1-5/ * * * *", `minute: step "" must be a positive number`},
		{"*/5/2 * * * *", `minute: step "5/2" must be a positive number`},
		{"/5 * * * *", "minute: missing value (expected 0-59)"},
		{"5- * * * *", "minute: missing value (expected 0-59)"},
		{"-5 * * * *", "minute: missing value (expected 0-59)"},
		{"1,,2 * * * *", `minute: empty item in list "1,,2"`},
		{"1, * * * *", `minute: empty item in list "1,"`},
		{"30-10 * * * *", "minute: range 30-10 is backwards (write the smaller value first)"},
		{"* * * * FRI-MON", "day-of-week: range FRI-MON is backwards"}, // no wrap-around, as in Vixie cron
		{"JAN * * * *", `minute: "JAN" is not a number (0-59)`},
		{"* MON * * *", `hour: "MON" is not a number (0-23)`},
		{"* * * FOO *", `month: "FOO" is not a number (1-12) or a name (JAN-DEC)`},
		{"* * * JANUARY *", `month: "JANUARY" is not a number (1-12) or a name (JAN-DEC)`},
		{"* * * * MONDAY", `day-of-week: "MONDAY" is not a number (0-7) or a name (SUN-SAT)`},
		{"* * * * MON-FOO", `day-of-week: "FOO" is not a number (0-7) or a name (SUN-SAT)`},
		{"* * * * UNM", `day-of-week: "UNM" is not a number`}, // a substring of the name table, misaligned
		{"* * L * *", `day-of-month: "L" is not a number (1-31)`},
		{"? * * * *", `minute: "?" is not a number (0-59)`},
		{"*-5 * * * *", `minute: "*" is not a number (0-59)`},
		// With every weekday allowed the day-of-month alone decides: a date that never
		// exists would make a monitor that is never expected, so it is refused.
		{"0 0 30 2 *", "day-of-month: 30 never occurs in the selected months"},
		{"0 0 31 2,4,6,9,11 *", "day-of-month: 31 never occurs in the selected months"},
		{"0 0 30,31 FEB *", "day-of-month: 30 never occurs in the selected months"},
	}
	for _, tt := range tests {
		c, err := ParseCron(tt.expr)
		if err == nil {
			t.Errorf("ParseCron(%q) = %v, want error %q", tt.expr, c, tt.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseCron(%q) error = %q, want %q", tt.expr, err, tt.want)
		}
		if c != (Cron{}) {
			t.Errorf("ParseCron(%q) returned %+v with its error, want the zero Cron", tt.expr, c)
		}
	}
}

func TestParseCronAccepts(t *testing.T) {
	for _, expr := range []string{
		"* * * * *",
		"0 0 29 2 *",            // only in leap years, but it does occur
		"0 0 31 1,2 *",          // January has a 31st
		"0 0 30 2 MON",          // OR rule: every Monday of February
		"0 0 1,30 2 *",          // the 1st occurs
		"59 23 31 12 7",         // upper bounds, 7 = Sunday
		"0 0 1 jan sun",         // names in any case
		"0 0 1 Jan Sun",         //
		"0-59/60 0-23/24 * * *", // a step larger than the range keeps the start only
		"*/1 * * * 0-7",
	} {
		if _, err := ParseCron(expr); err != nil {
			t.Errorf("ParseCron(%q): %v", expr, err)
		}
	}
}

func TestCronString(t *testing.T) {
	c := mustCron(t, "  */5\t0   * *  MON-FRI ")
	if got, want := c.String(), "*/5 0 * * MON-FRI"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestCronNextUTC(t *testing.T) {
	// 2026-01-01 is a Thursday.
	tests := []struct {
		name, expr, from string
		want             []string
	}{
		{"every 15 minutes", "*/15 * * * *", "2026-01-01T00:07:30Z",
			[]string{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"}},
		{"strictly after a matching time", "*/15 * * * *", "2026-01-01T00:15:00Z",
			[]string{"2026-01-01T00:30:00Z"}},
		{"a nanosecond before", "*/15 * * * *", "2026-01-01T00:14:59.999999999Z",
			[]string{"2026-01-01T00:15:00Z"}},
		{"a second after a match", "*/15 * * * *", "2026-01-01T00:15:01Z",
			[]string{"2026-01-01T00:30:00Z"}},
		{"every minute", "* * * * *", "2026-01-01T23:59:30Z",
			[]string{"2026-01-02T00:00:00Z", "2026-01-02T00:01:00Z"}},
		{"start/step", "10/15 * * * *", "2026-01-01T00:00:00Z",
			[]string{"2026-01-01T00:10:00Z", "2026-01-01T00:25:00Z", "2026-01-01T00:40:00Z", "2026-01-01T00:55:00Z", "2026-01-01T01:10:00Z"}},
		{"range/step", "1-30/10 * * * *", "2026-01-01T00:00:00Z",
			[]string{"2026-01-01T00:01:00Z", "2026-01-01T00:11:00Z", "2026-01-01T00:21:00Z", "2026-01-01T01:01:00Z"}},
		{"lists", "5,35 1,13 * * *", "2026-01-01T00:00:00Z",
			[]string{"2026-01-01T01:05:00Z", "2026-01-01T01:35:00Z", "2026-01-01T13:05:00Z", "2026-01-01T13:35:00Z", "2026-01-02T01:05:00Z"}},
		{"list of ranges and steps", "0 1-2,20-23/2 * * *", "2026-01-01T00:00:00Z",
			[]string{"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T20:00:00Z", "2026-01-01T22:00:00Z", "2026-01-02T01:00:00Z"}},
		{"weekdays by name", "0 9 * * MON-FRI", "2026-01-02T10:00:00Z", // a Friday, after 09:00
			[]string{"2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-09T09:00:00Z", "2026-01-12T09:00:00Z"}},
		{"weekdays by number", "0 9 * * 1-5", "2026-01-02T10:00:00Z",
			[]string{"2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-09T09:00:00Z", "2026-01-12T09:00:00Z"}},
		{"7 is Sunday", "0 12 * * 7", "2026-01-01T00:00:00Z",
			[]string{"2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"}},
		{"0 is Sunday", "0 12 * * 0", "2026-01-01T00:00:00Z",
			[]string{"2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"}},
		{"SUN", "0 12 * * sun", "2026-01-01T00:00:00Z",
			[]string{"2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"}},
		{"range ending on 7", "0 12 * * 6-7", "2026-01-01T00:00:00Z",
			[]string{"2026-01-03T12:00:00Z", "2026-01-04T12:00:00Z", "2026-01-10T12:00:00Z"}},
		{"month names", "0 0 1 JAN,jul *", "2026-02-01T00:00:00Z",
			[]string{"2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"}},
		{"month name step", "0 0 1 FEB/4 *", "2026-01-01T00:00:00Z",
			[]string{"2026-02-01T00:00:00Z", "2026-06-01T00:00:00Z", "2026-10-01T00:00:00Z", "2027-02-01T00:00:00Z"}},
		{"February 29", "0 0 29 2 *", "2026-01-01T00:00:00Z",
			[]string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		{"the 31st skips short months", "0 0 31 * *", "2026-01-31T00:00:00Z",
			[]string{"2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"}},
		{"end of year", "59 23 31 12 *", "2026-06-01T00:00:00Z",
			[]string{"2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"}},
		// Vixie cron: both day fields restricted, so a day matches if either does. Fridays of
		// January 2026 are 2, 9, 16, 23, 30; the 13th is a Tuesday.
		{"day-of-month OR day-of-week", "0 0 13 * FRI", "2026-01-01T00:00:00Z",
			[]string{"2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"}},
		{"OR with a stepped range", "0 0 1-31/2 * MON", "2026-01-10T12:00:00Z", // the 12th is a Monday
			[]string{"2026-01-11T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-15T00:00:00Z"}},
		{"OR with an impossible date", "0 0 30 2 MON", "2026-01-31T00:00:00Z",
			[]string{"2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z", "2026-02-23T00:00:00Z", "2027-02-01T00:00:00Z"}},
		// A field starting with "*" (even "*/2") is not a restriction for the OR rule: both
		// must match. Odd days that are Mondays: January 5 and 19, February 9 and 23.
		{"*/2 day-of-month is AND", "0 0 */2 * MON", "2026-01-01T00:00:00Z",
			[]string{"2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-23T00:00:00Z"}},
		{"*/2 day-of-week is AND", "0 0 1-7 * */2", "2026-01-01T00:00:00Z", // Sun, Tue, Thu, Sat in the first week
			[]string{"2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z", "2026-02-01T00:00:00Z"}},
		{"day-of-month alone", "0 0 13 * *", "2026-01-01T00:00:00Z",
			[]string{"2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCron(t, tt.expr)
			got := nextTimes(c, nil, mustTime(t, tt.from), len(tt.want))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("%q from %s:\n got %v\nwant %v", tt.expr, tt.from, got, tt.want)
			}
		})
	}
}

func TestCronNextSundayAliases(t *testing.T) {
	// 0, 7 and SUN must be the same set, alone or in ranges.
	from := mustTime(t, "2026-01-01T00:00:00Z")
	want := nextTimes(mustCron(t, "0 0 * * 0,6"), time.UTC, from, 10)
	for _, expr := range []string{"0 0 * * 6,7", "0 0 * * SAT,SUN", "0 0 * * 6-7", "0 0 * * sat-7", "0 0 * * 6,0,7"} {
		if got := nextTimes(mustCron(t, expr), time.UTC, from, 10); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q: %v, want %v", expr, got, want)
		}
	}
}

func TestCronNextResultShape(t *testing.T) {
	// The result is in loc, has zero seconds and is strictly after t, whatever t's zone.
	paris := mustLoc(t, "Europe/Paris")
	c := mustCron(t, "*/7 * * * *")
	at := time.Date(2026, 5, 1, 10, 3, 17, 5, time.FixedZone("X", -5*3600))
	for range 500 {
		n := c.Next(at, paris)
		if !n.After(at) || n.Second() != 0 || n.Nanosecond() != 0 || n.Location() != paris {
			t.Fatalf("Next(%s) = %s", at, n)
		}
		at = n.Add(-time.Second) // also strictly after when just before a match
		if n2 := c.Next(at, paris); !n2.Equal(n) {
			t.Fatalf("Next(%s) = %s, want %s", at, n2, n)
		}
		at = n
	}
	if got := c.Next(at, nil).Location(); got != time.UTC {
		t.Errorf("Next with a nil location: result in %v, want UTC", got)
	}
}

func TestCronNextNever(t *testing.T) {
	if got := (Cron{}).Next(mustTime(t, "2026-01-01T00:00:00Z"), time.UTC); !got.IsZero() {
		t.Errorf("zero Cron: Next = %s, want the zero time", got)
	}
}

func TestCronNextDST(t *testing.T) {
	// Europe/Paris: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST ->
	// 02:00 CET (01:00Z). America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z);
	// 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
	tests := []struct {
		name, expr, zone, from string
		want                   []string
	}{
		// Fixed-time jobs follow the wall clock: a skipped time fires once at the end of the
		// gap (like Debian cron, which runs them right after the jump)...
		{"Paris spring, 02:30 fires at 03:00", "30 2 * * *", "Europe/Paris", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"}},
		{"Paris spring, from just before the gap", "30 2 * * *", "Europe/Paris", "2026-03-29T00:59:59Z",
			[]string{"2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"Paris spring, from the end of the gap", "30 2 * * *", "Europe/Paris", "2026-03-29T01:00:00Z",
			[]string{"2026-03-30T02:30:00+02:00"}},
		{"Paris spring, two skipped times fire once", "0,30 2 * * *", "Europe/Paris", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"Paris spring, 03:30 is not moved", "30 3 * * *", "Europe/Paris", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T03:30:00+02:00", "2026-03-30T03:30:00+02:00"}},
		// ...and a repeated time fires once, at its first occurrence.
		{"Paris autumn, 02:30 fires once", "30 2 * * *", "Europe/Paris", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00"}},
		{"Paris autumn, from the second 02:10", "30 2 * * *", "Europe/Paris", "2026-10-25T01:10:00Z",
			[]string{"2026-10-26T02:30:00+01:00"}},
		{"Paris autumn, from between the two 02:30", "30 2 * * *", "Europe/Paris", "2026-10-25T00:45:00Z",
			[]string{"2026-10-26T02:30:00+01:00"}},
		{"Paris autumn, several times in the repeated hour", "15,45 2 * * *", "Europe/Paris", "2026-10-24T23:50:00Z",
			[]string{"2026-10-25T02:15:00+02:00", "2026-10-25T02:45:00+02:00", "2026-10-26T02:15:00+01:00"}},
		{"Paris autumn, after the repeated hour", "30 3 * * *", "Europe/Paris", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T03:30:00+01:00", "2026-10-26T03:30:00+01:00"}},
		{"New York spring", "30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z",
			[]string{"2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"}},
		{"New York autumn", "30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
		{"New York autumn, from the second 01:00", "30 1 * * *", "America/New_York", "2026-11-01T06:00:00Z",
			[]string{"2026-11-02T01:30:00-05:00"}},
		{"coarse steps of hours are fixed-time too", "0 0-23/6 * * *", "Europe/Paris", "2026-03-28T22:00:00Z",
			[]string{"2026-03-29T00:00:00+01:00", "2026-03-29T06:00:00+02:00", "2026-03-29T12:00:00+02:00"}},
		// Lord Howe moves by 30 minutes: 02:00 -> 02:30 on 2026-10-04.
		{"half-hour gap", "15 2 * * *", "Australia/Lord_Howe", "2026-10-02T12:00:00Z",
			[]string{"2026-10-03T02:15:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"}},
		// Santiago changes at midnight: 2026-09-06 00:00 does not exist, and 2026-04-05 00:00
		// -03 goes back to 2026-04-04 23:00 -04 (23:xx happens twice).
		{"midnight gap", "0 0 * * *", "America/Santiago", "2026-09-04T12:00:00Z",
			[]string{"2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"}},
		{"repeated hour across midnight", "30 23 * * *", "America/Santiago", "2026-04-04T12:00:00Z",
			[]string{"2026-04-04T23:30:00-03:00", "2026-04-05T23:30:00-04:00"}},
		{"midnight after a fall back at midnight", "0 0 * * *", "America/Santiago", "2026-04-03T12:00:00Z",
			[]string{"2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00", "2026-04-06T00:00:00-04:00"}},
		// Jobs with "*" in the minute or hour follow elapsed time: skipped local times do
		// not fire, a repeated hour fires again.
		{"hourly over the Paris gap", "0 * * * *", "Europe/Paris", "2026-03-28T23:30:00Z",
			[]string{"2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"}},
		{"hourly over the Paris repeat", "0 * * * *", "Europe/Paris", "2026-10-24T23:30:00Z",
			[]string{"2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"}},
		{"every 30 min in hour 2, Paris gap", "*/30 2 * * *", "Europe/Paris", "2026-03-28T23:00:00Z",
			[]string{"2026-03-30T02:00:00+02:00"}},
		{"every 30 min in hour 2, Paris repeat", "*/30 2 * * *", "Europe/Paris", "2026-10-24T23:00:00Z",
			[]string{"2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-26T02:00:00+01:00"}},
		{"every 2 hours over the Paris gap", "5 */2 * * *", "Europe/Paris", "2026-03-28T23:30:00Z",
			[]string{"2026-03-29T04:05:00+02:00", "2026-03-29T06:05:00+02:00"}},
		{"half-hour gap, hourly", "0 * * * *", "Australia/Lord_Howe", "2026-10-03T14:00:00Z",
			[]string{"2026-10-04T01:00:00+10:30", "2026-10-04T03:00:00+11:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			got := nextTimes(mustCron(t, tt.expr), loc, mustTime(t, tt.from), len(tt.want))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("%q in %s from %s:\n got %v\nwant %v", tt.expr, tt.zone, tt.from, got, tt.want)
			}
		})
	}
}

func TestCronHourlyAcrossDST(t *testing.T) {
	// An hourly job fires once per real hour through both transitions: no duplicate, no
	// missing hour; the local minute stays the same.
	for _, tt := range []struct{ zone, from string }{
		{"Europe/Paris", "2026-03-28T12:00:00Z"},
		{"Europe/Paris", "2026-10-24T12:00:00Z"},
		{"America/New_York", "2026-03-07T12:00:00Z"},
		{"America/New_York", "2026-10-31T12:00:00Z"},
	} {
		for _, expr := range []string{"0 * * * *", "17 * * * *"} {
			loc := mustLoc(t, tt.zone)
			c := mustCron(t, expr)
			prev := c.Next(mustTime(t, tt.from), loc)
			for i := range 48 {
				n := c.Next(prev, loc)
				if d := n.Sub(prev); d != time.Hour {
					t.Errorf("%q in %s: after %s comes %s (%s later), want one hour", expr, tt.zone, prev, n, d)
				}
				if n.Minute() != prev.Minute() {
					t.Errorf("%q in %s: step %d fires at minute %d", expr, tt.zone, i, n.Minute())
				}
				prev = n
			}
		}
	}
}

func TestCronDailyAcrossDST(t *testing.T) {
	// A fixed-time daily job fires exactly once per local day through a whole year.
	for _, zone := range []string{"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "America/Santiago"} {
		for _, expr := range []string{"30 2 * * *", "0 0 * * *", "30 1 * * *", "59 23 * * *"} {
			loc := mustLoc(t, zone)
			c := mustCron(t, expr)
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
			seen := map[string]bool{}
			for {
				at = c.Next(at, loc)
				if at.Year() != 2026 {
					break
				}
				day := at.Format(time.DateOnly)
				if seen[day] {
					t.Errorf("%q in %s fires twice on %s (again at %s)", expr, zone, day, at)
				}
				seen[day] = true
			}
			if len(seen) != 365 {
				t.Errorf("%q in %s fires on %d days of 2026, want 365", expr, zone, len(seen))
			}
		}
	}
}
