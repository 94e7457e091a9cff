package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

type fakeStore struct {
	monitors  []monitor.Monitor
	file, wal int64
	alerts    [4]int64 // pending, failed, delivered, open incidents
	notices   [3]int64 // pending, failed, delivered
	err       error
}

func (f *fakeStore) SubscriberNoticeCounts(context.Context) (int64, int64, int64, error) {
	return f.notices[0], f.notices[1], f.notices[2], f.err
}

func (f *fakeStore) AllMonitors(context.Context) ([]monitor.Monitor, error) { return f.monitors, f.err }
func (f *fakeStore) DatabaseSize() (int64, int64, error)                    { return f.file, f.wal, nil }
func (f *fakeStore) AlertCounts(context.Context) (int64, int64, int64, int64, error) {
	return f.alerts[0], f.alerts[1], f.alerts[2], f.alerts[3], f.err
}

var checkedAt = time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC)

func testStore() *fakeStore {
	mon := func(id int64, name string, t monitor.Type, s monitor.Status) monitor.Monitor {
		return monitor.Monitor{ID: id, OrgID: 7, Name: name, Type: t, State: monitor.State{Status: s}}
	}
	ms := []monitor.Monitor{
		mon(1, "Website", monitor.TypeHTTP, monitor.StatusUp),
		mon(2, "Slow API", monitor.TypeHTTP, monitor.StatusDegraded),
		mon(3, "Database", monitor.TypeTCP, monitor.StatusDown),
		mon(4, "New site", monitor.TypeDNS, monitor.StatusPending),
		mon(5, "Paused", monitor.TypeTLS, monitor.StatusPaused),
		mon(6, "Backup", monitor.TypeHeartbeat, monitor.StatusLate),
		mon(7, `Quote " and \ slash`, monitor.TypeHeartbeat, monitor.StatusNew),
	}
	ms[0].State.LastCheckedAt = checkedAt
	return &fakeStore{monitors: ms, file: 8192, wal: 4096, alerts: [4]int64{3, 1, 40, 2}, notices: [3]int64{5, 2, 9}}
}

// scrape GETs /metrics from m with the given Authorization header ("" for none).
func scrape(t *testing.T, m *Metrics, method, authorization string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, "/metrics", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	return rec.Result()
}

// families parses a text exposition.
func families(t *testing.T, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("not the Prometheus text format: %v", err)
	}
	return mfs
}

// value returns the value of the series of family name with exactly these labels.
func value(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, lp := range m.GetLabel() {
			if v, ok := labels[lp.GetName()]; !ok || v != lp.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue(), true
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue(), true
		case m.GetHistogram() != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func monitorLabels(id, name, typ string, extra ...string) map[string]string {
	l := map[string]string{"org_id": "7", "monitor_id": id, "monitor": name, "type": typ}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

func TestScrapeReadsMonitorsAndDatabaseFromTheStore(t *testing.T) {
	st := testStore()
	m := New(Options{Store: st, Version: "1.2.3", Commit: "abc123"})
	res := scrape(t, m, "GET", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	body, _ := io.ReadAll(res.Body)
	mfs := families(t, strings.NewReader(string(body)))

	ups := []struct {
		id, name, typ string
		up            float64
		present       bool
	}{
		{"1", "Website", "http", 1, true},
		{"2", "Slow API", "http", 1, true}, // degraded is up: it answered
		{"3", "Database", "tcp", 0, true},
		{"4", "New site", "dns", 0, false}, // no verdict yet
		{"5", "Paused", "tls", 0, false},
		{"6", "Backup", "heartbeat", 0, true}, // late counts as not up
		{"7", `Quote " and \ slash`, "heartbeat", 0, false},
	}
	for _, u := range ups {
		got, ok := value(mfs, "statusthing_monitor_up", monitorLabels(u.id, u.name, u.typ))
		if ok != u.present || got != u.up {
			t.Errorf("monitor_up of %s: %v (present %v), want %v (present %v)", u.name, got, ok, u.up, u.present)
		}
	}
	// The status is one-hot over the statuses of the monitor's kind.
	for _, mon := range st.monitors {
		id := strconv.FormatInt(mon.ID, 10)
		for _, s := range statuses(mon.Type, monitor.StatusUp) { // up is in every list: no extra status
			want := 0.0
			if s == mon.State.Status {
				want = 1
			}
			got, ok := value(mfs, "statusthing_monitor_status", monitorLabels(id, mon.Name, string(mon.Type), "status", string(s)))
			if !ok || got != want {
				t.Errorf("monitor_status{%s,%s} = %v (present %v), want %v", mon.Name, s, got, ok, want)
			}
		}
	}
	if n := len(mfs["statusthing_monitor_status"].GetMetric()); n != 5*len(st.monitors) {
		t.Errorf("%d status series, want 5 per monitor", n)
	}
	if got, ok := value(mfs, "statusthing_monitor_last_check_timestamp_seconds", monitorLabels("1", "Website", "http")); !ok || got != 1772366400.5 {
		t.Errorf("last check of Website: %v (present %v)", got, ok)
	}
	if n := len(mfs["statusthing_monitor_last_check_timestamp_seconds"].GetMetric()); n != 1 {
		t.Errorf("%d last-check series, want only the checked monitor's", n)
	}
	for name, want := range map[string]float64{"statusthing_database_size_bytes": 12288, "statusthing_database_wal_size_bytes": 4096,
		"statusthing_incidents_open": 2} {
		if got, ok := value(mfs, name, nil); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	for state, want := range map[string]float64{"pending": 3, "failed": 1, "delivered": 40} {
		if got, ok := value(mfs, "statusthing_alerts", map[string]string{"state": state}); !ok || got != want {
			t.Errorf("statusthing_alerts{state=%q} = %v (present %v), want %v", state, got, ok, want)
		}
	}
	for state, want := range map[string]float64{"pending": 5, "failed": 2, "delivered": 9} {
		if got, ok := value(mfs, "statusthing_subscriber_notices", map[string]string{"state": state}); !ok || got != want {
			t.Errorf("statusthing_subscriber_notices{state=%q} = %v (present %v), want %v", state, got, ok, want)
		}
	}
	if got, ok := value(mfs, "statusthing_build_info", map[string]string{"version": "1.2.3", "commit": "abc123"}); !ok || got != 1 {
		t.Errorf("build_info: %v (present %v)", got, ok)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if mfs[name] == nil {
			t.Errorf("runtime metric %s missing", name)
		}
	}
	// Counters start at 0 for every label a dashboard will rate().
	if got, ok := value(mfs, "statusthing_pings_received_total", map[string]string{"kind": "exit"}); !ok || got != 0 {
		t.Errorf("pings_received_total{kind=exit} = %v (present %v), want 0", got, ok)
	}
	if got, ok := value(mfs, "statusthing_check_duration_seconds", map[string]string{"type": "tls", "outcome": "degraded"}); !ok || got != 0 {
		t.Errorf("check_duration_seconds{tls,degraded} count = %v (present %v), want 0", got, ok)
	}

	// The same conventions promtool check metrics enforces (names, units, help, counters).
	problems, err := promlint.New(strings.NewReader(string(body))).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestScrapeFollowsTheStoreNotACopy(t *testing.T) {
	st := testStore()
	m := New(Options{Store: st})
	st.monitors[2].State.Status = monitor.StatusUp // the Database came back
	st.monitors = st.monitors[:3]                  // and the others were deleted
	mfs := families(t, scrape(t, m, "GET", "").Body)
	if got, ok := value(mfs, "statusthing_monitor_up", monitorLabels("3", "Database", "tcp")); !ok || got != 1 {
		t.Errorf("monitor_up of Database after it came back: %v (present %v)", got, ok)
	}
	if n := len(mfs["statusthing_monitor_status"].GetMetric()); n != 15 {
		t.Errorf("%d status series for 3 monitors, want 15", n)
	}
}

func TestObserversFeedCountersAndHistogram(t *testing.T) {
	m := New(Options{Store: testStore()})
	web := monitor.Monitor{ID: 1, Type: monitor.TypeHTTP}
	m.CheckFinished(web, monitor.Result{Outcome: monitor.OutcomeUp, Duration: 30 * time.Millisecond})
	m.CheckFinished(web, monitor.Result{Outcome: monitor.OutcomeUp, Duration: 3 * time.Second})
	m.CheckFinished(web, monitor.Result{Outcome: monitor.OutcomeDown, Duration: 10 * time.Millisecond})
	m.ResultRecorded(web, monitor.Result{})
	m.ResultRecorded(web, monitor.Result{})
	m.PingRecorded(heartbeat.KindStart)
	m.PingRecorded(heartbeat.KindSuccess)
	m.PingRecorded(heartbeat.KindSuccess)
	m.PingUnknown()

	mfs := families(t, scrape(t, m, "GET", "").Body)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"statusthing_check_duration_seconds", map[string]string{"type": "http", "outcome": "up"}, 2},
		{"statusthing_check_duration_seconds", map[string]string{"type": "http", "outcome": "down"}, 1},
		{"statusthing_results_written_total", nil, 2},
		{"statusthing_pings_received_total", map[string]string{"kind": "success"}, 2},
		{"statusthing_pings_received_total", map[string]string{"kind": "start"}, 1},
		{"statusthing_pings_received_total", map[string]string{"kind": "fail"}, 0},
		{"statusthing_pings_unknown_total", nil, 1},
	} {
		if got, ok := value(mfs, c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	// The histogram's sum is in seconds.
	for _, s := range mfs["statusthing_check_duration_seconds"].GetMetric() {
		if s.GetLabel()[0].GetValue() == "up" && s.GetLabel()[1].GetValue() == "http" {
			if sum := s.GetHistogram().GetSampleSum(); sum < 3.029 || sum > 3.031 {
				t.Errorf("sum of http/up durations %v s, want 3.03", sum)
			}
		}
	}
}

func TestTokenIsRequiredWhenConfigured(t *testing.T) {
	open := New(Options{Store: testStore()})
	if res := scrape(t, open, "GET", ""); res.StatusCode != http.StatusOK {
		t.Errorf("no token configured: status %d, want 200", res.StatusCode)
	}
	m := New(Options{Store: testStore(), Token: "s3cret-token"})
	for _, c := range []struct {
		name, authorization string
		want                int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"prefix of the token", "Bearer s3cret", http.StatusUnauthorized},
		{"basic scheme", "Basic s3cret-token", http.StatusUnauthorized},
		{"no scheme", "s3cret-token", http.StatusUnauthorized},
		{"right token", "Bearer s3cret-token", http.StatusOK},
		{"scheme is case-insensitive", "bearer s3cret-token", http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := scrape(t, m, "GET", c.authorization)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d", res.StatusCode, c.want)
			}
			if c.want == http.StatusUnauthorized {
				if res.Header.Get("WWW-Authenticate") == "" || strings.Contains(string(body), "statusthing_") {
					t.Errorf("401 without WWW-Authenticate or with metrics: %q", body)
				}
			}
		})
	}
	if res := scrape(t, m, "POST", "Bearer s3cret-token"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", res.StatusCode)
	}
}

func TestUnreadableStoreFailsTheScrape(t *testing.T) {
	st := testStore()
	st.err = errors.New("database is locked")
	res := scrape(t, New(Options{Store: st}), "GET", "")
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", res.StatusCode)
	}
}
