package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"statusthing/app/config"
	"statusthing/app/subscriber"
	"statusthing/store"
)

// openStoreAt opens the database of a stopped server.
func openStoreAt(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// mailSink is an in-process SMTP relay on 127.0.0.1 that keeps what it receives.
type mailSink struct {
	mu   sync.Mutex
	msgs []sunk
	host string
	port int
}

// sunk is one received mail, parsed.
type sunk struct {
	to      []string
	subject string
	header  mail.Header
	text    string
	html    string
}

func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *mailSink
	to   []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }

func (s *sinkSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	m := sunk{to: s.to, header: msg.Header}
	if m.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return err
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		var body io.Reader = msg.Body
		if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(msg.Body)
		}
		b, _ := io.ReadAll(body)
		m.text = strings.ReplaceAll(string(b), "\r\n", "\n")
		s.sink.mu.Lock()
		s.sink.msgs = append(s.sink.msgs, m)
		s.sink.mu.Unlock()
		return nil
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		var body io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(p)
		}
		b, _ := io.ReadAll(body)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			m.html = string(b)
		} else {
			m.text = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, m)
	s.sink.mu.Unlock()
	return nil
}

func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	sink := &mailSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	sink.host, sink.port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	return sink
}

// to returns the mails to addr so far.
func (s *mailSink) to(addr string) []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sunk
	for _, m := range s.msgs {
		if strings.Join(m.to, ",") == addr {
			out = append(out, m)
		}
	}
	return out
}

// wait polls until addr has n mails (bounded) and returns them.
func (s *mailSink) wait(t *testing.T, addr string, n int) []sunk {
	t.Helper()
	for range 200 {
		if got := s.to(addr); len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s got %d mails, want %d", addr, len(s.to(addr)), n)
	return nil
}

// withSMTP points the server's [smtp] relay at sink.
func withSMTP(sink *mailSink) func(*config.Config) {
	return func(c *config.Config) {
		c.SMTP.Host, c.SMTP.Port, c.SMTP.TLS, c.SMTP.From = sink.host, sink.port, "none", "status@example.com"
	}
}

var tokenLinkRE = regexp.MustCompile(`^<(http://[^>]+/status/acme/unsubscribe\?token=([A-Za-z0-9_-]+))>$`)

// A visitor subscribes, confirms, gets the incident by mail with one-click unsubscribe
// headers, unsubscribes in one click and hears no more; a webhook subscriber gets every
// update, signed.
func TestSubscribersEndToEnd(t *testing.T) {
	sink := startMailSink(t)
	s := startServer(t, nil, withSMTP(sink))
	c := browserClient(t)
	setupAdmin(t, s, c)
	admin := createPage(t, s, c, url.Values{"title": {"Acme"}, "slug": {"acme"}, "rows": {"1"}, "c0.name": {"Website"},
		"locale": {"en"}, "public": {"1"}})

	var mu sync.Mutex
	var hookBodies []map[string]any
	const secret = "hook-s3cret"
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if r.Header.Get("X-Statusthing-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		hookBodies = append(hookBodies, v)
		mu.Unlock()
	}))
	defer receiver.Close()
	hooks := func(n int) []map[string]any {
		t.Helper()
		for range 200 {
			mu.Lock()
			got := append([]map[string]any(nil), hookBodies...)
			mu.Unlock()
			if len(got) >= n {
				return got
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("fewer than %d webhook posts", n)
		return nil
	}
	addHook(t, s, c, admin, receiver.URL+"/in", secret)

	// The cached page offers the form; a cross-site post is refused, a bad address too.
	visitor := browserClient(t)
	page := waitForPage(t, visitor, s.URL+"/status/acme", `data-testid="subscribe"`)
	if !strings.Contains(page, `action="/status/acme/subscribe"`) || strings.Contains(page, "csrf_token") {
		t.Errorf("subscribe form:\n%s", page)
	}
	if res := do(t, visitor, "POST", s.URL+"/status/acme/subscribe", url.Values{"email": {"alice@example.com"}},
		map[string]string{"Sec-Fetch-Site": "cross-site"}); res.Status != http.StatusForbidden {
		t.Errorf("cross-site subscribe: %d", res.Status)
	}
	if res := do(t, visitor, "POST", s.URL+"/status/acme/subscribe", url.Values{"email": {"not-an-address"}},
		map[string]string{"Sec-Fetch-Site": "same-origin"}); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `data-testid="subscribe-error"`) || !strings.Contains(res.Body, `value="not-an-address"`) {
		t.Errorf("bad address: %d\n%s", res.Status, res.Body)
	}
	res := do(t, visitor, "POST", s.URL+"/status/acme/subscribe", url.Values{"email": {"Alice@Example.com"}},
		map[string]string{"Sec-Fetch-Site": "same-origin"})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Check your mailbox") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("subscribe: %d\n%s", res.Status, res.Body)
	}

	// The confirmation mail: GET shows a button (a mail scanner's fetch confirms nothing).
	confirmation := sink.wait(t, "alice@example.com", 1)[0]
	if confirmation.subject != "Confirm your subscription to Acme" {
		t.Errorf("confirmation subject %q", confirmation.subject)
	}
	link := regexp.MustCompile(`(?m)^(http://\S+/status/acme/confirm\?token=(\S+))$`).FindStringSubmatch(confirmation.text)
	if link == nil {
		t.Fatalf("no confirm link:\n%s", confirmation.text)
	}
	if res := do(t, visitor, "GET", link[1], nil, nil); res.Status != http.StatusOK || !strings.Contains(res.Body, `name="token" value="`+link[2]+`"`) {
		t.Fatalf("confirm page: %d\n%s", res.Status, res.Body)
	}
	if counts := adminCounts(t, s, c, admin); counts != "0 confirmed by e-mail, 1 waiting for confirmation, 1 webhooks" {
		t.Errorf("counts before confirming: %q", counts)
	}
	if res := do(t, visitor, "POST", s.URL+"/status/acme/confirm", url.Values{"token": {"forged"}}, nil); res.Status != http.StatusNotFound {
		t.Errorf("forged confirm: %d", res.Status)
	}
	if res := do(t, visitor, "POST", s.URL+"/status/acme/confirm", url.Values{"token": {link[2]}},
		map[string]string{"Sec-Fetch-Site": "same-origin"}); res.Status != http.StatusOK || !strings.Contains(res.Body, "Subscription confirmed") {
		t.Fatalf("confirm: %d\n%s", res.Status, res.Body)
	}
	if counts := adminCounts(t, s, c, admin); counts != "1 confirmed by e-mail, 0 waiting for confirmation, 1 webhooks" {
		t.Errorf("counts after confirming: %q", counts)
	}

	// An incident: the mail tells what the page tells, nothing of the admin's.
	web := newTarget(t)
	createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"internal-db-10.0.3.7"}, "url": {web.URL + "/secret-path"},
		"interval": {"1h"}, "retries": {"0"}})
	decl := post(t, s, c, "/admin/incidents/new", "/admin/incidents", url.Values{"title": {"Checkout errors"}, "impact": {"major"},
		"status": {"identified"}, "component": {componentID(t, c, s, admin, "Website")}, "message": {"Payments fail for some cards."}})
	if decl.Status != http.StatusSeeOther {
		t.Fatalf("declare: %d\n%s", decl.Status, decl.Body)
	}
	incPath := strings.TrimSuffix(decl.Header.Get("Location"), "?done=declared")
	m := sink.wait(t, "alice@example.com", 2)[1]
	if m.subject != "[Acme] Checkout errors: Identified" || !strings.Contains(m.text, "Payments fail for some cards.") ||
		!strings.Contains(m.text, "Website") || !strings.Contains(m.html, s.URL+"/status/acme") {
		t.Errorf("incident mail %q:\n%s", m.subject, m.text)
	}
	for _, secretWord := range []string{"internal-db", "secret-path", "/admin/"} {
		if strings.Contains(m.text+m.html, secretWord) {
			t.Errorf("the mail leaks %q", secretWord)
		}
	}
	unsub := tokenLinkRE.FindStringSubmatch(m.header.Get("List-Unsubscribe"))
	if unsub == nil || m.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m.text, unsub[1]) {
		t.Fatalf("unsubscribe headers %q %q", m.header.Get("List-Unsubscribe"), m.header.Get("List-Unsubscribe-Post"))
	}
	got := hooks(1)
	if got[0]["event"] != "incident.update" || got[0]["incident"].(map[string]any)["title"] != "Checkout errors" {
		t.Errorf("webhook payload %v", got[0])
	}

	// RFC 8058: the mail client POSTs to the link, no page, no browser headers.
	req, _ := http.NewRequest("POST", unsub[1], strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	oneClick, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	oneClick.Body.Close()
	if oneClick.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", oneClick.StatusCode)
	}
	if res := do(t, visitor, "GET", unsub[1], nil, nil); res.Status != http.StatusNotFound || !strings.Contains(res.Body, "no longer valid") {
		t.Errorf("the link after unsubscribing: %d", res.Status)
	}

	// The next update reaches the webhook, and not Alice.
	post(t, s, c, incPath, incPath+"/updates", url.Values{"status": {"resolved"}, "message": {"Fixed."},
		"component": {componentID(t, c, s, admin, "Website")}})
	got = hooks(2)
	if got[1]["incident"].(map[string]any)["status"] != "resolved" {
		t.Errorf("second webhook payload %v", got[1])
	}
	// Every notice of that update is settled once none is pending: then no mail is on its way.
	for i := 0; ; i++ {
		pending, _, _, err := s.Store.SubscriberNoticeCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if i == 200 {
			t.Fatalf("%d notices still pending", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(sink.to("alice@example.com")); n != 2 {
		t.Errorf("alice got %d mails after unsubscribing, want 2 in all", n)
	}
}

// addHook adds a webhook subscriber in the page editor.
func addHook(t *testing.T, s *testServer, c *http.Client, admin, hookURL, secret string) {
	t.Helper()
	res := post(t, s, c, admin+"/edit", admin+"/subscribers", url.Values{"url": {hookURL}, "secret": {secret}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("add webhook subscriber: %d\n%s", res.Status, res.Body)
	}
}

var countsRE = regexp.MustCompile(`data-testid="subscriber-counts">([^<]+)<`)

// adminCounts reads the subscriber counts of the page editor.
func adminCounts(t *testing.T, s *testServer, c *http.Client, admin string) string {
	t.Helper()
	body := do(t, c, "GET", s.URL+admin+"/edit", nil, nil).Body
	m := countsRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no subscriber counts in the editor:\n%s", body)
	}
	return strings.TrimSpace(m[1])
}

// Subscriptions are rate limited per client address, refused on private pages and offered
// only with an [smtp] relay.
func TestSubscribeLimits(t *testing.T) {
	sink := startMailSink(t)
	s := startServer(t, nil, withSMTP(sink))
	c := browserClient(t)
	setupAdmin(t, s, c)
	createPage(t, s, c, url.Values{"title": {"Acme"}, "slug": {"acme"}, "rows": {"1"}, "c0.name": {"Website"}, "locale": {"fr"}, "public": {"1"}})
	createPage(t, s, c, url.Values{"title": {"Inside"}, "slug": {"inside"}, "rows": {"1"}, "c0.name": {"VPN"}, "locale": {"en"}})

	visitor := browserClient(t)
	for i := range 5 {
		res := do(t, visitor, "POST", s.URL+"/status/acme/subscribe", url.Values{"email": {"v" + strconv.Itoa(i) + "@example.com"}}, nil)
		if res.Status != http.StatusOK || !strings.Contains(res.Body, "Consultez votre messagerie") {
			t.Fatalf("subscription %d: %d\n%s", i, res.Status, res.Body)
		}
	}
	res := do(t, visitor, "POST", s.URL+"/status/acme/subscribe", url.Values{"email": {"v9@example.com"}}, nil)
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("6th subscription: %d %q", res.Status, res.Header.Get("Retry-After"))
	}

	// A private page has no form and takes no subscription, even from a member.
	if body := do(t, c, "GET", s.URL+"/status/inside", nil, nil).Body; strings.Contains(body, `data-testid="subscribe"`) {
		t.Error("the private page offers subscriptions")
	}
	if res := do(t, c, "POST", s.URL+"/status/inside/subscribe", url.Values{"email": {"m@example.com"}}, nil); res.Status != http.StatusNotFound {
		t.Errorf("private page subscription: %d", res.Status)
	}

	// Without a relay: no form, no subscription.
	bare := startServer(t, nil, nil)
	bc := browserClient(t)
	setupAdmin(t, bare, bc)
	createPage(t, bare, bc, url.Values{"title": {"Acme"}, "slug": {"acme"}, "rows": {"1"}, "c0.name": {"Website"}, "locale": {"en"}, "public": {"1"}})
	if body := waitForPage(t, browserClient(t), bare.URL+"/status/acme", "Website"); strings.Contains(body, `data-testid="subscribe"`) {
		t.Error("subscriptions offered without an [smtp] relay")
	}
	if res := do(t, browserClient(t), "POST", bare.URL+"/status/acme/subscribe", url.Values{"email": {"x@example.com"}}, nil); res.Status != http.StatusNotFound {
		t.Errorf("subscription without a relay: %d", res.Status)
	}
}

// Notices queued before a stop are delivered after the restart (the queue is durable).
func TestSubscriberNoticesSurviveRestart(t *testing.T) {
	sink := startMailSink(t)
	s := startServer(t, nil, withSMTP(sink))
	ctx := context.Background()
	c := browserClient(t)
	setupAdmin(t, s, c)
	admin := createPage(t, s, c, url.Values{"title": {"Acme"}, "slug": {"acme"}, "rows": {"1"}, "c0.name": {"Website"}, "locale": {"en"}, "public": {"1"}})
	pageID, _ := strconv.ParseInt(strings.TrimPrefix(admin, "/admin/pages/"), 10, 64)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	// Queued while no dispatcher runs: straight into the stopped server's database.
	st := openStoreAt(t, s.DBPath)
	orgs, err := st.Organizations(ctx)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organizations %v, %v", orgs, err)
	}
	if _, err := st.Subscribe(ctx, subscriber.Subscriber{OrgID: orgs[0].ID, PageID: pageID, Address: "late@example.com"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := defaultTestConfig(s.DBPath)
	withSMTP(sink)(&cfg)
	startServerWith(t, cfg, nil)
	if m := sink.wait(t, "late@example.com", 1)[0]; m.subject != "Confirm your subscription to Acme" {
		t.Errorf("subject %q", m.subject)
	}
}
