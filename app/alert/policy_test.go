package alert

import (
	"testing"
	"time"

	"statusthing/app/monitor"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func flip(from, to monitor.Status, min int) monitor.Flip {
	return monitor.Flip{From: from, To: to, At: t0.Add(time.Duration(min) * time.Minute)}
}

const (
	up       = monitor.StatusUp
	down     = monitor.StatusDown
	degraded = monitor.StatusDegraded
	late     = monitor.StatusLate
	pending  = monitor.StatusPending
	paused   = monitor.StatusPaused
	newHB    = monitor.StatusNew
)

func TestOnFlip(t *testing.T) {
	off := monitor.AlertOptions{}
	all := monitor.AlertOptions{Degraded: true, Late: true}
	guard := monitor.AlertOptions{FlapChanges: 3, FlapWindow: 30 * time.Minute}
	tests := []struct {
		name     string
		f        monitor.Flip
		o        monitor.AlertOptions
		flapping bool
		recent   []monitor.Flip
		want     FlipDecision
	}{
		{"down: the incident alerts", flip(up, down, 0), off, false, nil, FlipDecision{Notify: true}},
		{"pending to down alerts", flip(pending, down, 0), off, false, nil, FlipDecision{Notify: true}},
		{"pending to up alerts no one", flip(pending, up, 0), all, false, nil, FlipDecision{Notify: true}},
		{"new to up alerts no one", flip(newHB, up, 0), all, false, nil, FlipDecision{Notify: true}},
		{"degraded, option off", flip(up, degraded, 0), off, false, nil, FlipDecision{Notify: true}},
		{"degraded, option on", flip(up, degraded, 0), all, false, nil, FlipDecision{Notify: true, Event: EventDegraded}},
		{"pending to degraded, option on", flip(pending, degraded, 0), all, false, nil, FlipDecision{Notify: true, Event: EventDegraded}},
		{"degraded back up, option on", flip(degraded, up, 0), all, false, nil, FlipDecision{Notify: true, Event: EventUp}},
		{"degraded back up, option off", flip(degraded, up, 0), off, false, nil, FlipDecision{Notify: true}},
		{"down to degraded: the incident's up", flip(down, degraded, 0), all, false, nil, FlipDecision{Notify: true}},
		{"late, option off", flip(up, late, 0), off, false, nil, FlipDecision{Notify: true}},
		{"late, option on", flip(up, late, 0), all, false, nil, FlipDecision{Notify: true, Event: EventLate}},
		{"late back up", flip(late, up, 0), all, false, nil, FlipDecision{Notify: true, Event: EventUp}},
		{"late to down: the incident", flip(late, down, 0), all, false, nil, FlipDecision{Notify: true}},
		{"paused", flip(up, paused, 0), all, false, nil, FlipDecision{Notify: true}},
		{"flapping already: silent", flip(up, down, 0), all, true, nil, FlipDecision{}},
		{"under the guard's threshold", flip(down, up, 1), guard, false,
			[]monitor.Flip{flip(up, down, 0), flip(down, up, 1)}, FlipDecision{Notify: true}},
		{"the third change starts flapping", flip(up, down, 2), guard, false,
			[]monitor.Flip{flip(up, down, 0), flip(down, up, 1), flip(up, down, 2)}, FlipDecision{StartFlapping: true}},
		{"changes the options merge do not count", flip(up, down, 2), guard, false,
			[]monitor.Flip{flip(up, degraded, 0), flip(degraded, up, 1), flip(up, down, 2)}, FlipDecision{Notify: true}},
		{"a pause does not start flapping", flip(up, paused, 3), guard, false,
			[]monitor.Flip{flip(up, down, 0), flip(down, up, 1), flip(up, down, 2), flip(down, paused, 3)}, FlipDecision{Notify: true}},
		{"guard off", flip(up, down, 2), off, false,
			[]monitor.Flip{flip(up, down, 0), flip(down, up, 1), flip(up, down, 2)}, FlipDecision{Notify: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OnFlip(tt.f, tt.o, tt.flapping, tt.recent); got != tt.want {
				t.Errorf("OnFlip = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSettled(t *testing.T) {
	o := monitor.AlertOptions{Degraded: false, FlapChanges: 3, FlapWindow: 30 * time.Minute}
	tests := []struct {
		name   string
		recent []monitor.Flip
		status monitor.Status
		want   bool
		event  Event
	}{
		{"no change: settled down", nil, down, true, EventDown},
		{"no change: settled up", nil, up, true, EventUp},
		{"degraded reads as up without the option", []monitor.Flip{flip(up, degraded, 0)}, degraded, true, EventUp},
		{"a change in the window", []monitor.Flip{flip(down, up, 0)}, up, false, EventUp},
		{"paused: settles silently", nil, paused, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Settled(tt.recent, o); got != tt.want {
				t.Errorf("Settled = %v", got)
			}
			if got := SettledEvent(tt.status, o); got != tt.event {
				t.Errorf("SettledEvent = %q, want %q", got, tt.event)
			}
		})
	}
}

func TestReminderDue(t *testing.T) {
	tests := []struct {
		name  string
		now   time.Time
		every time.Duration
		want  int
	}{
		{"off", t0.Add(time.Hour), 0, 0},
		{"not yet", t0.Add(29 * time.Minute), 30 * time.Minute, 0},
		{"first", t0.Add(30 * time.Minute), 30 * time.Minute, 1},
		{"still the first", t0.Add(59 * time.Minute), 30 * time.Minute, 1},
		{"third", t0.Add(95 * time.Minute), 30 * time.Minute, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReminderDue(t0, tt.now, tt.every); got != tt.want {
				t.Errorf("ReminderDue = %d, want %d", got, tt.want)
			}
		})
	}
	if got := ReminderReason(3, 30*time.Minute, "connection refused"); got != "still down after 1h30m: connection refused" {
		t.Errorf("ReminderReason = %q", got)
	}
}

func TestCertAlertDue(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name    string
		expiry  time.Time
		days    int
		alerted time.Time
		want    bool
	}{
		{"off", t0.Add(day), 0, time.Time{}, false},
		{"no certificate seen", time.Time{}, 14, time.Time{}, false},
		{"far away", t0.Add(30 * day), 14, time.Time{}, false},
		{"within the days", t0.Add(10 * day), 14, time.Time{}, true},
		{"exactly at the limit", t0.Add(14 * day), 14, time.Time{}, true},
		{"expired", t0.Add(-day), 14, time.Time{}, true},
		{"this certificate was alerted", t0.Add(10 * day), 14, t0.Add(10 * day), false},
		{"a new certificate, also close", t0.Add(12 * day), 14, t0.Add(10 * day), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CertAlertDue(tt.expiry, t0, tt.days, tt.alerted); got != tt.want {
				t.Errorf("CertAlertDue = %v, want %v", got, tt.want)
			}
		})
	}
	if got := CertReason(t0.Add(10*day+time.Hour), t0); got != "the certificate expires on 2025-03-11 13:00 UTC, in 10 days" {
		t.Errorf("CertReason = %q", got)
	}
}
