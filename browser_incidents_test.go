package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"statusthing/app/alert"
)

// TestBrowserIncidentAcknowledge: a monitor's target fails, the incident shows up in the
// list and the alert mail reaches the SMTP server; the admin opens the incident,
// acknowledges and comments, on desktop and on a phone.
func TestBrowserIncidentAcknowledge(t *testing.T) {
	sink := startMailSink(t)
	s := startServer(t, nil, withSMTP(sink))
	c := browserClient(t)
	setupAdmin(t, s, c)
	orgs, err := s.Store.Organizations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// An e-mail channel for every monitor, through the [smtp] relay (host left empty).
	if _, err := s.Store.CreateChannel(context.Background(), alert.Channel{OrgID: orgs[0].ID, Name: "on-call mail", Type: "email",
		Settings: json.RawMessage(`{"from":"","to":["oncall@example.com"]}`), IsDefault: true, Enabled: true}, time.Now()); err != nil {
		t.Fatal(err)
	}
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{
		"type": {"http"}, "name": {"Payments gateway"}, "url": {tg.URL + "/health"}, "interval": {"10m"}, "retries": {"0"},
		"expected_status": {"200-299"},
	})

	b := newBrowser(t)
	p := newPage(t, b, 1280, 900)
	loginUI(t, p, s)
	navigate(t, p, s.URL+path)
	click(t, p, "[data-testid=check-now]")
	waitFor(t, p, `[data-testid=monitor-status] [data-status=up]`, 10*time.Second)
	navigate(t, p, s.URL+"/admin/incidents")
	waitFor(t, p, "[data-testid=empty-incidents]", 5*time.Second)
	screenshot(t, p, "incidents-empty")

	tg.status.Store(http.StatusServiceUnavailable)
	navigate(t, p, s.URL+path)
	click(t, p, "[data-testid=check-now]")
	waitFor(t, p, "[data-testid=incident-banner]", 10*time.Second)
	screenshot(t, p, "monitor-incident-banner")

	navigate(t, p, s.URL+"/admin/incidents")
	waitFor(t, p, "[data-testid=incident-row] [data-status=down]", 5*time.Second)
	// The alert mail, delivered by the outbox's dispatcher to the SMTP server.
	mails := sink.wait(t, "oncall@example.com", 1)
	if !strings.Contains(mails[0].subject, "Payments gateway") || !strings.Contains(mails[0].text, "503") || mails[0].html == "" {
		t.Errorf("alert mail %q:\n%s", mails[0].subject, mails[0].text)
	}
	if got := text(t, p, "[data-testid=incident-link]"); got != "Payments gateway is down" {
		t.Errorf("incident title %q", got)
	}
	screenshot(t, p, "incidents-list")
	click(t, p, "[data-testid=incident-link]")
	if got := text(t, p, "[data-testid=page-title]"); got != "Payments gateway is down" {
		t.Fatalf("incident page title %q", got)
	}
	waitFor(t, p, "[data-testid=incident-results]", 5*time.Second)
	click(t, p, "[data-testid=acknowledge]")
	if got := text(t, p, "[data-testid=incident-status]"); got != "Acknowledged" {
		t.Errorf("status after acknowledging: %q", got)
	}
	if facts := text(t, p, "[data-testid=incident-facts]"); !strings.Contains(facts, "by "+testEmail) {
		t.Errorf("facts do not say who acknowledged: %q", facts)
	}
	fill(t, p, "#comment", "Provider says <b>maintenance</b>.\nWatching.")
	click(t, p, "[data-testid=add-comment]")
	waitForText(t, p, "[data-testid=timeline] [data-kind=comment] [data-testid=event-message]", "<b>maintenance</b>", 5*time.Second)
	screenshot(t, p, "incident-desktop")

	phone := newPage(t, b, 390, 844) // same browser: already logged in
	navigate(t, phone, s.URL+"/admin/incidents")
	waitFor(t, phone, "[data-testid=incident-row]", 5*time.Second)
	noOverflow(t, phone, "incidents list")
	screenshot(t, phone, "incidents-list-phone")
	click(t, phone, "[data-testid=incident-link]")
	waitFor(t, phone, "[data-testid=timeline]", 5*time.Second)
	noOverflow(t, phone, "incident page")
	screenshot(t, phone, "incident-phone")
	navigate(t, phone, s.URL+path)
	noOverflow(t, phone, "monitor page with its incident banner")
	screenshot(t, phone, "monitor-incident-banner-phone")
}
