package notify

import (
	"fmt"
	"time"

	"statusthing/app/alert"
)

// title is an alert's one-line summary, e.g. "🔴 Shop is down" or "✅ Shop is back up".
func title(a Alert) string {
	if a.Event == alert.EventUp {
		return "✅ " + a.Monitor.Name + " is back up"
	}
	return "🔴 " + a.Monitor.Name + " is down"
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
	if a.Event == alert.EventUp && !a.Incident.ResolvedAt.IsZero() {
		s += "Down for " + downtime(a) + "\n"
	}
	s += "At " + a.Time.UTC().Format(time.RFC1123)
	return s
}

// text is the plain-text message of chat channels: title, details, link.
func text(a Alert) string {
	s := title(a) + "\n" + details(a)
	if a.Incident.URL != "" {
		s += "\n" + a.Incident.URL
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
