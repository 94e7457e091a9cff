package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"statusthing/app/alert"
)

// A real outage, end to end: the target fails, Check now records it, the incident opens
// and the webhook channel receives a signed "down" alert; recovery sends "up".
func TestOutageAlertsWebhook(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	const secret = "s3cret"
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if r.Header.Get("X-Statusthing-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var payload map[string]any
		if err := json.Unmarshal(body, &payload); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, payload)
		mu.Unlock()
	}))
	defer receiver.Close()

	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"Payments"}, "url": {tg.URL + "/"},
		"interval": {"60s"}, "retries": {"0"}})

	ctx := context.Background()
	orgs, err := s.Store.Organizations(ctx)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organizations: %v, %v", orgs, err)
	}
	settings, _ := json.Marshal(map[string]string{"url": receiver.URL + "/hook", "secret": secret})
	if _, err := s.Store.CreateChannel(ctx, alert.Channel{OrgID: orgs[0].ID, Name: "ops hook", Type: "webhook",
		Settings: settings, IsDefault: true, Enabled: true}, time.Now()); err != nil {
		t.Fatal(err)
	}

	waitFor := func(n int) []map[string]any {
		t.Helper()
		for range 100 {
			mu.Lock()
			if len(got) >= n {
				out := append([]map[string]any(nil), got...)
				mu.Unlock()
				return out
			}
			mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%d alerts after 10 s, want %d", len(got), n)
		return nil
	}
	post(t, s, c, path, path+"/check", nil) // up: no incident, no alert
	tg.status.Store(http.StatusServiceUnavailable)
	post(t, s, c, path, path+"/check", nil)
	alerts := waitFor(1)
	if alerts[0]["event"] != "down" {
		t.Errorf("first alert %v", alerts[0])
	}
	tg.status.Store(http.StatusOK)
	post(t, s, c, path, path+"/check", nil)
	alerts = waitFor(2)
	if alerts[1]["event"] != "up" {
		t.Errorf("second alert %v", alerts[1])
	}
	time.Sleep(300 * time.Millisecond) // nothing more may come (at least once, but not twice here)
	mu.Lock()
	if len(got) != 2 {
		t.Errorf("%d alerts delivered, want 2: %v", len(got), got)
	}
	mu.Unlock()

	// The incident's timeline tells whom it alerted and how that went.
	incidents := do(t, c, "GET", s.URL+"/admin/incidents", nil, nil).Body
	m := regexp.MustCompile(`href="(/admin/incidents/\d+)"`).FindStringSubmatch(incidents)
	if m == nil {
		t.Fatalf("no incident listed:\n%s", incidents)
	}
	page := do(t, c, "GET", s.URL+m[1], nil, nil).Body
	if strings.Count(page, `data-kind="alert"`) != 2 || !strings.Contains(page, "ops hook (webhook)") ||
		!strings.Contains(page, "“down” alert delivered") || !strings.Contains(page, "“up” alert delivered") {
		t.Errorf("the timeline does not tell the alerts:\n%s", page)
	}

	// /metrics shows the outbox and the incidents from the database.
	_, metrics, _ := curl(t, "GET", s.URL+"/metrics", "")
	for _, line := range []string{`statusthing_alerts{state="delivered"} 2`, `statusthing_alerts{state="pending"} 0`,
		`statusthing_alerts{state="failed"} 0`, "statusthing_incidents_open 0"} {
		if !strings.Contains(metrics, "\n"+line+"\n") {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}
