package heartbeat

import (
	"errors"
	"testing"
	"time"

	"statusthing/app/monitor"
)

func TestBuildSpec(t *testing.T) {
	fields := func(err error) map[string]string {
		out := map[string]string{}
		var v *monitor.ValidationError
		if errors.As(err, &v) {
			for _, f := range v.Fields {
				out[f.Field] = f.Message
			}
		}
		return out
	}
	m, err := BuildSpec(monitor.Spec{Name: "Backup", Type: monitor.TypeHeartbeat})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Settings.(monitor.HeartbeatSettings); got.Period != monitor.DefaultPeriod || got.Grace != monitor.DefaultGrace {
		t.Errorf("defaults: %+v", got)
	}
	m, err = BuildSpec(monitor.Spec{Name: "Backup", Type: monitor.TypeHeartbeat, Cron: " 30  2 * * * ", TimeZone: "Europe/Paris"})
	if err != nil || m.Settings.(monitor.HeartbeatSettings).Cron != "30 2 * * *" {
		t.Errorf("cron spec: %+v, %v", m.Settings, err)
	}
	// Schedule problems join the spec's own problems, each under its key.
	_, err = BuildSpec(monitor.Spec{Name: "", Type: monitor.TypeHeartbeat, Cron: "61 * * * *", TimeZone: "Mars/Olympus",
		Interval: monitor.Duration(time.Minute)})
	got := fields(err)
	for _, key := range []string{"name", "cron", "timezone", "interval"} {
		if got[key] == "" {
			t.Errorf("no error for %s in %v", key, got)
		}
	}
	// Probed monitors are monitor.Spec.Build's alone.
	_, err = BuildSpec(monitor.Spec{Name: "Site", Type: monitor.TypeHTTP, URL: "ftp://x", Cron: "* * * * *"})
	if got := fields(err); got["url"] == "" || got["cron"] == "" {
		t.Errorf("http spec errors: %v", got)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Nightly DB backup":      "nightly-db-backup",
		"  Sauvegarde générale ": "sauvegarde-generale",
		"a--b__c":                "a-b-c",
		"日本":                     "",
		"job #42 (prod)":         "job-42-prod",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNextCheck(t *testing.T) {
	s := Schedule{Period: time.Hour, Grace: 10 * time.Minute}
	last := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	up := State{Status: monitor.StatusUp, Since: last, LastPing: last}
	if got := NextCheck(up, s); !got.Equal(last.Add(time.Hour)) {
		t.Errorf("up: %s", got)
	}
	late := up
	late.Status = monitor.StatusLate
	if got := NextCheck(late, s); !got.Equal(last.Add(70 * time.Minute)) {
		t.Errorf("late: %s", got)
	}
	held := up
	held.HoldUntil = last.Add(3 * time.Hour)
	if got := NextCheck(held, s); !got.Equal(held.HoldUntil) {
		t.Errorf("held: %s", got)
	}
	for _, st := range []monitor.Status{monitor.StatusNew, monitor.StatusDown, monitor.StatusPaused} {
		x := up
		x.Status = st
		if got := NextCheck(x, s); !got.IsZero() {
			t.Errorf("%s: %s, want zero (only a ping changes it)", st, got)
		}
	}
}
