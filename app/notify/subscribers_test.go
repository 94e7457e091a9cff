package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
	"statusthing/store"
	"statusthing/views/i18n"
)

// readMail parses a sunk mail: decoded subject, headers, and its plain and HTML bodies.
func readMail(t *testing.T, m sunkMail) (subject string, h mail.Header, bodies map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.data)))
	if err != nil {
		t.Fatal(err)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	bodies = map[string]string{}
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
		mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		bodies[mt] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return subject, msg.Header, bodies
}

var unsubscribeRE = regexp.MustCompile(`^<https://status\.example\.com/status/acme/unsubscribe\?token=([A-Za-z0-9_-]+)>$`)

// TestSubscriberNotices: a confirmation request, then an incident update, reach an e-mail
// subscriber (in the page's language, with one-click unsubscribe headers) and a webhook
// subscriber (signed), through the subscriber dispatcher and a real store.
func TestSubscriberNotices(t *testing.T) {
	ctx := context.Background()
	sink, host, port := startSMTP(t)
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "st.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	org, err := st.DefaultOrganization(ctx, "Acme", "acme", t0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateStatusPage(ctx, statuspage.Page{OrgID: org.ID, Slug: "acme", Title: "Acme <Status>", Public: true, Locale: "fr",
		Components: []statuspage.Component{{Name: "Site web"}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var hooks []*http.Request
	var bodies [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks, bodies = append(hooks, r), append(bodies, b)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)

	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	email, err := NewEmail(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	email.Defaults = EmailSettings{Host: host, Port: port, TLS: TLSOpportunistic, From: "status@example.com"}
	sender, err := NewSubscriberSender(email, hook.Client(), cats.Translator, "https://status.example.com/", st, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := NewSubscriberDispatcher(DispatcherOptions{Wake: st.SubscribersQueued(), PollInterval: 20 * time.Millisecond,
		Backoff: alert.Backoff{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: 3}}, sender)
	d.Start()
	t.Cleanup(func() { _ = d.Stop(context.Background()) })

	mails := func(n int) []sunkMail {
		t.Helper()
		for range 200 {
			sink.mu.Lock()
			got := append([]sunkMail(nil), sink.msgs...)
			sink.mu.Unlock()
			if len(got) >= n {
				return got
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("fewer than %d mails", n)
		return nil
	}

	if _, err := st.Subscribe(ctx, subscriber.Subscriber{OrgID: org.ID, PageID: p.ID, Address: "alice@example.com"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	m := mails(1)[0]
	subject, h, body := readMail(t, m)
	if strings.Join(m.to, ",") != "alice@example.com" || m.from != "status@example.com" || subject != "Confirmez votre abonnement à Acme <Status>" {
		t.Errorf("confirmation: to %v from %q subject %q", m.to, m.from, subject)
	}
	u := unsubscribeRE.FindStringSubmatch(h.Get("List-Unsubscribe"))
	if u == nil || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("unsubscribe headers %q %q", h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post"))
	}
	confirm := "https://status.example.com/status/acme/confirm?token=" + u[1]
	if !strings.Contains(body["text/plain"], confirm) || !strings.Contains(body["text/html"], `href="`+confirm+`"`) ||
		!strings.Contains(body["text/html"], "Acme &lt;Status&gt;") {
		t.Errorf("confirmation bodies:\n%s\n%s", body["text/plain"], body["text/html"])
	}
	if _, err := st.ConfirmSubscriber(ctx, p.ID, subscriber.HashToken(u[1]), time.Now()); err != nil {
		t.Fatalf("the mail's token does not confirm: %v", err)
	}

	if _, err := st.AddSubscriber(ctx, subscriber.Subscriber{OrgID: org.ID, PageID: p.ID, Kind: subscriber.KindWebhook,
		Address: hook.URL + "/in", Secret: "s3cret"}, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeclareIncident(ctx, org.ID, incident.Draft{Title: "Paiements lents", Impact: incident.ImpactMinor,
		Status: incident.UpdateInvestigating, Message: "Nous regardons.", ComponentIDs: []int64{p.Components[0].ID}}, "ops", time.Now()); err != nil {
		t.Fatal(err)
	}
	m = mails(2)[1]
	subject, h, body = readMail(t, m)
	if subject != "[Acme <Status>] Paiements lents : Analyse en cours" || unsubscribeRE.FindStringSubmatch(h.Get("List-Unsubscribe")) == nil ||
		!strings.Contains(body["text/plain"], "Nous regardons.") || !strings.Contains(body["text/plain"], "Site web") {
		t.Errorf("incident mail %q:\n%s", subject, body["text/plain"])
	}
	for range 200 {
		mu.Lock()
		n := len(hooks)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hooks) != 1 {
		t.Fatalf("%d webhook posts", len(hooks))
	}
	r, b := hooks[0], bodies[0]
	if r.Header.Get("X-Statusthing-Signature") != Signature("s3cret", b) || r.Header.Get("X-Statusthing-Event") != "incident.update" ||
		r.Header.Get("Idempotency-Key") == "" {
		t.Errorf("webhook headers %v", r.Header)
	}
	var n subscriber.Notice
	if err := json.Unmarshal(b, &n); err != nil || n.Incident == nil || n.Incident.Title != "Paiements lents" ||
		n.Page.URL != "https://status.example.com/status/acme" || len(n.Components) != 1 {
		t.Errorf("webhook payload %s (%v)", b, err)
	}
}

func TestRedactAddress(t *testing.T) {
	refusal := &Error{StatusCode: 550, Err: errors.New("smtp: 550 5.1.1 <bob@example.com>: unknown user")}
	got := redactAddress(refusal, "bob@example.com")
	if strings.Contains(got.Error(), "bob@example.com") || !strings.Contains(got.Error(), "<subscriber>") ||
		!Permanent(got) || StatusCode(got) != 550 {
		t.Errorf("redacted %v (permanent %v, status %d)", got, Permanent(got), StatusCode(got))
	}
	temp := &Error{Retryable: true, Err: errors.New("421 try later")}
	if got := redactAddress(temp, "bob@example.com"); got != error(temp) {
		t.Errorf("an error without the address changed: %v", got)
	}
	if redactAddress(nil, "bob@example.com") != nil {
		t.Error("nil error")
	}
}
