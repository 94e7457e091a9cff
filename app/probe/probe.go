// Package probe runs one check of a monitor (http, tcp, dns, tls, browser) and turns what it
// saw into a monitor.Result: every failure becomes an outcome, an error class and a one-line
// message a human can act on. Browser checks drive one shared, lazily started Chromium: call
// Close when done with a Prober.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"statusthing/app/monitor"
)

// DefaultUserAgent is sent by http checks unless Options.UserAgent or the monitor's headers say
// otherwise.
const DefaultUserAgent = "statusthing (+https://github.com/statusthing)"

// DefaultMaxBodyBytes bounds the part of an http body read for assertions.
const DefaultMaxBodyBytes = 1 << 20

const (
	snippetBytes = 2048     // body kept on a failed result
	tcpReadLimit = 64 << 10 // reply read while waiting for a tcp monitor's Expect
)

// Options configure a Prober; zero values take defaults.
type Options struct {
	UserAgent    string           // default DefaultUserAgent
	Now          func() time.Time // wall clock for StartedAt and certificate dates; default time.Now
	MaxBodyBytes int64            // http body read for assertions; default DefaultMaxBodyBytes
	RootCAs      *x509.CertPool   // trusted roots of http and tls checks; nil = system roots
	// BrowserPath is the Chromium binary of browser checks ([browser] path); empty: the first
	// of chromium, chromium-browser, google-chrome on PATH, then /usr/bin/chromium.
	BrowserPath string
	// BrowserConcurrency bounds the browser checks running at once ([browser]
	// max_concurrency); default DefaultBrowserConcurrency.
	BrowserConcurrency int
}

// Prober runs checks. It is safe for concurrent use; checks share no connections, so each one
// measures DNS, connect and TLS honestly.
type Prober struct {
	userAgent string
	now       func() time.Time
	maxBody   int64
	roots     *x509.CertPool
	verified  *http.Transport // http checks that verify certificates
	insecure  *http.Transport // http checks with IgnoreTLSErrors
	browser   *browserPool    // browser checks
}

// New returns a Prober.
func New(opts Options) *Prober {
	p := &Prober{userAgent: opts.UserAgent, now: opts.Now, maxBody: opts.MaxBodyBytes, roots: opts.RootCAs}
	if p.userAgent == "" {
		p.userAgent = DefaultUserAgent
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.maxBody <= 0 {
		p.maxBody = DefaultMaxBodyBytes
	}
	p.verified = newTransport(&tls.Config{RootCAs: p.roots, Time: p.now})
	p.insecure = newTransport(&tls.Config{RootCAs: p.roots, Time: p.now, InsecureSkipVerify: true})
	p.browser = newBrowserPool(opts.BrowserPath, opts.BrowserConcurrency)
	return p
}

// Close stops the Chromium of browser checks, if one was started, and removes its profile
// directory. Browser checks after Close fail; the other types keep working.
func (p *Prober) Close() error { return p.browser.close() }

// newTransport returns a transport without connection reuse: every check dials afresh. The
// context of each request bounds every phase, so no phase timeouts are set here.
func newTransport(tc *tls.Config) *http.Transport {
	d := &net.Dialer{KeepAlive: -1}
	return &http.Transport{
		Proxy:             http.ProxyFromEnvironment,
		DialContext:       d.DialContext,
		TLSClientConfig:   tc,
		DisableKeepAlives: true,
		ForceAttemptHTTP2: true,
	}
}

// verdict is what a check concluded; the zero value is up.
type verdict struct {
	outcome monitor.Outcome
	class   monitor.ErrorClass
	msg     string
}

func (v verdict) failed() bool { return v.outcome != "" && v.outcome != monitor.OutcomeUp }

func down(class monitor.ErrorClass, format string, args ...any) verdict {
	return verdict{outcome: monitor.OutcomeDown, class: class, msg: fmt.Sprintf(format, args...)}
}

func degraded(class monitor.ErrorClass, format string, args ...any) verdict {
	return verdict{outcome: monitor.OutcomeDegraded, class: class, msg: fmt.Sprintf(format, args...)}
}

// run is the state of one check shared by the type-specific probers.
type run struct {
	ctx      context.Context
	now      func() time.Time
	start    time.Time     // monotonic start, for elapsed times
	limit    time.Duration // how long the check may take, for timeout messages
	details  *monitor.Details
	duration time.Duration // set by probers that end their measurement before deciding
	shot     *monitor.Screenshot
}

// Probe runs one check of m bounded by m.Timeout (10s when unset) and ctx. It never panics and
// always returns a Result: every failure is a Result with Outcome down (or degraded), an
// ErrorClass and a one-line human Message.
func (p *Prober) Probe(ctx context.Context, m monitor.Monitor) (res monitor.Result) {
	start := time.Now()
	res = monitor.Result{MonitorID: m.ID, StartedAt: p.now()}
	r := &run{now: p.now, start: start, details: &res.Details}
	var v verdict
	defer func() {
		if e := recover(); e != nil {
			v = down(monitor.ClassInternal, "internal error: %v", e)
		}
		res.Duration, res.Screenshot = r.duration, r.shot
		if res.Duration <= 0 {
			res.Duration = time.Since(start)
		}
		if !v.failed() {
			res.Outcome = monitor.OutcomeUp
			res.Details.BodySnippet = ""
			return
		}
		res.Outcome, res.ErrorClass, res.Message = v.outcome, v.class, oneLine(v.msg)
	}()

	typ := m.Type
	if s := deref(m.Settings); typ == "" && s != nil {
		typ = s.Type()
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = monitor.DefaultTimeout
		if typ == monitor.TypeBrowser {
			timeout = monitor.DefaultBrowserTimeout
		}
	}
	r.limit = timeout
	if dl, ok := ctx.Deadline(); ok && dl.Sub(start) < timeout {
		r.limit = dl.Sub(start)
	}
	var cancel context.CancelFunc
	r.ctx, cancel = context.WithTimeout(ctx, timeout)
	defer cancel()

	switch typ {
	case monitor.TypeHTTP:
		s, bad := settingsOf[monitor.HTTPSettings](m, typ)
		if v = bad; !v.failed() {
			v = p.probeHTTP(r, s)
		}
	case monitor.TypeTCP:
		s, bad := settingsOf[monitor.TCPSettings](m, typ)
		if v = bad; !v.failed() {
			v = p.probeTCP(r, s)
		}
	case monitor.TypeDNS:
		s, bad := settingsOf[monitor.DNSSettings](m, typ)
		if v = bad; !v.failed() {
			v = p.probeDNS(r, s)
		}
	case monitor.TypeTLS:
		s, bad := settingsOf[monitor.TLSSettings](m, typ)
		if v = bad; !v.failed() {
			v = p.probeTLS(r, s)
		}
	case monitor.TypeBrowser:
		s, bad := settingsOf[monitor.BrowserSettings](m, typ)
		if v = bad; !v.failed() {
			v = p.probeBrowser(r, s)
		}
	default:
		v = down(monitor.ClassInternal, "no prober for monitor type %q", typ)
	}
	return res
}

// settingsOf returns m's settings as T.
func settingsOf[T monitor.Settings](m monitor.Monitor, typ monitor.Type) (T, verdict) {
	var zero T
	switch s := deref(m.Settings).(type) {
	case T:
		return s, verdict{}
	case nil:
		return zero, down(monitor.ClassInternal, "%s monitor has no settings", typ)
	default:
		return zero, down(monitor.ClassInternal, "%s monitor has %s settings", typ, s.Type())
	}
}

// deref accepts pointers to settings too, since callers may hold them that way; a nil pointer
// is no settings.
func deref(s monitor.Settings) monitor.Settings {
	switch p := s.(type) {
	case *monitor.HTTPSettings:
		if p != nil {
			return *p
		}
	case *monitor.TCPSettings:
		if p != nil {
			return *p
		}
	case *monitor.DNSSettings:
		if p != nil {
			return *p
		}
	case *monitor.TLSSettings:
		if p != nil {
			return *p
		}
	case *monitor.BrowserSettings:
		if p != nil {
			return *p
		}
	default:
		return s
	}
	return nil
}

// ended reports the verdict when the check's context, not the target, ended the check.
func (r *run) ended(phase string) (verdict, bool) {
	if r.ctx.Err() == nil {
		return verdict{}, false
	}
	return r.timeout(phase), true
}

// timeout is the verdict of a check that ran out of time during phase. Connection deadlines
// equal the context's, so a timeout close to the limit is reported as the limit itself.
func (r *run) timeout(phase string) verdict {
	if errors.Is(r.ctx.Err(), context.Canceled) {
		return down(monitor.ClassInternal, "check cancelled while %s", phase)
	}
	took := time.Since(r.start)
	if took > r.limit-50*time.Millisecond {
		took = r.limit
	}
	return down(monitor.ClassTimeout, "timed out after %s %s", fmtDuration(took), phase)
}
