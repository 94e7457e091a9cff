package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/wneessen/go-mail"

	"statusthing/app/alert"
	"statusthing/app/subscriber"
)

// SubscriberStore is what the subscriber dispatcher needs of the database (*store.Store
// satisfies it).
type SubscriberStore interface {
	// DueSubscriberNotices returns pending notices due at now, at most perSubscriber per
	// subscriber and limit in all, oldest due first.
	DueSubscriberNotices(ctx context.Context, now time.Time, perSubscriber, limit int) ([]subscriber.Delivery, error)
	// RecordSubscriberAttempt records an attempt at delivering notice id; a zero next on
	// failure gives up.
	RecordSubscriberAttempt(ctx context.Context, id int64, a alert.Attempt, next time.Time) error
	// IssueSubscriberToken stores the hash of the link token of one mail to subscriber id.
	IssueSubscriberToken(ctx context.Context, id int64, hash string, now time.Time) error
}

// Translator returns the message catalog of a language (i18n.Catalogs.Translator): the
// mails to a page's subscribers speak the page's language.
type Translator func(lang string) func(key string, args ...any) string

// SubscriberSender sends the notices of status page subscribers: e-mails through the
// [smtp] relay (Email.Defaults) with one-click unsubscribe links, and signed JSON posts to
// webhook subscribers. Their links point at BaseURL.
type SubscriberSender struct {
	Email      *Email
	Client     *http.Client
	Translator Translator
	BaseURL    string
	Store      SubscriberStore
	Now        func() time.Time
	text       *texttemplate.Template
	html       *htmltemplate.Template
}

// NewSubscriberSender parses the subscriber mail templates. email's Defaults are the relay
// and sender of subscriber mails.
func NewSubscriberSender(email *Email, client *http.Client, t Translator, baseURL string, st SubscriberStore, now func() time.Time) (*SubscriberSender, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	s := &SubscriberSender{Email: email, Client: client, Translator: t, BaseURL: strings.TrimRight(baseURL, "/"), Store: st, Now: now}
	var err error
	if s.text, err = texttemplate.ParseFS(templateFS, "templates/subscriber.txt.tmpl"); err != nil {
		return nil, fmt.Errorf("notify: subscriber templates: %w", err)
	}
	if s.html, err = htmltemplate.ParseFS(templateFS, "templates/subscriber.html.tmpl"); err != nil {
		return nil, fmt.Errorf("notify: subscriber templates: %w", err)
	}
	return s, nil
}

// PageURL is the public address of a page.
func (s *SubscriberSender) PageURL(slug string) string {
	return s.BaseURL + "/status/" + url.PathEscape(slug)
}

// linkURL is the confirm or unsubscribe link of a page with a token.
func (s *SubscriberSender) linkURL(slug, action, token string) string {
	return s.PageURL(slug) + "/" + action + "?token=" + url.QueryEscape(token)
}

// Send delivers notice n of delivery d to its subscriber.
func (s *SubscriberSender) Send(ctx context.Context, d subscriber.Delivery) error {
	n := d.Notice
	n.Page.URL = s.PageURL(n.Page.Slug)
	sub := d.Subscriber
	if (n.Event == subscriber.EventConfirm) == sub.Confirmed() {
		return nil // confirmed meanwhile (by an earlier mail's link), or not yet: nothing to tell
	}
	switch sub.Kind {
	case subscriber.KindWebhook:
		return postSigned(ctx, s.Client, sub.Address, n, sub.Secret, string(n.Event), n.IdempotencyKey, nil)
	case subscriber.KindEmail:
		return s.sendMail(ctx, sub, n)
	}
	return permanent(fmt.Errorf("unknown subscriber kind %q", sub.Kind))
}

// mailRow is one line of a mail's table.
type mailRow struct{ Label, Value string }

// subscriberMail is what the subscriber templates see: everything already translated.
type subscriberMail struct {
	Lang, Subject, Heading string
	Paragraphs             []string
	Rows                   []mailRow
	Button, ButtonURL      string
	PageLabel, PageURL     string
	Footer                 string
	UnsubscribeLabel       string
	UnsubscribeURL         string
}

// mailTime formats t for a mail (UTC: the reader's zone is unknown).
func mailTime(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04 MST") }

// Render returns the subject and bodies of notice n for a subscriber, with the links of
// token (confirm, unsubscribe). Only what the public page shows goes in.
func (s *SubscriberSender) Render(n subscriber.Notice, token string) (subject, text, html string, err error) {
	t := s.Translator(n.Page.Locale)
	m := subscriberMail{Lang: n.Page.Locale, PageLabel: t("mail.view_page"), PageURL: s.PageURL(n.Page.Slug),
		Footer: t("mail.footer", n.Page.Title), UnsubscribeLabel: t("mail.unsubscribe"),
		UnsubscribeURL: s.linkURL(n.Page.Slug, "unsubscribe", token)}
	affected := strings.Join(n.Components, ", ")
	switch {
	case n.Event == subscriber.EventConfirm:
		m.Subject = t("mail.confirm.subject", n.Page.Title)
		m.Heading = m.Subject
		m.Paragraphs = []string{t("mail.confirm.body", n.Page.Title)}
		m.Button, m.ButtonURL = t("mail.confirm.button"), s.linkURL(n.Page.Slug, "confirm", token)
	case n.Event == subscriber.EventIncident && n.Incident != nil:
		in := n.Incident
		status := t("update." + in.Status)
		m.Subject = t("mail.incident.subject", n.Page.Title, in.Title, status)
		m.Heading = in.Title
		m.Paragraphs = []string{in.Message}
		m.Rows = append(m.Rows, mailRow{t("mail.status"), status})
		if in.Impact != "" && in.Impact != "none" {
			m.Rows = append(m.Rows, mailRow{t("mail.impact"), t("impact." + in.Impact)})
		}
		if affected != "" {
			m.Rows = append(m.Rows, mailRow{t("mail.affected"), affected})
		}
		m.Rows = append(m.Rows, mailRow{t("mail.posted"), mailTime(in.At)})
	case n.Event == subscriber.EventMaintenance && n.Maintenance != nil:
		mn := n.Maintenance
		key := "mail.maintenance.subject"
		if mn.Changed {
			key = "mail.maintenance.changed_subject"
		}
		m.Subject = t(key, n.Page.Title, mn.Title)
		m.Heading = mn.Title
		when := mailTime(mn.StartsAt) + " – " + mailTime(mn.EndsAt)
		if mn.Recurring {
			when = t("mail.maintenance.next", when)
		}
		m.Rows = append(m.Rows, mailRow{t("mail.maintenance.when"), when})
		if affected != "" {
			m.Rows = append(m.Rows, mailRow{t("mail.affected"), affected})
		}
	default:
		return "", "", "", fmt.Errorf("unknown notice %q", n.Event)
	}
	var b bytes.Buffer
	if err := s.text.Execute(&b, m); err != nil {
		return "", "", "", err
	}
	text = b.String()
	b.Reset()
	if err := s.html.Execute(&b, m); err != nil {
		return "", "", "", err
	}
	return m.Subject, text, b.String(), nil
}

// sendMail mails notice n to e-mail subscriber sub through the [smtp] relay, with a fresh
// link token (stored hashed before the mail leaves) and the List-Unsubscribe headers of
// RFC 2369 and RFC 8058 (one-click: a POST to the link unsubscribes).
func (s *SubscriberSender) sendMail(ctx context.Context, sub subscriber.Subscriber, n subscriber.Notice) error {
	relay := s.Email.Defaults
	if relay.Host == "" || relay.From == "" {
		return permanent(errors.New("no [smtp] relay configured for subscriber mails"))
	}
	token, hash := subscriber.NewToken()
	if err := s.Store.IssueSubscriberToken(ctx, sub.ID, hash, s.Now()); err != nil {
		return &Error{Retryable: true, Err: fmt.Errorf("issue token: %w", err)}
	}
	subject, text, html, err := s.Render(n, token)
	if err != nil {
		return permanent(fmt.Errorf("render: %w", err))
	}
	m := mail.NewMsg()
	if err := m.From(relay.From); err != nil {
		return permanent(fmt.Errorf("from: %w", err))
	}
	if err := m.To(sub.Address); err != nil {
		return permanent(fmt.Errorf("to: %w", err))
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetGenHeader("Idempotency-Key", n.IdempotencyKey)
	m.SetGenHeader("List-Unsubscribe", "<"+s.linkURL(n.Page.Slug, "unsubscribe", token)+">")
	m.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, text)
	m.AddAlternativeString(mail.TypeTextHTML, html)
	return redactAddress(s.Email.deliver(ctx, relay, m), sub.Address)
}

// redactAddress takes a subscriber's address out of a delivery error (a relay's refusal
// often quotes the recipient): errors are logged and stored, addresses are not.
func redactAddress(err error, addr string) error {
	if err == nil || addr == "" || !strings.Contains(err.Error(), addr) {
		return err
	}
	out := &Error{Retryable: !Permanent(err), StatusCode: StatusCode(err)}
	var e *Error
	if errors.As(err, &e) {
		out.RetryAfter, out.RetryAt = e.RetryAfter, e.RetryAt
	}
	out.Err = errors.New(strings.ReplaceAll(err.Error(), addr, "<subscriber>"))
	return out
}

// subscriberQueue is the queue of subscriber notices.
type subscriberQueue struct{ s *SubscriberSender }

func (q subscriberQueue) due(ctx context.Context, now time.Time, perLane, limit int) ([]job, error) {
	rows, err := q.s.Store.DueSubscriberNotices(ctx, now, perLane, limit)
	if err != nil {
		return nil, err
	}
	jobs := make([]job, len(rows))
	for i, d := range rows {
		jobs[i] = job{id: d.ID, lane: d.Subscriber.ID, attempts: d.Attempts, who: slog.Any("subscriber", d.Subscriber),
			send: func(ctx context.Context) error { return q.s.Send(ctx, d) }}
	}
	return jobs, nil
}

func (q subscriberQueue) record(ctx context.Context, id int64, a alert.Attempt, next time.Time) error {
	return q.s.Store.RecordSubscriberAttempt(ctx, id, a, next)
}

// NewSubscriberDispatcher returns a Dispatcher of the subscriber notices sent by s, with
// o's timing and limits (o.Store and o.Notifier are not used; PerChannel is per
// subscriber, 1 by default, so a subscriber gets its notices in order).
func NewSubscriberDispatcher(o DispatcherOptions, s *SubscriberSender) *Dispatcher {
	if o.PerChannel <= 0 {
		o.PerChannel = 1
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4 // one relay: a few connections at once
	}
	d := newDispatcher(o, logNames{poll: "poll subscriber outbox", record: "record subscriber attempt",
		givenUp: "subscriber notice given up", failed: "subscriber notice delivery failed"})
	d.q = subscriberQueue{s}
	return d
}
