package monitor

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func intp(n int) *int { return &n }

func TestSpecBuildDefaults(t *testing.T) {
	m, err := Spec{Name: " Website ", Type: TypeHTTP, URL: "https://example.com/"}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Website" || m.Interval != DefaultInterval || m.Timeout != DefaultTimeout || m.Retries != 1 ||
		m.Recoveries != 1 || m.RetryInterval != 20*time.Second {
		t.Errorf("defaults: %+v", m)
	}
	h := m.Settings.(HTTPSettings)
	if h.Method != "GET" || h.MaxRedirects != 10 || h.ExpectedStatus.String() != "200-299" {
		t.Errorf("http defaults: %+v", h)
	}
	short, err := Spec{Name: "x", Type: TypeTCP, Address: "db:5432", Interval: Duration(10 * time.Second)}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if short.Timeout != 10*time.Second || short.RetryInterval != 10*time.Second {
		t.Errorf("timeout/retry interval not capped by a short interval: %+v", short)
	}
	tlsm, err := Spec{Name: "cert", Type: TypeTLS, Address: "example.com"}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if s := tlsm.Settings.(TLSSettings); s.Address != "example.com:443" || s.CertDegradedDays != 14 {
		t.Errorf("tls defaults: %+v", s)
	}
}

func TestSpecBuildRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name  string
		spec  Spec
		field string
		want  string
	}{
		{"no name", Spec{Type: TypeHTTP, URL: "http://x"}, "name", "required"},
		{"bad type", Spec{Name: "x", Type: "ftp"}, "type", "must be one of http, tcp, dns, tls"},
		{"interval 0 is default, 5s too short", Spec{Name: "x", Type: TypeTCP, Address: "a:1", Interval: Duration(5 * time.Second)}, "interval", "between 10s"},
		{"timeout above interval", Spec{Name: "x", Type: TypeTCP, Address: "a:1", Interval: Duration(time.Minute), Timeout: Duration(2 * time.Minute)}, "timeout", "at most the interval"},
		{"negative retries", Spec{Name: "x", Type: TypeTCP, Address: "a:1", Retries: intp(-1)}, "retries", "between 0 and 10"},
		{"bad URL", Spec{Name: "x", Type: TypeHTTP, URL: "example.com/health"}, "url", "absolute http"},
		{"ftp URL", Spec{Name: "x", Type: TypeHTTP, URL: "ftp://example.com/"}, "url", "absolute http"},
		{"bad method", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", Method: "FETCH"}, "method", "GET, HEAD"},
		{"bad status list", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", ExpectedStatus: "200-2xx"}, "expected_status", "200-2xx"},
		{"reversed range", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", ExpectedStatus: "299-200"}, "expected_status", "299-200"},
		{"bad regex", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", BodyRegex: "a(b"}, "body_regex", "not a valid regular expression"},
		{"bad JSON path", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", JSON: []string{"status == ok"}}, "json", "$.path"},
		{"unquoted JSON string", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", JSON: []string{"$.status == ok"}}, "json", "not a JSON literal"},
		{"number op on string", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", JSON: []string{`$.a < "b"`}}, "json", "needs a number"},
		{"bad header name", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", Headers: map[string]string{"Bad Header": "v"}}, "headers", "not a valid header name"},
		{"header injection", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", Headers: map[string]string{"X-A": "v\r\nX-B: w"}}, "headers", "one line"},
		{"both auths", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", AuthUser: "u", BearerToken: "t"}, "bearer_token", "not both"},
		{"thresholds reversed", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", DegradedAbove: Duration(2 * time.Second), DownAbove: Duration(time.Second)}, "degraded_above", "below down_above"},
		{"cert check on http", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", CertDegradedDays: intp(14)}, "cert_degraded_days", "https"},
		{"tcp setting on http", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", Send: "PING"}, "send", "not a setting of http"},
		{"http setting on tcp", Spec{Name: "x", Type: TypeTCP, Address: "a:1", URL: "http://x"}, "url", "not a setting of tcp"},
		{"tcp without port", Spec{Name: "x", Type: TypeTCP, Address: "db.example.com"}, "address", "host:port"},
		{"tcp bad port", Spec{Name: "x", Type: TypeTCP, Address: "db:99999"}, "address", "1 to 65535"},
		{"dns without name", Spec{Name: "x", Type: TypeDNS}, "hostname", "required"},
		{"dns bad name", Spec{Name: "x", Type: TypeDNS, Hostname: "exa mple.com"}, "hostname", "not a valid DNS name"},
		{"dns bad type", Spec{Name: "x", Type: TypeDNS, Hostname: "example.com", RecordType: "SOA"}, "record_type", "A, AAAA"},
		{"dns match all without values", Spec{Name: "x", Type: TypeDNS, Hostname: "example.com", MatchAll: true}, "match_all", "expected"},
		{"tls cert days reversed", Spec{Name: "x", Type: TypeTLS, Address: "a:443", CertDegradedDays: intp(3), CertDownDays: intp(7)}, "cert_down_days", "below"},
		{"cert alert on http", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", CertAlertDays: intp(7)}, "cert_alert_days", "https"},
		{"cert alert too far", Spec{Name: "x", Type: TypeTLS, Address: "a:443", CertAlertDays: intp(400)}, "cert_alert_days", "0 (off) and 365"},
		{"cert alert on tcp", Spec{Name: "x", Type: TypeTCP, Address: "a:1", CertAlertDays: intp(7)}, "cert_alert_days", "only http, tls"},
		{"degraded alert on heartbeat", Spec{Name: "x", Type: TypeHeartbeat, AlertDegraded: true}, "alert_degraded", "not a setting of heartbeat"},
		{"late alert on http", Spec{Name: "x", Type: TypeHTTP, URL: "http://x", AlertLate: true}, "alert_late", "only heartbeat"},
		{"reminders too often", Spec{Name: "x", Type: TypeTCP, Address: "a:1", RemindEvery: Duration(time.Minute)}, "remind_every", "between 5m and 168h"},
		{"flap changes 1", Spec{Name: "x", Type: TypeTCP, Address: "a:1", FlapChanges: intp(1)}, "flap_changes", "0 (no flap guard) or between 3 and 100"},
		{"flap window too long", Spec{Name: "x", Type: TypeHeartbeat, FlapWindow: Duration(48 * time.Hour)}, "flap_window", "between 1m and 24h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.spec.Build()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if msg := ve.For(tt.field); !strings.Contains(msg, tt.want) {
				t.Errorf("%s: %q (all: %v), want it to mention %q", tt.field, msg, err, tt.want)
			}
		})
	}
}

// TestSpecAlertDefaults: certificate alerts are on (14 days) where there is a certificate,
// the flap guard is on (5 changes in 30 minutes), the rest is off.
func TestSpecAlertDefaults(t *testing.T) {
	flap := AlertOptions{FlapChanges: DefaultFlapChanges, FlapWindow: DefaultFlapWindow}
	withCert := flap
	withCert.CertExpiryDays = DefaultCertAlertDays
	tests := []struct {
		name string
		spec Spec
		want AlertOptions
	}{
		{"https", Spec{Name: "x", Type: TypeHTTP, URL: "https://example.com/"}, withCert},
		{"http", Spec{Name: "x", Type: TypeHTTP, URL: "http://example.com/"}, flap},
		{"tls", Spec{Name: "x", Type: TypeTLS, Address: "example.com"}, withCert},
		{"tcp", Spec{Name: "x", Type: TypeTCP, Address: "a:1"}, flap},
		{"heartbeat", Spec{Name: "x", Type: TypeHeartbeat}, flap},
		{"all set", Spec{Name: "x", Type: TypeHTTP, URL: "https://x", AlertDegraded: true, CertAlertDays: intp(0),
			RemindEvery: Duration(time.Hour), FlapChanges: intp(0), FlapWindow: Duration(time.Hour)},
			AlertOptions{Degraded: true, RemindEvery: time.Hour, FlapWindow: time.Hour}},
		{"heartbeat late", Spec{Name: "x", Type: TypeHeartbeat, AlertLate: true, RemindEvery: Duration(30 * time.Minute)},
			AlertOptions{Late: true, RemindEvery: 30 * time.Minute, FlapChanges: DefaultFlapChanges, FlapWindow: DefaultFlapWindow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.spec.Build()
			if err != nil {
				t.Fatal(err)
			}
			if m.Alerts != tt.want {
				t.Errorf("Alerts = %+v, want %+v", m.Alerts, tt.want)
			}
			again, err := SpecOf(m).Build()
			if err != nil || again.Alerts != m.Alerts {
				t.Errorf("round trip: %+v, %v", again.Alerts, err)
			}
		})
	}
}

func TestSpecReportsEveryProblem(t *testing.T) {
	_, err := Spec{Type: TypeHTTP, URL: "nope", Interval: Duration(time.Second), BodyRegex: "("}.Build()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) < 4 {
		t.Fatalf("want at least 4 problems, got %v", err)
	}
}

func TestSpecRoundTrip(t *testing.T) {
	specs := []Spec{
		{Name: "web", Type: TypeHTTP, URL: "https://example.com/health", Method: "POST", Body: `{"a":1}`,
			Headers: map[string]string{"X-Key": "v"}, ExpectedStatus: "200-299,301", BodyContains: "ok",
			JSON: []string{`$.status == "ok"`, `$.queue.depth < 100`}, DegradedAbove: Duration(time.Second),
			DownAbove: Duration(5 * time.Second), CertDegradedDays: intp(14), CertDownDays: intp(3), Retries: intp(2)},
		{Name: "db", Type: TypeTCP, Address: "db:5432", Send: "PING\r\n", Expect: "+PONG"},
		{Name: "mx", Type: TypeDNS, Hostname: "example.com", RecordType: "MX", Expected: []string{"10 mail.example.com"}, Resolver: "127.0.0.1"},
		{Name: "cert", Type: TypeTLS, Address: "example.com:443", ServerName: "www.example.com"},
	}
	for _, s := range specs {
		t.Run(s.Name, func(t *testing.T) {
			m, err := s.Build()
			if err != nil {
				t.Fatal(err)
			}
			again, err := SpecOf(m).Build()
			if err != nil {
				t.Fatalf("SpecOf output refused: %v", err)
			}
			if !reflect.DeepEqual(m, again) {
				t.Errorf("round trip changed the monitor:\n%+v\n%+v", m, again)
			}
			data, err := MarshalSettings(m.Settings)
			if err != nil {
				t.Fatal(err)
			}
			back, err := UnmarshalSettings(m.Type, data)
			if err != nil || !reflect.DeepEqual(back, m.Settings) {
				t.Errorf("settings JSON round trip: %v\n%+v\n%+v", err, m.Settings, back)
			}
		})
	}
}

func TestParseJSONAssertion(t *testing.T) {
	tests := []struct {
		expr  string
		path  []PathStep
		op    string
		value any
	}{
		{`$.status == "ok"`, []PathStep{{Key: "status"}}, "==", "ok"},
		{`$.queue.depth < 100`, []PathStep{{Key: "queue"}, {Key: "depth"}}, "<", 100.0},
		{`$.items[1].name != null`, []PathStep{{Key: "items"}, {Index: 1, IsIdx: true}, {Key: "name"}}, "!=", nil},
		{`$["odd key"] == true`, []PathStep{{Key: "odd key"}}, "==", true},
		{`$.tags contains "prod"`, []PathStep{{Key: "tags"}}, "contains", "prod"},
		{`$ == 1`, nil, "==", 1.0},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			a, err := ParseJSONAssertion(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Path, tt.path) || a.Op != tt.op || !reflect.DeepEqual(a.Value, tt.value) {
				t.Errorf("got %+v", a)
			}
		})
	}
}

func TestStatusRanges(t *testing.T) {
	r, err := ParseStatusRanges(" 200-299, 301 ,404")
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[int]bool{200: true, 250: true, 299: true, 300: false, 301: true, 404: true, 500: false} {
		if r.Contains(code) != want {
			t.Errorf("Contains(%d) = %v", code, !want)
		}
	}
	if r.String() != "200-299,301,404" {
		t.Errorf("String = %q", r.String())
	}
	for _, bad := range []string{"", ",", "abc", "99", "600", "300-200", "2xx"} {
		if _, err := ParseStatusRanges(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDurationText(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"30s", 30 * time.Second, false},
		{" 5m ", 5 * time.Minute, false},
		{"", 0, false},
		{"0", 0, true},
		{"0s", 0, true},
		{"-5s", 0, true},
		{"60", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		var d Duration
		err := d.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr || (err == nil && time.Duration(d) != tt.want) {
			t.Errorf("UnmarshalText(%q) = %v, %v", tt.in, time.Duration(d), err)
		}
	}
}
