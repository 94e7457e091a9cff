package alert

import (
	"fmt"
	"strings"
	"time"

	"statusthing/app/monitor"
)

// This file is the alerting policy: which status changes alert and how (beyond the
// incidents' own down and up alerts), the flap guard, reminders and certificate alerts.
// Like the rest of the package it is pure: the store runs it inside the transaction of the
// change it judges.

// Level is what an alert would say about status s under options o: down, up, degraded
// (only with o.Degraded; else it reads as up: the service answers), late (only with
// o.Late; else up: nothing is missed yet) — or "" for the statuses that never alert
// (pending, new, paused).
func Level(s monitor.Status, o monitor.AlertOptions) monitor.Status {
	switch s {
	case monitor.StatusDown, monitor.StatusUp:
		return s
	case monitor.StatusDegraded:
		if o.Degraded {
			return s
		}
		return monitor.StatusUp
	case monitor.StatusLate:
		if o.Late {
			return s
		}
		return monitor.StatusUp
	}
	return ""
}

// Changes counts the flips that change the alert level (both ends alerting, see Level):
// those the flap guard counts. A change between statuses the options merge (up and
// degraded without alert_degraded) alerts no one, so it is no flapping either.
func Changes(flips []monitor.Flip, o monitor.AlertOptions) int {
	n := 0
	for _, f := range flips {
		from, to := Level(f.From, o), Level(f.To, o)
		if from != "" && to != "" && from != to {
			n++
		}
	}
	return n
}

// FlipDecision is what one status change alerts.
type FlipDecision struct {
	// Notify lets the incident's own alerts go out (down when it opens, up when it
	// resolves); false while flapping: the incident still opens and resolves, silently.
	Notify bool
	// Event is an alert about no incident: degraded, late, or up when a degraded or late
	// monitor is up again; "" for none.
	Event Event
	// StartFlapping: this change makes the monitor flapping. One "flapping" alert goes out
	// instead of the change's own, and none until it settles (Settled).
	StartFlapping bool
}

// OnFlip decides the alerts of status change f of a monitor with options o. flapping tells
// whether the monitor is flapping already; recent are its flips within o.FlapWindow up to
// and including f (only read when the flap guard is on and it is not flapping yet).
func OnFlip(f monitor.Flip, o monitor.AlertOptions, flapping bool, recent []monitor.Flip) FlipDecision {
	if flapping {
		return FlipDecision{}
	}
	from, to := Level(f.From, o), Level(f.To, o)
	if o.FlapChanges > 0 && from != "" && to != "" && from != to && Changes(recent, o) >= o.FlapChanges {
		return FlipDecision{StartFlapping: true}
	}
	d := FlipDecision{Notify: true}
	if to == "" || from == to {
		return d
	}
	switch {
	case to == monitor.StatusDown || from == monitor.StatusDown:
		// The incident opens or resolves: its down or up alert says it.
	case to == monitor.StatusDegraded:
		d.Event = EventDegraded
	case to == monitor.StatusLate:
		d.Event = EventLate
	case to == monitor.StatusUp && from != "":
		d.Event = EventUp // no longer degraded or late; pending -> up alerts no one
	}
	return d
}

// FlappingReason is the reason of the "flapping" alert.
func FlappingReason(o monitor.AlertOptions) string {
	return fmt.Sprintf("changed status %d times within %s: no more alerts until it has been stable for %s",
		o.FlapChanges, shortDuration(o.FlapWindow), shortDuration(o.FlapWindow))
}

// Settled reports whether a flapping monitor has settled at now: recent are its flips
// after now - o.FlapWindow, and none of them changed the alert level.
func Settled(recent []monitor.Flip, o monitor.AlertOptions) bool { return Changes(recent, o) == 0 }

// SettledEvent is the alert that tells the status of a monitor that stopped flapping: the
// event of its level ("" when its status never alerts, e.g. paused).
func SettledEvent(s monitor.Status, o monitor.AlertOptions) Event {
	switch Level(s, o) {
	case monitor.StatusDown:
		return EventDown
	case monitor.StatusUp:
		return EventUp
	case monitor.StatusDegraded:
		return EventDegraded
	case monitor.StatusLate:
		return EventLate
	}
	return ""
}

// SettledReason is the reason of the alert that ends flapping.
func SettledReason(o monitor.AlertOptions) string {
	return "stable for " + shortDuration(o.FlapWindow) + " after flapping"
}

// ReminderDue returns the number of the reminder due at now for an incident opened at
// opened, one every `every` (1 at opened+every, 2 at opened+2*every...), or 0 when none is
// due yet or reminders are off (every 0).
func ReminderDue(opened, now time.Time, every time.Duration) int {
	if every <= 0 || now.Before(opened.Add(every)) {
		return 0
	}
	return int(now.Sub(opened) / every)
}

// ReminderReason is the reason of reminder n (every `every`).
func ReminderReason(n int, every time.Duration, cause string) string {
	s := "still down after " + shortDuration(time.Duration(n)*every)
	if cause != "" {
		s += ": " + cause
	}
	return s
}

// CertAlertDue reports whether a certificate expiring at expiry, seen at `at`, must alert
// for a monitor alerting `days` ahead: it expires within days (or has expired) and is not
// the certificate already alerted about (alerted: its expiry, zero if none).
func CertAlertDue(expiry, at time.Time, days int, alerted time.Time) bool {
	if days <= 0 || expiry.IsZero() || expiry.Equal(alerted) {
		return false
	}
	return expiry.Sub(at) <= time.Duration(days)*24*time.Hour
}

// CertReason is the reason of a certificate_expiring alert.
func CertReason(expiry, at time.Time) string {
	day := expiry.UTC().Format("2006-01-02 15:04 MST")
	left := expiry.Sub(at)
	switch {
	case left <= 0:
		return "the certificate expired on " + day
	case left < 24*time.Hour:
		return "the certificate expires on " + day + ", in less than a day"
	}
	return fmt.Sprintf("the certificate expires on %s, in %d days", day, int(left/(24*time.Hour)))
}

// shortDuration prints 30m0s as 30m and 2h0m0s as 2h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
