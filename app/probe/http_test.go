package probe_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// target is the "fake internet" of the http tests.
func target(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Version", "1.2.3")
		io.WriteString(w, "<html><h1>Welcome home</h1> build 2024-05</html>")
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d here", code)
	})
	mux.HandleFunc("/slow/{ms}", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.PathValue("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "slow but fine")
	})
	mux.HandleFunc("/redirect/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			io.WriteString(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/redirect/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"degraded","queue":{"depth":42},"items":[{"name":"a"},{"name":"b"}],`+
			`"tags":["x","y"],"ok":true,"none":null,"version":"1.2.3","big":1e3}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"method": r.Method, "body": string(body), "auth": r.Header.Get("Authorization"),
			"agent": r.UserAgent(), "x_custom": r.Header.Get("X-Custom"), "host": r.Host,
		})
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "a"+strings.Repeat("é", 3000)) // 2-byte runes, odd offset: the cut falls mid-rune
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func jsonAsserts(t *testing.T, exprs ...string) []monitor.JSONAssertion {
	t.Helper()
	var out []monitor.JSONAssertion
	for _, e := range exprs {
		a, err := monitor.ParseJSONAssertion(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func statuses(t *testing.T, s string) monitor.StatusRanges {
	t.Helper()
	r, err := monitor.ParseStatusRanges(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func httpMonitor(s monitor.HTTPSettings, timeout time.Duration) monitor.Monitor {
	return monitor.Monitor{Type: monitor.TypeHTTP, Timeout: timeout, Settings: s}
}

func TestHTTP(t *testing.T) {
	srv := target(t)
	u := srv.URL
	garbage := tcpServer(t, func(c net.Conn) {
		c.Read(make([]byte, 1024))
		io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n")
	})
	hangUp := tcpServer(t, func(c net.Conn) { c.Read(make([]byte, 1024)) })
	p := probe.New(probe.Options{UserAgent: "probe-test/1"})
	tests := []struct {
		name    string
		s       monitor.HTTPSettings
		timeout time.Duration
		want    want
	}{
		{name: "200 is up", s: monitor.HTTPSettings{URL: u + "/"}, want: up},
		{name: "503 is down", s: monitor.HTTPSettings{URL: u + "/status/503"},
			want: want{monitor.OutcomeDown, monitor.ClassStatus, "expected status 200-299, got 503"}},
		{name: "status in a list", s: monitor.HTTPSettings{URL: u + "/status/301", ExpectedStatus: statuses(t, "200-299,301")}, want: up},
		{name: "status outside a list", s: monitor.HTTPSettings{URL: u + "/status/302", ExpectedStatus: statuses(t, "200-299,301")},
			want: want{monitor.OutcomeDown, monitor.ClassStatus, "expected status 200-299,301, got 302"}},
		{name: "slow handler times out", s: monitor.HTTPSettings{URL: u + "/slow/5000"}, timeout: 200 * time.Millisecond,
			want: want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 200ms waiting for the response"}},
		{name: "redirects followed", s: monitor.HTTPSettings{URL: u + "/redirect/3", MaxRedirects: 3, BodyContains: "arrived"}, want: up},
		{name: "too many redirects", s: monitor.HTTPSettings{URL: u + "/redirect/4", MaxRedirects: 3},
			want: want{monitor.OutcomeDown, monitor.ClassRedirect, "stopped after 3 redirects"}},
		{name: "redirect not followed is a status", s: monitor.HTTPSettings{URL: u + "/redirect/1"},
			want: want{monitor.OutcomeDown, monitor.ClassStatus, `expected status 200-299, got 302 (redirect to "/redirect/0")`}},
		{name: "redirect not followed, 302 expected", s: monitor.HTTPSettings{URL: u + "/redirect/1", ExpectedStatus: statuses(t, "302")}, want: up},
		{name: "body contains", s: monitor.HTTPSettings{URL: u + "/", BodyContains: "Welcome"}, want: up},
		{name: "body does not contain", s: monitor.HTTPSettings{URL: u + "/", BodyContains: "Goodbye"},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `body does not contain "Goodbye"`}},
		{name: "body must not contain", s: monitor.HTTPSettings{URL: u + "/", BodyNotContains: "Welcome"},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `body contains "Welcome", which it must not`}},
		{name: "body not containing is fine", s: monitor.HTTPSettings{URL: u + "/", BodyNotContains: "error"}, want: up},
		{name: "regex matches", s: monitor.HTTPSettings{URL: u + "/", BodyRegex: `build \d{4}-\d{2}`}, want: up},
		{name: "regex does not match", s: monitor.HTTPSettings{URL: u + "/", BodyRegex: `build \d{5}`},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `body does not match /build \d{5}/`}},
		{name: "json assertions hold", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t,
			`$.status == "degraded"`, `$.queue.depth < 100`, `$.items[1].name == "b"`, `$.tags contains "y"`,
			`$.ok == true`, `$.none == null`, `$.version contains "1.2"`, `$.big == 1000`, `$.queue.depth != 41`)}, want: up},
		{name: "json equality fails", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t, `$.queue.depth < 100`, `$.status == "ok"`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `$.status == "ok" failed: got "degraded"`}},
		{name: "json number comparison fails", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t, `$.queue.depth >= 100`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `$.queue.depth >= 100 failed: got 42`}},
		{name: "json nested array", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t, `$.items[1].name == "a"`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `$.items[1].name == "a" failed: got "b"`}},
		{name: "json missing key", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t, `$.queue.length < 100`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `$.queue.length: no such key`}},
		{name: "json wrong type", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t, `$.status < 100`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `$.status < 100 failed: got "degraded", which is not a number`}},
		{name: "json index out of range", s: monitor.HTTPSettings{URL: u + "/json", JSON: jsonAsserts(t, `$.items[5].name == "a"`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `$.items[5]: no such index (the array has 2 elements)`}},
		{name: "json body not json", s: monitor.HTTPSettings{URL: u + "/", JSON: jsonAsserts(t, `$.status == "ok"`)},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, "body is not JSON"}},
		{name: "header equals", s: monitor.HTTPSettings{URL: u + "/", HeaderEquals: map[string]string{"x-version": "1.2.3"}}, want: up},
		{name: "header differs", s: monitor.HTTPSettings{URL: u + "/", HeaderEquals: map[string]string{"X-Version": "1.2.4"}},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `header X-Version is "1.2.3", expected "1.2.4"`}},
		{name: "header missing", s: monitor.HTTPSettings{URL: u + "/", HeaderEquals: map[string]string{"X-Missing": "1"}},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `header X-Missing is missing`}},
		{name: "header contains", s: monitor.HTTPSettings{URL: u + "/", HeaderContains: map[string]string{"content-type": "text/html"}}, want: up},
		{name: "header does not contain", s: monitor.HTTPSettings{URL: u + "/", HeaderContains: map[string]string{"Content-Type": "json"}},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `header Content-Type is "text/html; charset=utf-8", which does not contain "json"`}},
		{name: "degraded above", s: monitor.HTTPSettings{URL: u + "/slow/150", DegradedAbove: 50 * time.Millisecond},
			want: want{monitor.OutcomeDegraded, monitor.ClassLatency, "(degraded above 50ms)"}},
		{name: "down above", s: monitor.HTTPSettings{URL: u + "/slow/150", DegradedAbove: 20 * time.Millisecond, DownAbove: 50 * time.Millisecond},
			want: want{monitor.OutcomeDown, monitor.ClassLatency, "(down above 50ms)"}},
		{name: "fast enough", s: monitor.HTTPSettings{URL: u + "/", DegradedAbove: 5 * time.Second}, want: up},
		{name: "bearer token arrives", s: monitor.HTTPSettings{URL: u + "/echo", BearerToken: "s3cret",
			JSON: jsonAsserts(t, `$.auth == "Bearer s3cret"`, `$.agent == "probe-test/1"`)}, want: up},
		{name: "basic auth arrives", s: monitor.HTTPSettings{URL: u + "/echo", AuthUser: "ann", AuthPassword: "pw",
			JSON: jsonAsserts(t, `$.auth == "Basic YW5uOnB3"`)}, want: up},
		{name: "POST body and headers arrive", s: monitor.HTTPSettings{URL: u + "/echo", Method: "POST", Body: `{"ping":1}`,
			Headers: map[string]string{"X-Custom": "yes", "User-Agent": "custom-agent", "Host": "status.example"},
			JSON:    jsonAsserts(t, `$.method == "POST"`, `$.body == "{\"ping\":1}"`, `$.x_custom == "yes"`, `$.agent == "custom-agent"`, `$.host == "status.example"`)},
			want: up},
		{name: "connection refused", s: monitor.HTTPSettings{URL: "http://" + closedAddr(t) + "/"},
			want: want{monitor.OutcomeDown, monitor.ClassRefused, "connection refused (127.0.0.1:"}},
		{name: "not HTTP", s: monitor.HTTPSettings{URL: "http://" + garbage + "/"},
			want: want{monitor.OutcomeDown, monitor.ClassProtocol, `malformed HTTP response "SSH-2.0-OpenSSH_9.6"`}},
		{name: "closed without a response", s: monitor.HTTPSettings{URL: "http://" + hangUp + "/"},
			want: want{monitor.OutcomeDown, monitor.ClassNetwork, "connection closed by the server while waiting for the response"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, p, httpMonitor(tc.s, tc.timeout))
			check(t, res, tc.want)
			if (tc.want.class == "" || tc.want.class == monitor.ClassStatus || tc.want.class == monitor.ClassAssertion) && res.Details.StatusCode == 0 {
				t.Errorf("status code not recorded")
			}
		})
	}
}

func TestHTTPTimings(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	p := probe.New(probe.Options{})
	for range 2 {
		res := run(t, p, httpMonitor(monitor.HTTPSettings{URL: srv.URL + "/"}, 0))
		check(t, res, up)
		d := res.Details
		if d.StatusCode != 200 || d.FirstByte <= 0 || d.Connect <= 0 || d.FirstByte > res.Duration {
			t.Fatalf("timings not recorded: %+v (duration %v)", d, res.Duration)
		}
		if d.TLS != 0 || !d.CertExpiry.IsZero() {
			t.Fatalf("plain http has no TLS details: %+v", d)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("2 checks used %d connections: each check must dial afresh", n)
	}
}

func TestHTTPUnknownHost(t *testing.T) {
	res := run(t, probe.New(probe.Options{}), httpMonitor(monitor.HTTPSettings{URL: "http://statusthing-probe-test.invalid/"}, 3*time.Second))
	if res.ErrorClass == monitor.ClassTimeout {
		t.Skip("no DNS resolver answers here:", res.Message)
	}
	check(t, res, want{monitor.OutcomeDown, monitor.ClassDNS, "statusthing-probe-test.invalid"})
	if res.Message != "no such host statusthing-probe-test.invalid" {
		t.Logf("resolver did not answer NXDOMAIN: %s", res.Message)
	}
}

func TestHTTPBodySnippet(t *testing.T) {
	srv := target(t)
	p := probe.New(probe.Options{})
	tests := []struct {
		name string
		url  string
		want string // prefix of the snippet; "" = no snippet
	}{
		{name: "none on success", url: srv.URL + "/"},
		{name: "kept on failure", url: srv.URL + "/status/500", want: "status 500 here"},
		{name: "capped at 2 KB", url: srv.URL + "/big", want: "aéé"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, p, httpMonitor(monitor.HTTPSettings{URL: tc.url}, 0))
			s := res.Details.BodySnippet
			if !strings.HasPrefix(s, tc.want) || (tc.want == "") != (s == "") {
				t.Fatalf("snippet %.40q, want prefix %q", s, tc.want)
			}
			if len(s) > 2048 || !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
				t.Fatalf("snippet of %d bytes, valid %v", len(s), utf8.ValidString(s))
			}
		})
	}
	// Degraded is a failure too: it keeps the body.
	res := run(t, p, httpMonitor(monitor.HTTPSettings{URL: srv.URL + "/slow/100", DegradedAbove: 10 * time.Millisecond}, 0))
	if res.Outcome != monitor.OutcomeDegraded || res.Details.BodySnippet != "slow but fine" {
		t.Fatalf("degraded result: %s, snippet %q", res.Outcome, res.Details.BodySnippet)
	}
}

func TestHTTPMaxBodyBytes(t *testing.T) {
	srv := target(t)
	p := probe.New(probe.Options{MaxBodyBytes: 10})
	res := run(t, p, httpMonitor(monitor.HTTPSettings{URL: srv.URL + "/", BodyContains: "Welcome"}, 0))
	check(t, res, want{monitor.OutcomeDown, monitor.ClassAssertion, `body does not contain "Welcome" (in the first 10 bytes read)`})
}

func TestHTTPS(t *testing.T) {
	cert, pool := selfSigned(t, time.Now().Add(-time.Hour), time.Now().Add(72*time.Hour))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure hello")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)

	expired, expiredPool := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	old := httptest.NewUnstartedServer(srv.Config.Handler)
	old.TLS = &tls.Config{Certificates: []tls.Certificate{expired}}
	old.StartTLS()
	t.Cleanup(old.Close)

	trusting := probe.New(probe.Options{RootCAs: pool})
	system := probe.New(probe.Options{})
	date := cert.Leaf.NotAfter.UTC().Format(time.DateOnly)
	tests := []struct {
		name string
		p    *probe.Prober
		s    monitor.HTTPSettings
		want want
	}{
		{name: "trusted, no thresholds", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, BodyContains: "secure"}, want: up},
		{name: "degraded days", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, CertDegradedDays: 14},
			want: want{monitor.OutcomeDegraded, monitor.ClassCert, "certificate expires in 3 days (" + date + ")"}},
		{name: "down days", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, CertDegradedDays: 14, CertDownDays: 5},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expires in 3 days (" + date + ")"}},
		{name: "slow and expiring: the worse wins", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, DegradedAbove: time.Nanosecond, CertDownDays: 5},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expires in 3 days"}},
		{name: "slow and expiring: both degraded, latency first", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, DegradedAbove: time.Nanosecond, CertDegradedDays: 14},
			want: want{monitor.OutcomeDegraded, monitor.ClassLatency, "degraded above"}},
		{name: "assertion failure keeps the expiry", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, BodyContains: "nope"},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `body does not contain "nope"`}},
		{name: "far from thresholds", p: trusting, s: monitor.HTTPSettings{URL: srv.URL, CertDegradedDays: 2, CertDownDays: 1}, want: up},
		{name: "untrusted", p: system, s: monitor.HTTPSettings{URL: srv.URL},
			want: want{monitor.OutcomeDown, monitor.ClassTLS, "certificate signed by unknown authority"}},
		{name: "ignore tls errors", p: system, s: monitor.HTTPSettings{URL: srv.URL, IgnoreTLSErrors: true}, want: up},
		{name: "expired", p: probe.New(probe.Options{RootCAs: expiredPool}), s: monitor.HTTPSettings{URL: old.URL},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expired on " + expired.Leaf.NotAfter.UTC().Format(time.DateOnly)}},
		{name: "expired but ignored, with a threshold", p: system, s: monitor.HTTPSettings{URL: old.URL, IgnoreTLSErrors: true, CertDegradedDays: 14},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expired on"}},
		{name: "https to a plain http server", p: system, s: monitor.HTTPSettings{URL: strings.Replace(target(t).URL, "http:", "https:", 1)},
			want: want{monitor.OutcomeDown, monitor.ClassTLS, "server answered plain HTTP to an HTTPS request"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tc.p, httpMonitor(tc.s, 0))
			check(t, res, tc.want)
			if tc.want.class != monitor.ClassTLS && (res.Details.CertExpiry.IsZero() || res.Details.TLS <= 0) {
				t.Fatalf("https details not recorded: %+v", res.Details)
			}
		})
	}
}
