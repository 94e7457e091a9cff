package api_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/auth"
	"statusthing/app/monitor"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	// Missing or malformed credentials: 401 with a Bearer challenge.
	for _, c := range []struct{ name, header string }{
		{"none", ""},
		{"basic", "Basic dXNlcjpwYXNz"},
		{"empty bearer", "Bearer "},
	} {
		a := e.do("GET", "/api/v1/monitors", "", "", "Authorization", c.header)
		if a.Status != http.StatusUnauthorized || a.Header.Get("WWW-Authenticate") != `Bearer realm="statusthing"` ||
			!strings.Contains(a.Body, `"code":"unauthorized"`) {
			t.Errorf("%s: %d %q %s", c.name, a.Status, a.Header.Get("WWW-Authenticate"), a.Body)
		}
	}
	// Unknown tokens: invalid_token.
	for _, tok := range []string{"st_nope", "not-even-prefixed", e.write + "x"} {
		a := e.do("GET", "/api/v1/monitors", tok, "")
		if a.Status != http.StatusUnauthorized || !strings.Contains(a.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("token %q: %d %q", tok, a.Status, a.Header.Get("WWW-Authenticate"))
		}
	}
	// The scheme is case-insensitive (RFC 7235).
	if a := e.do("GET", "/api/v1/monitors", "", "", "Authorization", "bearer "+e.read); a.Status != http.StatusOK {
		t.Errorf("lower-case bearer: %d %s", a.Status, a.Body)
	}

	// A read token reads, and may not write: 403 insufficient_scope, nothing created.
	e.json("GET", "/api/v1/monitors", e.read, "", http.StatusOK, nil)
	e.json("GET", "/api/v1/tokens", e.read, "", http.StatusOK, nil)
	e.fails("POST", "/api/v1/monitors", e.read, httpMonitor("x"), http.StatusForbidden, "insufficient_scope", "")
	a := e.do("POST", "/api/v1/tokens", e.read, `{"name": "escalate", "scope": "write"}`)
	if a.Status != http.StatusForbidden || !strings.Contains(a.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Errorf("read token creating a token: %d %q", a.Status, a.Header.Get("WWW-Authenticate"))
	}
	if ms, _ := e.monitors.List(ctx, e.org); len(ms) != 0 {
		t.Errorf("a read token created %d monitors", len(ms))
	}

	// Last use is recorded.
	e.json("GET", "/api/v1/monitors", e.write, "", http.StatusOK, nil)
	toks, err := e.auth.ListAPITokens(ctx, e.org, 0, time.Time{}, time.Time{}, 10)
	if err != nil || len(toks) != 2 || toks[0].LastUsedAt.IsZero() || toks[1].LastUsedAt.IsZero() {
		t.Errorf("tokens after use: %+v %v", toks, err)
	}

	// Expiry: a token stops working at its expiry time.
	short, _, err := e.auth.CreateAPIToken(ctx, auth.CreateAPITokenInput{Name: "short", Scope: auth.ScopeRead,
		ExpiresAt: e.clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	e.json("GET", "/api/v1/monitors", short, "", http.StatusOK, nil)
	e.clk.Advance(time.Hour)
	e.fails("GET", "/api/v1/monitors", short, "", http.StatusUnauthorized, "unauthorized", "")

	// The OpenAPI document needs no token.
	if a := e.do("GET", "/api/v1/openapi.json", "", ""); a.Status != http.StatusOK || !strings.Contains(a.Body, `"openapi": "3.1.0"`) {
		t.Errorf("openapi.json: %d", a.Status)
	}
}

func TestMonitorLifecycle(t *testing.T) {
	e := newEnv(t)

	// Create: 201, Location, defaults filled in, status pending, never checked.
	a := e.do("POST", "/api/v1/monitors", e.write, `{"name": "Website", "type": "http", "url": "https://example.com/",
		"auth_user": "probe", "auth_password": "s3cret", "headers": {"X-Probe": "1"}}`)
	if a.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.Status, a.Body)
	}
	var m monitorView
	e.json("GET", a.Header.Get("Location"), e.read, "", http.StatusOK, &m)
	if m.ID == 0 || m.Name != "Website" || m.Type != "http" || m.Interval != "1m0s" || m.Timeout != "10s" ||
		m.Retries == nil || *m.Retries != 1 || m.Status != "pending" || m.StatusSince == nil || !m.StatusSince.Equal(t0) ||
		m.LastCheckedAt != nil || m.PingURL != "" || m.Headers["X-Probe"] != "1" {
		t.Fatalf("created monitor: %+v", m)
	}
	for _, key := range []string{`"last_checked_at":null`, `"status_since":"2026-03-10T12:00:00Z"`, `"expected_status":"200-299"`} {
		if !strings.Contains(a.Body, key) {
			t.Errorf("create answer lacks %s: %s", key, a.Body)
		}
	}
	// Secrets are never sent back.
	if m.AuthPassword != "********" || strings.Contains(a.Body, "s3cret") {
		t.Errorf("password shown: %q in %s", m.AuthPassword, a.Body)
	}
	path := "/api/v1/monitors/" + strconv.FormatInt(m.ID, 10)

	// PUT with the GET answer, edited: read-only keys are ignored, the masked password kept.
	got := e.do("GET", path, e.read, "").Body
	edited := strings.Replace(got, `"name":"Website"`, `"name":"Website 2"`, 1)
	e.json("PUT", path, e.write, edited, http.StatusOK, &m)
	stored, err := e.monitors.Get(context.Background(), e.org, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if hs, _ := stored.Settings.(monitor.HTTPSettings); m.Name != "Website 2" || hs.AuthPassword != "s3cret" {
		t.Errorf("after PUT: name %q, stored password %q", m.Name, hs.AuthPassword)
	}
	// PUT replaces the whole spec: unset keys return to their defaults.
	e.json("PUT", path, e.write, `{"name": "Website", "type": "http", "url": "https://example.com/", "interval": "30s"}`, http.StatusOK, &m)
	if m.Interval != "30s" || m.AuthUser != "" || m.AuthPassword != "" || m.Headers != nil {
		t.Errorf("after full PUT: %+v", m)
	}
	e.fails("PUT", path, e.write, `{"id": 999, "name": "x", "type": "http", "url": "https://example.com/"}`,
		http.StatusUnprocessableEntity, "validation_failed", "id")

	// PATCH merges: keys set replace, null resets to the default, others stay.
	e.json("PATCH", path, e.write, `{"timeout": "5s", "headers": {"A": "b"}}`, http.StatusOK, &m)
	if m.Interval != "30s" || m.Timeout != "5s" || m.Headers["A"] != "b" || m.Name != "Website" {
		t.Errorf("after PATCH: %+v", m)
	}
	a = e.do("PATCH", path, e.write, `{"timeout": null, "headers": {"A": null}}`, "Content-Type", "application/merge-patch+json")
	if a.Status != http.StatusOK || !strings.Contains(a.Body, `"timeout":"10s"`) || strings.Contains(a.Body, `"headers"`) {
		t.Errorf("PATCH with nulls: %d %s", a.Status, a.Body)
	}
	e.fails("PATCH", path, e.write, `{"interval": "1s"}`, http.StatusUnprocessableEntity, "validation_failed", "interval")
	e.fails("PATCH", path, e.write, `{"intervall": "1m"}`, http.StatusBadRequest, "unknown_field", "intervall")
	e.fails("PATCH", path, e.write, `{"type": "heartbeat"}`, http.StatusUnprocessableEntity, "validation_failed", "")

	// Pause and resume, check now.
	e.json("POST", path+"/pause", e.write, "", http.StatusOK, &m)
	if m.Status != "paused" || !m.Paused {
		t.Errorf("after pause: %+v", m)
	}
	e.fails("POST", path+"/check", e.write, "", http.StatusConflict, "paused", "")
	e.json("POST", path+"/resume", e.write, "", http.StatusOK, &m)
	if m.Status != "pending" || m.Paused {
		t.Errorf("after resume: %+v", m)
	}
	var check struct {
		Result struct {
			MonitorID  int64  `json:"monitor_id"`
			Outcome    string `json:"outcome"`
			DurationMs int64  `json:"duration_ms"`
			Details    struct {
				StatusCode int `json:"status_code"`
			} `json:"details"`
		} `json:"result"`
		Monitor monitorView `json:"monitor"`
	}
	e.json("POST", path+"/check", e.write, "", http.StatusOK, &check)
	if check.Result.Outcome != "up" || check.Result.DurationMs != 42 || check.Result.Details.StatusCode != 200 ||
		check.Result.MonitorID != m.ID || check.Monitor.Status != "up" || check.Monitor.LastCheckedAt == nil {
		t.Errorf("check: %+v", check)
	}
	var results pageOf[map[string]any]
	e.json("GET", path+"/results", e.read, "", http.StatusOK, &results)
	if len(results.Items) != 1 || results.NextCursor != nil {
		t.Errorf("results after a check: %+v", results)
	}

	// Delete: 204, then 404 everywhere.
	if a := e.do("DELETE", path, e.write, ""); a.Status != http.StatusNoContent || a.Body != "" {
		t.Errorf("delete: %d %q", a.Status, a.Body)
	}
	for _, p := range []string{path, path + "/results", path + "/flips", path + "/trend"} {
		e.fails("GET", p, e.read, "", http.StatusNotFound, "not_found", "")
	}
	e.fails("DELETE", path, e.write, "", http.StatusNotFound, "not_found", "")
	e.fails("GET", "/api/v1/monitors/abc", e.read, "", http.StatusNotFound, "not_found", "")
}

func TestHeartbeatMonitor(t *testing.T) {
	e := newEnv(t)
	hb := e.createMonitor(`{"name": "Nightly backup", "type": "heartbeat", "period": "24h", "grace": "30m"}`)
	if hb.Status != "new" || !strings.HasPrefix(hb.PingURL, baseURL+"/ping/") || hb.Period != "24h0m0s" || hb.Grace != "30m0s" {
		t.Fatalf("heartbeat: %+v", hb)
	}
	path := "/api/v1/monitors/" + strconv.FormatInt(hb.ID, 10)
	e.fails("POST", path+"/check", e.write, "", http.StatusConflict, "not_probed", "")
	e.fails("POST", "/api/v1/monitors", e.write, `{"name": "x", "type": "heartbeat", "interval": "1m"}`,
		http.StatusUnprocessableEntity, "validation_failed", "interval")

	// Ping it through the ping URL, then read its pings and status.
	ping := strings.TrimPrefix(hb.PingURL, baseURL)
	for _, suffix := range []string{"/start", "", "/log", "/3"} {
		e.clk.Advance(time.Second)
		if a := e.do("POST", ping+suffix, "", "line "+suffix, "Content-Type", "text/plain"); a.Status != http.StatusOK {
			t.Fatalf("ping %s: %d %s", suffix, a.Status, a.Body)
		}
	}
	var pings pageOf[struct {
		ID         int64  `json:"id"`
		Kind       string `json:"kind"`
		ExitStatus *int   `json:"exit_status"`
		Body       string `json:"body"`
		Method     string `json:"method"`
		RunMs      *int64 `json:"run_ms"`
	}]
	e.json("GET", path+"/pings?limit=3", e.read, "", http.StatusOK, &pings)
	if len(pings.Items) != 3 || pings.NextCursor == nil || pings.Items[0].Kind != "exit" || *pings.Items[0].ExitStatus != 3 ||
		pings.Items[1].Kind != "log" || pings.Items[2].Kind != "success" || pings.Items[2].Body != "line " ||
		pings.Items[2].Method != "POST" || pings.Items[2].RunMs == nil || *pings.Items[2].RunMs != 1000 {
		t.Fatalf("pings: %+v", pings)
	}
	var rest pageOf[struct {
		Kind string `json:"kind"`
	}]
	e.json("GET", path+"/pings?limit=3&cursor="+*pings.NextCursor, e.read, "", http.StatusOK, &rest)
	if len(rest.Items) != 1 || rest.Items[0].Kind != "start" || rest.NextCursor != nil {
		t.Errorf("second page of pings: %+v", rest)
	}
	var m monitorView
	e.json("GET", path, e.read, "", http.StatusOK, &m)
	if m.Status != "down" || m.LastCheckedAt == nil { // exit status 3 is a failure
		t.Errorf("heartbeat after pings: %+v", m)
	}
	var flips pageOf[struct {
		From string `json:"from"`
		To   string `json:"to"`
	}]
	e.json("GET", path+"/flips", e.read, "", http.StatusOK, &flips)
	if len(flips.Items) != 2 || flips.Items[0].To != "down" || flips.Items[1].From != "new" || flips.Items[1].To != "up" {
		t.Errorf("flips: %+v", flips)
	}

	// Probed monitors have no pings.
	web := e.createMonitor(httpMonitor("web"))
	e.fails("GET", "/api/v1/monitors/"+strconv.FormatInt(web.ID, 10)+"/pings", e.read, "", http.StatusNotFound, "not_found", "")
}

func TestRequestDecoding(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, body  string
		status      int
		code, field string
	}{
		{"missing url", `{"name": "x", "type": "http"}`, 422, "validation_failed", "url"},
		{"bad type", `{"name": "x", "type": "ftp"}`, 422, "validation_failed", "type"},
		{"bad duration", `{"name": "x", "type": "http", "url": "https://e.com/", "interval": "soon"}`, 422, "validation_failed", "interval"},
		{"number for a duration", `{"name": "x", "type": "http", "url": "https://e.com/", "interval": 30}`, 422, "validation_failed", "interval"},
		{"string for a number", `{"name": "x", "type": "http", "url": "https://e.com/", "retries": "2"}`, 422, "validation_failed", "retries"},
		{"bad header map", `{"name": "x", "type": "http", "url": "https://e.com/", "headers": {"A": 1}}`, 422, "validation_failed", "headers"},
		{"key of another type", `{"name": "x", "type": "tcp", "address": "e.com:25", "url": "https://e.com/"}`, 422, "validation_failed", "url"},
		{"unknown field", `{"name": "x", "type": "http", "url": "https://e.com/", "colour": "red"}`, 400, "unknown_field", "colour"},
		{"key in another case", `{"NAME": "x", "type": "http", "url": "https://e.com/"}`, 400, "unknown_field", "NAME"},
		{"malformed", `{"name": "x",`, 400, "invalid_json", ""},
		{"syntax error", `{"name" "x"}`, 400, "invalid_json", ""},
		{"array", `[{"name": "x"}]`, 400, "invalid_json", ""},
		{"null", `null`, 400, "invalid_json", ""},
		{"trailing data", `{"name": "x", "type": "http", "url": "https://e.com/"} {}`, 400, "invalid_json", ""},
		{"empty", ` `, 400, "invalid_json", ""},
		{"id on create", `{"id": 3, "name": "x", "type": "http", "url": "https://e.com/"}`, 422, "validation_failed", "id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			eb := e.fails("POST", "/api/v1/monitors", e.write, c.body, c.status, c.code, c.field)
			if c.status == 422 && (len(eb.Error.Fields) == 0 || eb.Error.Fields[0].Field != c.field) {
				t.Errorf("fields: %+v", eb.Error.Fields)
			}
		})
	}
	e.t = t
	// Every refused field is listed, the first one on top.
	eb := e.fails("POST", "/api/v1/monitors", e.write, `{"name": "", "type": "http", "url": "ftp://x", "retries": 99}`,
		422, "validation_failed", "name")
	if len(eb.Error.Fields) != 3 {
		t.Errorf("fields of three errors: %+v", eb.Error.Fields)
	}

	// Oversized bodies: 413, whether or not the length is announced.
	big := `{"name": "x", "type": "http", "url": "https://e.com/", "body": "` + strings.Repeat("a", 1<<20) + `"}`
	e.fails("POST", "/api/v1/monitors", e.write, big, http.StatusRequestEntityTooLarge, "body_too_large", "")
	// A form body (curl -d without a JSON Content-Type) is refused with 415.
	a := e.do("POST", "/api/v1/monitors", e.write, httpMonitor("x"), "Content-Type", "application/x-www-form-urlencoded")
	if a.Status != http.StatusUnsupportedMediaType || !strings.Contains(a.Body, "unsupported_media_type") {
		t.Errorf("form body: %d %s", a.Status, a.Body)
	}
	if ms, _ := e.monitors.List(context.Background(), e.org); len(ms) != 0 {
		t.Errorf("refused requests created %d monitors", len(ms))
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t)
	a := e.do("PUT", "/api/v1/monitors", e.write, "{}")
	if a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "GET, POST, HEAD" ||
		!strings.Contains(a.Body, `"code":"method_not_allowed"`) {
		t.Errorf("PUT /monitors: %d %q %s", a.Status, a.Header.Get("Allow"), a.Body)
	}
	if a := e.do("GET", "/api/v1/tokens/1", e.write, ""); a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "DELETE" {
		t.Errorf("GET /tokens/1: %d %q", a.Status, a.Header.Get("Allow"))
	}
	for _, p := range []string{"/api/v1/nope", "/api/v1/monitors/1/nope", "/api/v2/monitors"} {
		e.fails("GET", p, e.write, "", http.StatusNotFound, "not_found", "")
	}
	e.fails("GET", "/api/v1/monitors?limt=5", e.read, "", http.StatusBadRequest, "invalid_parameter", "limt")
}

func TestOrganizationScoping(t *testing.T) {
	e := newEnv(t)
	mine := e.createMonitor(httpMonitor("mine"))
	e.exec(`INSERT INTO organizations (slug, name, created_at) VALUES ('other', 'Other', 0)`)
	other, _, err := e.auth.CreateAPIToken(context.Background(), auth.CreateAPITokenInput{Name: "o", OrgSlug: "other", Scope: auth.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/monitors/" + strconv.FormatInt(mine.ID, 10)
	for _, c := range []struct{ method, path, body string }{
		{"GET", path, ""}, {"PUT", path, httpMonitor("stolen")}, {"PATCH", path, `{"name": "stolen"}`},
		{"DELETE", path, ""}, {"POST", path + "/pause", ""}, {"POST", path + "/check", ""},
		{"GET", path + "/results", ""}, {"GET", path + "/flips", ""}, {"GET", path + "/pings", ""},
		{"GET", path + "/trend", ""}, {"DELETE", "/api/v1/tokens/1", ""},
	} {
		e.fails(c.method, c.path, other, c.body, http.StatusNotFound, "not_found", "")
	}
	var list pageOf[monitorView]
	e.json("GET", "/api/v1/monitors", other, "", http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("the other organization sees %d monitors", len(list.Items))
	}
	var toks pageOf[map[string]any]
	e.json("GET", "/api/v1/tokens", other, "", http.StatusOK, &toks)
	if len(toks.Items) != 1 {
		t.Errorf("the other organization sees %d tokens", len(toks.Items))
	}
	e.json("GET", path, e.read, "", http.StatusOK, nil) // still there
}

func TestManagedMonitorsAreReadOnly(t *testing.T) {
	e := newEnv(t)
	err := e.monitors.SyncConfig(context.Background(), e.org, []monitor.Spec{{Name: "From config", Type: monitor.TypeTCP, Address: "db:5432"}})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := e.monitors.List(context.Background(), e.org)
	path := "/api/v1/monitors/" + strconv.FormatInt(ms[0].ID, 10)
	e.fails("PUT", path, e.write, `{"name": "x", "type": "tcp", "address": "db:5432"}`, http.StatusConflict, "managed_by_config", "")
	e.fails("PATCH", path, e.write, `{"name": "x"}`, http.StatusConflict, "managed_by_config", "")
	e.fails("DELETE", path, e.write, "", http.StatusConflict, "managed_by_config", "")
	e.json("GET", path, e.read, "", http.StatusOK, nil)
}

func TestListMonitorsPagination(t *testing.T) {
	e := newEnv(t)
	var ids []int64
	for i := range 3 {
		ids = append(ids, e.createMonitor(httpMonitor(fmt.Sprint("m", i))).ID)
	}
	var p1 pageOf[monitorView]
	e.json("GET", "/api/v1/monitors?limit=2", e.read, "", http.StatusOK, &p1)
	if len(p1.Items) != 2 || p1.Items[0].ID != ids[0] || p1.Items[1].ID != ids[1] || p1.NextCursor == nil {
		t.Fatalf("page 1: %+v", p1)
	}
	// Rows added after the first page: the cursor still continues where it was.
	e.clk.Advance(time.Hour)
	ids = append(ids, e.createMonitor(`{"name": "hb", "type": "heartbeat"}`).ID)
	var p2 pageOf[monitorView]
	e.json("GET", "/api/v1/monitors?limit=2&cursor="+*p1.NextCursor, e.read, "", http.StatusOK, &p2)
	if len(p2.Items) != 2 || p2.Items[0].ID != ids[2] || p2.Items[1].ID != ids[3] || p2.Items[1].PingURL == "" {
		t.Fatalf("page 2: %+v", p2)
	}
	if p2.NextCursor != nil {
		var p3 pageOf[monitorView]
		e.json("GET", "/api/v1/monitors?limit=2&cursor="+*p2.NextCursor, e.read, "", http.StatusOK, &p3)
		if len(p3.Items) != 0 || p3.NextCursor != nil {
			t.Errorf("page 3: %+v", p3)
		}
	}

	// Filters.
	for _, c := range []struct {
		query string
		want  int
	}{
		{"type=heartbeat", 1}, {"type=http", 3}, {"status=new", 1}, {"status=pending", 3}, {"status=down", 0},
		{"from=" + url.QueryEscape(t0.Add(30*time.Minute).Format(time.RFC3339)), 1},
		{"to=" + t0.Add(30*time.Minute).Format(time.RFC3339), 3},
		{"from=2026-03-10T12:30:00+00:00", 1}, // an unescaped + arrives as a space
	} {
		var p pageOf[monitorView]
		e.json("GET", "/api/v1/monitors?"+c.query, e.read, "", http.StatusOK, &p)
		if len(p.Items) != c.want {
			t.Errorf("%s: %d monitors, want %d", c.query, len(p.Items), c.want)
		}
	}
	for _, c := range []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=ten", "limit"},
		{"status=sleepy", "status"}, {"type=ftp", "type"},
		{"from=yesterday", "from"}, {"from=2026-03-10T13:00:00Z&to=2026-03-10T12:00:00Z", "to"},
	} {
		e.fails("GET", "/api/v1/monitors?"+c.query, e.read, "", http.StatusBadRequest, "invalid_parameter", c.field)
	}
	for _, cur := range []string{"garbage!", "Zm9v", *p1.NextCursor + "x"} {
		e.fails("GET", "/api/v1/monitors?cursor="+url.QueryEscape(cur), e.read, "", http.StatusBadRequest, "invalid_cursor", "cursor")
	}
	e.json("GET", "/api/v1/monitors?limit=500", e.read, "", http.StatusOK, nil)
}

func TestListResultsPagination(t *testing.T) {
	e := newEnv(t)
	m := e.createMonitor(httpMonitor("web"))
	path := "/api/v1/monitors/" + strconv.FormatInt(m.ID, 10)
	// Five results a minute apart; the second is down.
	for i := range 5 {
		outcome := monitor.OutcomeUp
		if i == 1 {
			outcome = monitor.OutcomeDown
		}
		e.record(m.ID, t0.Add(time.Duration(i)*time.Minute), time.Duration(10+i)*time.Millisecond, outcome)
	}
	type result struct {
		ID         int64     `json:"id"`
		StartedAt  time.Time `json:"started_at"`
		DurationMs int64     `json:"duration_ms"`
		Outcome    string    `json:"outcome"`
		ErrorClass string    `json:"error_class"`
		Message    string    `json:"message"`
	}
	minute := func(r result) int { return int(r.StartedAt.Sub(t0) / time.Minute) }
	var p1 pageOf[result]
	e.json("GET", path+"/results?limit=2", e.read, "", http.StatusOK, &p1)
	if len(p1.Items) != 2 || minute(p1.Items[0]) != 4 || minute(p1.Items[1]) != 3 || p1.NextCursor == nil ||
		p1.Items[0].DurationMs != 14 {
		t.Fatalf("page 1: %+v", p1)
	}
	// New results arrive between pages: the next page goes on from where the first ended.
	e.record(m.ID, t0.Add(10*time.Minute), time.Millisecond, monitor.OutcomeUp)
	e.record(m.ID, t0.Add(11*time.Minute), time.Millisecond, monitor.OutcomeUp)
	var p2 pageOf[result]
	e.json("GET", path+"/results?limit=2&cursor="+*p1.NextCursor, e.read, "", http.StatusOK, &p2)
	if len(p2.Items) != 2 || minute(p2.Items[0]) != 2 || minute(p2.Items[1]) != 1 || p2.NextCursor == nil ||
		p2.Items[1].Outcome != "down" || p2.Items[1].ErrorClass != "timeout" || p2.Items[1].Message != "boom" {
		t.Fatalf("page 2: %+v", p2)
	}
	var p3 pageOf[result]
	e.json("GET", path+"/results?limit=2&cursor="+*p2.NextCursor, e.read, "", http.StatusOK, &p3)
	if len(p3.Items) != 1 || minute(p3.Items[0]) != 0 || p3.NextCursor != nil {
		t.Fatalf("page 3: %+v", p3)
	}

	for _, c := range []struct {
		query   string
		minutes []int
	}{
		{"outcome=down", []int{1}},
		{"from=2026-03-10T12:03:00Z", []int{11, 10, 4, 3}},
		{"from=2026-03-10T12:01:00Z&to=2026-03-10T12:03:00Z", []int{2, 1}},
		{"outcome=up&to=2026-03-10T12:02:00Z", []int{0}},
	} {
		var p pageOf[result]
		e.json("GET", path+"/results?"+c.query, e.read, "", http.StatusOK, &p)
		var got []int
		for _, r := range p.Items {
			got = append(got, minute(r))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.minutes) {
			t.Errorf("%s: minutes %v, want %v", c.query, got, c.minutes)
		}
	}
	e.fails("GET", path+"/results?outcome=sideways", e.read, "", http.StatusBadRequest, "invalid_parameter", "outcome")
	// A cursor of another list is refused.
	var mons pageOf[monitorView]
	e.createMonitor(httpMonitor("other"))
	e.json("GET", "/api/v1/monitors?limit=1", e.read, "", http.StatusOK, &mons)
	e.fails("GET", path+"/results?cursor="+*mons.NextCursor, e.read, "", http.StatusBadRequest, "invalid_cursor", "cursor")
}

func TestTrend(t *testing.T) {
	e := newEnv(t)
	m := e.createMonitor(httpMonitor("web"))
	path := "/api/v1/monitors/" + strconv.FormatInt(m.ID, 10) + "/trend"
	// Minute 0 (12:00): 20 checks of 1..20 ms, one of them down. Minute 1: 2 checks, 100 and
	// 300 ms, one degraded. Minute 5: one down only. All in the hour of 12:00; one check at
	// 13:10 in the next hour.
	for i := 1; i <= 20; i++ {
		outcome := monitor.OutcomeUp
		if i == 7 {
			outcome = monitor.OutcomeDown
		}
		e.record(m.ID, t0.Add(time.Duration(i)*time.Second), time.Duration(i)*time.Millisecond, outcome)
	}
	e.record(m.ID, t0.Add(70*time.Second), 100*time.Millisecond, monitor.OutcomeUp)
	e.record(m.ID, t0.Add(80*time.Second), 300*time.Millisecond, monitor.OutcomeDegraded)
	e.record(m.ID, t0.Add(5*time.Minute), time.Second, monitor.OutcomeDown)
	e.record(m.ID, t0.Add(70*time.Minute), 50*time.Millisecond, monitor.OutcomeUp)
	e.clk.Advance(2 * time.Hour)

	type bucket struct {
		Start    time.Time `json:"start"`
		Checks   int64     `json:"checks"`
		Ups      int64     `json:"ups"`
		Degraded int64     `json:"degraded"`
		Downs    int64     `json:"downs"`
		Uptime   float64   `json:"uptime"`
		Avg      *float64  `json:"avg_latency_ms"`
		P95      *float64  `json:"p95_latency_ms"`
		Max      *float64  `json:"max_latency_ms"`
	}
	type trend struct {
		MonitorID   int64     `json:"monitor_id"`
		Aggregation string    `json:"aggregation"`
		From        time.Time `json:"from"`
		To          time.Time `json:"to"`
		Buckets     []bucket  `json:"buckets"`
	}
	// 1m, from raw results. Minute 0: latencies 1..20 without 7 (19 successes): average
	// (210-7)/19, p95 the 19th of 19 (nearest rank of 18.05 -> 19th) = 20 ms.
	var tr trend
	e.json("GET", path+"?aggregation=1m&from=2026-03-10T12:00:30Z&to=2026-03-10T12:10:00Z", e.read, "", http.StatusOK, &tr)
	if tr.Aggregation != "1m" || !tr.From.Equal(t0) || len(tr.Buckets) != 3 {
		t.Fatalf("1m trend: %+v", tr)
	}
	b0, b1, b5 := tr.Buckets[0], tr.Buckets[1], tr.Buckets[2]
	if !b0.Start.Equal(t0) || b0.Checks != 20 || b0.Ups != 19 || b0.Downs != 1 || b0.Uptime != 0.95 ||
		!near(*b0.Avg, float64(203)/19) || *b0.P95 != 20 || *b0.Max != 20 {
		t.Errorf("minute 0: %+v avg %v p95 %v", b0, *b0.Avg, *b0.P95)
	}
	if !b1.Start.Equal(t0.Add(time.Minute)) || b1.Checks != 2 || b1.Ups != 2 || b1.Degraded != 1 || b1.Uptime != 1 ||
		*b1.Avg != 200 || *b1.P95 != 300 || *b1.Max != 300 {
		t.Errorf("minute 1: %+v", b1)
	}
	if !b5.Start.Equal(t0.Add(5*time.Minute)) || b5.Checks != 1 || b5.Ups != 0 || b5.Uptime != 0 || b5.Avg != nil || b5.P95 != nil {
		t.Errorf("minute 5: %+v", b5)
	}

	// 1h, from the hourly rollups: the same counts; the p95 is estimated within its
	// histogram bucket, so only bounded here.
	e.json("GET", path+"?aggregation=1h&from=2026-03-10T12:00:00Z&to=2026-03-10T14:00:00Z", e.read, "", http.StatusOK, &tr)
	if len(tr.Buckets) != 2 {
		t.Fatalf("1h trend: %+v", tr)
	}
	h0, h1 := tr.Buckets[0], tr.Buckets[1]
	if !h0.Start.Equal(t0) || h0.Checks != 23 || h0.Ups != 21 || h0.Downs != 2 || h0.Degraded != 1 ||
		h0.Uptime != float64(21)/23 || !near(*h0.Avg, float64(203+400)/21) || *h0.Max != 300 || *h0.P95 < 20 || *h0.P95 > 300 {
		t.Errorf("hour 12: %+v", h0)
	}
	if !h1.Start.Equal(t0.Add(time.Hour)) || h1.Checks != 1 || h1.Uptime != 1 || *h1.Avg != 50 {
		t.Errorf("hour 13: %+v", h1)
	}
	// The default is 1h over the last day.
	e.json("GET", path, e.read, "", http.StatusOK, &tr)
	if tr.Aggregation != "1h" || len(tr.Buckets) != 2 || !tr.To.Equal(e.clk.Now()) {
		t.Errorf("default trend: %+v", tr)
	}
	// 1d, from the daily rollups.
	e.json("GET", path+"?aggregation=1d", e.read, "", http.StatusOK, &tr)
	if len(tr.Buckets) != 1 || tr.Buckets[0].Checks != 24 || !tr.Buckets[0].Start.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("1d trend: %+v", tr)
	}

	for _, c := range []struct{ query, field string }{
		{"aggregation=5m", "aggregation"},
		{"aggregation=1m&from=2026-03-01T00:00:00Z&to=2026-03-01T01:00:00Z", "from"}, // beyond the results retention
		{"aggregation=1m&from=2026-03-09T00:00:00Z", "from"},                         // over a day of minutes
		{"aggregation=1h&from=2025-01-01T00:00:00Z", "from"},
		{"from=2026-03-10T13:00:00Z&to=2026-03-10T12:00:00Z", "to"},
		{"from=noon", "from"},
	} {
		e.fails("GET", path+"?"+c.query, e.read, "", http.StatusBadRequest, "invalid_parameter", c.field)
	}
}

// near compares milliseconds to the microsecond the API gives them.
func near(a, b float64) bool { return math.Abs(a-b) < 0.001 }

func TestTokensAPI(t *testing.T) {
	e := newEnv(t)
	type token struct {
		ID         int64      `json:"id"`
		Name       string     `json:"name"`
		Prefix     string     `json:"prefix"`
		Scope      string     `json:"scope"`
		Active     bool       `json:"active"`
		ExpiresAt  *time.Time `json:"expires_at"`
		LastUsedAt *time.Time `json:"last_used_at"`
		RevokedAt  *time.Time `json:"revoked_at"`
		Token      string     `json:"token"`
	}
	var created token
	e.json("POST", "/api/v1/tokens", e.write, `{"name": "ci", "scope": "read", "expires_in": "720h"}`, http.StatusCreated, &created)
	if !strings.HasPrefix(created.Token, "st_") || created.Scope != "read" || !created.Active || created.ExpiresAt == nil ||
		!created.ExpiresAt.Equal(t0.Add(720*time.Hour)) || !strings.HasPrefix(created.Token, created.Prefix) {
		t.Fatalf("created: %+v", created)
	}
	e.json("GET", "/api/v1/monitors", created.Token, "", http.StatusOK, nil)
	var list pageOf[token]
	a := e.json("GET", "/api/v1/tokens?limit=2", e.read, "", http.StatusOK, &list)
	if len(list.Items) != 2 || list.NextCursor == nil || list.Items[0].Name != "writer" || strings.Contains(a.Body, `"token"`) {
		t.Fatalf("token list: %s", a.Body)
	}
	e.json("GET", "/api/v1/tokens?cursor="+*list.NextCursor, e.read, "", http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != created.ID || list.Items[0].LastUsedAt == nil || list.NextCursor != nil {
		t.Fatalf("token list page 2: %+v", list)
	}

	// Revoke: 204, then the token is refused; revoking again changes nothing.
	path := "/api/v1/tokens/" + strconv.FormatInt(created.ID, 10)
	if a := e.do("DELETE", path, e.write, ""); a.Status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", a.Status, a.Body)
	}
	e.fails("GET", "/api/v1/monitors", created.Token, "", http.StatusUnauthorized, "unauthorized", "")
	e.clk.Advance(time.Minute)
	if a := e.do("DELETE", path, e.write, ""); a.Status != http.StatusNoContent {
		t.Errorf("revoke again: %d", a.Status)
	}
	e.json("GET", "/api/v1/tokens?from=2026-03-10T12:00:00Z", e.read, "", http.StatusOK, &list)
	last := list.Items[len(list.Items)-1]
	if last.Active || last.RevokedAt == nil || !last.RevokedAt.Equal(t0) {
		t.Errorf("revoked token: %+v", last)
	}
	e.fails("DELETE", "/api/v1/tokens/999", e.write, "", http.StatusNotFound, "not_found", "")

	for _, c := range []struct{ body, field string }{
		{`{"name": "x"}`, "scope"},
		{`{"name": "x", "scope": "admin"}`, "scope"},
		{`{"name": "", "scope": "read"}`, "name"},
		{`{"name": "x", "scope": "read", "expires_at": "tomorrow"}`, "expires_at"},
		{`{"name": "x", "scope": "read", "expires_at": "2020-01-01T00:00:00Z"}`, "expires_at"},
		{`{"name": "x", "scope": "read", "expires_at": "2030-01-01T00:00:00Z", "expires_in": "1h"}`, "expires_in"},
	} {
		e.fails("POST", "/api/v1/tokens", e.write, c.body, http.StatusUnprocessableEntity, "validation_failed", c.field)
	}
	e.fails("POST", "/api/v1/tokens", e.write, `{"name": "x", "scope": "read", "owner": "me"}`, http.StatusBadRequest, "unknown_field", "owner")
	// A write token may revoke itself.
	if a := e.do("DELETE", "/api/v1/tokens/1", e.write, ""); a.Status != http.StatusNoContent {
		t.Errorf("self-revoke: %d", a.Status)
	}
	e.fails("GET", "/api/v1/tokens", e.write, "", http.StatusUnauthorized, "unauthorized", "")
}
