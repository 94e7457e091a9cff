// Package config loads statusthing's settings: defaults, then an optional
// strict TOML file, then STATUSTHING_<SECTION>_<KEY> environment overrides,
// then validation that reports every problem at once with its origin (file
// position, environment variable or key).
package config

import (
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"statusthing/app/monitor"
)

// Bootstrap environment variables. They are read by main, not by Load, and
// are not config keys; Load only needs to know them so it does not reject
// them as misspelled overrides.
const (
	// EnvConfigFile names the config file when no --config flag is given.
	EnvConfigFile = "STATUSTHING_CONFIG"
	// EnvAdminEmail is the e-mail of the first admin, created at first start.
	EnvAdminEmail = "STATUSTHING_ADMIN_EMAIL"
	// EnvAdminPassword is the password of the first admin, created at first start.
	EnvAdminPassword = "STATUSTHING_ADMIN_PASSWORD"
)

// envPrefix starts every override; a variable with it that matches no key is
// reported, so a typo does not silently leave a default in place.
const envPrefix = "STATUSTHING_"

// Config is the whole configuration. Every leaf field of a section can be
// overridden by the environment variable STATUSTHING_<SECTION>_<KEY> built
// from the toml tags; Monitors, an array of tables, is read from the file only.
type Config struct {
	Server    Server    `toml:"server"`
	Database  Database  `toml:"database"`
	Retention Retention `toml:"retention"`
	Heartbeat Heartbeat `toml:"heartbeat"`
	Probe     Probe     `toml:"probe"`
	Browser   Browser   `toml:"browser"`
	SMTP      SMTP      `toml:"smtp"`
	Metrics   Metrics   `toml:"metrics"`
	Auth      Auth      `toml:"auth"`
	Log       Log       `toml:"log"`
	// Monitors are the [[monitors]] blocks: monitors managed by the config
	// file, created, updated and deleted at start to match it (by name) and
	// read-only in the UI. Validate builds each of them.
	Monitors []monitor.Spec `toml:"monitors"`
}

// Server configures the HTTP listener and the public URL.
type Server struct {
	// Listen is a host:port for net.Listen; an empty host listens everywhere.
	Listen string `toml:"listen"`
	// BaseURL prefixes absolute links (mails, feeds, ping URLs); empty means derived from Listen.
	BaseURL string `toml:"base_url"`
	// TLSCert and TLSKey are PEM files; with both set the server speaks HTTPS itself.
	TLSCert string `toml:"tls_cert"`
	// TLSKey is the private key matching TLSCert.
	TLSKey string `toml:"tls_key"`
	// TrustedProxies are CIDRs or bare IPs whose X-Forwarded-* headers are believed.
	TrustedProxies []string `toml:"trusted_proxies"`
}

// Database locates the SQLite file.
type Database struct {
	// Path of the SQLite database file.
	Path string `toml:"path"`
}

// Retention bounds how long raw data is kept, in days.
type Retention struct {
	// ResultsDays keeps successful raw check results.
	ResultsDays int `toml:"results_days"`
	// FailuresDays keeps failed results and state changes (longer: they explain incidents).
	FailuresDays int `toml:"failures_days"`
	// RollupsDays keeps hourly/daily aggregates; at least 90 so the 90-day bars are full.
	RollupsDays int `toml:"rollups_days"`
	// ScreenshotsDays keeps the screenshots of browser checks (the big rows).
	ScreenshotsDays int `toml:"screenshots_days"`
}

// Heartbeat limits what pings may store.
type Heartbeat struct {
	// MaxBodyBytes caps the request body kept as a ping's log; 0 keeps none.
	MaxBodyBytes int `toml:"max_body_bytes"`
	// KeepPings is how many pings are kept per heartbeat monitor.
	KeepPings int `toml:"keep_pings"`
}

// Probe limits active checks.
type Probe struct {
	// Concurrency is the number of probes in flight at once.
	Concurrency int `toml:"concurrency"`
}

// Browser configures the Chromium used by browser checks.
type Browser struct {
	// Path to a Chromium binary; empty auto-detects one.
	Path string `toml:"path"`
	// MaxConcurrency is the number of browser pages open at once (they are memory hungry).
	MaxConcurrency int `toml:"max_concurrency"`
}

// SMTP configures outgoing mail; an empty Host disables e-mail.
type SMTP struct {
	// Host of the mail relay.
	Host string `toml:"host"`
	// Port of the mail relay.
	Port int `toml:"port"`
	// Username for SMTP AUTH; empty sends without authentication.
	Username string `toml:"username"`
	// Password for SMTP AUTH; prefer STATUSTHING_SMTP_PASSWORD over the file.
	Password string `toml:"password"`
	// From is the sender address of every mail.
	From string `toml:"from"`
	// TLS is "starttls", "tls" (implicit TLS, usually port 465) or "none".
	TLS string `toml:"tls"`
}

// Metrics protects the Prometheus endpoint.
type Metrics struct {
	// Token, when set, must be sent as "Authorization: Bearer <token>" to read /metrics.
	Token string `toml:"token"`
}

// Auth configures login sessions.
type Auth struct {
	// SessionIdleTimeout ends a session not used for this long.
	SessionIdleTimeout Duration `toml:"session_idle_timeout"`
	// SessionLifetime ends a session this long after login, however active.
	SessionLifetime Duration `toml:"session_lifetime"`
}

// Log configures the process logger.
type Log struct {
	// Level is "debug", "info", "warn" or "error".
	Level string `toml:"level"`
	// Format is "text" or "json".
	Format string `toml:"format"`
}

// Default returns the configuration used when no file and no environment
// override says otherwise: no monitors. It is valid.
func Default() Config {
	return Config{
		Server: Server{
			Listen: ":8080",
		},
		Database: Database{
			Path: "data/statusthing.db",
		},
		Retention: Retention{
			ResultsDays:     7,
			FailuresDays:    90,
			RollupsDays:     400,
			ScreenshotsDays: 14,
		},
		Heartbeat: Heartbeat{
			MaxBodyBytes: 100 * 1024,
			KeepPings:    1000,
		},
		Probe: Probe{
			Concurrency: 64,
		},
		Browser: Browser{
			MaxConcurrency: 2,
		},
		SMTP: SMTP{
			Port: 587,
			From: "statusthing@example.com",
			TLS:  "starttls",
		},
		Auth: Auth{
			SessionIdleTimeout: Duration{168 * time.Hour},
			SessionLifetime:    Duration{720 * time.Hour},
		},
		Log: Log{
			Level:  "info",
			Format: "text",
		},
	}
}

// BaseURL is the absolute URL prefix for links, without a trailing slash:
// Server.BaseURL when set, otherwise derived from Server.Listen
// (http://localhost:<port>, or https:// when TLS is configured; a specific
// listen host is kept, a wildcard one becomes localhost; the scheme's default
// port is omitted). Meaningful only for a validated Config.
func (c Config) BaseURL() string {
	if c.Server.BaseURL != "" {
		return strings.TrimRight(c.Server.BaseURL, "/")
	}
	scheme, defaultPort := "http", "80"
	if c.Server.TLSEnabled() {
		scheme, defaultPort = "https", "443"
	}
	host, port, err := net.SplitHostPort(c.Server.Listen)
	if err != nil {
		return scheme + "://localhost"
	}
	if addr, err := netip.ParseAddr(host); host == "" || (err == nil && addr.IsUnspecified()) {
		host = "localhost"
	}
	// An IPv6 zone must be percent-encoded inside a URL.
	host = strings.ReplaceAll(host, "%", "%25")
	if port == defaultPort {
		if strings.Contains(host, ":") {
			return scheme + "://[" + host + "]"
		}
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// TLSEnabled reports whether the server should serve HTTPS itself.
func (s Server) TLSEnabled() bool {
	return s.TLSCert != "" && s.TLSKey != ""
}

// TrustedProxyPrefixes returns TrustedProxies parsed, bare IPs as single-address
// prefixes. Entries that do not parse are skipped: call it only after Validate.
func (s Server) TrustedProxyPrefixes() []netip.Prefix {
	prefixes := make([]netip.Prefix, 0, len(s.TrustedProxies))
	for _, p := range s.TrustedProxies {
		if prefix, err := parseProxy(p); err == nil {
			prefixes = append(prefixes, prefix)
		}
	}
	return prefixes
}

// SlogLevel maps Level to a slog.Level; unknown levels give Info.
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
