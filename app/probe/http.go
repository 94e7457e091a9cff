package probe

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"statusthing/app/monitor"
)

// tooManyRedirects stops the client after a monitor's MaxRedirects.
type tooManyRedirects struct{}

func (tooManyRedirects) Error() string { return "too many redirects" }

func (p *Prober) probeHTTP(r *run, s monitor.HTTPSettings) verdict {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return down(monitor.ClassInternal, "invalid URL %s: want an absolute http:// or https:// URL", quote(s.URL, 100))
	}
	var re *regexp.Regexp
	if s.BodyRegex != "" {
		if re, err = regexp.Compile(s.BodyRegex); err != nil {
			return down(monitor.ClassInternal, "invalid body regex: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
	method := strings.ToUpper(s.Method)
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if s.Body != "" {
		body = strings.NewReader(s.Body)
	}
	tr := &tracer{start: r.start, phase: "connecting to " + u.Host}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(r.ctx, tr.clientTrace()), method, u.String(), body)
	if err != nil {
		return down(monitor.ClassInternal, "cannot build the request: %s", cleanError(err))
	}
	for name, value := range s.Headers {
		if strings.EqualFold(name, "Host") {
			req.Host = value
		} else {
			req.Header.Set(name, value)
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", p.userAgent)
	}
	if s.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+s.BearerToken)
	} else if s.AuthUser != "" {
		req.SetBasicAuth(s.AuthUser, s.AuthPassword)
	}

	client := &http.Client{Transport: p.verified, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if s.MaxRedirects <= 0 {
			return http.ErrUseLastResponse // a 3xx is then the status to compare
		}
		if len(via) > s.MaxRedirects {
			return tooManyRedirects{}
		}
		return nil
	}}
	if s.IgnoreTLSErrors {
		client.Transport = p.insecure
	}
	resp, err := client.Do(req)
	if err != nil {
		tr.fill(r.details)
		if resp != nil {
			r.details.StatusCode = resp.StatusCode
		}
		if _, ok := errors.AsType[tooManyRedirects](err); ok {
			return down(monitor.ClassRedirect, "stopped after %d redirects", s.MaxRedirects)
		}
		phase, fallback := tr.failedPhase()
		if strings.Contains(err.Error(), "malformed HTTP") {
			fallback = monitor.ClassProtocol
		}
		return r.classify(err, phase, u.Host, fallback)
	}
	defer resp.Body.Close()
	r.details.StatusCode = resp.StatusCode
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		r.details.CertExpiry = resp.TLS.PeerCertificates[0].NotAfter
	}
	content, truncated, readErr := readBody(resp.Body, p.maxBody)
	r.duration = time.Since(r.start)
	tr.fill(r.details)

	v := p.checkResponse(r, s, resp, content, truncated, readErr, re)
	if v.failed() {
		r.details.BodySnippet = snippet(content)
	}
	return v
}

// readBody reads at most limit bytes and reports whether there was more.
func readBody(rd io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, err
}

// checkResponse applies the monitor's expectations in order; the first failure decides.
func (p *Prober) checkResponse(r *run, s monitor.HTTPSettings, resp *http.Response, body []byte, truncated bool, readErr error, re *regexp.Regexp) verdict {
	expected := s.ExpectedStatus
	if len(expected) == 0 {
		expected = monitor.StatusRanges{{Min: 200, Max: 299}}
	}
	if !expected.Contains(resp.StatusCode) {
		if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
			return down(monitor.ClassStatus, "expected status %s, got %d (redirect to %s)", expected, resp.StatusCode, quote(loc, 100))
		}
		return down(monitor.ClassStatus, "expected status %s, got %d", expected, resp.StatusCode)
	}
	if readErr != nil {
		return r.classify(readErr, "reading the body", resp.Request.URL.Host, monitor.ClassNetwork)
	}
	within := ""
	if truncated {
		within = fmt.Sprintf(" (in the first %s read)", fmtBytes(p.maxBody))
	}
	if s.BodyContains != "" && !bytes.Contains(body, []byte(s.BodyContains)) {
		return down(monitor.ClassAssertion, "body does not contain %s%s", quote(s.BodyContains, 100), within)
	}
	if s.BodyNotContains != "" && bytes.Contains(body, []byte(s.BodyNotContains)) {
		return down(monitor.ClassAssertion, "body contains %s, which it must not", quote(s.BodyNotContains, 100))
	}
	if re != nil && !re.Match(body) {
		return down(monitor.ClassAssertion, "body does not match /%s/%s", s.BodyRegex, within)
	}
	if len(s.JSON) > 0 {
		doc, err := parseJSON(body)
		if err != nil {
			return down(monitor.ClassAssertion, "body is not JSON%s: %s", within, cleanError(err))
		}
		for _, a := range s.JSON {
			if msg := checkJSON(doc, a); msg != "" {
				return down(monitor.ClassAssertion, "%s", msg)
			}
		}
	}
	if v := checkHeaders(resp.Header, s.HeaderEquals, s.HeaderContains); v.failed() {
		return v
	}
	var slow verdict
	switch took := r.duration; {
	case s.DownAbove > 0 && took > s.DownAbove:
		return down(monitor.ClassLatency, "response took %s (down above %s)", fmtDuration(took), fmtDuration(s.DownAbove))
	case s.DegradedAbove > 0 && took > s.DegradedAbove:
		slow = degraded(monitor.ClassLatency, "response took %s (degraded above %s)", fmtDuration(took), fmtDuration(s.DegradedAbove))
	}
	if !r.details.CertExpiry.IsZero() {
		// A certificate about to expire outranks a merely slow answer.
		if v := certVerdict(r.details.CertExpiry, r.now(), s.CertDegradedDays, s.CertDownDays); v.outcome == monitor.OutcomeDown || !slow.failed() {
			return v
		}
	}
	return slow
}

// checkHeaders compares response headers, in name order so the reported failure is stable.
func checkHeaders(h http.Header, equals, contains map[string]string) verdict {
	for _, name := range sortedKeys(equals) {
		want, values := equals[name], h.Values(name)
		switch {
		case len(values) == 0:
			return down(monitor.ClassAssertion, "header %s is missing", http.CanonicalHeaderKey(name))
		case !slices.Contains(values, want):
			return down(monitor.ClassAssertion, "header %s is %s, expected %s",
				http.CanonicalHeaderKey(name), quote(strings.Join(values, ", "), 100), quote(want, 100))
		}
	}
	for _, name := range sortedKeys(contains) {
		want, values := contains[name], h.Values(name)
		got := strings.Join(values, ", ")
		switch {
		case len(values) == 0:
			return down(monitor.ClassAssertion, "header %s is missing", http.CanonicalHeaderKey(name))
		case !strings.Contains(got, want):
			return down(monitor.ClassAssertion, "header %s is %s, which does not contain %s",
				http.CanonicalHeaderKey(name), quote(got, 100), quote(want, 100))
		}
	}
	return verdict{}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// certVerdict applies certificate expiry thresholds (days; 0 = off). An expired certificate
// is down whenever a threshold is set: it can only get here when verification was skipped.
func certVerdict(notAfter, now time.Time, degradedDays, downDays int) verdict {
	left := notAfter.Sub(now)
	switch {
	case (degradedDays > 0 || downDays > 0) && left <= 0:
		return down(monitor.ClassCert, "certificate expired on %s", day(notAfter))
	case downDays > 0 && left < time.Duration(downDays)*24*time.Hour:
		return down(monitor.ClassCert, "certificate expires in %s (%s)", expiresIn(left), day(notAfter))
	case degradedDays > 0 && left < time.Duration(degradedDays)*24*time.Hour:
		return degraded(monitor.ClassCert, "certificate expires in %s (%s)", expiresIn(left), day(notAfter))
	}
	return verdict{}
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// tracer records the phases of a request. Its callbacks may run on other goroutines (the
// dialer races IPv4 and IPv6), hence the lock. Across redirects the phase times add up and
// FirstByte is counted from the start of the check.
type tracer struct {
	mu                            sync.Mutex
	start                         time.Time
	dnsStart, connStart, tlsStart time.Time
	dns, connect, tls, firstByte  time.Duration
	phase                         string
	inTLS                         bool
}

func (t *tracer) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(hostPort string) { t.set(func() { t.phase = "connecting to " + hostPort }) },
		DNSStart: func(info httptrace.DNSStartInfo) {
			t.set(func() { t.dnsStart, t.phase = time.Now(), "resolving "+info.Host })
		},
		DNSDone: func(httptrace.DNSDoneInfo) {
			t.set(func() {
				if !t.dnsStart.IsZero() {
					t.dns += time.Since(t.dnsStart)
					t.dnsStart = time.Time{}
				}
			})
		},
		ConnectStart: func(_, addr string) {
			t.set(func() {
				if t.connStart.IsZero() {
					t.connStart = time.Now()
				}
				t.phase = "connecting to " + addr
			})
		},
		ConnectDone: func(_, _ string, err error) {
			t.set(func() {
				if err == nil && !t.connStart.IsZero() {
					t.connect += time.Since(t.connStart)
					t.connStart = time.Time{}
				}
			})
		},
		TLSHandshakeStart: func() {
			t.set(func() { t.tlsStart, t.phase, t.inTLS = time.Now(), "doing the TLS handshake", true })
		},
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			t.set(func() {
				if !t.tlsStart.IsZero() {
					t.tls += time.Since(t.tlsStart)
					t.tlsStart = time.Time{}
				}
				t.inTLS = false
			})
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			t.set(func() { t.phase = "waiting for the response" })
		},
		GotFirstResponseByte: func() {
			t.set(func() { t.firstByte, t.phase = time.Since(t.start), "reading the response" })
		},
	}
}

func (t *tracer) set(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f()
}

// failedPhase names what the request was doing when it failed, and the class of errors not
// otherwise recognised there.
func (t *tracer) failedPhase() (string, monitor.ErrorClass) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inTLS {
		return t.phase, monitor.ClassTLS
	}
	return t.phase, monitor.ClassNetwork
}

func (t *tracer) fill(d *monitor.Details) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d.DNS, d.Connect, d.TLS, d.FirstByte = t.dns, t.connect, t.tls, t.firstByte
}
