package notify

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"statusthing/app/alert"
)

// NtfySettings are an ntfy channel's settings.
type NtfySettings struct {
	ServerURL string `json:"server_url"` // e.g. https://ntfy.sh
	Topic     string `json:"topic"`
	Token     string `json:"token,omitempty"` // access token; a credential
}

func ntfySettings(raw json.RawMessage) (NtfySettings, error) {
	var s NtfySettings
	if err := decodeSettings(raw, &s); err != nil {
		return s, err
	}
	if s.Topic == "" || strings.Contains(s.Topic, "/") {
		return s, permanent(errors.New("settings: topic is required, without '/'"))
	}
	return s, checkURL("server_url", s.ServerURL)
}

// Ntfy publishes to an ntfy topic: the message in the body, the rest in headers.
type Ntfy struct {
	Client *http.Client
}

// Send publishes a to ch's topic.
func (n *Ntfy) Send(ctx context.Context, ch Channel, a Alert) error {
	s, err := ntfySettings(ch.Settings)
	if err != nil {
		return err
	}
	h := http.Header{}
	// Header values must be ASCII-safe for ntfy: the title goes RFC 2047-encoded.
	h.Set("Title", mimeWord(title(a)))
	h.Set("Priority", "default")
	if urgent(a.Event) {
		h.Set("Priority", "high")
	}
	h.Set("Tags", ntfyTags[a.Event])
	if h.Get("Tags") == "" {
		h.Set("Tags", "rotating_light")
	}
	if l := link(a); l != "" {
		h.Set("Click", l)
	}
	if s.Token != "" {
		h.Set("Authorization", "Bearer "+s.Token)
	}
	target := strings.TrimRight(s.ServerURL, "/") + "/" + url.PathEscape(s.Topic)
	return post(ctx, n.Client, target, "text/plain; charset=utf-8", []byte(details(a)), h)
}

// ntfyTags are the emoji tags of each event (ntfy shows them before the title).
var ntfyTags = map[alert.Event]string{
	alert.EventDown: "rotating_light", alert.EventReminder: "rotating_light", alert.EventUp: "white_check_mark",
	alert.EventDegraded: "warning", alert.EventLate: "hourglass", alert.EventCertExpiring: "lock",
	alert.EventFlapping: "twisted_rightwards_arrows", alert.EventTest: "test_tube",
}

// mimeWord encodes s for a header (RFC 2047) when it is not plain ASCII.
func mimeWord(s string) string { return mime.QEncoding.Encode("utf-8", s) }
