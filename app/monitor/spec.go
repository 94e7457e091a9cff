package monitor

import (
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as a string ("30s", "5m") in TOML, JSON and forms.
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. An empty string is unset (0).
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration like 30s, 5m or 1h", s)
	}
	// Zero means "not set, use the default" in a Spec, so an explicit 0 is refused rather
	// than silently replaced.
	if v <= 0 {
		return fmt.Errorf("%q: a duration must be positive (leave it out for the default)", s)
	}
	*d = Duration(v)
	return nil
}

// Spec is the flat, external form of a monitor: the keys of a [[monitors]] TOML block, of the
// API's JSON and of the edit form. Type-specific keys are only allowed for their types (the
// `types` tag); unset keys take defaults.
type Spec struct {
	Name          string   `json:"name" toml:"name"`
	Type          Type     `json:"type" toml:"type"`
	Interval      Duration `json:"interval,omitempty" toml:"interval"`
	Timeout       Duration `json:"timeout,omitempty" toml:"timeout"`
	Retries       *int     `json:"retries,omitempty" toml:"retries"`
	Recoveries    *int     `json:"recoveries,omitempty" toml:"recoveries"`
	RetryInterval Duration `json:"retry_interval,omitempty" toml:"retry_interval"`
	Paused        bool     `json:"paused,omitempty" toml:"paused"`

	Method           string            `json:"method,omitempty" toml:"method" types:"http"`
	URL              string            `json:"url,omitempty" toml:"url" types:"http,browser"`
	Headers          map[string]string `json:"headers,omitempty" toml:"headers" types:"http,browser"`
	Body             string            `json:"body,omitempty" toml:"body" types:"http"`
	AuthUser         string            `json:"auth_user,omitempty" toml:"auth_user" types:"http"`
	AuthPassword     string            `json:"auth_password,omitempty" toml:"auth_password" types:"http"`
	BearerToken      string            `json:"bearer_token,omitempty" toml:"bearer_token" types:"http"`
	MaxRedirects     *int              `json:"max_redirects,omitempty" toml:"max_redirects" types:"http"`
	IgnoreTLSErrors  bool              `json:"ignore_tls_errors,omitempty" toml:"ignore_tls_errors" types:"http"`
	ExpectedStatus   string            `json:"expected_status,omitempty" toml:"expected_status" types:"http"`
	BodyContains     string            `json:"body_contains,omitempty" toml:"body_contains" types:"http"`
	BodyNotContains  string            `json:"body_not_contains,omitempty" toml:"body_not_contains" types:"http"`
	BodyRegex        string            `json:"body_regex,omitempty" toml:"body_regex" types:"http"`
	JSON             []string          `json:"json,omitempty" toml:"json" types:"http"`
	HeaderEquals     map[string]string `json:"header_equals,omitempty" toml:"header_equals" types:"http"`
	HeaderContains   map[string]string `json:"header_contains,omitempty" toml:"header_contains" types:"http"`
	DegradedAbove    Duration          `json:"degraded_above,omitempty" toml:"degraded_above" types:"http"`
	DownAbove        Duration          `json:"down_above,omitempty" toml:"down_above" types:"http"`
	CertDegradedDays *int              `json:"cert_degraded_days,omitempty" toml:"cert_degraded_days" types:"http,tls"`
	CertDownDays     *int              `json:"cert_down_days,omitempty" toml:"cert_down_days" types:"http,tls"`

	Address    string `json:"address,omitempty" toml:"address" types:"tcp,tls"`
	Send       string `json:"send,omitempty" toml:"send" types:"tcp"`
	Expect     string `json:"expect,omitempty" toml:"expect" types:"tcp"`
	ServerName string `json:"server_name,omitempty" toml:"server_name" types:"tls"`

	Hostname   string   `json:"hostname,omitempty" toml:"hostname" types:"dns"`
	RecordType string   `json:"record_type,omitempty" toml:"record_type" types:"dns"`
	Expected   []string `json:"expected,omitempty" toml:"expected" types:"dns"`
	MatchAll   bool     `json:"match_all,omitempty" toml:"match_all" types:"dns"`
	Resolver   string   `json:"resolver,omitempty" toml:"resolver" types:"dns"`

	Viewport             string            `json:"viewport,omitempty" toml:"viewport" types:"browser"`
	UserAgent            string            `json:"user_agent,omitempty" toml:"user_agent" types:"browser"`
	Steps                []string          `json:"steps,omitempty" toml:"steps" types:"browser"`
	Secrets              map[string]string `json:"secrets,omitempty" toml:"secrets" types:"browser"`
	FailOnJSErrors       bool              `json:"fail_on_js_errors,omitempty" toml:"fail_on_js_errors" types:"browser"`
	FailOnRequestErrors  bool              `json:"fail_on_request_errors,omitempty" toml:"fail_on_request_errors" types:"browser"`
	AllowedRequestErrors []string          `json:"allowed_request_errors,omitempty" toml:"allowed_request_errors" types:"browser"`
	ScreenshotOnSuccess  bool              `json:"screenshot_on_success,omitempty" toml:"screenshot_on_success" types:"browser"`

	Period   Duration `json:"period,omitempty" toml:"period" types:"heartbeat"`
	Cron     string   `json:"cron,omitempty" toml:"cron" types:"heartbeat"`
	TimeZone string   `json:"timezone,omitempty" toml:"timezone" types:"heartbeat"`
	Grace    Duration `json:"grace,omitempty" toml:"grace" types:"heartbeat"`

	AlertDegraded bool     `json:"alert_degraded,omitempty" toml:"alert_degraded" types:"http,tcp,dns,tls,browser"`
	AlertLate     bool     `json:"alert_late,omitempty" toml:"alert_late" types:"heartbeat"`
	CertAlertDays *int     `json:"cert_alert_days,omitempty" toml:"cert_alert_days" types:"http,tls"`
	RemindEvery   Duration `json:"remind_every,omitempty" toml:"remind_every"`
	FlapChanges   *int     `json:"flap_changes,omitempty" toml:"flap_changes"`
	FlapWindow    Duration `json:"flap_window,omitempty" toml:"flap_window"`
}

// Defaults and limits of the alert options (AlertOptions). The flap guard's default — 5
// changes in 30 minutes — is two and a half outages in half an hour: more than a bad deploy
// or a restart makes, and the settling alert comes half an hour after the last change.
const (
	DefaultCertAlertDays = 14
	DefaultFlapChanges   = 5
	DefaultFlapWindow    = 30 * time.Minute
	MinRemindEvery       = 5 * time.Minute
	MaxRemindEvery       = 7 * 24 * time.Hour
	MinFlapChanges       = 3
	MaxFlapChanges       = 100
	MinFlapWindow        = time.Minute
	MaxFlapWindow        = 24 * time.Hour
)

// Defaults of heartbeat schedules (those of Healthchecks): a daily job, an hour of grace.
const (
	DefaultPeriod = 24 * time.Hour
	DefaultGrace  = time.Hour
)

// Limits and defaults of the common settings.
const (
	MinInterval          = 10 * time.Second
	MaxInterval          = 24 * time.Hour
	DefaultInterval      = 60 * time.Second
	DefaultTimeout       = 10 * time.Second
	DefaultRetries       = 1
	DefaultRetryInterval = 20 * time.Second
	MaxNameLength        = 100
)

// FieldError is one refused value, named by its Spec key.
type FieldError struct {
	Field   string
	Message string
}

// FieldErrors are the refused values of a form or document: one list type, so that every
// kind of refusal formats and looks up its fields the same way.
type FieldErrors []FieldError

// Join formats them after what: "invalid monitor: name: is required; url: ...".
func (fs FieldErrors) Join(what string) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Field + ": " + f.Message
	}
	return what + ": " + strings.Join(parts, "; ")
}

// Map returns the messages by field, for a form to show next to its inputs.
func (fs FieldErrors) Map() map[string]string {
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		m[f.Field] = f.Message
	}
	return m
}

// For returns the message for field, or "".
func (fs FieldErrors) For(field string) string {
	for _, f := range fs {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// ValidationError lists every refused value of a Spec.
type ValidationError struct{ Fields FieldErrors }

func (e *ValidationError) Error() string { return e.Fields.Join("invalid monitor") }

// For returns the message for field, or "".
func (e *ValidationError) For(field string) string { return e.Fields.For(field) }

type checker struct{ errs []FieldError }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Build validates s and returns the monitor it describes (ID, org and state left zero).
// Every problem is reported, each named by its key.
func (s Spec) Build() (Monitor, error) {
	var c checker
	m := Monitor{Name: strings.TrimSpace(s.Name), Type: s.Type, Paused: s.Paused}
	switch {
	case m.Name == "":
		c.add("name", "is required")
	case len(m.Name) > MaxNameLength:
		c.add("name", "must be at most %d characters", MaxNameLength)
	case strings.ContainsAny(m.Name, "\r\n\t"):
		c.add("name", "must be on one line")
	}
	if !slices.Contains(SpecTypes(), s.Type) {
		c.add("type", "must be one of %s", joinTypes(SpecTypes()))
	} else {
		s.checkScope(&c)
	}
	if s.Type == TypeHeartbeat {
		return s.buildHeartbeat(&c, m)
	}

	m.Interval = orDefault(time.Duration(s.Interval), DefaultInterval)
	if m.Interval < MinInterval || m.Interval > MaxInterval {
		c.add("interval", "must be between %s and %s", MinInterval, MaxInterval)
	}
	defaultTimeout := DefaultTimeout
	if s.Type == TypeBrowser {
		defaultTimeout = DefaultBrowserTimeout
	}
	m.Timeout = orDefault(time.Duration(s.Timeout), min(defaultTimeout, m.Interval))
	if m.Timeout <= 0 || m.Timeout > m.Interval {
		c.add("timeout", "must be positive and at most the interval (%s)", m.Interval)
	}
	m.Retries = intOr(s.Retries, DefaultRetries)
	if m.Retries < 0 || m.Retries > 10 {
		c.add("retries", "must be between 0 and 10")
	}
	m.Recoveries = intOr(s.Recoveries, 1)
	if m.Recoveries < 1 || m.Recoveries > 10 {
		c.add("recoveries", "must be between 1 and 10")
	}
	m.RetryInterval = orDefault(time.Duration(s.RetryInterval), min(DefaultRetryInterval, m.Interval))
	if m.RetryInterval < MinInterval || m.RetryInterval > m.Interval {
		c.add("retry_interval", "must be between %s and the interval (%s)", MinInterval, m.Interval)
	}

	switch s.Type {
	case TypeHTTP:
		m.Settings = s.buildHTTP(&c, m.Timeout)
	case TypeTCP:
		m.Settings = TCPSettings{Address: checkAddress(&c, "address", s.Address, ""), Send: s.Send, Expect: s.Expect}
	case TypeDNS:
		m.Settings = s.buildDNS(&c)
	case TypeBrowser:
		m.Settings = s.buildBrowser(&c)
	case TypeTLS:
		st := TLSSettings{
			Address:          checkAddress(&c, "address", s.Address, "443"),
			ServerName:       strings.TrimSpace(s.ServerName),
			CertDegradedDays: intOr(s.CertDegradedDays, 14),
			CertDownDays:     intOr(s.CertDownDays, 0),
		}
		checkCertDays(&c, st.CertDegradedDays, st.CertDownDays)
		m.Settings = st
	}
	hasCert := s.Type == TypeTLS
	if h, ok := m.Settings.(HTTPSettings); ok {
		hasCert = strings.HasPrefix(strings.ToLower(h.URL), "https://")
	}
	m.Alerts = s.buildAlerts(&c, hasCert)
	if len(c.errs) > 0 {
		return Monitor{}, &ValidationError{Fields: c.errs}
	}
	return m, nil
}

// HeartbeatSettings returns the schedule of a heartbeat spec with its defaults, not
// validated (see buildHeartbeat).
func (s Spec) HeartbeatSettings() HeartbeatSettings {
	h := HeartbeatSettings{
		Period:   time.Duration(s.Period),
		Cron:     strings.Join(strings.Fields(s.Cron), " "),
		TimeZone: strings.TrimSpace(s.TimeZone),
		Grace:    orDefault(time.Duration(s.Grace), DefaultGrace),
	}
	if h.Period == 0 && h.Cron == "" {
		h.Period = DefaultPeriod
	}
	return h
}

// buildHeartbeat builds a heartbeat monitor: it has a schedule, and none of the timings of
// probed monitors (they are refused rather than ignored, so nobody expects them to work).
// The schedule itself (cron syntax, time zone, bounds) belongs to app/heartbeat, which
// imports this package: heartbeat.BuildSpec adds its checks, and every caller building
// specs goes through it.
func (s Spec) buildHeartbeat(c *checker, m Monitor) (Monitor, error) {
	for _, f := range []struct {
		key string
		set bool
	}{{"interval", s.Interval != 0}, {"timeout", s.Timeout != 0}, {"retries", s.Retries != nil},
		{"recoveries", s.Recoveries != nil}, {"retry_interval", s.RetryInterval != 0}} {
		if f.set {
			c.add(f.key, "is not a setting of heartbeat monitors (they use period or cron, and grace)")
		}
	}
	m.Recoveries, m.Settings = 1, s.HeartbeatSettings()
	m.Alerts = s.buildAlerts(c, false)
	if len(c.errs) > 0 {
		return Monitor{}, &ValidationError{Fields: c.errs}
	}
	return m, nil
}

// buildAlerts reads the alert options; hasCert tells whether the monitor sees a
// certificate (tls, or http of an https:// URL), where certificate alerts default to on.
func (s Spec) buildAlerts(c *checker, hasCert bool) AlertOptions {
	certDefault := 0
	if hasCert {
		certDefault = DefaultCertAlertDays
	}
	a := AlertOptions{
		Degraded:       s.AlertDegraded,
		Late:           s.AlertLate,
		CertExpiryDays: intOr(s.CertAlertDays, certDefault),
		RemindEvery:    time.Duration(s.RemindEvery),
		FlapChanges:    intOr(s.FlapChanges, DefaultFlapChanges),
		FlapWindow:     orDefault(time.Duration(s.FlapWindow), DefaultFlapWindow),
	}
	switch {
	case a.CertExpiryDays < 0 || a.CertExpiryDays > 365:
		c.add("cert_alert_days", "must be between 0 (off) and 365")
	case a.CertExpiryDays > 0 && !hasCert && s.Type == TypeHTTP:
		c.add("cert_alert_days", "certificate alerts need an https:// URL (0 turns them off)")
	}
	if a.RemindEvery != 0 && (a.RemindEvery < MinRemindEvery || a.RemindEvery > MaxRemindEvery) {
		c.add("remind_every", "must be between %s and %s (leave it out for no reminders)", shortDur(MinRemindEvery), shortDur(MaxRemindEvery))
	}
	if a.FlapChanges != 0 && (a.FlapChanges < MinFlapChanges || a.FlapChanges > MaxFlapChanges) {
		c.add("flap_changes", "must be 0 (no flap guard) or between %d and %d", MinFlapChanges, MaxFlapChanges)
	}
	if a.FlapWindow < MinFlapWindow || a.FlapWindow > MaxFlapWindow {
		c.add("flap_window", "must be between %s and %s", shortDur(MinFlapWindow), shortDur(MaxFlapWindow))
	}
	return a
}

// shortDur prints 1m0s as 1m and 24h0m0s as 24h, for messages.
func shortDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// checkScope refuses keys that belong to other monitor types.
func (s Spec) checkScope(c *checker) {
	v := reflect.ValueOf(s)
	t := v.Type()
	for i := range t.NumField() {
		scope := t.Field(i).Tag.Get("types")
		f := v.Field(i)
		empty := f.IsZero() || ((f.Kind() == reflect.Map || f.Kind() == reflect.Slice) && f.Len() == 0)
		if scope == "" || empty || slices.Contains(strings.Split(scope, ","), string(s.Type)) {
			continue
		}
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		c.add(key, "is not a setting of %s monitors (only %s)", s.Type, strings.ReplaceAll(scope, ",", ", "))
	}
}

var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

var headerNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

func (s Spec) buildHTTP(c *checker, timeout time.Duration) HTTPSettings {
	h := HTTPSettings{
		Method:           strings.ToUpper(strings.TrimSpace(s.Method)),
		URL:              strings.TrimSpace(s.URL),
		Headers:          s.Headers,
		Body:             s.Body,
		AuthUser:         s.AuthUser,
		AuthPassword:     s.AuthPassword,
		BearerToken:      strings.TrimSpace(s.BearerToken),
		MaxRedirects:     intOr(s.MaxRedirects, 10),
		IgnoreTLSErrors:  s.IgnoreTLSErrors,
		BodyContains:     s.BodyContains,
		BodyNotContains:  s.BodyNotContains,
		BodyRegex:        s.BodyRegex,
		HeaderEquals:     s.HeaderEquals,
		HeaderContains:   s.HeaderContains,
		DegradedAbove:    time.Duration(s.DegradedAbove),
		DownAbove:        time.Duration(s.DownAbove),
		CertDegradedDays: intOr(s.CertDegradedDays, 0),
		CertDownDays:     intOr(s.CertDownDays, 0),
	}
	if h.Method == "" {
		h.Method = "GET"
	}
	if !slices.Contains(httpMethods, h.Method) {
		c.add("method", "must be one of %s", strings.Join(httpMethods, ", "))
	}
	if u, err := url.Parse(h.URL); h.URL == "" {
		c.add("url", "is required")
	} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.add("url", "must be an absolute http:// or https:// URL")
	} else if u.Scheme == "http" && (h.CertDegradedDays > 0 || h.CertDownDays > 0) {
		c.add("cert_degraded_days", "certificate checks need an https:// URL")
	}
	for _, m := range []struct {
		key string
		h   map[string]string
	}{{"headers", h.Headers}, {"header_equals", h.HeaderEquals}, {"header_contains", h.HeaderContains}} {
		for name, value := range m.h {
			if !headerNameRE.MatchString(name) {
				c.add(m.key, "%q is not a valid header name", name)
			}
			if strings.ContainsAny(value, "\r\n") {
				c.add(m.key, "the value of %s must be on one line", name)
			}
		}
	}
	if h.BearerToken != "" && (h.AuthUser != "" || h.AuthPassword != "") {
		c.add("bearer_token", "use either basic auth (auth_user) or a bearer token, not both")
	}
	if h.AuthPassword != "" && h.AuthUser == "" {
		c.add("auth_user", "is required with auth_password")
	}
	if h.MaxRedirects < 0 || h.MaxRedirects > 30 {
		c.add("max_redirects", "must be between 0 (do not follow) and 30")
	}
	status := s.ExpectedStatus
	if strings.TrimSpace(status) == "" {
		status = "200-299"
	}
	if r, err := ParseStatusRanges(status); err != nil {
		c.add("expected_status", "%v", err)
	} else {
		h.ExpectedStatus = r
	}
	if h.BodyRegex != "" {
		if _, err := regexp.Compile(h.BodyRegex); err != nil {
			c.add("body_regex", "is not a valid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
	for _, expr := range s.JSON {
		a, err := ParseJSONAssertion(expr)
		if err != nil {
			c.add("json", "%v", err)
			continue
		}
		h.JSON = append(h.JSON, a)
	}
	if h.DegradedAbove < 0 || h.DownAbove < 0 {
		c.add("degraded_above", "response time thresholds must be positive")
	}
	if h.DegradedAbove > 0 && h.DownAbove > 0 && h.DegradedAbove >= h.DownAbove {
		c.add("degraded_above", "must be below down_above (%s)", h.DownAbove)
	}
	if h.DownAbove > timeout {
		c.add("down_above", "must be at most the timeout (%s): a slower answer already times out", timeout)
	}
	checkCertDays(c, h.CertDegradedDays, h.CertDownDays)
	return h
}

func checkCertDays(c *checker, degraded, down int) {
	if degraded < 0 || degraded > 365 {
		c.add("cert_degraded_days", "must be between 0 (off) and 365")
	}
	if down < 0 || down > 365 {
		c.add("cert_down_days", "must be between 0 (off) and 365")
	}
	if degraded > 0 && down > 0 && down >= degraded {
		c.add("cert_down_days", "must be below cert_degraded_days (%d)", degraded)
	}
}

// DNSRecordTypes are the record types a dns monitor can query.
func DNSRecordTypes() []string { return []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS"} }

var hostnameRE = regexp.MustCompile(`^(?i)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$`)

func (s Spec) buildDNS(c *checker) DNSSettings {
	d := DNSSettings{
		Hostname:   strings.TrimSpace(s.Hostname),
		RecordType: strings.ToUpper(strings.TrimSpace(s.RecordType)),
		MatchAll:   s.MatchAll,
	}
	if d.RecordType == "" {
		d.RecordType = "A"
	}
	switch {
	case d.Hostname == "":
		c.add("hostname", "is required")
	case len(d.Hostname) > 253 || !hostnameRE.MatchString(d.Hostname):
		c.add("hostname", "%q is not a valid DNS name", d.Hostname)
	}
	if !slices.Contains(DNSRecordTypes(), d.RecordType) {
		c.add("record_type", "must be one of %s", strings.Join(DNSRecordTypes(), ", "))
	}
	for _, e := range s.Expected {
		if e = strings.TrimSpace(e); e != "" {
			d.Expected = append(d.Expected, e)
		}
	}
	if d.MatchAll && len(d.Expected) == 0 {
		c.add("match_all", "needs expected values")
	}
	if r := strings.TrimSpace(s.Resolver); r != "" {
		if net.ParseIP(r) != nil {
			r = net.JoinHostPort(r, "53")
		}
		d.Resolver = checkAddress(c, "resolver", r, "53")
	}
	return d
}

// checkAddress validates host:port; defaultPort (if any) completes a bare host.
func checkAddress(c *checker, field, addr, defaultPort string) string {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		c.add(field, "is required (host:port)")
		return ""
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil && defaultPort != "" && !strings.Contains(strings.Trim(addr, "[]"), ":") {
		host, port, err = addr, defaultPort, nil
		addr = net.JoinHostPort(host, port)
	}
	if err != nil {
		c.add(field, "%q must be host:port", addr)
		return addr
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		c.add(field, "port %q must be a number from 1 to 65535", port)
	}
	if host == "" {
		c.add(field, "needs a host before :%s", port)
	}
	return addr
}

// SpecOf returns the external form of m, for edit forms, the API and config comparison.
// Secrets are included: callers that show specs to users mask them.
func SpecOf(m Monitor) Spec {
	if h, ok := m.Settings.(HeartbeatSettings); ok {
		s := Spec{Name: m.Name, Type: m.Type, Paused: m.Paused, Period: Duration(h.Period), Cron: h.Cron,
			TimeZone: h.TimeZone, Grace: Duration(h.Grace)}
		s.setAlerts(m.Alerts)
		s.CertAlertDays = nil // no certificate
		return s
	}
	retries, recoveries := m.Retries, m.Recoveries
	s := Spec{
		Name: m.Name, Type: m.Type, Interval: Duration(m.Interval), Timeout: Duration(m.Timeout),
		Retries: &retries, Recoveries: &recoveries, RetryInterval: Duration(m.RetryInterval), Paused: m.Paused,
	}
	switch st := m.Settings.(type) {
	case HTTPSettings:
		redirects, deg, down := st.MaxRedirects, st.CertDegradedDays, st.CertDownDays
		s.Method, s.URL, s.Headers, s.Body = st.Method, st.URL, st.Headers, st.Body
		s.AuthUser, s.AuthPassword, s.BearerToken = st.AuthUser, st.AuthPassword, st.BearerToken
		s.MaxRedirects, s.IgnoreTLSErrors, s.ExpectedStatus = &redirects, st.IgnoreTLSErrors, st.ExpectedStatus.String()
		s.BodyContains, s.BodyNotContains, s.BodyRegex = st.BodyContains, st.BodyNotContains, st.BodyRegex
		for _, a := range st.JSON {
			s.JSON = append(s.JSON, a.Raw)
		}
		s.HeaderEquals, s.HeaderContains = st.HeaderEquals, st.HeaderContains
		s.DegradedAbove, s.DownAbove = Duration(st.DegradedAbove), Duration(st.DownAbove)
		s.CertDegradedDays, s.CertDownDays = &deg, &down
	case TCPSettings:
		s.Address, s.Send, s.Expect = st.Address, st.Send, st.Expect
	case DNSSettings:
		s.Hostname, s.RecordType, s.Expected, s.MatchAll, s.Resolver = st.Hostname, st.RecordType, st.Expected, st.MatchAll, st.Resolver
	case TLSSettings:
		deg, down := st.CertDegradedDays, st.CertDownDays
		s.Address, s.ServerName, s.CertDegradedDays, s.CertDownDays = st.Address, st.ServerName, &deg, &down
	case BrowserSettings:
		s.URL, s.Headers, s.UserAgent, s.Secrets = st.URL, st.Headers, st.UserAgent, st.Secrets
		s.Viewport = st.Viewport.String()
		for _, step := range st.Steps {
			s.Steps = append(s.Steps, step.String())
		}
		s.FailOnJSErrors, s.FailOnRequestErrors, s.AllowedRequestErrors = st.FailOnJSErrors, st.FailOnRequestErrors, st.AllowedRequestErrors
		s.ScreenshotOnSuccess = st.ScreenshotOnSuccess
	}
	s.setAlerts(m.Alerts)
	if m.Type != TypeHTTP && m.Type != TypeTLS {
		s.CertAlertDays = nil
	}
	return s
}

// setAlerts sets the alert keys of s from a.
func (s *Spec) setAlerts(a AlertOptions) {
	days, changes := a.CertExpiryDays, a.FlapChanges
	s.AlertLate, s.AlertDegraded = a.Late, a.Degraded
	s.CertAlertDays, s.RemindEvery = &days, Duration(a.RemindEvery)
	s.FlapChanges, s.FlapWindow = &changes, Duration(a.FlapWindow)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func joinTypes(ts []Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
