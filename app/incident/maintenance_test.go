package incident

import (
	"testing"
	"time"
)

func TestMaintenanceOneOff(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	m := Maintenance{Title: "db upgrade", Start: start, End: start.Add(time.Hour)}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-time.Nanosecond), false},
		{start, true},
		{start.Add(59 * time.Minute), true},
		{start.Add(time.Hour - time.Nanosecond), true},
		{start.Add(time.Hour), false},
	} {
		if got := m.Active(tc.at); got != tc.want {
			t.Errorf("Active(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if s, e, ok := m.NextWindow(start.Add(-time.Minute)); !ok || !s.Equal(start) || !e.Equal(start.Add(time.Hour)) {
		t.Errorf("NextWindow before = %s %s %v", s, e, ok)
	}
	if _, _, ok := m.NextWindow(start); ok {
		t.Error("NextWindow after start of a one-off window")
	}
}

func TestMaintenanceRecurringAcrossDST(t *testing.T) {
	_, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	// Every day at 02:30 Paris time for one hour. On 2026-03-29 Paris jumps 02:00 -> 03:00,
	// so that day's window starts at 03:00 CEST (01:00 UTC); on 2026-10-25 02:30 happens
	// twice and fires at its first occurrence (00:30 UTC).
	m := Maintenance{Title: "nightly", Cron: "30 2 * * *", Duration: time.Hour, TimeZone: "Europe/Paris"}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	at := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name      string
		at        time.Time
		want      bool
		wantStart time.Time
	}{
		{"winter before", at(2026, 1, 10, 1, 29), false, time.Time{}},
		{"winter start", at(2026, 1, 10, 1, 30), true, at(2026, 1, 10, 1, 30)},
		{"winter end", at(2026, 1, 10, 2, 30), false, time.Time{}},
		{"spring forward, before gap end", at(2026, 3, 29, 0, 59), false, time.Time{}},
		{"spring forward, at 03:00 CEST", at(2026, 3, 29, 1, 0), true, at(2026, 3, 29, 1, 0)},
		{"spring forward, last minute", at(2026, 3, 29, 1, 59), true, at(2026, 3, 29, 1, 0)},
		{"spring forward, over", at(2026, 3, 29, 2, 0), false, time.Time{}},
		{"summer", at(2026, 7, 1, 0, 45), true, at(2026, 7, 1, 0, 30)},
		{"summer, 02:30 UTC is not 02:30 Paris", at(2026, 7, 1, 2, 30), false, time.Time{}},
		{"fall back, first 02:30", at(2026, 10, 25, 0, 30), true, at(2026, 10, 25, 0, 30)},
		{"fall back, second 02:30 within the hour", at(2026, 10, 25, 1, 29), true, at(2026, 10, 25, 0, 30)},
		{"fall back, not again", at(2026, 10, 25, 1, 30), false, time.Time{}},
	} {
		s, e, ok := m.Window(tc.at)
		if ok != tc.want || m.Active(tc.at) != tc.want {
			t.Errorf("%s: Window(%s) ok = %v, want %v", tc.name, tc.at, ok, tc.want)
			continue
		}
		if ok && (!s.Equal(tc.wantStart) || !e.Equal(tc.wantStart.Add(time.Hour))) {
			t.Errorf("%s: window %s - %s, want start %s", tc.name, s, e, tc.wantStart)
		}
	}
	if s, _, ok := m.NextWindow(at(2026, 3, 28, 12, 0)); !ok || !s.Equal(at(2026, 3, 29, 1, 0)) {
		t.Errorf("NextWindow before spring forward = %s %v", s, ok)
	}
}

func TestMaintenanceCoversAndSuppressed(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	all := Maintenance{Title: "all", Start: start, End: start.Add(time.Hour)}
	some := Maintenance{Title: "some", Start: start, End: start.Add(3 * time.Hour), MonitorIDs: []int64{2, 3}}
	if !all.Covers(99) || !some.Covers(3) || some.Covers(1) {
		t.Error("Covers")
	}
	ms := []Maintenance{all, some}
	if until, ok := Suppressed(ms, 1, start.Add(time.Minute)); !ok || !until.Equal(start.Add(time.Hour)) {
		t.Errorf("monitor 1: %s %v", until, ok)
	}
	if until, ok := Suppressed(ms, 2, start.Add(time.Minute)); !ok || !until.Equal(start.Add(3*time.Hour)) {
		t.Errorf("monitor 2: %s %v", until, ok)
	}
	if _, ok := Suppressed(ms, 1, start.Add(2*time.Hour)); ok {
		t.Error("monitor 1 suppressed after its window")
	}
}

func TestMaintenanceValidate(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		m      Maintenance
		fields []string
	}{
		{"empty", Maintenance{}, []string{"title", "start", "end"}},
		{"end before start", Maintenance{Title: "x", Start: start, End: start}, []string{"end"}},
		{"bad cron", Maintenance{Title: "x", Cron: "61 * * * *", Duration: time.Hour}, []string{"cron"}},
		{"short duration", Maintenance{Title: "x", Cron: "0 * * * *", Duration: time.Second}, []string{"duration"}},
		{"bad zone", Maintenance{Title: "x", Cron: "0 * * * *", Duration: time.Hour, TimeZone: "Mars/Base"}, []string{"timezone"}},
		{"both", Maintenance{Title: "x", Cron: "0 * * * *", Duration: time.Hour, Start: start, End: start.Add(time.Hour)}, []string{"start"}},
	} {
		err := tc.m.Validate()
		me, ok := err.(*MaintenanceError)
		if !ok {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for _, f := range tc.fields {
			if me.For(f) == "" {
				t.Errorf("%s: no error for %s in %v", tc.name, f, me)
			}
		}
		if len(me.Fields) != len(tc.fields) {
			t.Errorf("%s: %v", tc.name, me)
		}
	}
}
