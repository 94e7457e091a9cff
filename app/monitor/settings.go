package monitor

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Settings is the typed, type-specific configuration of a monitor (stored as JSON).
type Settings interface {
	Type() Type
}

// HTTPSettings configures an http monitor.
type HTTPSettings struct {
	Method           string            `json:"method"`
	URL              string            `json:"url"`
	Headers          map[string]string `json:"headers,omitempty"`
	Body             string            `json:"body,omitempty"`
	AuthUser         string            `json:"auth_user,omitempty"`
	AuthPassword     string            `json:"auth_password,omitempty"`
	BearerToken      string            `json:"bearer_token,omitempty"`
	MaxRedirects     int               `json:"max_redirects"` // 0: do not follow
	IgnoreTLSErrors  bool              `json:"ignore_tls_errors,omitempty"`
	ExpectedStatus   StatusRanges      `json:"expected_status"`
	BodyContains     string            `json:"body_contains,omitempty"`
	BodyNotContains  string            `json:"body_not_contains,omitempty"`
	BodyRegex        string            `json:"body_regex,omitempty"`
	JSON             []JSONAssertion   `json:"json,omitempty"`
	HeaderEquals     map[string]string `json:"header_equals,omitempty"`
	HeaderContains   map[string]string `json:"header_contains,omitempty"`
	DegradedAbove    time.Duration     `json:"degraded_above,omitempty"` // 0: off
	DownAbove        time.Duration     `json:"down_above,omitempty"`     // 0: off
	CertDegradedDays int               `json:"cert_degraded_days,omitempty"`
	CertDownDays     int               `json:"cert_down_days,omitempty"`
}

// Type implements Settings.
func (HTTPSettings) Type() Type { return TypeHTTP }

// TCPSettings configures a tcp monitor.
type TCPSettings struct {
	Address string `json:"address"` // host:port
	Send    string `json:"send,omitempty"`
	Expect  string `json:"expect,omitempty"`
}

// Type implements Settings.
func (TCPSettings) Type() Type { return TypeTCP }

// DNSSettings configures a dns monitor.
type DNSSettings struct {
	Hostname   string   `json:"hostname"`
	RecordType string   `json:"record_type"` // A, AAAA, CNAME, MX, TXT, NS
	Expected   []string `json:"expected,omitempty"`
	MatchAll   bool     `json:"match_all,omitempty"` // every expected value must be answered (else any)
	Resolver   string   `json:"resolver,omitempty"`  // host:port; "" = system resolver
}

// Type implements Settings.
func (DNSSettings) Type() Type { return TypeDNS }

// TLSSettings configures a tls monitor.
type TLSSettings struct {
	Address          string `json:"address"`               // host:port
	ServerName       string `json:"server_name,omitempty"` // SNI and name to verify; "" = host of Address
	CertDegradedDays int    `json:"cert_degraded_days"`
	CertDownDays     int    `json:"cert_down_days"`
}

// Type implements Settings.
func (TLSSettings) Type() Type { return TypeTLS }

// HeartbeatSettings is the schedule of a heartbeat monitor: a ping is expected every Period
// after the last one, or at the times of the 5-field Cron expression in TimeZone, and may be
// up to Grace late. The schedule logic lives in app/heartbeat (heartbeat.ScheduleOf).
type HeartbeatSettings struct {
	Period   time.Duration `json:"period,omitempty"` // 0 when Cron is set
	Cron     string        `json:"cron,omitempty"`
	TimeZone string        `json:"timezone,omitempty"` // IANA name; "" is UTC
	Grace    time.Duration `json:"grace"`
}

// Type implements Settings.
func (HeartbeatSettings) Type() Type { return TypeHeartbeat }

// MarshalSettings encodes settings for storage.
func MarshalSettings(s Settings) ([]byte, error) { return json.Marshal(s) }

// UnmarshalSettings decodes stored settings of type t.
func UnmarshalSettings(t Type, data []byte) (Settings, error) {
	var err error
	switch t {
	case TypeHTTP:
		var s HTTPSettings
		err = json.Unmarshal(data, &s)
		return s, err
	case TypeTCP:
		var s TCPSettings
		err = json.Unmarshal(data, &s)
		return s, err
	case TypeDNS:
		var s DNSSettings
		err = json.Unmarshal(data, &s)
		return s, err
	case TypeTLS:
		var s TLSSettings
		err = json.Unmarshal(data, &s)
		return s, err
	case TypeBrowser:
		var s BrowserSettings
		err = json.Unmarshal(data, &s)
		return s, err
	case TypeHeartbeat:
		var s HeartbeatSettings
		err = json.Unmarshal(data, &s)
		return s, err
	}
	return nil, fmt.Errorf("monitor: no settings for type %q", t)
}

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct{ Min, Max int }

// StatusRanges is a list like "200-299,301" of accepted HTTP status codes.
type StatusRanges []StatusRange

// ParseStatusRanges parses "200-299,301". Codes are 100-599.
func ParseStatusRanges(s string) (StatusRanges, error) {
	var out StatusRanges
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		min, err1 := strconv.Atoi(strings.TrimSpace(lo))
		max := min
		var err2 error
		if isRange {
			max, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || min < 100 || max > 599 || min > max {
			return nil, fmt.Errorf("%q is not a status code (100-599) or range like 200-299", part)
		}
		out = append(out, StatusRange{min, max})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("list at least one status code or range, e.g. 200-299")
	}
	return out, nil
}

// Contains reports whether code is accepted.
func (r StatusRanges) Contains(code int) bool {
	for _, x := range r {
		if code >= x.Min && code <= x.Max {
			return true
		}
	}
	return false
}

// String formats the ranges back to "200-299,301".
func (r StatusRanges) String() string {
	parts := make([]string, len(r))
	for i, x := range r {
		if x.Min == x.Max {
			parts[i] = strconv.Itoa(x.Min)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", x.Min, x.Max)
		}
	}
	return strings.Join(parts, ",")
}

// MarshalText implements encoding.TextMarshaler.
func (r StatusRanges) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *StatusRanges) UnmarshalText(b []byte) error {
	v, err := ParseStatusRanges(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// JSONAssertion compares a value picked from a JSON body: `$.queue.depth < 100`.
type JSONAssertion struct {
	Path  []PathStep // from $
	Op    string     // == != < <= > >= contains
	Value any        // string, float64, bool or nil, from the JSON literal on the right
	Raw   string     // the expression as written
}

// PathStep is one step of a JSON path: a key (.name or ["name"]) or an index ([0]).
type PathStep struct {
	Key   string
	Index int
	IsIdx bool
}

var jsonAssertionRE = regexp.MustCompile(`^\s*(\$(?:\.[^\s.\[=!<>]+|\[(?:\d+|"(?:[^"\\]|\\.)*")\])*)\s*(==|!=|<=|>=|<|>|contains)\s*(.+?)\s*$`)

// ParseJSONAssertion parses `$.a.b[0] == "ok"`. The right side is a JSON literal (string
// in double quotes, number, true, false, null).
func ParseJSONAssertion(expr string) (JSONAssertion, error) {
	m := jsonAssertionRE.FindStringSubmatch(expr)
	if m == nil {
		return JSONAssertion{}, fmt.Errorf("%q: write it as $.path <op> value, e.g. $.status == \"ok\" (ops: == != < <= > >= contains)", expr)
	}
	path, err := parsePath(m[1])
	if err != nil {
		return JSONAssertion{}, fmt.Errorf("%q: %v", expr, err)
	}
	var v any
	if err := json.Unmarshal([]byte(m[3]), &v); err != nil {
		return JSONAssertion{}, fmt.Errorf("%q: the value %s is not a JSON literal (quote strings: \"ok\")", expr, m[3])
	}
	switch v.(type) {
	case map[string]any, []any:
		return JSONAssertion{}, fmt.Errorf("%q: compare with a string, number, boolean or null", expr)
	}
	switch m[2] {
	case "<", "<=", ">", ">=":
		if _, ok := v.(float64); !ok {
			return JSONAssertion{}, fmt.Errorf("%q: %s needs a number on the right", expr, m[2])
		}
	case "contains":
		if _, ok := v.(string); !ok {
			return JSONAssertion{}, fmt.Errorf("%q: contains needs a string on the right", expr)
		}
	}
	return JSONAssertion{Path: path, Op: m[2], Value: v, Raw: strings.TrimSpace(expr)}, nil
}

func parsePath(p string) ([]PathStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("a path starts with $")
	}
	var steps []PathStep
	rest := p[1:]
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, fmt.Errorf("empty key in path %s", p)
			}
			steps = append(steps, PathStep{Key: rest[:end]})
			rest = rest[end:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ in path %s", p)
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if n, err := strconv.Atoi(inner); err == nil && n >= 0 {
				steps = append(steps, PathStep{Index: n, IsIdx: true})
				continue
			}
			var key string
			if err := json.Unmarshal([]byte(inner), &key); err != nil {
				return nil, fmt.Errorf("[%s] in path %s: use [0] or [\"key\"]", inner, p)
			}
			steps = append(steps, PathStep{Key: key})
		default:
			return nil, fmt.Errorf("unexpected %q in path %s", rest[:1], p)
		}
	}
	return steps, nil
}

// MarshalText implements encoding.TextMarshaler: the expression as written.
func (a JSONAssertion) MarshalText() ([]byte, error) { return []byte(a.Raw), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *JSONAssertion) UnmarshalText(b []byte) error {
	v, err := ParseJSONAssertion(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
