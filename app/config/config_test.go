package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const examplePath = "../../statusthing.example.toml"

// writeConfig writes content to statusthing.toml in a fresh temp dir.
func writeConfig(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "statusthing.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeKeyPair writes a self-signed certificate and its key as PEM files.
func writeKeyPair(t testing.TB, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name string
		env  []string
	}{
		{name: "no file no env", env: nil},
		{name: "unrelated and bootstrap env ignored", env: []string{
			"HOME=/root", "PATH=/bin", "NOEQUALS",
			EnvConfigFile + "=/etc/statusthing.toml", EnvAdminEmail + "=a@example.com", EnvAdminPassword + "=secret",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load("", tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want := Default(); !reflect.DeepEqual(got, want) {
				t.Errorf("Load = %+v, want Default() %+v", got, want)
			}
			def := Default()
			if err := def.Validate(); err != nil {
				t.Errorf("Default().Validate() = %v", err)
			}
		})
	}
}

func TestExampleFile(t *testing.T) {
	t.Run("parses to the defaults", func(t *testing.T) {
		got, err := Load(examplePath, nil)
		if err != nil {
			t.Fatalf("Load(example): %v", err)
		}
		if want := Default(); !reflect.DeepEqual(got, want) {
			t.Errorf("example file differs from Default():\n got %+v\nwant %+v", got, want)
		}
	})
	t.Run("documents every key", func(t *testing.T) {
		data, err := os.ReadFile(examplePath)
		if err != nil {
			t.Fatal(err)
		}
		present := map[string]bool{}
		// The [[monitors]] examples are commented out: read them uncommented.
		for _, en := range parseDocument(uncommentMonitors(t, data)).entries {
			present[strings.Join(en.path, ".")] = true
			if en.elem >= 0 && len(en.path) > 1 {
				present[en.path[0]+"."+en.path[1]] = true
			}
		}
		for _, f := range fields() {
			if !present[f.path()] {
				t.Errorf("%s is not in %s", f.path(), examplePath)
			}
		}
		for _, at := range arrayTables() {
			for _, key := range at.names {
				if !present[at.name+"."+key] {
					t.Errorf("%s.%s is in no [[%s]] example of %s", at.name, key, at.name, examplePath)
				}
			}
		}
	})
	t.Run("mentions the bootstrap variables", func(t *testing.T) {
		data, err := os.ReadFile(examplePath)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{EnvConfigFile, EnvAdminEmail, EnvAdminPassword, "STATUSTHING_<SECTION>_<KEY>"} {
			if !strings.Contains(string(data), name) {
				t.Errorf("%s is not mentioned in %s", name, examplePath)
			}
		}
	})
}

func TestFieldsAreSupported(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range fields() {
		if f.kind == kindUnsupported {
			t.Errorf("%s has a type the loader cannot decode from env", f.path())
		}
		if f.section == "" || f.key == "" {
			t.Errorf("field %v lacks a toml tag", f.index)
		}
		if seen[f.env()] {
			t.Errorf("two keys share the variable %s", f.env())
		}
		seen[f.env()] = true
	}
}

func TestLoadValues(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeKeyPair(t, dir, "server")
	tests := []struct {
		name  string
		file  string // "" = no file
		env   []string
		check func(t *testing.T, c Config)
	}{
		{
			name: "file values",
			file: "[server]\nlisten = \"127.0.0.1:9000\"\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n" +
				"[retention]\nresults_days = 14\n[auth]\nsession_idle_timeout = \"1h30m\"\n",
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.Listen, "127.0.0.1:9000")
				assertEqual(t, c.Server.TrustedProxies, []string{"10.0.0.0/8", "::1"})
				assertEqual(t, c.Retention.ResultsDays, 14)
				assertEqual(t, c.Auth.SessionIdleTimeout.Duration, 90*time.Minute)
				assertEqual(t, c.Retention.FailuresDays, 90) // untouched keys keep their default
			},
		},
		{
			name: "env beats file",
			file: "[server]\nlisten = \":9000\"\n[probe]\nconcurrency = 8\n",
			env:  []string{"STATUSTHING_SERVER_LISTEN=:9100", "STATUSTHING_PROBE_CONCURRENCY=16"},
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.Listen, ":9100")
				assertEqual(t, c.Probe.Concurrency, 16)
			},
		},
		{
			name: "env list is comma separated",
			file: "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n",
			env:  []string{"STATUSTHING_SERVER_TRUSTED_PROXIES= 10.0.0.0/8 ,192.168.1.1,, fd00::/8"},
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.TrustedProxies, []string{"10.0.0.0/8", "192.168.1.1", "fd00::/8"})
			},
		},
		{
			name: "empty env list clears the file list",
			file: "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n",
			env:  []string{"STATUSTHING_SERVER_TRUSTED_PROXIES="},
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.TrustedProxies, []string(nil))
			},
		},
		{
			name: "env duration, string and the last duplicate wins",
			env: []string{
				"STATUSTHING_AUTH_SESSION_IDLE_TIMEOUT=30m",
				"STATUSTHING_SMTP_PASSWORD=first", "STATUSTHING_SMTP_PASSWORD=second",
				"STATUSTHING_DATABASE_PATH=/var/lib/statusthing/db.sqlite",
			},
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Auth.SessionIdleTimeout.Duration, 30*time.Minute)
				assertEqual(t, c.SMTP.Password, "second")
				assertEqual(t, c.Database.Path, "/var/lib/statusthing/db.sqlite")
			},
		},
		{
			name: "dotted keys and inline tables",
			file: "server.listen = \":7000\"\nsmtp = { host = \"mail.example.com\", port = 465, tls = \"tls\" }\n",
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.Listen, ":7000")
				assertEqual(t, c.SMTP, SMTP{Host: "mail.example.com", Port: 465, TLS: "tls", From: "statusthing@example.com"})
			},
		},
		{
			name: "base_url trailing slash trimmed",
			file: "[server]\nbase_url = \"https://status.example.com/\"\n",
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.BaseURL, "https://status.example.com")
			},
		},
		{
			name: "valid TLS pair",
			file: "[server]\ntls_cert = " + quote(cert) + "\ntls_key = " + quote(key) + "\n",
			check: func(t *testing.T, c Config) {
				assertEqual(t, c.Server.TLSEnabled(), true)
				assertEqual(t, c.BaseURL(), "https://localhost:8080")
			},
		},
		{
			name: "empty file",
			file: "# nothing here\n",
			check: func(t *testing.T, c Config) {
				assertEqual(t, c, Default())
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeConfig(t, tt.file)
			}
			c, err := Load(path, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeKeyPair(t, dir, "a")
	otherCert, _ := writeKeyPair(t, dir, "b")
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name string
		file string // written to FILE; "" = no file
		env  []string
		want []string // lines of the error, FILE replaced by the file's path
	}{
		{
			name: "unknown key",
			file: "[smtp]\nhost = \"mail\"\n\n\n\nprot = 25\n",
			want: []string{`FILE:6:1: unknown key "smtp.prot" (did you mean "smtp.port"?)`},
		},
		{
			name: "every unknown key at once",
			file: "[server]\nlistn = \":80\"\n[site]\nintervall = \"5m\"\n",
			want: []string{
				`FILE:2:1: unknown key "server.listn" (did you mean "server.listen"?)`,
				`FILE:3:2: unknown key "site"`,
			},
		},
		{
			name: "key case matters",
			file: "[server]\nLISTEN = \":80\"\n",
			want: []string{`FILE:2:1: unknown key "server.LISTEN" (did you mean "server.listen"? keys are case-sensitive)`},
		},
		{
			name: "type error",
			file: "[smtp]\nport = \"abc\"\n",
			want: []string{`FILE:2:8: smtp.port: expected an integer, got string "abc"`},
		},
		{
			name: "number for a duration",
			file: "[auth]\nsession_idle_timeout = 5\n",
			want: []string{`FILE:2:24: auth.session_idle_timeout: expected a duration string such as "30s", "5m" or "1h", got an integer`},
		},
		{
			name: "bad duration",
			file: "[auth]\nsession_lifetime = \"5x\"\n",
			want: []string{`FILE:2:20: auth.session_lifetime: invalid duration "5x": use a number with a unit, e.g. "30s", "5m" or "1h"`},
		},
		{
			name: "non-string list item",
			file: "[server]\ntrusted_proxies = [\"10.0.0.1\", 5]\n",
			want: []string{`FILE:2:32: server.trusted_proxies: expected an array of strings, item 2 is an integer`},
		},
		{
			name: "type errors, unknown keys and bad values all at once",
			file: "[server]\nlisten = 8080\nfoo = 1\n[probe]\nconcurrency = 0\n[smtp]\nport = \"x\"\nbar = 2\n",
			want: []string{
				`FILE:2:10: server.listen: expected a string, got an integer`,
				`FILE:3:1: unknown key "server.foo"`,
				`FILE:5:15: probe.concurrency: must be between 1 and 10000, got 0`,
				`FILE:7:8: smtp.port: expected an integer, got string "x"`,
				`FILE:8:1: unknown key "smtp.bar"`,
			},
		},
		{
			name: "syntax error",
			file: "[server]\nlisten = \n",
			want: []string{`FILE:2:10: unexpected character U+000A at start of value`},
		},
		{
			name: "duplicate key",
			file: "[server]\nlisten = \":1\"\nlisten = \":2\"\n[smtp]\nprot = 1\n",
			want: []string{
				`FILE:3:1: key listen is already defined`,
				`FILE:5:1: unknown key "smtp.prot" (did you mean "smtp.port"?)`,
			},
		},
		{
			name: "bad listen address",
			file: "[server]\nlisten = \"8080x\"\n",
			want: []string{`FILE:2:10: server.listen: invalid address "8080x": missing port in address`},
		},
		{
			name: "listen port out of range",
			file: "[server]\nlisten = \"127.0.0.1:99999\"\n",
			want: []string{`FILE:2:10: server.listen: invalid address "127.0.0.1:99999": port "99999" must be a number from 0 to 65535`},
		},
		{
			name: "bad value in inline table points at the value",
			file: "server = { listen = \"nope\" }\n",
			want: []string{`FILE:1:21: server.listen: invalid address "nope": missing port in address`},
		},
		{
			name: "tls_cert without tls_key",
			file: "[server]\ntls_cert = " + quote(cert) + "\n",
			want: []string{`FILE:2:12: server.tls_cert: set without server.tls_key: set both to serve HTTPS directly, or neither`},
		},
		{
			name: "tls_key without tls_cert",
			env:  []string{"STATUSTHING_SERVER_TLS_KEY=" + key},
			want: []string{`env STATUSTHING_SERVER_TLS_KEY: set without server.tls_cert: set both to serve HTTPS directly, or neither`},
		},
		{
			name: "unreadable TLS files",
			file: "[server]\ntls_cert = " + quote(missing) + "\ntls_key = " + quote(dir) + "\n",
			want: []string{
				`FILE:2:12: server.tls_cert: cannot read "` + missing + `": no such file or directory`,
				`FILE:3:11: server.tls_key: cannot read "` + dir + `": not a regular file`,
			},
		},
		{
			name: "TLS key does not match certificate",
			file: "[server]\ntls_cert = " + quote(otherCert) + "\ntls_key = " + quote(key) + "\n",
			want: []string{`FILE:2:12: server.tls_cert: cannot use certificate "` + otherCert + `" with key "` + key + `": private key does not match public key`},
		},
		{
			name: "bad CIDR points at the item",
			file: "[server]\ntrusted_proxies = [\n  \"10.0.0.0/8\",\n  \"10.0.0.300/8\",\n  \"fe80::1%eth0\",\n]\n",
			want: []string{
				`FILE:4:3: server.trusted_proxies: invalid entry "10.0.0.300/8": want a CIDR such as 10.0.0.0/8 or an IP address`,
				`FILE:5:3: server.trusted_proxies: invalid entry "fe80::1%eth0": IPv6 zones are not allowed`,
			},
		},
		{
			name: "bad base_url",
			file: "[server]\nbase_url = \"https://example.com/?x=1\"\n",
			want: []string{`FILE:2:12: server.base_url: invalid URL "https://example.com/?x=1": must not have a query or fragment: links are appended to it`},
		},
		{
			name: "relative base_url",
			env:  []string{"STATUSTHING_SERVER_BASE_URL=example.com/status"},
			want: []string{`env STATUSTHING_SERVER_BASE_URL: invalid URL "example.com/status": must start with "http://" or "https://"`},
		},
		{
			name: "bad smtp.tls and from",
			file: "[smtp]\ntls = \"ssl\"\nfrom = \"not an address\"\n",
			want: []string{
				`FILE:2:7: smtp.tls: must be one of "starttls", "tls", "none", got "ssl"`,
				`FILE:3:8: smtp.from: invalid address "not an address": no angle-addr`,
			},
		},
		{
			name: "retention order",
			file: "[retention]\nresults_days = 30\nfailures_days = 10\nrollups_days = 60\n",
			want: []string{
				`FILE:3:17: retention.failures_days: must be at least retention.results_days (30): failures are kept at least as long as other results, got 10`,
				`FILE:4:16: retention.rollups_days: must be at least 90 (status pages show 90 days of history), got 60`,
			},
		},
		{
			name: "problem with a default value names only the key",
			file: "[retention]\nresults_days = 100\n",
			want: []string{`retention.failures_days: must be at least retention.results_days (100): failures are kept at least as long as other results, got 90`},
		},
		{
			name: "session durations",
			file: "[auth]\nsession_idle_timeout = \"1m\"\n",
			env:  []string{"STATUSTHING_AUTH_SESSION_LIFETIME=1h"},
			want: []string{`FILE:2:24: auth.session_idle_timeout: must be at least 5m, got 1m`},
		},
		{
			name: "lifetime shorter than idle timeout",
			env:  []string{"STATUSTHING_AUTH_SESSION_LIFETIME=1h"},
			want: []string{`env STATUSTHING_AUTH_SESSION_LIFETIME: must be at least auth.session_idle_timeout (168h), got 1h`},
		},
		{
			name: "ranges and enums",
			file: "[heartbeat]\nmax_body_bytes = 20000000\nkeep_pings = 0\n[browser]\nmax_concurrency = 65\n[log]\nlevel = \"verbose\"\nformat = \"xml\"\n[database]\npath = \" \"\n",
			want: []string{
				`FILE:2:18: heartbeat.max_body_bytes: must be between 0 and 10485760, got 20000000`,
				`FILE:3:14: heartbeat.keep_pings: must be at least 1, got 0`,
				`FILE:5:19: browser.max_concurrency: must be between 1 and 64, got 65`,
				`FILE:7:9: log.level: must be one of "debug", "info", "warn", "error", got "verbose"`,
				`FILE:8:10: log.format: must be one of "text", "json", got "xml"`,
				`FILE:10:8: database.path: must not be empty`,
			},
		},
		{
			name: "unknown STATUSTHING_ variable",
			env:  []string{"STATUSTHING_SERVER_LISTN=:80", "STATUSTHING_NOPE=1"},
			want: []string{
				`env STATUSTHING_SERVER_LISTN: unknown variable: no config key has this name (did you mean "STATUSTHING_SERVER_LISTEN"?)`,
				`env STATUSTHING_NOPE: unknown variable: no config key has this name`,
			},
		},
		{
			name: "bad env values",
			env:  []string{"STATUSTHING_PROBE_CONCURRENCY=lots", "STATUSTHING_AUTH_SESSION_IDLE_TIMEOUT=soon", "STATUSTHING_SERVER_LISTEN=8080x"},
			want: []string{
				`env STATUSTHING_PROBE_CONCURRENCY: invalid integer "lots"`,
				`env STATUSTHING_AUTH_SESSION_IDLE_TIMEOUT: invalid duration "soon": use a number with a unit, e.g. "30s", "5m" or "1h"`,
				`env STATUSTHING_SERVER_LISTEN: invalid address "8080x": missing port in address`,
			},
		},
		{
			name: "env value checked even when the file value was bad",
			file: "[probe]\nconcurrency = \"many\"\n",
			env:  []string{"STATUSTHING_PROBE_CONCURRENCY=0"},
			want: []string{
				`FILE:2:15: probe.concurrency: expected an integer, got string "many"`,
				`env STATUSTHING_PROBE_CONCURRENCY: must be between 1 and 10000, got 0`,
			},
		},
		{
			name: "env problem reported with file problems",
			file: "[smtp]\nprot = 25\n",
			env:  []string{"STATUSTHING_PROBE_CONCURRENCY=lots"},
			want: []string{
				`FILE:2:1: unknown key "smtp.prot" (did you mean "smtp.port"?)`,
				`env STATUSTHING_PROBE_CONCURRENCY: invalid integer "lots"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeConfig(t, tt.file)
			}
			c, err := Load(path, tt.env)
			if err == nil {
				t.Fatalf("Load succeeded, want errors %q", tt.want)
			}
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load error is %T, want *Error", err)
			}
			if !reflect.DeepEqual(c, Config{}) {
				t.Errorf("Load returned a non-zero Config with an error")
			}
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "FILE", path)
			if got := err.Error(); got != want {
				t.Errorf("Load error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(path, []string{"STATUSTHING_PROBE_CONCURRENCY=x"})
	want := path + ": cannot read config file: no such file or directory\n" +
		`env STATUSTHING_PROBE_CONCURRENCY: invalid integer "x"`
	if err == nil || err.Error() != want {
		t.Errorf("Load(missing) = %v, want %q", err, want)
	}
}

func TestLoadHopelessFile(t *testing.T) {
	many := "[smtp]\n"
	for i := range 150 {
		many += "key" + strconv.Itoa(i) + " = 1\n"
	}
	manyInBlocks := "[smtp]\n"
	for i := range 75 {
		manyInBlocks += "key" + strconv.Itoa(i) + " = 1\n"
	}
	for i := range 75 {
		manyInBlocks += "[[monitors]]\nkey" + strconv.Itoa(i) + " = 1\n"
	}
	tests := []struct {
		name     string
		file     string
		problems int
		last     string
	}{
		{name: "too many unknown keys", file: many, problems: maxUnknownKeys + 1, last: "50 more unknown keys from here: is this a statusthing config file?"},
		{name: "too large", file: strings.Repeat("#", maxFileSize+1), problems: 1, last: "cannot read config file: larger than 8 MiB"},
		{name: "too many unknown keys in blocks and sections", file: manyInBlocks, problems: maxUnknownKeys + 1, last: "50 more unknown keys from here: is this a statusthing config file?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tt.file), nil)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load error = %v, want *Error", err)
			}
			if len(cerr.Problems) != tt.problems || cerr.Problems[len(cerr.Problems)-1].Message != tt.last {
				t.Errorf("got %d problems ending with %q, want %d ending with %q",
					len(cerr.Problems), cerr.Problems[len(cerr.Problems)-1].Message, tt.problems, tt.last)
			}
		})
	}
}

func TestProblemOrigin(t *testing.T) {
	path := writeConfig(t, "[probe]\n\nconcurrency = 0\n")
	tests := []struct {
		name string
		file string
		env  []string
		want Problem
	}{
		{
			name: "from file",
			file: path,
			want: Problem{File: path, Line: 3, Col: 15, Key: "probe.concurrency", Message: "must be between 1 and 10000, got 0"},
		},
		{
			name: "from env",
			env:  []string{"STATUSTHING_PROBE_CONCURRENCY=0"},
			want: Problem{Key: "probe.concurrency", Env: "STATUSTHING_PROBE_CONCURRENCY", Message: "must be between 1 and 10000, got 0"},
		},
		{
			name: "env beats file also in errors",
			file: path,
			env:  []string{"STATUSTHING_PROBE_CONCURRENCY=-1"},
			want: Problem{Key: "probe.concurrency", Env: "STATUSTHING_PROBE_CONCURRENCY", Message: "must be between 1 and 10000, got -1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.file, tt.env)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load error = %v, want *Error", err)
			}
			if len(cerr.Problems) != 1 || cerr.Problems[0] != tt.want {
				t.Errorf("problems = %+v, want [%+v]", cerr.Problems, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *Config)
		want   string // "" = valid
	}{
		{name: "defaults", modify: func(*Config) {}},
		{name: "ipv6 listen", modify: func(c *Config) { c.Server.Listen = "[::1]:0" }},
		{name: "listen without host or port", modify: func(c *Config) { c.Server.Listen = ":" }, want: `server.listen: invalid address ":": port "" must be a number from 0 to 65535`},
		{name: "named port", modify: func(c *Config) { c.Server.Listen = ":http" }, want: `server.listen: invalid address ":http": port "http" must be a number from 0 to 65535`},
		{name: "base_url without host", modify: func(c *Config) { c.Server.BaseURL = "https:///x" }, want: `server.base_url: invalid URL "https:///x": must include a host`},
		{name: "base_url with path", modify: func(c *Config) { c.Server.BaseURL = "https://example.com/status" }},
		{name: "smtp host without from", modify: func(c *Config) { c.SMTP.Host, c.SMTP.From = "mail", "" }, want: "smtp.from: must be set when smtp.host is set"},
		{name: "smtp port", modify: func(c *Config) { c.SMTP.Port = 0 }, want: "smtp.port: must be between 1 and 65535, got 0"},
		{name: "zero heartbeat body", modify: func(c *Config) { c.Heartbeat.MaxBodyBytes = 0 }},
		{name: "retention zero", modify: func(c *Config) { c.Retention = Retention{} }, want: "retention.results_days: must be at least 1, got 0\n" +
			"retention.failures_days: must be at least 1, got 0\nretention.screenshots_days: must be at least 1, got 0\n" +
			"retention.rollups_days: must be at least 1, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.modify(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeKeyPair(t, dir, "srv")
	tests := []struct {
		name   string
		server Server
		want   string
	}{
		{name: "default", server: Server{Listen: ":8080"}, want: "http://localhost:8080"},
		{name: "explicit wins", server: Server{Listen: ":8080", BaseURL: "https://status.example.com/"}, want: "https://status.example.com"},
		{name: "explicit with path", server: Server{Listen: ":8080", BaseURL: "https://example.com/status"}, want: "https://example.com/status"},
		{name: "ipv4 wildcard", server: Server{Listen: "0.0.0.0:9000"}, want: "http://localhost:9000"},
		{name: "ipv6 wildcard", server: Server{Listen: "[::]:9000"}, want: "http://localhost:9000"},
		{name: "specific host kept", server: Server{Listen: "127.0.0.1:9000"}, want: "http://127.0.0.1:9000"},
		{name: "hostname kept", server: Server{Listen: "status.internal:9000"}, want: "http://status.internal:9000"},
		{name: "ipv6 host bracketed", server: Server{Listen: "[::1]:9000"}, want: "http://[::1]:9000"},
		{name: "ipv6 zone escaped", server: Server{Listen: "[fe80::1%eth0]:9000"}, want: "http://[fe80::1%25eth0]:9000"},
		{name: "tls", server: Server{Listen: ":8443", TLSCert: cert, TLSKey: key}, want: "https://localhost:8443"},
		{name: "default http port omitted", server: Server{Listen: ":80"}, want: "http://localhost"},
		{name: "default https port omitted", server: Server{Listen: ":443", TLSCert: cert, TLSKey: key}, want: "https://localhost"},
		{name: "80 kept for https", server: Server{Listen: ":80", TLSCert: cert, TLSKey: key}, want: "https://localhost:80"},
		{name: "only cert is not tls", server: Server{Listen: ":8080", TLSCert: cert}, want: "http://localhost:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Server = tt.server
			if got := c.BaseURL(); got != tt.want {
				t.Errorf("BaseURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrustedProxyPrefixes(t *testing.T) {
	s := Server{TrustedProxies: []string{"10.1.2.3/8", "192.168.1.10", "::1", "fd00::/8", "::ffff:1.2.3.4", "bogus"}}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.10/32"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("fd00::/8"),
		netip.MustParsePrefix("1.2.3.4/32"),
	}
	if got := s.TrustedProxyPrefixes(); !slices.Equal(got, want) {
		t.Errorf("TrustedProxyPrefixes() = %v, want %v", got, want)
	}
}

func TestSlogLevel(t *testing.T) {
	tests := []struct {
		level string
		want  slog.Level
	}{
		{"debug", slog.LevelDebug},
		{"info", slog.LevelInfo},
		{"warn", slog.LevelWarn},
		{"error", slog.LevelError},
		{"", slog.LevelInfo},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			if got := (Log{Level: tt.level}).SlogLevel(); got != tt.want {
				t.Errorf("SlogLevel() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDurationText(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{in: "168h", want: 168 * time.Hour, out: "168h"},
		{in: "5m", want: 5 * time.Minute, out: "5m"},
		{in: "90s", want: 90 * time.Second, out: "1m30s"},
		{in: "1h30m", want: 90 * time.Minute, out: "1h30m"},
		{in: "1h0m5s", want: time.Hour + 5*time.Second, out: "1h0m5s"},
		{in: "0s", want: 0, out: "0s"},
		{in: "250ms", want: 250 * time.Millisecond, out: "250ms"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			if err := d.UnmarshalText([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			assertEqual(t, d.Duration, tt.want)
			out, err := d.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, string(out), tt.out)
		})
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{name: "file position", p: Problem{File: "s.toml", Line: 2, Col: 10, Key: "server.listen", Message: "bad"}, want: "s.toml:2:10: server.listen: bad"},
		{name: "key already quoted", p: Problem{File: "s.toml", Line: 6, Col: 1, Key: "smtp.prot", Message: `unknown key "smtp.prot"`}, want: `s.toml:6:1: unknown key "smtp.prot"`},
		{name: "file only", p: Problem{File: "s.toml", Message: "cannot read"}, want: "s.toml: cannot read"},
		{name: "env", p: Problem{Env: "STATUSTHING_X_Y", Key: "x.y", Message: "bad"}, want: "env STATUSTHING_X_Y: bad"},
		{name: "key only", p: Problem{Key: "x.y", Message: "bad"}, want: "x.y: bad"},
		{name: "block named by the message", p: Problem{File: "s.toml", Line: 3, Col: 7, Key: "monitors[2].url", Message: `monitors[2] ("Web"): url: bad`}, want: `s.toml:3:7: monitors[2] ("Web"): url: bad`},
		{name: "block key", p: Problem{File: "s.toml", Line: 3, Col: 7, Key: "monitors[2].url", Message: "bad"}, want: "s.toml:3:7: monitors[2].url: bad"},
		{name: "other block", p: Problem{Key: "monitors[2].url", Message: "monitors[1] is bad"}, want: "monitors[2].url: monitors[1] is bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertEqual(t, tt.p.String(), tt.want)
		})
	}
}

func assertEqual[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// quote writes s as a TOML literal string: paths need no escaping then.
func quote(s string) string { return "'" + s + "'" }
