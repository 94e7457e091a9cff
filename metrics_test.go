package main

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"statusthing/app/config"
	"statusthing/app/monitor"
)

// scrapeMetrics GETs /metrics as Prometheus does and parses it; authorization "" sends none.
func scrapeMetrics(t *testing.T, s *testServer, authorization string) (status int, body string, mfs map[string]*dto.MetricFamily) {
	t.Helper()
	header := map[string]string{"Accept": "text/plain;version=0.0.4"}
	if authorization != "" {
		header["Authorization"] = authorization
	}
	res := do(t, &http.Client{Timeout: 10 * time.Second}, "GET", s.URL+"/metrics", nil, header)
	if res.Status != http.StatusOK {
		return res.Status, res.Body, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(res.Body))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v\n%s", err, res.Body)
	}
	return res.Status, res.Body, mfs
}

// sample is the value of the series of family name whose labels include want (a histogram
// gives its count); ok is false when there is none.
func sample(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (v float64, ok bool) {
	for _, m := range mfs[name].GetMetric() {
		labels := map[string]string{}
		for _, lp := range m.GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		match := true
		for k, v := range want {
			if labels[k] != v {
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

// monitorIDByName reads a monitor's id from the labels of statusthing_monitor_status.
func monitorIDByName(t *testing.T, mfs map[string]*dto.MetricFamily, name string) string {
	t.Helper()
	for _, m := range mfs["statusthing_monitor_status"].GetMetric() {
		labels := map[string]string{}
		for _, lp := range m.GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		if labels["monitor"] == name {
			return labels["monitor_id"]
		}
	}
	t.Fatalf("no monitor %q in statusthing_monitor_status", name)
	return ""
}

// promtoolCheck validates an exposition with promtool (Debian package prometheus, installed
// by .ci/run): the conventions Prometheus' own tooling enforces, not only our parser's.
func promtoolCheck(t *testing.T, body string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install it (apt-get install prometheus; .ci/run does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || strings.TrimSpace(out.String()) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}

func TestMetricsFollowMonitorsChecksAndPings(t *testing.T) {
	tg := newTarget(t)
	zero := 0
	const password = "metrics admin password"
	s := startServer(t, []string{config.EnvAdminEmail + "=ops@example.com", config.EnvAdminPassword + "=" + password}, func(c *config.Config) {
		c.Monitors = []monitor.Spec{
			{Name: "Website", Type: monitor.TypeHTTP, URL: tg.URL + "/", Retries: &zero},
			{Name: "Old site", Type: monitor.TypeHTTP, URL: tg.URL + "/old", Paused: true},
			heartbeatSpec("Nightly backup"),
		}
	})
	db := readDB(t, s.DBPath)
	uuid := queryString(t, db, `SELECT h.uuid FROM heartbeats h JOIN monitors m ON m.id = h.monitor_id WHERE m.name = 'Nightly backup'`)

	// Nothing checked or pinged yet: statuses without a verdict, no up series, counters at 0.
	status, body, mfs := scrapeMetrics(t, s, "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", status, body)
	}
	promtoolCheck(t, body)
	website := monitorIDByName(t, mfs, "Website")
	is := func(mfs map[string]*dto.MetricFamily, name, want string) {
		t.Helper()
		if v, ok := sample(mfs, "statusthing_monitor_status", map[string]string{"monitor": name, "status": want}); !ok || v != 1 {
			t.Errorf("%s: statusthing_monitor_status{status=%q} = %v (present %v), want 1", name, want, v, ok)
		}
	}
	up := func(mfs map[string]*dto.MetricFamily, name string) (float64, bool) {
		return sample(mfs, "statusthing_monitor_up", map[string]string{"monitor": name})
	}
	counter := func(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
		t.Helper()
		v, ok := sample(mfs, name, labels)
		if !ok {
			t.Fatalf("no series %s%v", name, labels)
		}
		return v
	}
	is(mfs, "Old site", "paused")
	is(mfs, "Nightly backup", "new")
	for _, name := range []string{"Old site", "Nightly backup"} {
		if v, ok := up(mfs, name); ok {
			t.Errorf("%s has no verdict but statusthing_monitor_up = %v", name, v)
		}
	}
	if v, ok := sample(mfs, "statusthing_monitor_up", map[string]string{"monitor": "Website", "type": "http", "monitor_id": website}); ok &&
		v != 1 { // a scheduled check may have run already, against a healthy target
		t.Errorf("Website before any failure: up = %v", v)
	}
	if n := counter(mfs, "statusthing_pings_received_total", map[string]string{"kind": "success"}); n != 0 {
		t.Errorf("pings before any ping: %v", n)
	}
	if v := counter(mfs, "statusthing_database_size_bytes", nil); v <= 0 {
		t.Errorf("database size %v", v)
	}
	if _, ok := sample(mfs, "statusthing_build_info", nil); !ok {
		t.Error("no statusthing_build_info")
	}
	resultsBefore := counter(mfs, "statusthing_results_written_total", nil)

	// Pings over HTTP, as cron jobs send them.
	for _, p := range []string{"/ping/" + uuid + "/start", "/ping/" + uuid, "/ping/" + uuid + "/log"} {
		if code, answer, _ := curl(t, "GET", s.URL+p, ""); code != http.StatusOK {
			t.Fatalf("GET %s: %d %q", p, code, answer)
		}
	}
	if code, _, _ := curl(t, "GET", s.URL+"/ping/00000000-0000-4000-8000-000000000000", ""); code != http.StatusNotFound {
		t.Fatalf("unknown ping: %d", code)
	}
	_, _, mfs = scrapeMetrics(t, s, "")
	for kind, want := range map[string]float64{"start": 1, "success": 1, "log": 1, "fail": 0, "exit": 0} {
		if n := counter(mfs, "statusthing_pings_received_total", map[string]string{"kind": kind}); n != want {
			t.Errorf("pings_received_total{kind=%q} = %v, want %v", kind, n, want)
		}
	}
	if n := counter(mfs, "statusthing_pings_unknown_total", nil); n != 1 {
		t.Errorf("pings_unknown_total = %v, want 1", n)
	}
	is(mfs, "Nightly backup", "up")
	if v, ok := up(mfs, "Nightly backup"); !ok || v != 1 {
		t.Errorf("Nightly backup after a success ping: up = %v (present %v)", v, ok)
	}
	if code, _, _ := curl(t, "POST", s.URL+"/ping/"+uuid+"/1", "exit 1"); code != http.StatusOK {
		t.Fatalf("exit-status ping: %d", code)
	}
	_, _, mfs = scrapeMetrics(t, s, "")
	is(mfs, "Nightly backup", "down")
	if v, ok := up(mfs, "Nightly backup"); !ok || v != 0 {
		t.Errorf("Nightly backup after a failed run: up = %v (present %v)", v, ok)
	}
	if n := counter(mfs, "statusthing_pings_received_total", map[string]string{"kind": "exit"}); n != 1 {
		t.Errorf("pings_received_total{kind=exit} = %v, want 1", n)
	}

	// Checks of the http monitor ("Check now"): results are written, durations observed,
	// and the status follows the target.
	c := browserClient(t)
	if res := login(t, s, c, "ops@example.com", password); res.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.Status)
	}
	path := "/admin/monitors/" + website
	checkNow := func() map[string]*dto.MetricFamily {
		t.Helper()
		if res := post(t, s, c, path, path+"/check", nil); res.Status != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=checked" {
			t.Fatalf("check now: %d %q", res.Status, res.Header.Get("Location"))
		}
		_, _, mfs := scrapeMetrics(t, s, "")
		return mfs
	}
	mfs = checkNow()
	is(mfs, "Website", "up")
	if v, ok := up(mfs, "Website"); !ok || v != 1 {
		t.Errorf("Website after a good check: up = %v (present %v)", v, ok)
	}
	afterUp := counter(mfs, "statusthing_results_written_total", nil)
	if afterUp < resultsBefore+1 {
		t.Errorf("results_written_total %v after a check, was %v", afterUp, resultsBefore)
	}
	if n := counter(mfs, "statusthing_check_duration_seconds", map[string]string{"type": "http", "outcome": "up"}); n < 1 {
		t.Errorf("check_duration_seconds{http,up} count %v", n)
	}
	if _, ok := sample(mfs, "statusthing_monitor_last_check_timestamp_seconds", map[string]string{"monitor": "Website"}); !ok {
		t.Error("no last check time for Website")
	}

	tg.status.Store(http.StatusServiceUnavailable)
	mfs = checkNow()
	is(mfs, "Website", "down") // retries = 0: the first failure is down
	if v, ok := up(mfs, "Website"); !ok || v != 0 {
		t.Errorf("Website after a failed check: up = %v (present %v)", v, ok)
	}
	if n := counter(mfs, "statusthing_results_written_total", nil); n < afterUp+1 {
		t.Errorf("results_written_total %v after a second check, was %v", n, afterUp)
	}
	if n := counter(mfs, "statusthing_check_duration_seconds", map[string]string{"type": "http", "outcome": "down"}); n < 1 {
		t.Errorf("check_duration_seconds{http,down} count %v", n)
	}
	_, body, _ = scrapeMetrics(t, s, "")
	promtoolCheck(t, body)
}

func TestMetricsTokenWhenConfigured(t *testing.T) {
	const token = "metrics-s3cret"
	s := startServer(t, nil, func(c *config.Config) { c.Metrics.Token = token })
	for _, c := range []struct {
		name, authorization string
		want                int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer not-the-token", http.StatusUnauthorized},
		{"token in another scheme", "Basic " + token, http.StatusUnauthorized},
		{"right token", "Bearer " + token, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, mfs := scrapeMetrics(t, s, c.authorization)
			if status != c.want {
				t.Fatalf("status %d, want %d: %s", status, c.want, body)
			}
			if status == http.StatusOK && mfs["statusthing_build_info"] == nil {
				t.Errorf("no statusthing_build_info in:\n%s", body)
			}
			if status != http.StatusOK && strings.Contains(body, "statusthing_") {
				t.Errorf("refused scrape shows metrics: %s", body)
			}
		})
	}
	// The token guards /metrics only: the site and the health check answer as before.
	if res := do(t, browserClient(t), "GET", s.URL+"/healthz", nil, nil); res.Status != http.StatusOK {
		t.Errorf("/healthz with a metrics token: %d", res.Status)
	}
}
