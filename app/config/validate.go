package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Limits enforced by Validate.
const (
	maxBodyBytesLimit  = 10 << 20 // heartbeat bodies are logs, not uploads
	minRollupsDays     = 90       // status pages draw 90 days of bars from rollups
	minSessionIdle     = 5 * time.Minute
	maxPEMFileSize     = 1 << 20
	maxProbeConcurrent = 10000
	maxBrowserPages    = 64
)

// Validate checks every value and returns an *Error listing all problems,
// or nil. Problems name only keys here; Load also names their origin.
// It reads the TLS files, to fail at start rather than at the first request,
// and builds every monitor (monitor.Spec.Build) with unique names.
func (c *Config) Validate() error {
	return errorOf(validate(c, nil))
}

// checker collects problems, locating each at the origin of its value.
type checker struct {
	src      *sources
	problems []Problem
}

func (v *checker) add(key string, format string, args ...any) {
	v.addItem(key, -1, format, args...)
}

func (v *checker) addItem(key string, item int, format string, args ...any) {
	if v.src.isBad(key) {
		return
	}
	p := v.src.at(key, item)
	p.Message = fmt.Sprintf(format, args...)
	v.problems = append(v.problems, p)
}

// usable reports whether all keys decoded, so a check relating them is meaningful.
func (v *checker) usable(keys ...string) bool {
	for _, k := range keys {
		if v.src.isBad(k) {
			return false
		}
	}
	return true
}

func (v *checker) between(key string, got, lo, hi int) {
	if got < lo || got > hi {
		v.add(key, "must be between %d and %d, got %d", lo, hi, got)
	}
}

func (v *checker) atLeast(key string, got, lo int) bool {
	if got < lo {
		v.add(key, "must be at least %d, got %d", lo, got)
		return false
	}
	return true
}

func (v *checker) oneOf(key, got string, allowed ...string) {
	for _, a := range allowed {
		if got == a {
			return
		}
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = strconv.Quote(a)
	}
	v.add(key, "must be one of %s, got %q", strings.Join(quoted, ", "), got)
}

func validate(c *Config, src *sources) []Problem {
	v := &checker{src: src}
	v.server(c.Server)

	if strings.TrimSpace(c.Database.Path) == "" {
		v.add("database.path", "must not be empty")
	}

	r := c.Retention
	okResults := v.atLeast("retention.results_days", r.ResultsDays, 1)
	okFailures := v.atLeast("retention.failures_days", r.FailuresDays, 1)
	v.atLeast("retention.screenshots_days", r.ScreenshotsDays, 1)
	if v.atLeast("retention.rollups_days", r.RollupsDays, 1) && r.RollupsDays < minRollupsDays {
		v.add("retention.rollups_days", "must be at least %d (status pages show %d days of history), got %d", minRollupsDays, minRollupsDays, r.RollupsDays)
	}
	if okResults && okFailures && r.FailuresDays < r.ResultsDays && v.usable("retention.results_days") {
		v.add("retention.failures_days", "must be at least retention.results_days (%d): failures are kept at least as long as other results, got %d", r.ResultsDays, r.FailuresDays)
	}

	v.between("heartbeat.max_body_bytes", c.Heartbeat.MaxBodyBytes, 0, maxBodyBytesLimit)
	v.atLeast("heartbeat.keep_pings", c.Heartbeat.KeepPings, 1)
	v.between("probe.concurrency", c.Probe.Concurrency, 1, maxProbeConcurrent)
	v.between("browser.max_concurrency", c.Browser.MaxConcurrency, 1, maxBrowserPages)

	v.between("smtp.port", c.SMTP.Port, 1, 65535)
	if c.SMTP.From != "" {
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			v.add("smtp.from", "invalid address %q: %s", c.SMTP.From, strings.TrimPrefix(err.Error(), "mail: "))
		}
	} else if c.SMTP.Host != "" {
		v.add("smtp.from", "must be set when smtp.host is set")
	}
	v.oneOf("smtp.tls", c.SMTP.TLS, "starttls", "tls", "none")

	idle, life := c.Auth.SessionIdleTimeout.Duration, c.Auth.SessionLifetime.Duration
	idleOK := idle >= minSessionIdle
	if !idleOK {
		v.add("auth.session_idle_timeout", "must be at least %s, got %s", formatDuration(minSessionIdle), formatDuration(idle))
	}
	if idleOK && life < idle && v.usable("auth.session_idle_timeout") {
		v.add("auth.session_lifetime", "must be at least auth.session_idle_timeout (%s), got %s", formatDuration(idle), formatDuration(life))
	}

	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")

	v.monitors(c.Monitors)
	return v.problems
}

func (v *checker) server(s Server) {
	if host, port, err := net.SplitHostPort(s.Listen); err != nil {
		msg := err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			msg = ae.Err
		}
		v.add("server.listen", "invalid address %q: %s", s.Listen, msg)
	} else if !validPort(port) {
		v.add("server.listen", "invalid address %q: port %q must be a number from 0 to 65535", s.Listen, port)
	} else if strings.ContainsAny(host, " \t/") {
		v.add("server.listen", "invalid address %q: bad host %q", s.Listen, host)
	}

	if s.BaseURL != "" {
		if msg := checkBaseURL(s.BaseURL); msg != "" {
			v.add("server.base_url", "invalid URL %q: %s", s.BaseURL, msg)
		}
	}

	switch {
	case s.TLSCert != "" && s.TLSKey == "":
		v.add("server.tls_cert", "set without server.tls_key: set both to serve HTTPS directly, or neither")
	case s.TLSCert == "" && s.TLSKey != "":
		v.add("server.tls_key", "set without server.tls_cert: set both to serve HTTPS directly, or neither")
	case s.TLSCert != "":
		certPEM, certErr := readPEMFile(s.TLSCert)
		if certErr != nil {
			v.add("server.tls_cert", "cannot read %q: %s", s.TLSCert, certErr)
		}
		keyPEM, keyErr := readPEMFile(s.TLSKey)
		if keyErr != nil {
			v.add("server.tls_key", "cannot read %q: %s", s.TLSKey, keyErr)
		}
		if certErr == nil && keyErr == nil {
			if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
				v.add("server.tls_cert", "cannot use certificate %q with key %q: %s", s.TLSCert, s.TLSKey, strings.TrimPrefix(err.Error(), "tls: "))
			}
		}
	}

	for i, p := range s.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			v.addItem("server.trusted_proxies", i, "invalid entry %q: %s", p, err)
		}
	}
}

func validPort(port string) bool {
	if port == "" || len(port) > 5 {
		return false
	}
	for _, r := range port {
		if r < '0' || r > '9' {
			return false
		}
	}
	n, _ := strconv.Atoi(port)
	return n <= 65535
}

// checkBaseURL returns why raw is not an absolute http(s) URL fit to prefix links, or "".
func checkBaseURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err.Error()
		}
		return err.Error()
	case u.Scheme != "http" && u.Scheme != "https":
		return `must start with "http://" or "https://"`
	case u.Host == "" || u.Hostname() == "":
		return "must include a host"
	case strings.ContainsAny(raw, "?#"):
		return "must not have a query or fragment: links are appended to it"
	case u.User != nil:
		return "must not contain credentials"
	}
	return ""
}

// readPEMFile reads a small regular file; the checks keep a misconfigured
// path such as /dev/stdin from blocking startup.
func readPEMFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, errors.New(reason(err))
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if info.Size() > maxPEMFileSize {
		return nil, fmt.Errorf("larger than %d bytes: not a PEM file", maxPEMFileSize)
	}
	// Size is 0 for /proc-like files that can stream forever: cap the read too.
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.New(reason(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPEMFileSize+1))
	if err != nil {
		return nil, errors.New(reason(err))
	}
	if len(data) > maxPEMFileSize {
		return nil, fmt.Errorf("larger than %d bytes: not a PEM file", maxPEMFileSize)
	}
	return data, nil
}

// parseProxy parses a CIDR, or a bare IP as a single-address prefix.
func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, errors.New("want a CIDR such as 10.0.0.0/8 or an IP address")
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, errors.New("want a CIDR such as 10.0.0.0/8 or an IP address")
	}
	if a.Zone() != "" {
		return netip.Prefix{}, errors.New("IPv6 zones are not allowed")
	}
	a = a.Unmap() // Go reports IPv4 clients as plain IPv4
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func formatDuration(d time.Duration) string {
	b, _ := Duration{d}.MarshalText()
	return string(b)
}
