package main

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Webhook custom headers are edited in the channel form: values are never shown (masked),
// the mask keeps them, and invalid or reserved names are refused with the reason.
func TestChannelFormWebhookHeaders(t *testing.T) {
	const token = "Bearer hdr-secret-42"
	rcv := newHookReceiver(t, "")
	got := make(chan http.Header, 4)
	rcv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() })
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	id := createChannelForm(t, s, c, url.Values{"type": {"webhook"}, "name": {"hook"}, "s_url": {rcv.URL + "/h"}, "enabled": {"1"},
		"s_headers": {"Authorization: " + token + "\nX-Team: ops"}})
	edit := do(t, c, "GET", s.URL+"/admin/channels/"+id+"/edit", nil, nil)
	if strings.Contains(edit.Body, "hdr-secret") || !strings.Contains(edit.Body, "Authorization: ********") {
		t.Fatalf("edit page shows the header value or not its name:\n%s", edit.Body)
	}

	tests := []struct {
		name    string
		headers string
		status  int
		want    string // in the refusal
	}{
		{"reserved", "Host: evil.example.com", http.StatusUnprocessableEntity, "Host is reserved"},
		{"signature", "x-statusthing-signature: forged", http.StatusUnprocessableEntity, "X-Statusthing-Signature is reserved"},
		{"invalid name", "X Team: ops", http.StatusUnprocessableEntity, "not a valid header name"},
		{"no colon", "Authorization", http.StatusUnprocessableEntity, "one header a line"},
		{"masked value kept", "Authorization: ********\nX-Team: platform", http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := post(t, s, c, "/admin/channels/"+id+"/edit", "/admin/channels/"+id, url.Values{"name": {"hook"},
				"s_url": {rcv.URL + "/h"}, "enabled": {"1"}, "s_headers": {tt.headers}})
			if res.Status != tt.status || !strings.Contains(html.UnescapeString(res.Body), tt.want) {
				t.Errorf("status %d, want %d with %q:\n%s", res.Status, tt.status, tt.want, res.Body)
			}
		})
	}
	post(t, s, c, "/admin/channels", "/admin/channels/"+id+"/test", nil)
	h := <-got
	if h.Get("Authorization") != token || h.Get("X-Team") != "platform" {
		t.Errorf("test request headers: %v", h)
	}
}
