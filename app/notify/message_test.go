package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"statusthing/app/alert"
)

// eventAlert is an alert of each event as the store writes it: alerts about no incident
// carry none (and link to the monitor).
func eventAlert(event alert.Event) Alert {
	a := testAlert(event)
	switch event {
	case alert.EventDegraded, alert.EventLate, alert.EventCertExpiring, alert.EventFlapping:
		a.Incident = alert.Incident{}
		a.Monitor.URL = "https://status.example.com/admin/monitors/7"
		a.Status, a.Reason = string(event), "slow: 3s"
		if event == alert.EventCertExpiring {
			a.Status, a.CertExpiry, a.Reason = "up", t0.Add(10*24*time.Hour), "the certificate expires soon"
		}
		if event == alert.EventFlapping {
			a.Status = "down"
		}
	case alert.EventReminder:
		a.Reminder, a.Time, a.Reason = 2, t0.Add(time.Hour), "still down after 1h"
	}
	return a
}

// TestEventMessages: every event renders its own subject, chat title and body, and the
// webhook payload carries its event (and omits the incident of alerts without one).
func TestEventMessages(t *testing.T) {
	e, err := NewEmail(0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		event   alert.Event
		subject string
		title   string
		body    []string // in the text e-mail
	}{
		{alert.EventDown, "[Down] Café shop is down", "🔴 Café shop is down", []string{"Incident: Café shop is down", "View the incident: https://status.example.com/admin/incidents/42"}},
		{alert.EventUp, "[Up] Café shop is back up", "✅ Café shop is back up", []string{"down for 5 min"}},
		{alert.EventDegraded, "[Degraded] Café shop is degraded", "🟡 Café shop is degraded", []string{"Reason:   slow: 3s", "View the monitor: https://status.example.com/admin/monitors/7"}},
		{alert.EventLate, "[Late] Café shop is late", "🕒 Café shop is late", []string{"Status:   late"}},
		{alert.EventReminder, "[Still down] Café shop is still down", "🔴 Café shop is still down", []string{"Reminder: 2", "still down after 1h"}},
		{alert.EventCertExpiring, "[Certificate] Café shop: certificate expires in 10 days", "🔒 Café shop: certificate expires in 10 days", []string{"Expires:  Tue, 11 Mar 2025 12:00:00 UTC"}},
		{alert.EventFlapping, "[Flapping] Café shop is flapping", "🔀 Café shop is flapping", []string{"Status:   down"}},
		{alert.EventTest, "[Test] Test alert from statusthing", "🧪 Test alert from statusthing", nil},
	}
	srv, got := receiver(t, http.StatusOK)
	w := &Webhook{Client: srv.Client()}
	for _, tt := range tests {
		t.Run(string(tt.event), func(t *testing.T) {
			a := eventAlert(tt.event)
			subject, text, html, err := e.Render(a)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tt.subject {
				t.Errorf("subject %q, want %q", subject, tt.subject)
			}
			if title(a) != tt.title {
				t.Errorf("title %q, want %q", title(a), tt.title)
			}
			for _, want := range tt.body {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
			if a.Incident.ID == 0 && (strings.Contains(text, "Incident:") || strings.Contains(html, "Incident<")) {
				t.Errorf("an alert without incident shows one:\n%s", text)
			}
			if err := w.Send(context.Background(), channel(alert.TypeWebhook, WebhookSettings{URL: srv.URL}), a); err != nil {
				t.Fatal(err)
			}
			reqs := got()
			last := reqs[len(reqs)-1]
			var p map[string]any
			if err := json.Unmarshal(last.body, &p); err != nil {
				t.Fatal(err)
			}
			if p["event"] != string(tt.event) || last.header.Get("X-Statusthing-Event") != string(tt.event) {
				t.Errorf("payload event %v, header %q", p["event"], last.header.Get("X-Statusthing-Event"))
			}
			if _, has := p["incident"]; has != (a.Incident.ID != 0) {
				t.Errorf("payload incident present = %v for incident %d", has, a.Incident.ID)
			}
		})
	}
}

// TestWebhookHeaderValidation: custom headers with invalid or reserved names (in any case)
// or multi-line values are refused when the channel is saved, naming the headers setting.
func TestWebhookHeaderValidation(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		want    string // "" accepted
	}{
		{"none", nil, ""},
		{"authorization", map[string]string{"Authorization": "Bearer x", "X-Team": "ops"}, ""},
		{"space in name", map[string]string{"X Team": "ops"}, `"X Team" is not a valid header name`},
		{"empty name", map[string]string{"": "x"}, "not a valid header name"},
		{"host", map[string]string{"host": "evil.example.com"}, "Host is reserved"},
		{"content length", map[string]string{"Content-Length": "1"}, "Content-Length is reserved"},
		{"signature", map[string]string{"x-statusthing-signature": "sha256=00"}, "X-Statusthing-Signature is reserved"},
		{"injection", map[string]string{"X-A": "a\r\nX-B: b"}, "must be one line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, _ := json.Marshal(WebhookSettings{URL: "https://hooks.example.com/", Headers: tt.headers})
			err := ValidateSettings(alert.TypeWebhook, raw)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "settings: headers: ")):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestEmailSMTPDefaults: an e-mail channel that leaves its relay or sender empty uses the
// [smtp] defaults (through the in-process SMTP server); one with a host of its own gets
// none of the default relay's credentials; without a default host, a host is required.
func TestEmailSMTPDefaults(t *testing.T) {
	sink, host, port := startSMTP(t)
	defaults := SMTPDefaults(host, port, "alerts", "pw", "Status <status@example.com>", "none")
	e, err := NewEmail(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	e.Defaults = defaults
	tests := []struct {
		name     string
		settings map[string]any
		from     string
		user     string
	}{
		{"everything from [smtp]", map[string]any{"to": []string{"ops@example.com"}}, "status@example.com", "alerts"},
		{"own sender", map[string]any{"to": []string{"ops@example.com"}, "from": "oncall@example.com"}, "oncall@example.com", "alerts"},
		{"own relay: no default credentials", map[string]any{"host": host, "port": port, "tls": "none", "to": []string{"ops@example.com"}},
			"status@example.com", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := channel(alert.TypeEmail, tt.settings)
			if err := Validator(defaults)(alert.TypeEmail, ch.Settings); err != nil {
				t.Fatalf("Validator: %v", err)
			}
			if err := e.Send(context.Background(), ch, testAlert(alert.EventDown)); err != nil {
				t.Fatal(err)
			}
			sink.mu.Lock()
			m := sink.msgs[i]
			sink.mu.Unlock()
			if m.from != tt.from || m.user != tt.user {
				t.Errorf("envelope from %q, user %q; want %q, %q", m.from, m.user, tt.from, tt.user)
			}
		})
	}
	only := json.RawMessage(`{"to": ["ops@example.com"]}`)
	if err := ValidateSettings(alert.TypeEmail, only); err == nil || !strings.Contains(err.Error(), "host is required") {
		t.Errorf("without defaults: %v", err)
	}
	if err := Validator(SMTPDefaults("", 587, "", "", "status@example.com", "starttls"))(alert.TypeEmail, only); err == nil ||
		!strings.Contains(err.Error(), "no [smtp] host") {
		t.Errorf("without a default host: %v", err)
	}
}
