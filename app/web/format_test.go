package web

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/views/i18n"
)

func testFormatter(t *testing.T, lang string) formatter {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return formatter{lang: lang, t: cat.Translator(lang), now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func TestFormatPercent(t *testing.T) {
	en, fr := testFormatter(t, "en"), testFormatter(t, "fr")
	tests := []struct {
		ratio  float64
		en, fr string
	}{
		{1, "100%", "100\u00a0%"},
		{0.99999, "99.99%", "99,99\u00a0%"}, // never rounded up to 100 while something failed
		{0.5, "50%", "50\u00a0%"},
		{0.9512, "95.12%", "95,12\u00a0%"},
		{0, "0%", "0\u00a0%"},
		{-1, "–", "–"},
	}
	for _, tt := range tests {
		if got := en.percent(tt.ratio); got != tt.en {
			t.Errorf("en percent(%v) = %q, want %q", tt.ratio, got, tt.en)
		}
		if got := fr.percent(tt.ratio); got != tt.fr {
			t.Errorf("fr percent(%v) = %q, want %q", tt.ratio, got, tt.fr)
		}
	}
}

func TestFormatDurationAndAgo(t *testing.T) {
	f := testFormatter(t, "en")
	durations := map[time.Duration]string{0: "–", 300 * time.Microsecond: "1 ms", 87 * time.Millisecond: "87 ms",
		1234 * time.Millisecond: "1.23 s", 12600 * time.Millisecond: "13 s"}
	for d, want := range durations {
		if got := f.duration(d); got != want {
			t.Errorf("duration(%s) = %q, want %q", d, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "<1 ms", 400 * time.Microsecond: "<1 ms", 12 * time.Millisecond: "12 ms"} {
		if got := f.checkDuration(d); got != want {
			t.Errorf("checkDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := testFormatter(t, "fr").duration(1234 * time.Millisecond); got != "1,23 s" {
		t.Errorf("fr duration = %q", got)
	}
	agos := map[time.Duration]string{3 * time.Second: "just now", 42 * time.Second: "42 s ago", 5 * time.Minute: "5 min ago",
		3 * time.Hour: "3 h ago", 72 * time.Hour: "3 days ago"}
	for d, want := range agos {
		if got := f.ago(f.now.Add(-d)); got != want {
			t.Errorf("ago(-%s) = %q, want %q", d, got, want)
		}
	}
	if got := f.ago(time.Time{}); got != "never" {
		t.Errorf("ago(zero) = %q", got)
	}
	if got := testFormatter(t, "fr").ago(f.now.Add(-5 * time.Minute)); got != "il y a 5 min" {
		t.Errorf("fr ago = %q", got)
	}
}

func TestSparkline(t *testing.T) {
	if sp := sparkline([]time.Duration{-1, 10 * time.Millisecond, -1}, 100, 20, "x"); sp.Points != "" {
		t.Errorf("one point drew a line: %q", sp.Points)
	}
	sp := sparkline([]time.Duration{10 * time.Millisecond, -1, 20 * time.Millisecond, 0}, 100, 20, "x")
	pts := strings.Fields(sp.Points)
	if len(pts) != 3 {
		t.Fatalf("points %q", sp.Points)
	}
	// The highest value is at the top, zero at the bottom, gaps skipped.
	if pts[1] != "66.3,3.0" || pts[2] != "99.0,19.0" {
		t.Errorf("points %q", sp.Points)
	}
}

func TestLatencyChart(t *testing.T) {
	f := testFormatter(t, "en")
	from := f.now.Add(-24 * time.Hour)
	if c := f.latencyChart(nil, from, f.now, 6*time.Hour, "15:04"); !c.Empty || c.Summary == "" {
		t.Errorf("empty chart: %+v", c)
	}
	buckets := []monitor.RollupBucket{
		{Start: from, Checks: 60, Ups: 60, AvgLatency: 80 * time.Millisecond, P95Latency: 150 * time.Millisecond},
		{Start: from.Add(time.Hour), Checks: 0},
		{Start: from.Add(90 * time.Minute), Checks: 3, Downs: 3}, // failures have no latency to draw
		{Start: from.Add(2 * time.Hour), Checks: 60, Ups: 55, Degraded: 5, AvgLatency: 120 * time.Millisecond, P95Latency: 180 * time.Millisecond},
	}
	c := f.latencyChart(buckets, from, f.now, 6*time.Hour, "15:04")
	if c.Empty || len(strings.Fields(c.AvgPath)) != 2 || len(strings.Fields(c.P95Path)) != 2 {
		t.Fatalf("chart paths: %+v", c)
	}
	if len(c.YTicks) != 5 || c.YTicks[4].Label != "200 ms" || c.YTicks[0].Label != "0" {
		t.Errorf("y ticks: %+v", c.YTicks)
	}
	if len(c.XTicks) != 3 || c.XTicks[0].Label != "18:00" {
		t.Errorf("x ticks: %+v", c.XTicks)
	}
	if !strings.Contains(c.Summary, "100 ms") || !strings.Contains(c.Summary, "180 ms") {
		t.Errorf("summary %q", c.Summary)
	}
	// Only failures: no line at zero, but a word about it.
	c = f.latencyChart(buckets[2:3], from, f.now, 6*time.Hour, "15:04")
	if !c.Empty || !strings.Contains(c.Summary, "No successful check") {
		t.Errorf("failures only: %+v", c)
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		0: time.Millisecond, 7 * time.Millisecond: 10 * time.Millisecond, 180 * time.Millisecond: 200 * time.Millisecond,
		230 * time.Millisecond: 250 * time.Millisecond, 1200 * time.Millisecond: 2 * time.Second, 4 * time.Second: 5 * time.Second,
	} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMonitorFormRoundTrip(t *testing.T) {
	specs := []monitor.Spec{
		{Name: "web", Type: monitor.TypeHTTP, URL: "https://example.com/", Method: "POST", Headers: map[string]string{"X-A": "1", "X-B": "two"},
			JSON: []string{`$.ok == true`}, DegradedAbove: monitor.Duration(800 * time.Millisecond), IgnoreTLSErrors: true},
		{Name: "redis", Type: monitor.TypeTCP, Address: "cache:6379", Send: "PING\r\n", Expect: "+PONG"},
		{Name: "mx", Type: monitor.TypeDNS, Hostname: "example.com", RecordType: "MX", Expected: []string{"10 a.example.com", "20 b.example.com"}, MatchAll: true},
		{Name: "alerts", Type: monitor.TypeTLS, Address: "example.com:443", AlertDegraded: true, CertAlertDays: intp(30),
			RemindEvery: monitor.Duration(45 * time.Minute), FlapChanges: intp(0), FlapWindow: monitor.Duration(time.Hour)},
		{Name: "job", Type: monitor.TypeHeartbeat, AlertLate: true, FlapChanges: intp(8)},
	}
	for _, s := range specs {
		t.Run(s.Name, func(t *testing.T) {
			m, err := s.Build()
			if err != nil {
				t.Fatal(err)
			}
			want := monitor.SpecOf(m)
			form := url.Values{}
			for k, v := range valuesFromSpec(want) {
				form.Set(k, v)
			}
			got, errs := specFromForm(form)
			if len(errs) > 0 {
				t.Fatalf("errors %v", errs)
			}
			again, err := got.Build()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, m) {
				t.Errorf("form round trip changed the monitor:\n%+v\n%+v", m, again)
			}
		})
	}
}

func TestMatchesFilter(t *testing.T) {
	m := monitor.Monitor{Name: "Checkout API", Type: monitor.TypeHTTP, Settings: monitor.HTTPSettings{Method: "GET", URL: "https://shop.example/health"},
		State: monitor.State{Status: monitor.StatusDown}}
	tests := []struct {
		q, status string
		want      bool
	}{
		{"", "", true}, {"checkout", "", true}, {"SHOP.example", "", true}, {"billing", "", false},
		{"", "down", true}, {"", "up", false}, {"checkout", "up", false},
	}
	for _, tt := range tests {
		if got := matchesFilter(m, tt.q, tt.status); got != tt.want {
			t.Errorf("matchesFilter(%q, %q) = %v", tt.q, tt.status, got)
		}
	}
}

func ExampleshortDuration() {
	fmt.Println(shortDuration(time.Minute), shortDuration(time.Hour), shortDuration(90*time.Second))
	// Output: 1m 1h 1m30s
}

func intp(n int) *int { return &n }
