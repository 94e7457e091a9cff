// Package notify delivers alerts: one file per channel type behind one Notifier interface,
// and a Dispatcher that drains the outbox (written by the store in the transaction of the
// status change) with retries, backoff and a per-channel concurrency limit.
//
// Channel settings hold secrets (tokens, passwords, webhook URLs that are credentials in
// themselves): they are never logged, and errors never quote a URL.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"statusthing/app/alert"
)

// Channel is where an alert goes (see alert.Channel).
type Channel = alert.Channel

// Alert is the payload of one notification (see alert.Alert).
type Alert = alert.Alert

// Notifier sends one alert to one channel. An error is retryable unless Permanent says
// otherwise.
type Notifier interface {
	Send(ctx context.Context, ch Channel, a Alert) error
}

// Error is a failed delivery: the status the receiver answered (0 if none), and whether
// trying again later may help (network errors, 5xx, 429) or not (other 4xx, bad settings).
type Error struct {
	StatusCode int
	Retryable  bool
	Err        error
	// RetryAfter (delay-seconds) or RetryAt (HTTP-date) is the receiver's Retry-After of a
	// 429 or 503 answer: the dispatcher does not try again before (see RetryAfter).
	RetryAfter time.Duration
	RetryAt    time.Time
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether err says that trying again will not help. Errors that are not
// an *Error (a timeout, a cancelled context...) are retryable.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && !e.Retryable
}

// StatusCode is the receiver's status in err, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// RetryAfter returns the wait the receiver asked for in err (a Retry-After header), measured
// from now, and whether it asked for one.
func RetryAfter(err error, now time.Time) (time.Duration, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return 0, false
	}
	switch {
	case !e.RetryAt.IsZero():
		return max(e.RetryAt.Sub(now), 0), true
	case e.RetryAfter > 0:
		return e.RetryAfter, true
	}
	return 0, false
}

// parseRetryAfter reads a Retry-After header (RFC 9110 10.2.3): delay-seconds or an HTTP
// date; anything else (or nothing) is ignored.
func parseRetryAfter(v string) (time.Duration, time.Time) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, time.Time{}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, time.Time{}
		}
		return time.Duration(min(n, int64(7*24*3600))) * time.Second, time.Time{}
	}
	if t, err := http.ParseTime(v); err == nil {
		return 0, t
	}
	return 0, time.Time{}
}

// permanent wraps err (bad settings, refused payload) as not retryable.
func permanent(err error) error { return &Error{Err: err} }

// Mux is a Notifier that hands each alert to the Notifier of its channel's type.
type Mux map[alert.Type]Notifier

// Send sends a through the Notifier of ch.Type.
func (m Mux) Send(ctx context.Context, ch Channel, a Alert) error {
	n, ok := m[ch.Type]
	if !ok {
		return permanent(fmt.Errorf("no notifier for channel type %q", ch.Type))
	}
	return n.Send(ctx, ch, a)
}

// Options configures New.
type Options struct {
	// HTTPClient sends the HTTP notifications; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// SMTPTimeout bounds an e-mail's connection and commands; 0 means 30 s.
	SMTPTimeout time.Duration
	// TelegramAPI is the Telegram Bot API base URL when a channel sets none; "" means
	// https://api.telegram.org.
	TelegramAPI string
	// SMTP are the defaults of e-mail channels that leave their relay or sender empty
	// (SMTPDefaults of the [smtp] section).
	SMTP EmailSettings
}

// New returns a Mux with a Notifier for every channel type.
func New(opts Options) (Mux, error) {
	c := opts.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	email, err := NewEmail(opts.SMTPTimeout)
	if err != nil {
		return nil, err
	}
	email.Defaults = opts.SMTP
	return Mux{
		alert.TypeEmail:    email,
		alert.TypeWebhook:  &Webhook{Client: c},
		alert.TypeSlack:    &Slack{Client: c},
		alert.TypeDiscord:  &Discord{Client: c},
		alert.TypeTeams:    &Teams{Client: c},
		alert.TypeTelegram: &Telegram{Client: c, BaseURL: opts.TelegramAPI},
		alert.TypeNtfy:     &Ntfy{Client: c},
	}, nil
}

// ValidateSettings checks the settings of a channel of type t (the API and UI call it
// before saving a channel), without [smtp] defaults: an e-mail channel must name its relay
// and sender. Validator checks them with the defaults.
func ValidateSettings(t alert.Type, raw json.RawMessage) error {
	return validate(t, raw, EmailSettings{})
}

// Validator returns ValidateSettings for a server whose e-mail channels default to smtp
// (Options.SMTP): they may leave the host (when smtp has one) and the sender empty.
func Validator(smtp EmailSettings) func(t alert.Type, raw json.RawMessage) error {
	return func(t alert.Type, raw json.RawMessage) error { return validate(t, raw, smtp) }
}

func validate(t alert.Type, raw json.RawMessage, smtp EmailSettings) error {
	var err error
	switch t {
	case alert.TypeEmail:
		_, err = emailSettingsWith(raw, smtp)
	case alert.TypeWebhook:
		var s WebhookSettings
		if s, err = webhookSettings(raw); err == nil {
			err = checkHeaders(s.Headers)
		}
	case alert.TypeSlack, alert.TypeDiscord, alert.TypeTeams:
		_, err = incomingWebhook(raw)
	case alert.TypeTelegram:
		_, err = telegramSettings(raw)
	case alert.TypeNtfy:
		_, err = ntfySettings(raw)
	default:
		err = fmt.Errorf("unknown channel type %q", t)
	}
	return err
}

// decodeSettings decodes a channel's settings strictly (an unknown key is a typo).
func decodeSettings(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return permanent(fmt.Errorf("settings: %w", err))
	}
	return nil
}

// checkURL requires an absolute http(s) URL; what names the setting in the error.
func checkURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return permanent(fmt.Errorf("settings: %s must be an http(s) URL", what))
	}
	return nil
}

// maxErrorBody caps how much of a refusal's body goes into the error.
const maxErrorBody = 256

// post sends body to target with headers and classifies the answer: 2xx is success, 429
// and 5xx (and 408) retryable, anything else permanent. A transport error is retryable and
// does not quote the URL, which may hold a token.
func post(ctx context.Context, c *http.Client, target, contentType string, body []byte, headers http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return permanent(errors.New("invalid URL"))
	}
	for k, vs := range headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "statusthing")
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &Error{Retryable: true, Err: fmt.Errorf("post: %w", err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if s := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "")); s != "" {
		msg += ": " + s
	}
	retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500
	e := &Error{StatusCode: resp.StatusCode, Retryable: retry, Err: errors.New(msg)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter, e.RetryAt = parseRetryAfter(resp.Header.Get("Retry-After"))
	}
	return e
}

// postJSON posts v as JSON.
func postJSON(ctx context.Context, c *http.Client, target string, v any, headers http.Header) error {
	body, err := json.Marshal(v)
	if err != nil {
		return permanent(err)
	}
	return post(ctx, c, target, "application/json", body, headers)
}
