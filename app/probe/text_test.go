package probe

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"statusthing/app/monitor"
)

func TestFmtDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{512 * time.Microsecond, "512µs"},
		{812345 * time.Microsecond, "812ms"},
		{1234567 * time.Microsecond, "1.23s"},
		{10 * time.Second, "10s"},
		{125400 * time.Millisecond, "2m5s"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := fmtDuration(tc.d); got != tc.want {
				t.Fatalf("fmtDuration(%v) = %q", tc.d, got)
			}
		})
	}
}

func TestCertVerdict(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		left          time.Duration
		degraded, dwn int
		want          verdict
	}{
		{name: "off", left: time.Hour},
		{name: "far", left: 30 * 24 * time.Hour, degraded: 14, dwn: 7},
		{name: "degraded", left: 71*time.Hour + 59*time.Minute, degraded: 14, dwn: 2,
			want: degraded(monitor.ClassCert, "certificate expires in 3 days (2026-11-28)")},
		{name: "down", left: 25 * time.Hour, degraded: 14, dwn: 2,
			want: down(monitor.ClassCert, "certificate expires in 1 day (2026-11-26)")},
		{name: "hours", left: 5*time.Hour + 10*time.Minute, dwn: 1,
			want: down(monitor.ClassCert, "certificate expires in 6 hours (2026-11-25)")},
		{name: "expired", left: -48 * time.Hour, degraded: 14,
			want: down(monitor.ClassCert, "certificate expired on 2026-11-23")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := certVerdict(now.Add(tc.left), now, tc.degraded, tc.dwn); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // "" = check only the invariants
	}{
		{name: "short", body: "hello", want: "hello"},
		{name: "exactly the limit", body: strings.Repeat("x", snippetBytes), want: strings.Repeat("x", snippetBytes)},
		{name: "cut before a split rune", body: "x" + strings.Repeat("€", 1000), want: "x" + strings.Repeat("€", 682)},
		{name: "invalid bytes replaced", body: "ok\xff\xfeok", want: "ok\uFFFDok"},
		{name: "invalid bytes up to the limit", body: strings.Repeat("\xff", 3000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := snippet([]byte(tc.body))
			if len(got) > snippetBytes || !utf8.ValidString(got) || (tc.want != "" && got != tc.want) {
				t.Fatalf("snippet: %d bytes, valid %v, %.30q…", len(got), utf8.ValidString(got), got)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\r\nb\tc"); got != "a b c" {
		t.Fatalf("oneLine = %q", got)
	}
	if got := oneLine(strings.Repeat("é", 400)); len(got) > 504 || !utf8.ValidString(got) {
		t.Fatalf("oneLine did not cap cleanly: %d bytes", len(got))
	}
}

func TestCheckJSON(t *testing.T) {
	doc, err := parseJSON([]byte(`{"a":{"b c":[1,"two",null,{"d":2.5}]},"n":10,"s":"str","t":true}`))
	if err != nil {
		t.Fatal(err)
	}
	key := func(k string) monitor.PathStep { return monitor.PathStep{Key: k} }
	idx := func(i int) monitor.PathStep { return monitor.PathStep{Index: i, IsIdx: true} }
	tests := []struct {
		name string
		a    monitor.JSONAssertion
		want string
	}{
		{name: "number equals", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("n")}, Op: "==", Value: 10.0}},
		{name: "odd key and index", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("a"), key("b c"), idx(3), key("d")}, Op: ">", Value: 2.0}},
		{name: "null element", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("a"), key("b c"), idx(2)}, Op: "==", Value: nil}},
		{name: "array contains a number", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("a"), key("b c")}, Op: "contains", Value: 1.0}},
		{name: "string is not a number", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("s")}, Op: "==", Value: 1.0},
			want: `$.s == 1 failed: got "str"`},
		{name: "bool differs", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("t")}, Op: "!=", Value: true, Raw: "$.t != true"},
			want: `$.t != true failed: got true`},
		{name: "array does not contain", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("a"), key("b c")}, Op: "contains", Value: "three"},
			want: `$.a["b c"] contains "three" failed: got [1,"two",null,{"d":2.5}]`},
		{name: "contains on a number", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("n")}, Op: "contains", Value: "1"},
			want: `$.n contains "1" failed: got 10, which is not a string or an array`},
		{name: "key on an array", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("a"), key("b c"), key("x")}, Op: "==", Value: 1.0},
			want: `$.a["b c"].x: $.a["b c"] is an array, not an object`},
		{name: "index on an object", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("a"), idx(0)}, Op: "==", Value: 1.0},
			want: `$.a[0]: $.a is an object, not an array`},
		{name: "missing key", a: monitor.JSONAssertion{Path: []monitor.PathStep{key("queue"), key("depth")}, Op: "<", Value: 100.0},
			want: `$.queue: no such key`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkJSON(doc, tc.a); got != tc.want {
				t.Fatalf("checkJSON = %q, want %q", got, tc.want)
			}
		})
	}
	for _, body := range []string{``, `{"a":1} trailing`, `{"a":`} {
		if _, err := parseJSON([]byte(body)); err == nil {
			t.Errorf("parseJSON(%q) accepted", body)
		}
	}
}
