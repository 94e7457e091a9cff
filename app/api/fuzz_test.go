package api

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"unicode/utf8"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// checkRefusal asserts that a decoding error is a client error with a code and a message.
func checkRefusal(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: %T %v is not an API error", what, err, err)
	}
	switch ae.Status {
	case 400, 413, 415, 422:
	default:
		t.Fatalf("%s: status %d", what, ae.Status)
	}
	if ae.Code == "" || ae.Message == "" || !utf8.ValidString(ae.Message) {
		t.Fatalf("%s: incomplete error %+v", what, ae)
	}
	if _, err := json.Marshal(ae); err != nil {
		t.Fatalf("%s: error not encodable: %v", what, err)
	}
}

// FuzzDecodeMonitor feeds arbitrary bodies to the decoding of monitor creations, replaces
// and merge patches, and of token creations: none may panic, every refusal must be a 4xx
// API error, and what is accepted must survive a round trip. Run with
// go test -fuzz FuzzDecodeMonitor ./app/api/ (the seeds run in every go test).
func FuzzDecodeMonitor(f *testing.F) {
	for _, seed := range []string{
		`{"name": "Website", "type": "http", "url": "https://example.com/", "interval": "30s", "retries": 2}`,
		`{"name": "API", "type": "http", "url": "https://e.com/", "headers": {"A": "b"}, "json": ["$.ok == true"], "bearer_token": "********"}`,
		`{"name": "job", "type": "heartbeat", "cron": "0 3 * * *", "timezone": "Europe/Paris", "grace": "1h"}`,
		`{"name": "dns", "type": "dns", "hostname": "example.com", "expected": ["1.2.3.4"], "match_all": true}`,
		`{"id": 1, "status": "up", "ping_url": null, "name": "x", "type": "tcp", "address": "h:1"}`,
		`{"interval": null, "headers": {"A": null}}`,
		`{"interval": 30}`, `{"interval": "-1s"}`, `{"retries": 1e400}`, `{"retries": -0}`,
		`{"NAME": "x"}`, `{"name": "x",}`, `[1, 2]`, `null`, `"str"`, `{} {}`, ``, `{"a":`,
		`{"name": "\ud800", "type": "http"}`, "{\"name\": \"\xff\"}", `{"headers": []}`, `{"json": "x"}`,
		`{"name": "x", "scope": "write", "expires_at": "2030-01-01T00:00:00Z", "expires_in": "1h"}`,
	} {
		f.Add([]byte(seed))
	}
	stored := monitor.Spec{Name: "stored", Type: monitor.TypeHTTP, URL: "https://example.com/", AuthUser: "u",
		AuthPassword: "p", BearerToken: ""}
	f.Fuzz(func(t *testing.T, body []byte) {
		spec, err := parseMonitor(body, 1, stored)
		checkRefusal(t, "parseMonitor", err)
		if err == nil {
			_, _ = heartbeat.BuildSpec(spec) // validation must not panic either
			b, err := json.Marshal(spec)
			if err != nil {
				t.Fatalf("marshal %+v: %v", spec, err)
			}
			again, err := parseMonitor(b, 1, stored)
			if err != nil {
				t.Fatalf("a decoded spec does not decode again: %s: %v", b, err)
			}
			if b2, _ := json.Marshal(again); string(b2) != string(b) {
				t.Fatalf("round trip changed the spec:\n%s\n%s", b, b2)
			}
		}
		patched, err := applyPatch(body, 1, stored)
		checkRefusal(t, "applyPatch", err)
		if err == nil {
			_, _ = heartbeat.BuildSpec(patched)
		}
		var tok tokenInput
		checkRefusal(t, "token body", decodeObject(body, &tok))
	})
}

// FuzzDecodeListQuery feeds arbitrary query strings to the list parameters and cursors.
func FuzzDecodeListQuery(f *testing.F) {
	for _, seed := range []string{
		"limit=10", "limit=0", "limit=-1", "limit=99999999999999999999", "cursor=" + cursor{list: "results", at: 5, id: 7}.String(),
		"cursor=bW9uaXRvcnM6MDox", "cursor=%%%", "from=2026-01-02T15:04:05Z&to=2026-01-02T15:04:05Z",
		"from=2026-01-02T15:04:05 02:00", "to=0000-01-01T00:00:00Z", "from=9999-12-31T23:59:59Z",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, list := range []string{"monitors", "results"} {
			lq, err := parseList(q, list)
			checkRefusal(t, "parseList", err)
			if err != nil {
				continue
			}
			if lq.limit < 1 || lq.limit > maxLimit {
				t.Fatalf("limit %d accepted", lq.limit)
			}
			if !lq.from.IsZero() && !lq.to.IsZero() && !lq.from.Before(lq.to) {
				t.Fatalf("empty range accepted: %v %v", lq.from, lq.to)
			}
			if lq.cursor.id != 0 {
				back, err := parseCursor(lq.cursor.String(), list)
				if err != nil || back != lq.cursor {
					t.Fatalf("cursor %+v does not round-trip: %+v %v", lq.cursor, back, err)
				}
			}
		}
	})
}
