// Package subscriber is the domain of status page subscriptions: visitors who subscribe by
// e-mail (double opt-in) and webhook subscribers added by the page's team, the notices
// they receive about a page's incidents and maintenance, and the tokens of the links in
// those mails. It is pure: no I/O, no clock; callers pass times in. The store persists
// these types (notices are queued in the transaction of the change that causes them) and
// app/notify delivers them.
package subscriber

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"statusthing/app/monitor"
)

// Kind is how a subscriber is notified.
type Kind string

// Subscriber kinds.
const (
	KindEmail   Kind = "email"
	KindWebhook Kind = "webhook"
)

// Kinds lists the kinds in display order.
func Kinds() []Kind { return []Kind{KindEmail, KindWebhook} }

// Limits of a subscriber's fields.
const (
	MaxAddress = 254  // an e-mail address (RFC 5321's path limit)
	MaxURL     = 2000 // a webhook URL
	MaxSecret  = 200
)

// PendingLifetime is how long an e-mail subscription waits for its confirmation before it
// is dropped.
const PendingLifetime = 7 * 24 * time.Hour

// ResendAfter is how long a pending subscriber waits before subscribing again sends a new
// confirmation mail: a form filled in again and again does not flood a mailbox.
const ResendAfter = 10 * time.Minute

// Subscriber is one subscription to a status page. Address is personal data and Secret a
// credential: a Subscriber logs without them (LogValue).
type Subscriber struct {
	ID      int64
	OrgID   int64
	PageID  int64
	Kind    Kind
	Address string // the e-mail address (lower-case) or the webhook URL
	// Secret signs a webhook subscriber's payloads (X-Statusthing-Signature); "" for none.
	Secret      string
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero while an e-mail subscription waits for its confirmation
}

// Confirmed reports whether s receives notices.
func (s Subscriber) Confirmed() bool { return !s.ConfirmedAt.IsZero() }

// LogValue leaves the address and the secret out.
func (s Subscriber) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", s.ID), slog.Int64("page_id", s.PageID), slog.String("kind", string(s.Kind)))
}

// Error is a refused subscriber, by field ("address", "secret", "kind").
type Error struct{ Fields monitor.FieldErrors }

func (e *Error) Error() string { return e.Fields.Join("invalid subscriber") }

// For returns the message about field, or "".
func (e *Error) For(field string) string { return e.Fields.For(field) }

// Normalize trims s's address (and lower-cases an e-mail address, so that one mailbox
// subscribes once) and checks it. Refusals are *Error.
func Normalize(s Subscriber) (Subscriber, error) {
	s.Address = strings.TrimSpace(s.Address)
	var fields []monitor.FieldError
	bad := func(field, msg string) { fields = append(fields, monitor.FieldError{Field: field, Message: msg}) }
	switch s.Kind {
	case KindEmail:
		s.Address = strings.ToLower(s.Address)
		if !ValidEmail(s.Address) {
			bad("address", "must be an e-mail address")
		}
		if s.Secret != "" {
			bad("secret", "only for webhook subscribers")
		}
	case KindWebhook:
		u, err := url.Parse(s.Address)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s.Address) > MaxURL {
			bad("address", "must be an http(s) URL")
		}
		if len(s.Secret) > MaxSecret {
			bad("secret", "at most 200 characters")
		}
	default:
		bad("kind", "must be email or webhook")
	}
	if len(fields) > 0 {
		return s, &Error{Fields: fields}
	}
	return s, nil
}

// ValidEmail reports whether addr is a bare e-mail address (no display name) fit to send to.
func ValidEmail(addr string) bool {
	if addr == "" || len(addr) > MaxAddress || strings.ContainsAny(addr, " \t\r\n<>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return false
	}
	local, domain, ok := strings.Cut(addr, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// NewToken returns a random token for the links of one mail (confirm, unsubscribe) and
// the hash under which it is stored: the token itself is never stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a link token: its SHA-256, hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Counts are a page's subscribers by kind and state.
type Counts struct {
	EmailConfirmed int
	EmailPending   int
	Webhooks       int
}

// Confirmed is how many subscribers receive notices.
func (c Counts) Confirmed() int { return c.EmailConfirmed + c.Webhooks }

// FailedNotice is a notice given up after its attempts, shown to the page's editors with a
// Retry button.
type FailedNotice struct {
	ID        int64
	Event     string // incident.update, maintenance.scheduled, confirmation...
	Kind      Kind
	Address   string
	Attempts  int
	LastError string
	FailedAt  time.Time
}
