package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"statusthing/app/alert"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func testAlert(event alert.Event) Alert {
	a := Alert{Event: event, Status: "down", Reason: "connection refused", Time: t0,
		Monitor:        alert.Monitor{ID: 7, Name: "Café shop", Type: "http", Target: "https://shop.example.com/"},
		Incident:       alert.Incident{ID: 42, Title: "Café shop is down", OpenedAt: t0, URL: "https://status.example.com/admin/incidents/42"},
		IdempotencyKey: alert.Key(42, event, 3)}
	if event == alert.EventUp {
		a.Status, a.Reason, a.Time = "up", "answered", t0.Add(5*time.Minute)
		a.Incident.ResolvedAt = t0.Add(5 * time.Minute)
	}
	return a
}

func channel(t alert.Type, settings any) Channel {
	raw, _ := json.Marshal(settings)
	return Channel{ID: 3, OrgID: 1, Name: "test", Type: t, Settings: raw, Enabled: true}
}

// captured is one request a receiver got.
type captured struct {
	path   string
	header http.Header
	body   []byte
}

// receiver is an httptest server that records requests and answers status.
func receiver(t *testing.T, status int) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, captured{r.URL.Path, r.Header.Clone(), b})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte("answer"))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured { mu.Lock(); defer mu.Unlock(); return append([]captured(nil), got...) }
}

func TestWebhook(t *testing.T) {
	srv, got := receiver(t, http.StatusNoContent)
	ch := channel(alert.TypeWebhook, WebhookSettings{URL: srv.URL + "/hook", Secret: "s3cret", Headers: map[string]string{"Authorization": "Bearer abc"}})
	a := testAlert(alert.EventDown)
	if err := (&Webhook{Client: srv.Client()}).Send(context.Background(), ch, a); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.path != "/hook" || r.header.Get("Authorization") != "Bearer abc" || r.header.Get("Content-Type") != "application/json" ||
		r.header.Get("Idempotency-Key") != a.IdempotencyKey || r.header.Get("X-Statusthing-Event") != "down" {
		t.Errorf("request %s %v", r.path, r.header)
	}
	// The receiver's check: HMAC-SHA256 of the raw body with the shared secret.
	if sig := r.header.Get("X-Statusthing-Signature"); !hmac.Equal([]byte(sig), []byte(Signature("s3cret", r.body))) ||
		!strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Errorf("signature %q", sig)
	}
	var back Alert
	if err := json.Unmarshal(r.body, &back); err != nil || back != a {
		t.Errorf("payload %s (%v)", r.body, err)
	}
	var raw map[string]any
	_ = json.Unmarshal(r.body, &raw)
	for _, k := range []string{"event", "monitor", "incident", "status", "reason", "time", "idempotency_key"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("payload lacks %q: %s", k, r.body)
		}
	}
	if _, ok := raw["incident"].(map[string]any)["resolved_at"]; ok {
		t.Errorf("open incident has a resolved_at: %s", r.body)
	}
}

func TestChatChannels(t *testing.T) {
	srv, got := receiver(t, http.StatusOK)
	c := srv.Client()
	tests := []struct {
		name  string
		n     Notifier
		ch    Channel
		path  string
		check func(t *testing.T, r captured)
	}{
		{"slack", &Slack{Client: c}, channel(alert.TypeSlack, IncomingWebhookSettings{WebhookURL: srv.URL + "/services/T0/B0/xyz"}),
			"/services/T0/B0/xyz", func(t *testing.T, r captured) {
				var p struct {
					Text   string
					Blocks []struct {
						Type string
						Text struct{ Type, Text string }
					}
				}
				if err := json.Unmarshal(r.body, &p); err != nil || p.Text != "🔴 Café shop is down" || len(p.Blocks) != 1 ||
					!strings.Contains(p.Blocks[0].Text.Text, "<https://status.example.com/admin/incidents/42|View incident>") {
					t.Errorf("slack payload %s", r.body)
				}
			}},
		{"discord", &Discord{Client: c}, channel(alert.TypeDiscord, IncomingWebhookSettings{WebhookURL: srv.URL + "/api/webhooks/1/tok"}),
			"/api/webhooks/1/tok", func(t *testing.T, r captured) {
				var p struct {
					Content string
					Embeds  []struct {
						Title, Description, URL string
						Color                   int
					}
					AllowedMentions struct{ Parse []string } `json:"allowed_mentions"`
				}
				if err := json.Unmarshal(r.body, &p); err != nil || len(p.Embeds) != 1 || p.Embeds[0].Color != 0xd93025 ||
					p.Embeds[0].URL != "https://status.example.com/admin/incidents/42" || !strings.Contains(p.Embeds[0].Description, "connection refused") ||
					p.AllowedMentions.Parse == nil {
					t.Errorf("discord payload %s", r.body)
				}
			}},
		{"teams", &Teams{Client: c}, channel(alert.TypeTeams, IncomingWebhookSettings{WebhookURL: srv.URL + "/workflows/abc"}),
			"/workflows/abc", func(t *testing.T, r captured) {
				var p struct {
					Type        string
					Attachments []struct {
						ContentType string
						Content     struct {
							Type    string
							Body    []struct{ Text string }
							Actions []struct{ URL string }
						}
					}
				}
				if err := json.Unmarshal(r.body, &p); err != nil || p.Type != "message" || len(p.Attachments) != 1 ||
					p.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" || p.Attachments[0].Content.Type != "AdaptiveCard" ||
					p.Attachments[0].Content.Body[0].Text != "🔴 Café shop is down" || p.Attachments[0].Content.Actions[0].URL != "https://status.example.com/admin/incidents/42" {
					t.Errorf("teams payload %s", r.body)
				}
			}},
		{"telegram", &Telegram{Client: c, BaseURL: "http://127.0.0.1:1"}, channel(alert.TypeTelegram, TelegramSettings{BotToken: "123:ABC", ChatID: "-1001", APIURL: srv.URL}),
			"/bot123:ABC/sendMessage", func(t *testing.T, r captured) {
				var p struct {
					ChatID string `json:"chat_id"`
					Text   string
				}
				if err := json.Unmarshal(r.body, &p); err != nil || p.ChatID != "-1001" || !strings.HasPrefix(p.Text, "🔴 Café shop is down\n") ||
					!strings.HasSuffix(p.Text, "https://status.example.com/admin/incidents/42") {
					t.Errorf("telegram payload %s", r.body)
				}
			}},
		{"ntfy", &Ntfy{Client: c}, channel(alert.TypeNtfy, NtfySettings{ServerURL: srv.URL + "/", Topic: "ops alerts", Token: "tk_1"}),
			"/ops alerts", func(t *testing.T, r captured) {
				title, err := new(mime.WordDecoder).DecodeHeader(r.header.Get("Title"))
				if err != nil || title != "🔴 Café shop is down" || r.header.Get("Authorization") != "Bearer tk_1" ||
					r.header.Get("Priority") != "high" || r.header.Get("Click") != "https://status.example.com/admin/incidents/42" ||
					!strings.Contains(string(r.body), "Reason: connection refused") {
					t.Errorf("ntfy request %q %v %s", title, r.header, r.body)
				}
			}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidateSettings(tt.ch.Type, tt.ch.Settings); err != nil {
				t.Fatalf("ValidateSettings: %v", err)
			}
			if err := tt.n.Send(context.Background(), tt.ch, testAlert(alert.EventDown)); err != nil {
				t.Fatal(err)
			}
			reqs := got()
			if len(reqs) != i+1 {
				t.Fatalf("%d requests", len(reqs))
			}
			if reqs[i].path != tt.path {
				t.Errorf("path %q, want %q", reqs[i].path, tt.path)
			}
			tt.check(t, reqs[i])
		})
	}
	// Mux routes by type.
	mux, err := New(Options{HTTPClient: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := mux.Send(context.Background(), tests[0].ch, testAlert(alert.EventUp)); err != nil {
		t.Fatal(err)
	}
	if err := mux.Send(context.Background(), Channel{Type: "pager"}, testAlert(alert.EventUp)); !Permanent(err) {
		t.Errorf("unknown type: %v", err)
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		status    int
		permanent bool
	}{
		{http.StatusInternalServerError, false}, {http.StatusServiceUnavailable, false}, {http.StatusTooManyRequests, false},
		{http.StatusBadRequest, true}, {http.StatusNotFound, true}, {http.StatusUnauthorized, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			srv, _ := receiver(t, tt.status)
			err := (&Slack{Client: srv.Client()}).Send(context.Background(),
				channel(alert.TypeSlack, IncomingWebhookSettings{WebhookURL: srv.URL}), testAlert(alert.EventDown))
			if err == nil || Permanent(err) != tt.permanent || StatusCode(err) != tt.status || !strings.Contains(err.Error(), "answer") {
				t.Errorf("err %v: permanent %v status %d", err, Permanent(err), StatusCode(err))
			}
		})
	}
	// A network error is retryable and does not quote the URL (the bot token is in it).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	err = (&Telegram{Client: http.DefaultClient, BaseURL: dead}).Send(context.Background(),
		channel(alert.TypeTelegram, TelegramSettings{BotToken: "123:SECRET", ChatID: "1"}), testAlert(alert.EventDown))
	if err == nil || Permanent(err) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("network error %v (permanent %v)", err, Permanent(err))
	}
	// Bad settings are permanent.
	for _, typ := range alert.Types() {
		if err := ValidateSettings(typ, json.RawMessage(`{"nope":1}`)); !Permanent(err) {
			t.Errorf("%s: unknown key: %v", typ, err)
		}
	}
}

// smtpSink is an in-process SMTP server that keeps the messages it receives.
type smtpSink struct {
	mu   sync.Mutex
	msgs []sunkMail
}

type sunkMail struct {
	from     string
	to       []string
	data     []byte
	user     string
	password string
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{sink: s}, nil }

type smtpSession struct {
	sink *smtpSink
	m    sunkMail
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "alerts" || pass != "pw" {
			return errors.New("bad credentials")
		}
		s.m.user, s.m.password = user, pass
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.m.from = from; return nil }

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.to = append(s.m.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.data = b
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.m)
	s.sink.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset() { s.m = sunkMail{user: s.m.user, password: s.m.password} }

func (s *smtpSession) Logout() error { return nil }

func startSMTP(t *testing.T) (*smtpSink, string, int) {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return sink, "127.0.0.1", addr.Port
}

func TestEmail(t *testing.T) {
	sink, host, port := startSMTP(t)
	e, err := NewEmail(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ch := channel(alert.TypeEmail, EmailSettings{Host: host, Port: port, TLS: TLSOpportunistic, Username: "alerts", Password: "pw",
		From: "statusthing@example.com", To: []string{"ops@example.com", "cto@example.com"}})
	if err := ValidateSettings(alert.TypeEmail, ch.Settings); err != nil {
		t.Fatal(err)
	}
	a := testAlert(alert.EventUp)
	if err := e.Send(context.Background(), ch, a); err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	msgs := sink.msgs
	sink.mu.Unlock()
	if len(msgs) != 1 {
		t.Fatalf("%d mails", len(msgs))
	}
	m := msgs[0]
	if m.from != "statusthing@example.com" || strings.Join(m.to, ",") != "ops@example.com,cto@example.com" || m.user != "alerts" {
		t.Errorf("envelope from %q to %v user %q", m.from, m.to, m.user)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "[Up] Café shop is back up" {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if msg.Header.Get("Idempotency-Key") != a.IdempotencyKey {
		t.Errorf("Idempotency-Key header %q", msg.Header.Get("Idempotency-Key"))
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v)", mt, err)
	}
	bodies := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, _ := io.ReadAll(r)
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		bodies[pt] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	text, html := bodies["text/plain"], bodies["text/html"]
	for _, want := range []string{"Café shop is back up.", "Target:   https://shop.example.com/", "down for 5 min",
		"View the incident: https://status.example.com/admin/incidents/42"} {
		if !strings.Contains(text, want) {
			t.Errorf("text body lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`<a href="https://status.example.com/admin/incidents/42">View the incident</a>`, "Café shop is back up</h2>", "#1e8e3e"} {
		if !strings.Contains(html, want) {
			t.Errorf("html body lacks %q:\n%s", want, html)
		}
	}

	// starttls-required against a relay without STARTTLS fails, and is worth retrying
	// (a misconfigured relay may be fixed) rather than silently sent in cleartext.
	ch = channel(alert.TypeEmail, EmailSettings{Host: host, Port: port, From: "a@example.com", To: []string{"b@example.com"}})
	if err := e.Send(context.Background(), ch, a); err == nil {
		t.Error("starttls-required sent over cleartext")
	}
}

func TestEmailEscapesHTML(t *testing.T) {
	e, err := NewEmail(0)
	if err != nil {
		t.Fatal(err)
	}
	a := testAlert(alert.EventDown)
	a.Monitor.Name = "<script>x</script>"
	_, _, html, err := e.Render(a)
	if err != nil || strings.Contains(html, "<script>") {
		t.Errorf("html not escaped: %v\n%s", err, html)
	}
}
