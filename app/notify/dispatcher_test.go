package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"statusthing/app/alert"
	"statusthing/app/monitor"
	"statusthing/app/notify"
	"statusthing/store"
)

var t0 = time.Now().UTC().Truncate(time.Millisecond)

// hook is a webhook receiver whose answer the test changes; it counts requests and keeps
// their idempotency keys.
type hook struct {
	srv    *httptest.Server
	status atomic.Int64
	hits   atomic.Int64
	mu     sync.Mutex
	keys   []string
	block  chan struct{} // non-nil: requests wait for it (or their end)
}

func newHook(t *testing.T, status int, block chan struct{}) *hook {
	h := &hook{block: block}
	h.status.Store(int64(status))
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		h.mu.Lock()
		h.keys = append(h.keys, r.Header.Get("Idempotency-Key"))
		h.mu.Unlock()
		if h.block != nil {
			select {
			case <-h.block:
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(int(h.status.Load()))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// outage creates an org, a monitor and a default webhook channel per hook, then records
// a failure that opens an incident (and enqueues one alert per channel).
func outage(t *testing.T, s *store.Store, hooks ...*hook) (org int64, channels []alert.Channel) {
	t.Helper()
	ctx := context.Background()
	o, err := s.DefaultOrganization(ctx, "Acme", "acme", t0)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hooks {
		raw, _ := json.Marshal(notify.WebhookSettings{URL: h.srv.URL, Secret: "s"})
		c, err := s.CreateChannel(ctx, alert.Channel{OrgID: o.ID, Name: "hook" + string(rune('a'+i)), Type: alert.TypeWebhook,
			Settings: raw, IsDefault: true, Enabled: true}, t0)
		if err != nil {
			t.Fatal(err)
		}
		channels = append(channels, c)
	}
	m, err := s.CreateMonitor(ctx, monitor.Monitor{OrgID: o.ID, Name: "Shop", Type: monitor.TypeHTTP, Interval: time.Minute,
		Timeout: 10 * time.Second, Recoveries: 1, Settings: monitor.HTTPSettings{Method: "GET", URL: "https://shop.example.com/",
			ExpectedStatus: monitor.StatusRanges{{Min: 200, Max: 299}}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, f, err := s.RecordResult(ctx, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeDown,
		ErrorClass: monitor.ClassRefused, Message: "connection refused"}); err != nil || f == nil {
		t.Fatalf("RecordResult: %v, %v", f, err)
	}
	return o.ID, channels
}

func dispatcher(s *store.Store) *notify.Dispatcher {
	mux, err := notify.New(notify.Options{})
	if err != nil {
		panic(err)
	}
	return notify.NewDispatcher(notify.DispatcherOptions{Store: s, Notifier: mux, BaseURL: "https://status.example.com/",
		Wake: s.AlertsQueued(), PollInterval: 10 * time.Millisecond, SendTimeout: 5 * time.Second,
		Backoff: alert.Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: 8}})
}

// alertOf returns the (single) outbox row of channel ch.
func alertOf(t *testing.T, s *store.Store, org int64, ch alert.Channel) alert.Delivery {
	t.Helper()
	for id := int64(1); id < 100; id++ {
		d, err := s.OutboxAlert(context.Background(), org, id)
		if err == nil && d.Channel.ID == ch.ID {
			return d
		}
	}
	t.Fatalf("no alert for channel %d", ch.ID)
	return alert.Delivery{}
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func stop(t *testing.T, d *notify.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

func TestDispatcherRetriesUntilDelivered(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	h := newHook(t, http.StatusServiceUnavailable, nil)
	org, chs := outage(t, s, h)
	d := dispatcher(s)
	d.Start()
	defer stop(t, d)
	waitFor(t, "two failed attempts", func() bool { return h.hits.Load() >= 2 })
	h.status.Store(http.StatusOK)
	waitFor(t, "delivery", func() bool { return !alertOf(t, s, org, chs[0]).DeliveredAt.IsZero() })

	del := alertOf(t, s, org, chs[0])
	atts, err := s.AlertAttempts(context.Background(), org, del.ID)
	if err != nil || len(atts) < 3 || del.Attempts != len(atts) {
		t.Fatalf("attempts %+v (%d counted), %v", atts, del.Attempts, err)
	}
	for i, a := range atts[:len(atts)-1] {
		if a.OK || a.StatusCode != 503 || a.Error == "" || a.At.IsZero() {
			t.Errorf("attempt %d: %+v", i, a)
		}
	}
	if last := atts[len(atts)-1]; !last.OK || last.Error != "" {
		t.Errorf("last attempt %+v", last)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range h.keys {
		if k != del.Alert.IdempotencyKey {
			t.Errorf("retry carried key %q, want %q", k, del.Alert.IdempotencyKey)
		}
	}
}

func TestDispatcherDeliversAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	h := newHook(t, http.StatusBadGateway, nil)
	s := openStore(t, path)
	org, chs := outage(t, s, h)
	d := dispatcher(s)
	d.Start()
	waitFor(t, "a failed attempt", func() bool { return h.hits.Load() >= 1 })
	stop(t, d)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	h.status.Store(http.StatusOK)
	s = openStore(t, path)
	if del := alertOf(t, s, org, chs[0]); !del.DeliveredAt.IsZero() || !del.FailedAt.IsZero() || del.Attempts == 0 {
		t.Fatalf("after restart: %+v", del)
	}
	d = dispatcher(s)
	d.Start()
	defer stop(t, d)
	waitFor(t, "delivery after restart", func() bool { return !alertOf(t, s, org, chs[0]).DeliveredAt.IsZero() })
}

func TestDispatcherSlowChannelDoesNotDelayOthers(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	release := make(chan struct{})
	defer close(release)
	slow := newHook(t, http.StatusOK, release)
	fast := newHook(t, http.StatusOK, nil)
	org, chs := outage(t, s, slow, fast)
	d := dispatcher(s)
	d.Start()
	waitFor(t, "the slow channel's request", func() bool { return slow.hits.Load() == 1 })
	waitFor(t, "the fast channel's delivery", func() bool { return !alertOf(t, s, org, chs[1]).DeliveredAt.IsZero() })
	if del := alertOf(t, s, org, chs[0]); del.Attempts != 0 {
		t.Fatalf("slow alert finished: %+v", del)
	}

	// Stop is bounded: the stuck send is cancelled and recorded as a retryable failure.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop: %v", err)
	}
	del := alertOf(t, s, org, chs[0])
	if del.Attempts != 1 || !del.DeliveredAt.IsZero() || !del.FailedAt.IsZero() || del.LastError == "" {
		t.Errorf("cancelled send: %+v", del)
	}
}

func TestDispatcherGivesUpAndRetry(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	h := newHook(t, http.StatusBadRequest, nil)
	org, chs := outage(t, s, h)
	d := dispatcher(s)
	d.Start()
	defer stop(t, d)
	ctx := context.Background()
	var failed []alert.Delivery
	waitFor(t, "giving up", func() bool {
		failed, _ = s.FailedAlerts(ctx, org)
		return len(failed) == 1
	})
	if failed[0].Attempts != 1 || failed[0].Channel.ID != chs[0].ID || h.hits.Load() != 1 {
		t.Errorf("a 400 was retried: %+v, %d requests", failed[0], h.hits.Load())
	}
	h.status.Store(http.StatusOK)
	if err := s.RetryAlert(ctx, org, failed[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery after Retry", func() bool { return !alertOf(t, s, org, chs[0]).DeliveredAt.IsZero() })
}

func TestBackoff(t *testing.T) {
	b := alert.Backoff{Base: time.Second, Max: time.Minute, MaxAttempts: 8}
	tests := []struct {
		attempts int
		jitter   float64
		want     time.Duration
	}{
		{1, 0, time.Second}, {2, 0, 2 * time.Second}, {4, 0, 8 * time.Second}, {7, 0, time.Minute}, {40, 0, time.Minute},
		{1, 0.5, 750 * time.Millisecond}, {7, 0.999, 30*time.Second + 30*time.Millisecond},
	}
	for _, tt := range tests {
		if got := b.Delay(tt.attempts, tt.jitter); got != tt.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tt.attempts, tt.jitter, got, tt.want)
		}
	}
	if !b.Next(t0, 8, false, 0).IsZero() || !b.Next(t0, 1, true, 0).IsZero() || !b.Next(t0, 7, false, 0).Equal(t0.Add(time.Minute)) {
		t.Error("Next: give up after MaxAttempts or a permanent error")
	}
}

// TestDispatcherHonoursRetryAfter: a 429 or 503 with Retry-After (seconds or an HTTP date)
// puts the next attempt no earlier than asked, capped at MaxRetryAfter, and never earlier
// than the backoff; the attempt records the wait. The clock is fixed, so the row is tried
// once.
func TestDispatcherHonoursRetryAfter(t *testing.T) {
	now := t0.Truncate(time.Second).Add(time.Second) // HTTP dates have whole seconds
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantWait   time.Duration // recorded
		wantNext   time.Duration // after now
	}{
		{"429 seconds", http.StatusTooManyRequests, "120", 120 * time.Second, 120 * time.Second},
		{"503 HTTP date", http.StatusServiceUnavailable, now.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute, 10 * time.Minute},
		{"capped", http.StatusTooManyRequests, "86400", 2 * time.Hour, 2 * time.Hour},
		{"shorter than the backoff", http.StatusTooManyRequests, "1", time.Second, time.Minute},
		{"garbage", http.StatusTooManyRequests, "soon", 0, time.Minute},
		{"a 500 has none", http.StatusInternalServerError, "120", 0, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Retry-After", tt.retryAfter)
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
			org, chs := outage(t, s, &hook{srv: srv})
			mux, err := notify.New(notify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			d := notify.NewDispatcher(notify.DispatcherOptions{Store: s, Notifier: mux, Wake: s.AlertsQueued(),
				Now: func() time.Time { return now }, Jitter: func() float64 { return 0 }, PollInterval: 10 * time.Millisecond,
				Backoff: alert.Backoff{Base: time.Minute, Max: time.Hour, MaxAttempts: 8}, MaxRetryAfter: 2 * time.Hour})
			d.Start()
			waitFor(t, "an attempt", func() bool { return alertOf(t, s, org, chs[0]).Attempts == 1 })
			stop(t, d)
			del := alertOf(t, s, org, chs[0])
			atts, err := s.AlertAttempts(context.Background(), org, del.ID)
			if err != nil || len(atts) != 1 || hits.Load() != 1 {
				t.Fatalf("attempts %+v, %v, %d requests", atts, err, hits.Load())
			}
			if atts[0].RetryAfter != tt.wantWait || atts[0].StatusCode != tt.status {
				t.Errorf("attempt %+v, want retry after %s", atts[0], tt.wantWait)
			}
			if got := del.NextAttemptAt.Sub(now); got != tt.wantNext {
				t.Errorf("next attempt in %s, want %s", got, tt.wantNext)
			}
		})
	}
}
