package notify

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/wneessen/go-mail"

	"statusthing/app/alert"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// E-mail TLS modes.
const (
	TLSStartTLSRequired = "starttls-required" // STARTTLS or fail (the default)
	TLSOpportunistic    = "opportunistic"     // STARTTLS when offered, else cleartext
	TLSImplicit         = "implicit"          // TLS from the first byte (port 465)
	TLSNone             = "none"              // cleartext (a local relay)
)

// EmailSettings are an e-mail channel's settings. Password is a credential.
type EmailSettings struct {
	Host     string   `json:"host"`
	Port     int      `json:"port,omitempty"` // 0: 465 for implicit TLS, else 587
	TLS      string   `json:"tls,omitempty"`  // "" means starttls-required
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	From     string   `json:"from"`
	To       []string `json:"to"`
}

func emailSettings(raw json.RawMessage) (EmailSettings, error) {
	return emailSettingsWith(raw, EmailSettings{})
}

// emailSettingsWith decodes and checks a channel's e-mail settings, completed with the
// server's defaults (SMTPDefaults).
func emailSettingsWith(raw json.RawMessage, defaults EmailSettings) (EmailSettings, error) {
	var s EmailSettings
	if err := decodeSettings(raw, &s); err != nil {
		return s, err
	}
	s = s.withDefaults(defaults)
	var problems []string
	if s.Host == "" {
		problems = append(problems, "host is required (no [smtp] host is configured)")
	}
	if s.Port < 0 || s.Port > 65535 {
		problems = append(problems, "port must be 1-65535")
	}
	switch s.TLS {
	case "", TLSStartTLSRequired, TLSOpportunistic, TLSImplicit, TLSNone:
	default:
		problems = append(problems, "tls must be starttls-required, opportunistic, implicit or none")
	}
	if s.From == "" {
		problems = append(problems, "from is required (no [smtp] from is configured)")
	}
	if len(s.To) == 0 {
		problems = append(problems, "to needs at least one address")
	}
	if len(problems) > 0 {
		return s, permanent(errors.New("settings: " + strings.Join(problems, "; ")))
	}
	return s, nil
}

// withDefaults completes s with the server's [smtp] defaults d: a channel without a host
// uses d's relay — host, and port, tls, username and password unless it sets them —, and
// a channel without a sender uses d's. A channel with a host of its own gets none of d's
// relay settings: the relay's credentials never go to another host.
func (s EmailSettings) withDefaults(d EmailSettings) EmailSettings {
	if s.Host == "" && d.Host != "" {
		s.Host = d.Host
		if s.Port == 0 {
			s.Port = d.Port
		}
		if s.TLS == "" {
			s.TLS = d.TLS
		}
		if s.Username == "" {
			s.Username, s.Password = d.Username, d.Password
		}
	}
	if s.From == "" {
		s.From = d.From
	}
	return s
}

// SMTPDefaults converts the [smtp] section of the configuration (tls "starttls", "tls" or
// "none") to the defaults of e-mail channels (Options.SMTP). An empty host gives none.
func SMTPDefaults(host string, port int, username, password, from, tls string) EmailSettings {
	d := EmailSettings{Host: host, Port: port, Username: username, Password: password, From: from}
	switch tls {
	case "tls":
		d.TLS = TLSImplicit
	case "none":
		d.TLS = TLSNone
	default:
		d.TLS = TLSStartTLSRequired
	}
	if host == "" {
		return EmailSettings{From: from}
	}
	return d
}

// Email sends alerts by SMTP: a subject, a plain-text body and an HTML alternative, from
// the templates of this package.
type Email struct {
	Timeout time.Duration
	// Defaults complete the settings of channels that leave the relay or the sender empty
	// (the [smtp] section; see EmailSettings.withDefaults).
	Defaults EmailSettings
	subject  *texttemplate.Template
	text     *texttemplate.Template
	html     *htmltemplate.Template
}

// NewEmail parses the e-mail templates; timeout bounds the SMTP dialogue (0 means 30 s).
func NewEmail(timeout time.Duration) (*Email, error) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	e := &Email{Timeout: timeout}
	var err error
	if e.subject, err = texttemplate.ParseFS(templateFS, "templates/email.subject.tmpl"); err != nil {
		return nil, fmt.Errorf("notify: email templates: %w", err)
	}
	if e.text, err = texttemplate.ParseFS(templateFS, "templates/email.txt.tmpl"); err != nil {
		return nil, fmt.Errorf("notify: email templates: %w", err)
	}
	if e.html, err = htmltemplate.ParseFS(templateFS, "templates/email.html.tmpl"); err != nil {
		return nil, fmt.Errorf("notify: email templates: %w", err)
	}
	return e, nil
}

// emailData is what the templates see.
type emailData struct {
	Alert      Alert
	Subject    string
	Tag        string // [Down], [Up]... of the subject
	Heading    string // "Shop is down"
	Color      string // of the heading
	Opened     string // "" without an incident
	Resolved   string // "" while open
	Downtime   string
	CertExpiry string // certificate_expiring: when it expires
	Link       string // the incident's page, else the monitor's
	LinkLabel  string
}

// Render returns the subject, plain-text and HTML bodies of the e-mail for a.
func (e *Email) Render(a Alert) (subject, text, html string, err error) {
	d := emailData{Alert: a, Tag: tag(a.Event), Heading: headline(a), Color: "#d93025", Link: link(a)}
	d.LinkLabel = "View the incident"
	if a.Incident.URL == "" {
		d.LinkLabel = "View the monitor"
	}
	switch a.Event {
	case alert.EventUp:
		d.Color = "#1e8e3e"
	case alert.EventDegraded, alert.EventLate, alert.EventCertExpiring, alert.EventFlapping:
		d.Color = "#b06000"
	case alert.EventTest:
		d.Color = "#1a73e8"
	}
	if a.Incident.ID != 0 {
		d.Opened = a.Incident.OpenedAt.UTC().Format(time.RFC1123)
	}
	if !a.CertExpiry.IsZero() {
		d.CertExpiry = a.CertExpiry.UTC().Format(time.RFC1123)
	}
	if !a.Incident.ResolvedAt.IsZero() {
		d.Resolved, d.Downtime = a.Incident.ResolvedAt.UTC().Format(time.RFC1123), downtime(a)
	}
	var b bytes.Buffer
	if err := e.subject.Execute(&b, d); err != nil {
		return "", "", "", err
	}
	d.Subject = strings.TrimSpace(b.String())
	b.Reset()
	if err := e.text.Execute(&b, d); err != nil {
		return "", "", "", err
	}
	text = b.String()
	b.Reset()
	if err := e.html.Execute(&b, d); err != nil {
		return "", "", "", err
	}
	return d.Subject, text, b.String(), nil
}

// Send mails a to ch's recipients.
func (e *Email) Send(ctx context.Context, ch Channel, a Alert) error {
	s, err := emailSettingsWith(ch.Settings, e.Defaults)
	if err != nil {
		return err
	}
	subject, text, html, err := e.Render(a)
	if err != nil {
		return permanent(fmt.Errorf("render: %w", err))
	}
	m := mail.NewMsg()
	if err := m.From(s.From); err != nil {
		return permanent(fmt.Errorf("from: %w", err))
	}
	if err := m.To(s.To...); err != nil {
		return permanent(fmt.Errorf("to: %w", err))
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetGenHeader("Idempotency-Key", a.IdempotencyKey) // a receiving script can deduplicate too
	m.SetBodyString(mail.TypeTextPlain, text)
	m.AddAlternativeString(mail.TypeTextHTML, html)
	return e.deliver(ctx, s, m)
}

// deliver sends m through the relay of s (host, port, TLS mode, credentials) and
// classifies the failure: SMTP 4xx and network errors are retryable, 5xx permanent.
func (e *Email) deliver(ctx context.Context, s EmailSettings, m *mail.Msg) error {
	opts := []mail.Option{mail.WithTimeout(e.Timeout)}
	port := s.Port
	switch s.TLS {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
		if port == 0 {
			port = 465
		}
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if port == 0 {
		port = 587
	}
	opts = append(opts, mail.WithPort(port))
	if s.Username != "" {
		// PLAIN over cleartext only when the operator chose no TLS (a trusted local relay);
		// otherwise go-mail refuses PLAIN without TLS.
		auth := mail.SMTPAuthPlain
		if s.TLS == TLSNone {
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return permanent(fmt.Errorf("smtp client: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) {
			return &Error{StatusCode: se.ErrorCode(), Retryable: se.IsTemp() || se.ErrorCode() == 0, Err: fmt.Errorf("smtp: %w", err)}
		}
		return &Error{Retryable: true, Err: fmt.Errorf("smtp: %w", err)}
	}
	return nil
}

// SendNote mails a plain-text note (an invitation) to one address through the [smtp]
// relay (Defaults). It is sent at once, not through an outbox: whoever asked for it sees
// whether it went.
func (e *Email) SendNote(ctx context.Context, to, subject, text string) error {
	s := e.Defaults
	if s.Host == "" {
		return permanent(fmt.Errorf("no [smtp] relay configured"))
	}
	m := mail.NewMsg()
	if err := m.From(s.From); err != nil {
		return permanent(fmt.Errorf("from: %w", err))
	}
	if err := m.To(to); err != nil {
		return permanent(fmt.Errorf("to: %w", err))
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(mail.TypeTextPlain, text)
	return e.deliver(ctx, s, m)
}
