package notify

import (
	"fmt"
	"strconv"
	"time"

	"statusthing/app/alert"
)

// title is an alert's one-line summary, e.g. "🔴 Shop is down" or "✅ Shop is back up".
func title(a Alert) string { return icon(a.Event) + " " + headline(a) }

// icon is the emoji of an event in chat titles.
func icon(e alert.Event) string {
	switch e {
	case alert.EventUp:
		return "✅"
	case alert.EventDegraded:
		return "🟡"
	case alert.EventLate:
		return "🕒"
	case alert.EventCertExpiring:
		return "🔒"
	case alert.EventFlapping:
		return "🔀"
	case alert.EventTest:
		return "🧪"
	}
	return "🔴" // down, reminder
}

// headline says what happened, e.g. "Shop is down".
func headline(a Alert) string {
	n := a.Monitor.Name
	switch a.Event {
	case alert.EventUp:
		if a.Status == "degraded" {
			return n + " is back up (degraded)"
		}
		return n + " is back up"
	case alert.EventDegraded:
		return n + " is degraded"
	case alert.EventLate:
		return n + " is late"
	case alert.EventReminder:
		return n + " is still down"
	case alert.EventCertExpiring:
		return n + ": " + certLeft(a)
	case alert.EventFlapping:
		return n + " is flapping"
	case alert.EventTest:
		return "Test alert from statusthing"
	}
	return n + " is down"
}

// tag is the event's word in e-mail subjects: "[Down] Shop is down".
func tag(e alert.Event) string {
	switch e {
	case alert.EventUp:
		return "Up"
	case alert.EventDegraded:
		return "Degraded"
	case alert.EventLate:
		return "Late"
	case alert.EventReminder:
		return "Still down"
	case alert.EventCertExpiring:
		return "Certificate"
	case alert.EventFlapping:
		return "Flapping"
	case alert.EventTest:
		return "Test"
	}
	return "Down"
}

// urgent tells the events that want attention now (ntfy's high priority).
func urgent(e alert.Event) bool {
	return e == alert.EventDown || e == alert.EventReminder || e == alert.EventFlapping
}

// certLeft says when a certificate_expiring alert's certificate expires.
func certLeft(a Alert) string {
	left := a.CertExpiry.Sub(a.Time)
	switch {
	case a.CertExpiry.IsZero():
		return "certificate expires soon"
	case left <= 0:
		return "certificate expired"
	case left < 48*time.Hour:
		return "certificate expires within 2 days"
	}
	return "certificate expires in " + strconv.Itoa(int(left/(24*time.Hour))) + " days"
}

// details are the lines under the title in chat messages.
func details(a Alert) string {
	s := ""
	if a.Monitor.Target != "" {
		s += "Target: " + a.Monitor.Target + "\n"
	}
	if a.Reason != "" {
		s += "Reason: " + a.Reason + "\n"
	}
	if a.Event == alert.EventReminder && !a.Incident.OpenedAt.IsZero() {
		s += "Down since " + a.Incident.OpenedAt.UTC().Format(time.RFC1123) + "\n"
	}
	if a.Event == alert.EventUp && !a.Incident.ResolvedAt.IsZero() {
		s += "Down for " + downtime(a) + "\n"
	}
	s += "At " + a.Time.UTC().Format(time.RFC1123)
	return s
}

// link is the page an alert points to: its incident, else its monitor ("" if unknown).
func link(a Alert) string {
	if a.Incident.URL != "" {
		return a.Incident.URL
	}
	return a.Monitor.URL
}

// linkLabel names link(a).
func linkLabel(a Alert) string {
	if a.Incident.URL != "" {
		return "View incident"
	}
	return "View monitor"
}

// text is the plain-text message of chat channels: title, details, link.
func text(a Alert) string {
	s := title(a) + "\n" + details(a)
	if l := link(a); l != "" {
		s += "\n" + l
	}
	return s
}

// downtime is how long the incident lasted, rounded for humans.
func downtime(a Alert) string {
	d := a.Incident.ResolvedAt.Sub(a.Incident.OpenedAt)
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return d.Round(time.Minute).String()
}
