package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// WebhookSettings are a webhook channel's settings.
type WebhookSettings struct {
	URL     string            `json:"url"`
	Secret  string            `json:"secret,omitempty"`  // signs the body: X-Statusthing-Signature
	Headers map[string]string `json:"headers,omitempty"` // added to the request (e.g. Authorization)
}

func webhookSettings(raw json.RawMessage) (WebhookSettings, error) {
	var s WebhookSettings
	if err := decodeSettings(raw, &s); err != nil {
		return s, err
	}
	return s, checkURL("url", s.URL)
}

// ReservedHeaders are the request headers a webhook channel may not set: the transport's
// own (Host, Content-Length...) and those statusthing sets (the signature, the event, the
// idempotency key, the content type).
func ReservedHeaders() []string {
	return []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Content-Type",
		"X-Statusthing-Signature", "X-Statusthing-Event", "Idempotency-Key"}
}

var headerNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// checkHeaders refuses custom headers with invalid or reserved names, or values that are
// not one line. It runs when a channel is saved (ValidateSettings), not at delivery: a
// channel saved before the rule keeps working (statusthing's own headers win anyway).
func checkHeaders(h map[string]string) error {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case !headerNameRE.MatchString(name):
			return permanent(fmt.Errorf("settings: headers: %q is not a valid header name", name))
		case slices.Contains(ReservedHeaders(), http.CanonicalHeaderKey(name)):
			return permanent(fmt.Errorf("settings: headers: %s is reserved: statusthing or HTTP sets it", http.CanonicalHeaderKey(name)))
		case strings.ContainsAny(h[name], "\r\n\x00"):
			return permanent(fmt.Errorf("settings: headers: the value of %s must be one line", name))
		}
	}
	return nil
}

// Signature is the X-Statusthing-Signature of body signed with secret:
// "sha256=" and the hex HMAC-SHA256 of the body. Receivers compute it again with the
// channel's secret and compare in constant time.
func Signature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Webhook POSTs the alert as JSON to a URL, with its idempotency key in the
// Idempotency-Key header and, when the channel has a secret, an HMAC signature.
type Webhook struct {
	Client *http.Client
}

// Send posts a to ch's URL.
func (w *Webhook) Send(ctx context.Context, ch Channel, a Alert) error {
	s, err := webhookSettings(ch.Settings)
	if err != nil {
		return err
	}
	return postSigned(ctx, w.Client, s.URL, a, s.Secret, string(a.Event), a.IdempotencyKey, s.Headers)
}

// postSigned posts v as JSON to target the way every statusthing webhook is sent: with
// headers (custom ones first: statusthing's own win), the idempotency key, the event and,
// when secret is set, the body's HMAC signature (X-Statusthing-Signature).
func postSigned(ctx context.Context, c *http.Client, target string, v any, secret, event, key string, headers map[string]string) error {
	body, err := json.Marshal(v)
	if err != nil {
		return permanent(err)
	}
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	h.Set("Idempotency-Key", key)
	h.Set("X-Statusthing-Event", event)
	if secret != "" {
		h.Set("X-Statusthing-Signature", Signature(secret, body))
	}
	if strings.TrimSpace(h.Get("User-Agent")) == "" {
		h.Set("User-Agent", "statusthing-webhook")
	}
	return post(ctx, c, target, "application/json", body, h)
}
