package heartbeat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestScheduleValidate(t *testing.T) {
	const day = 24 * time.Hour
	fe := func(field, msg string) FieldError { return FieldError{Field: field, Message: msg} }
	tests := []struct {
		name string
		s    Schedule
		want []FieldError
	}{
		{"simple", Schedule{Period: time.Hour, Grace: 5 * time.Minute}, nil},
		{"simple with a display zone", Schedule{Period: time.Hour, TimeZone: "America/New_York", Grace: time.Minute}, nil},
		{"cron", Schedule{Cron: "30 2 * * *", TimeZone: "Europe/Paris", Grace: time.Hour}, nil},
		{"cron in UTC by name", Schedule{Cron: "30 2 * * *", TimeZone: "UTC", Grace: time.Hour}, nil},
		{"cron in Etc/UTC", Schedule{Cron: "30 2 * * *", TimeZone: "Etc/UTC", Grace: time.Hour}, nil},
		{"lower bounds", Schedule{Period: time.Minute, Grace: time.Minute}, nil},
		{"upper bounds", Schedule{Period: 365 * day, Grace: 365 * day}, nil},

		{"neither", Schedule{Grace: time.Minute},
			[]FieldError{fe("period", "set a period or a cron expression")}},
		{"both", Schedule{Period: time.Hour, Cron: "* * * * *", Grace: time.Minute},
			[]FieldError{fe("cron", "set either a period or a cron expression, not both")}},
		{"both, negative period", Schedule{Period: -time.Hour, Cron: "* * * * *", Grace: time.Minute},
			[]FieldError{fe("cron", "set either a period or a cron expression, not both")}},
		{"bad cron", Schedule{Cron: "61 * * * *", Grace: time.Minute},
			[]FieldError{fe("cron", "minute: 61 is out of range 0-59")}},
		{"period too short", Schedule{Period: 59 * time.Second, Grace: time.Minute},
			[]FieldError{fe("period", "must be at least 1 minute, got 59s")}},
		{"negative period", Schedule{Period: -time.Hour, Grace: time.Minute},
			[]FieldError{fe("period", "must be at least 1 minute, got -1h0m0s")}},
		{"period too long", Schedule{Period: 366 * day, Grace: time.Minute},
			[]FieldError{fe("period", "must be at most 365 days, got 8784h0m0s")}},
		{"no grace", Schedule{Period: time.Hour},
			[]FieldError{fe("grace", "must be at least 1 minute, got 0s")}},
		{"grace too long", Schedule{Period: time.Hour, Grace: 365*day + time.Second},
			[]FieldError{fe("grace", "must be at most 365 days, got 8760h0m1s")}},
		// Local depends on the server, not on the job.
		{"Local", Schedule{Cron: "0 0 * * *", TimeZone: "Local", Grace: time.Minute},
			[]FieldError{fe("timezone", `"Local" is not an IANA time zone; use a name like Europe/Paris`)}},
		{"unknown zone", Schedule{Cron: "0 0 * * *", TimeZone: "Mars/Olympus_Mons", Grace: time.Minute},
			[]FieldError{fe("timezone", `unknown time zone "Mars/Olympus_Mons" (use an IANA name like Europe/Paris)`)}},
		{"path in zone", Schedule{Cron: "0 0 * * *", TimeZone: "../../etc/passwd", Grace: time.Minute},
			[]FieldError{fe("timezone", `unknown time zone "../../etc/passwd" (use an IANA name like Europe/Paris)`)}},
		{"zone checked for a simple schedule too", Schedule{Period: time.Hour, TimeZone: "Nowhere", Grace: time.Minute},
			[]FieldError{fe("timezone", `unknown time zone "Nowhere" (use an IANA name like Europe/Paris)`)}},
		{"every problem at once", Schedule{Cron: "* * *", TimeZone: "Local", Grace: -time.Minute},
			[]FieldError{
				fe("cron", "expected 5 fields (minute hour day-of-month month day-of-week), got 3"),
				fe("timezone", `"Local" is not an IANA time zone; use a name like Europe/Paris`),
				fe("grace", "must be at least 1 minute, got -1m0s"),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Validate()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate() = %#v\nwant %#v", got, tt.want)
			}
			// Next refuses what Validate refuses, and only that.
			_, err := tt.s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			if (err != nil) != (tt.want != nil) || (err != nil && !errors.Is(err, ErrInvalidSchedule)) {
				t.Errorf("Next() error = %v", err)
			}
		})
	}
}

func TestScheduleInvalidError(t *testing.T) {
	s := Schedule{Period: 30 * time.Second, TimeZone: "Local", Grace: time.Minute}
	_, err := s.Next(time.Now())
	want := `heartbeat: invalid schedule: period: must be at least 1 minute, got 30s; timezone: "Local" is not an IANA time zone; use a name like Europe/Paris`
	if err == nil || err.Error() != want {
		t.Errorf("Next() error = %v\nwant %s", err, want)
	}
	list, err := s.NextN(time.Now(), 3)
	if list != nil || !errors.Is(err, ErrInvalidSchedule) {
		t.Errorf("NextN() = %v, %v; want nil, ErrInvalidSchedule", list, err)
	}
}

func TestScheduleNext(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
		from string
		want string
	}{
		{"period, UTC", Schedule{Period: 90 * time.Minute, Grace: time.Minute}, "2026-01-01T10:00:00Z", "2026-01-01T11:30:00Z"},
		// A period is elapsed time, even over a DST change; the zone is only for display.
		{"period over the Paris gap", Schedule{Period: 90 * time.Minute, TimeZone: "Europe/Paris", Grace: time.Minute},
			"2026-03-29T00:00:00Z", "2026-03-29T03:30:00+02:00"},
		{"period keeps sub-minute precision", Schedule{Period: time.Hour, Grace: time.Minute}, "2026-01-01T10:00:07.5Z", "2026-01-01T11:00:07.5Z"},
		{"cron, UTC by default", Schedule{Cron: "30 2 * * *", Grace: time.Minute}, "2026-03-28T12:00:00Z", "2026-03-29T02:30:00Z"},
		{"cron in Paris over the gap", Schedule{Cron: "30 2 * * *", TimeZone: "Europe/Paris", Grace: time.Minute},
			"2026-03-28T12:00:00Z", "2026-03-29T03:00:00+02:00"},
		{"cron in New York", Schedule{Cron: "0 9 * * MON-FRI", TimeZone: "America/New_York", Grace: time.Minute},
			"2026-01-02T15:00:00Z", "2026-01-05T09:00:00-05:00"},
	}
	for _, tt := range tests {
		got, err := tt.s.Next(mustTime(t, tt.from))
		if err != nil || got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("%s: Next(%s) = %s, %v; want %s", tt.name, tt.from, got.Format(time.RFC3339Nano), err, tt.want)
		}
	}
}

func TestScheduleNextN(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
		from string
		n    int
		want []string
	}{
		{"period in Paris", Schedule{Period: 90 * time.Minute, TimeZone: "Europe/Paris", Grace: time.Minute}, "2026-03-29T00:00:00Z", 3,
			[]string{"2026-03-29T03:30:00+02:00", "2026-03-29T05:00:00+02:00", "2026-03-29T06:30:00+02:00"}},
		{"cron in Paris", Schedule{Cron: "30 2 * * *", TimeZone: "Europe/Paris", Grace: time.Minute}, "2026-03-28T00:00:00Z", 3,
			[]string{"2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"cron in New York", Schedule{Cron: "0 9 * * MON-FRI", TimeZone: "America/New_York", Grace: time.Minute}, "2026-03-06T15:00:00Z", 3,
			[]string{"2026-03-09T09:00:00-04:00", "2026-03-10T09:00:00-04:00", "2026-03-11T09:00:00-04:00"}},
		{"one", Schedule{Period: time.Hour, Grace: time.Minute}, "2026-01-01T00:00:00Z", 1,
			[]string{"2026-01-01T01:00:00Z"}},
		{"zero", Schedule{Period: time.Hour, Grace: time.Minute}, "2026-01-01T00:00:00Z", 0, nil},
		{"negative", Schedule{Period: time.Hour, Grace: time.Minute}, "2026-01-01T00:00:00Z", -1, nil},
	}
	for _, tt := range tests {
		got, err := tt.s.NextN(mustTime(t, tt.from), tt.n)
		var strs []string
		for _, g := range got {
			strs = append(strs, g.Format(time.RFC3339))
		}
		if err != nil || strings.Join(strs, " ") != strings.Join(tt.want, " ") || len(got) != len(tt.want) {
			t.Errorf("%s: NextN(%s, %d) = %v, %v; want %v", tt.name, tt.from, tt.n, strs, err, tt.want)
		}
	}
}
