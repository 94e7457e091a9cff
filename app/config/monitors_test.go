package config

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// uncommentMonitors returns the example file with its commented-out
// [[monitors]] examples enabled: from the first "# [[monitors]]" line on,
// every line loses its leading "# " (a lone "#" becomes empty).
func uncommentMonitors(t testing.TB, data []byte) []byte {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	start := -1
	for i, l := range lines {
		if l == "# [[monitors]]" {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf(`%s has no "# [[monitors]]" line starting the monitor examples`, examplePath)
	}
	for i := start; i < len(lines); i++ {
		switch l := lines[i]; {
		case l == "" || l == "#":
			lines[i] = ""
		case strings.HasPrefix(l, "# "):
			lines[i] = strings.TrimPrefix(l, "# ")
		default:
			t.Fatalf("%s:%d: %q is not commented out: the example must keep the defaults (no monitors)", examplePath, i+1, l)
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

func TestExampleMonitors(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(writeConfig(t, string(uncommentMonitors(t, data))), nil)
	if err != nil {
		t.Fatalf("Load(example with the monitors uncommented):\n%v", err)
	}
	var names []string
	types := map[monitor.Type]bool{}
	for _, s := range c.Monitors {
		names = append(names, s.Name)
		types[s.Type] = true
	}
	assertEqual(t, names, []string{"Website", "API", "Mail relay", "DNS", "Certificate", "Nightly backup", "Login flow"})
	for _, typ := range monitor.SpecTypes() {
		if !types[typ] {
			t.Errorf("no %s monitor in the examples", typ)
		}
	}
	// Everything else is still the default.
	c.Monitors = nil
	assertEqual(t, c, Default())
}

func ptr(n int) *int { return &n }

func TestLoadMonitors(t *testing.T) {
	file := `[server]
listen = ":9000"

[[monitors]]
name = "Website"
type = "http"
url = "https://example.com/"
interval = "30s"
timeout = "5s"
retries = 0
max_redirects = 0
headers = { "X-Key" = "v", "Accept" = "text/html" }
json = ['$.status == "ok"', '$.n < 3']
header_contains.Server = "nginx"
[monitors.header_equals]
"Content-Type" = "text/html"

[[monitors]]
name = "DB"
type = "tcp"
address = "db.internal:5432"
retry_interval = "10s"
paused = true
send = "PING\r\n"

[[monitors]]
name = "DNS"
type = "dns"
hostname = "example.com"
record_type = "AAAA"
expected = ["2001:db8::1"]
match_all = true
interval = "1h30m"

[[monitors]]
name = "Cert"
type = "tls"
address = "example.com:8443"
cert_degraded_days = 30
cert_down_days = 0
headers = {}
`
	c, err := Load(writeConfig(t, file), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []monitor.Spec{
		{
			Name: "Website", Type: monitor.TypeHTTP, URL: "https://example.com/",
			Interval: monitor.Duration(30 * time.Second), Timeout: monitor.Duration(5 * time.Second),
			Retries: ptr(0), MaxRedirects: ptr(0),
			Headers:        map[string]string{"X-Key": "v", "Accept": "text/html"},
			JSON:           []string{`$.status == "ok"`, `$.n < 3`},
			HeaderContains: map[string]string{"Server": "nginx"},
			HeaderEquals:   map[string]string{"Content-Type": "text/html"},
		},
		{
			Name: "DB", Type: monitor.TypeTCP, Address: "db.internal:5432",
			RetryInterval: monitor.Duration(10 * time.Second), Paused: true, Send: "PING\r\n",
		},
		{
			Name: "DNS", Type: monitor.TypeDNS, Hostname: "example.com", RecordType: "AAAA",
			Expected: []string{"2001:db8::1"}, MatchAll: true, Interval: monitor.Duration(90 * time.Minute),
		},
		{
			// headers = {} is normalized to nil: an empty table sets nothing.
			Name: "Cert", Type: monitor.TypeTLS, Address: "example.com:8443",
			CertDegradedDays: ptr(30), CertDownDays: ptr(0),
		},
	}
	assertEqual(t, c.Monitors, want)
	assertEqual(t, c.Server.Listen, ":9000")
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	m, err := c.Monitors[0].Build()
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, m.Retries, 0)
	assertEqual(t, m.Recoveries, 1) // unset: the default
	assertEqual(t, m.Settings.(monitor.HTTPSettings).MaxRedirects, 0)
}

func TestLoadMonitorErrors(t *testing.T) {
	const website = "[[monitors]]\nname = \"Website\"\ntype = \"http\"\nurl = \"https://example.com/\"\n"
	tests := []struct {
		name string
		file string
		env  []string
		want []string // lines of the error, FILE replaced by the file's path
	}{
		{
			name: "unknown key in the second block",
			file: website + "\n[[monitors]]\nname = \"DB\"\ntype = \"tcp\"\naddress = \"db:5432\"\nintervall = \"30s\"\n",
			want: []string{`FILE:10:1: unknown key "monitors[2].intervall" (did you mean "monitors[2].interval"?)`},
		},
		{
			name: "type errors, unknown keys and section problems all at once",
			file: "[server]\nlisten = 1\n" + website + "retries = \"two\"\ninterval = 60\nheaders = \"x\"\nmax_redirect = 3\n[probe]\nconcurrency = 0\n",
			want: []string{
				`FILE:2:10: server.listen: expected a string, got an integer`,
				`FILE:7:11: monitors[1].retries: expected an integer, got string "two"`,
				`FILE:8:12: monitors[1].interval: expected a duration string such as "30s", "5m" or "1h", got an integer`,
				`FILE:9:11: monitors[1].headers: expected a table of strings such as { "Name" = "value" }, got string "x"`,
				`FILE:10:1: unknown key "monitors[1].max_redirect" (did you mean "monitors[1].max_redirects"?)`,
				`FILE:12:15: probe.concurrency: must be between 1 and 10000, got 0`,
			},
		},
		{
			name: "bad duration strings",
			file: website + "timeout = \"5x\"\nretry_interval = \"0s\"\n",
			want: []string{
				`FILE:5:11: monitors[1].timeout: "5x" is not a duration like 30s, 5m or 1h`,
				`FILE:6:18: monitors[1].retry_interval: "0s": a duration must be positive (leave it out for the default)`,
			},
		},
		{
			name: "invalid url at its line",
			file: website + "[[monitors]]\nname = \"Shop\"\ntype = \"http\"\nurl = \"shop.example.com\"\n",
			want: []string{`FILE:8:7: monitors[2] ("Shop"): url: must be an absolute http:// or https:// URL`},
		},
		{
			name: "missing keys at the block header",
			file: website + "\n[[monitors]]\ntype = \"http\"\n\n  [[ monitors ]]\nname = \"Shop\"\n",
			want: []string{
				`FILE:6:3: monitors[2]: name: is required`,
				`FILE:6:3: monitors[2]: url: is required`,
				`FILE:9:6: monitors[3] ("Shop"): type: must be one of http, tcp, dns, tls, browser, heartbeat`,
			},
		},
		{
			name: "duplicate names after trimming",
			file: website + "[[monitors]]\nname = \"DB\"\ntype = \"tcp\"\naddress = \"db:5432\"\n[[monitors]]\nname = \" Website \"\ntype = \"tcp\"\naddress = \"web:80\"\n",
			want: []string{`FILE:10:8: monitors[3] ("Website"): name: monitors[1] is already named "Website": each monitor of the config file needs its own name`},
		},
		{
			name: "headers inline table",
			file: website + "headers = { \"X Key\" = \"v\", \"X-Ok\" = \"w\" }\n[[monitors]]\nname = \"B\"\ntype = \"http\"\nurl = \"https://b/\"\nheaders = { \"X-Key\" = 1 }\n",
			want: []string{
				`FILE:5:11: monitors[1] ("Website"): headers: "X Key" is not a valid header name`,
				`FILE:10:23: monitors[2].headers: expected a table of strings such as { "Name" = "value" }, "X-Key" is an integer`,
			},
		},
		{
			name: "sub-tables of a block",
			file: website + "[monitors.headers]\nX-A = \"1\"\nX-B = 2\n[monitors.foo]\nx = 1\n[monitors.url]\n[monitors.header_equals.x]\n",
			want: []string{
				`FILE:7:7: monitors[1].headers: expected a table of strings such as { "Name" = "value" }, "X-B" is an integer`,
				`FILE:8:2: unknown key "monitors[1].foo"`,
				`FILE:10:2: monitors[1].url: expected a string, got a table`,
				`FILE:11:2: monitors[1].header_equals: expected a table of strings such as { "Name" = "value" }, "x" is a table`,
			},
		},
		{
			name: "nested values",
			file: website + "headers.a.b = \"x\"\nname.first = \"x\"\njson = [\"$.a == 1\", 2]\n",
			want: []string{
				`FILE:5:11: monitors[1].headers: expected a table of strings such as { "Name" = "value" }, "a" is a table`,
				`FILE:6:6: monitors[1].name: expected a string, got a table`,
				`FILE:7:21: monitors[1].json: expected an array of strings, item 2 is an integer`,
			},
		},
		{
			name: "bad json assertion points at the item",
			file: website + "json = [\n  '$.ok == true',\n  '$.n <',\n]\n",
			want: []string{`FILE:7:3: monitors[1] ("Website"): json: "$.n <": write it as $.path <op> value, e.g. $.status == "ok" (ops: == != < <= > >= contains)`},
		},
		{
			name: "key case and misspelled array",
			file: "[[monitor]]\nname = \"x\"\n[[Monitors]]\nname = \"y\"\n" + website + "URL = \"https://b/\"\n",
			want: []string{
				`FILE:1:3: unknown key "monitor" (did you mean "monitors"?)`,
				`FILE:3:3: unknown key "Monitors" (did you mean "monitors"? keys are case-sensitive)`,
				`FILE:9:1: unknown key "monitors[1].URL" (did you mean "monitors[1].url"? keys are case-sensitive)`,
			},
		},
		{
			name: "monitors as an array value",
			file: "monitors = [{ name = \"x\" }]\n",
			want: []string{`FILE:1:1: monitors: expected [[monitors]] blocks, got an array`},
		},
		{
			name: "monitors as a table",
			file: "[monitors]\nname = \"x\"\n",
			want: []string{`FILE:1:2: monitors: expected [[monitors]] blocks, got a [monitors] table`},
		},
		{
			name: "sub-table before any block",
			file: "[monitors.headers]\nX-A = \"1\"\n" + website,
			want: []string{`FILE:1:2: monitors: expected [[monitors]] blocks, got a [monitors.headers] table`},
		},
		{
			name: "duplicate key and huge number in a block",
			file: website + "name = \"Other\"\nretries = 99999999999999999999\n",
			want: []string{
				`FILE:5:1: monitors[1].name: key name is already defined`,
				`FILE:6:11: monitors[1].retries: decimal number is too large to fit in a 64-bit signed integer`,
			},
		},
		{
			name: "a rejected value is not validated again",
			file: "[[monitors]]\nname = 5\ntype = \"tcp\"\naddress = \"db:1\"\n",
			want: []string{`FILE:2:8: monitors[1].name: expected a string, got an integer`},
		},
		{
			name: "heartbeat cron error and keys of another type",
			file: "[[monitors]]\nname = \"Backup\"\ntype = \"heartbeat\"\ncron = \"61 * * * *\"\n" + website + "address = \"example.com:443\"\nretries = 11\n",
			want: []string{
				`FILE:4:8: monitors[1] ("Backup"): cron: minute: 61 is out of range 0-59`,
				`FILE:9:11: monitors[2] ("Website"): address: is not a setting of http monitors (only tcp, tls)`,
				`FILE:10:11: monitors[2] ("Website"): retries: must be between 0 and 10`,
			},
		},
		{
			name: "monitors have no env overrides",
			file: website + "url = \"https://b/\"\n",
			env:  []string{"STATUSTHING_MONITORS_X=1", "STATUSTHING_MONITORS_0_URL=https://x/"},
			want: []string{
				`FILE:5:1: monitors[1].url: key url is already defined`,
				`env STATUSTHING_MONITORS_X: unknown variable: [[monitors]] blocks are read from the config file only, they have no environment overrides`,
				`env STATUSTHING_MONITORS_0_URL: unknown variable: [[monitors]] blocks are read from the config file only, they have no environment overrides`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file)
			c, err := Load(path, tt.env)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load error = %v, want *Error", err)
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

func TestMonitorProblemOrigin(t *testing.T) {
	path := writeConfig(t, "[[monitors]]\ntype = \"tcp\"\naddress = \"db\"\n")
	_, err := Load(path, nil)
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load error = %v, want *Error", err)
	}
	want := []Problem{
		{File: path, Line: 1, Col: 3, Key: "monitors[1].name", Message: "monitors[1]: name: is required"},
		{File: path, Line: 3, Col: 11, Key: "monitors[1].address", Message: `monitors[1]: address: "db" must be host:port`},
	}
	assertEqual(t, cerr.Problems, want)
}

func TestValidateMonitors(t *testing.T) {
	web := monitor.Spec{Name: "Web", Type: monitor.TypeHTTP, URL: "https://example.com/"}
	tests := []struct {
		name     string
		monitors []monitor.Spec
		want     string // "" = valid
	}{
		{name: "none"},
		{name: "valid", monitors: []monitor.Spec{web, {Name: "DB", Type: monitor.TypeTCP, Address: "db:5432"}}},
		{
			name:     "missing url",
			monitors: []monitor.Spec{web, {Name: "API", Type: monitor.TypeHTTP}},
			want:     `monitors[2] ("API"): url: is required`,
		},
		{
			name:     "duplicate",
			monitors: []monitor.Spec{web, web},
			want:     `monitors[2] ("Web"): name: monitors[1] is already named "Web": each monitor of the config file needs its own name`,
		},
		{
			name:     "long name is shortened in the label",
			monitors: []monitor.Spec{{Name: strings.Repeat("é", 101), Type: monitor.TypeTCP, Address: "db:1"}},
			want:     `monitors[1] ("` + strings.Repeat("é", 40) + `..."): name: must be at most 100 characters`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Monitors = tt.monitors
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

func TestArrayTables(t *testing.T) {
	ats := arrayTables()
	if len(ats) != 1 || ats[0].name != monitorsKey {
		t.Fatalf("arrayTables() = %+v, want only %q", ats, monitorsKey)
	}
	seen := map[string]bool{}
	for _, key := range ats[0].names {
		f := ats[0].keys[key]
		if key == "" || key == "-" {
			t.Errorf("monitor.Spec field %v lacks a toml tag", f.index)
		}
		if f.kind == kindUnsupported {
			t.Errorf("monitors.%s has a type the loader cannot check", key)
		}
		if seen[key] {
			t.Errorf("two monitor.Spec fields are named %q", key)
		}
		seen[key] = true
	}
	for _, f := range fields() {
		if f.section == monitorsKey {
			t.Errorf("%s has an env override", f.path())
		}
	}
}
