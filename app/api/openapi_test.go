package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/api"
	"statusthing/app/monitor"
)

// openAPIDoc fetches and parses the served document.
func openAPIDoc(t *testing.T, e *env) map[string]any {
	t.Helper()
	a := e.do("GET", "/api/v1/openapi.json", "", "")
	if a.Status != http.StatusOK || a.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %q", a.Status, a.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.Body), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// operations lists the document's operations as mux patterns ("GET /api/v1/monitors").
func operations(doc map[string]any) map[string]map[string]any {
	server := doc["servers"].([]any)[0].(map[string]any)["url"].(string)
	out := map[string]map[string]any{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			out[strings.ToUpper(method)+" "+server+path] = op.(map[string]any)
		}
	}
	return out
}

// TestOpenAPIMatchesRouter holds the document against the mux: every registered route is
// documented and every documented operation is registered and answers as documented.
func TestOpenAPIMatchesRouter(t *testing.T) {
	e := newEnv(t)
	doc := openAPIDoc(t, e)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc["openapi"])
	}
	ops := operations(doc)
	h := api.New(api.Options{})
	registered := h.RegisteredRoutes()
	if len(registered) == 0 {
		t.Fatal("no routes registered")
	}
	for _, p := range registered {
		if ops[p] == nil {
			t.Errorf("route %s is not in the OpenAPI document", p)
		}
	}
	for p := range ops {
		if !slices.Contains(registered, p) {
			t.Errorf("operation %s of the document is not registered", p)
		}
	}

	// Every documented operation reaches its handler: without a token it answers 401 (the
	// routing fallbacks answer 404 or 405), the public one 200. Undocumented methods on a
	// documented path answer 405 with exactly the documented methods in Allow.
	methods := map[string][]string{}
	for p, op := range ops {
		method, path, _ := strings.Cut(p, " ")
		methods[path] = append(methods[path], method)
		url := strings.NewReplacer("{id}", "1", "{rid}", "1", "{cid}", "1").Replace(path)
		want := http.StatusUnauthorized
		if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
			want = http.StatusOK
		}
		if a := e.do(method, url, "", ""); a.Status != want {
			t.Errorf("%s %s without a token: %d, want %d (%s)", method, url, a.Status, want, a.Body)
		}
		// Its documented query parameters are accepted, others refused.
		var q []string
		for _, prm := range asSlice(op["parameters"]) {
			if prm := prm.(map[string]any); prm["in"] == "query" {
				q = append(q, prm["name"].(string)+"=")
			}
		}
		if method == "GET" {
			if a := e.do(method, url+"?"+strings.Join(q, "&"), e.write, ""); a.Status == http.StatusBadRequest {
				t.Errorf("%s %s with its documented parameters: %s", method, url, a.Body)
			}
			e.fails(method, url+"?bogus=1", e.write, "", http.StatusBadRequest, "invalid_parameter", "bogus")
		}
		// Each documented status is one the wrapper or handler can produce: at least the
		// success and the auth ones are there.
		responses := op["responses"].(map[string]any)
		if want == http.StatusUnauthorized && responses["401"] == nil {
			t.Errorf("%s %s does not document 401", method, path)
		}
		if method != "GET" && want == http.StatusUnauthorized && responses["403"] == nil {
			t.Errorf("%s %s does not document 403", method, path)
		}
	}
	for path, ms := range methods {
		url := strings.NewReplacer("{id}", "1", "{rid}", "1", "{cid}", "1").Replace(path)
		allow := slices.Clone(ms)
		if slices.Contains(allow, "GET") {
			allow = append(allow, "HEAD")
		}
		a := e.do("TRACE", url, e.write, "")
		got := strings.Split(a.Header.Get("Allow"), ", ")
		slices.Sort(got)
		slices.Sort(allow)
		if a.Status != http.StatusMethodNotAllowed || !slices.Equal(got, allow) {
			t.Errorf("TRACE %s: %d Allow %v, want 405 %v", url, a.Status, got, allow)
		}
	}

	// Every $ref resolves.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok && resolve(doc, r) == nil {
				t.Errorf("unresolved $ref %s", r)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// TestOpenAPISchemasMatchAnswers validates real answers against the document's schemas.
func TestOpenAPISchemasMatchAnswers(t *testing.T) {
	e := newEnv(t)
	doc := openAPIDoc(t, e)
	web := e.createMonitor(`{"name": "web", "type": "http", "url": "https://example.com/", "bearer_token": "t",
		"headers": {"A": "b"}, "json": ["$.ok == true"], "retries": 0}`)
	hb := e.createMonitor(`{"name": "job", "type": "heartbeat", "cron": "0 3 * * *", "timezone": "Europe/Paris"}`)
	e.createMonitor(`{"name": "dns", "type": "dns", "hostname": "example.com", "expected": ["1.2.3.4"]}`)
	e.createMonitor(`{"name": "tls", "type": "tls", "address": "example.com"}`)
	e.createMonitor(`{"name": "tcp", "type": "tcp", "address": "example.com:25", "paused": true}`)
	e.record(web.ID, t0, 10*time.Millisecond, monitor.OutcomeUp)
	e.record(web.ID, t0.Add(time.Second), 10*time.Millisecond, monitor.OutcomeDown)
	if a := e.do("POST", strings.TrimPrefix(hb.PingURL, baseURL)+"/5", "", "out"); a.Status != http.StatusOK {
		t.Fatal(a.Body)
	}
	e.clk.Advance(time.Minute)
	id := strconv.FormatInt(web.ID, 10)
	hid := strconv.FormatInt(hb.ID, 10)
	pg := e.createPage(`{"slug": "acme", "title": "Acme", "custom_domain": "status.example.com", "collapsed_groups": ["B"],
		"components": [{"name": "Web", "monitor_id": ` + id + `, "show_response_time": true}, {"name": "Chat", "group": "B"}]}`)
	pid := strconv.FormatInt(pg.ID, 10)
	cid := strconv.FormatInt(pg.Components[1].ID, 10)
	var declared incidentView
	e.json("POST", "/api/v1/incidents", e.write, `{"title": "Chat down", "impact": "major", "component_ids": [`+cid+`], "message": "m"}`,
		http.StatusCreated, &declared)
	iid := strconv.FormatInt(declared.ID, 10)
	var ch struct{ ID int64 }
	e.json("POST", "/api/v1/channels", e.write, `{"name": "hook", "type": "webhook", "settings": {"url": "https://hooks.example.com/x", "secret": "s"}}`,
		http.StatusCreated, &ch)
	chid := strconv.FormatInt(ch.ID, 10)
	var mw struct{ ID int64 }
	e.json("POST", "/api/v1/maintenances", e.write, `{"title": "m", "cron": "0 3 * * *", "duration_ms": 60000}`, http.StatusCreated, &mw)
	mid := strconv.FormatInt(mw.ID, 10)
	png := "\x89PNG\r\n\x1a\n...."
	validated := map[string]bool{}
	for _, c := range []struct {
		method, path, body, schema string
	}{
		{"GET", "/api/v1/monitors", "", "MonitorPage"},
		{"GET", "/api/v1/monitors?limit=1", "", "MonitorPage"},
		{"GET", "/api/v1/monitors/" + hid, "", "Monitor"},
		{"POST", "/api/v1/monitors/" + id + "/check", "", "CheckAnswer"},
		{"GET", "/api/v1/monitors/" + id + "/results", "", "ResultPage"},
		{"GET", "/api/v1/monitors/" + id + "/flips", "", "FlipPage"},
		{"GET", "/api/v1/monitors/" + hid + "/pings", "", "PingPage"},
		{"GET", "/api/v1/monitors/" + id + "/trend?aggregation=1m&from=2026-03-10T12:00:00Z", "", "Trend"},
		{"GET", "/api/v1/monitors/" + id + "/trend?aggregation=1d", "", "Trend"},
		{"POST", "/api/v1/tokens", `{"name": "x", "scope": "read", "expires_in": "1h"}`, "CreatedToken"},
		{"GET", "/api/v1/tokens", "", "TokenPage"},
		{"GET", "/api/v1/audit", "", "AuditEntryPage"},
		{"POST", "/api/v1/invitations", `{"email": "new@example.com", "role": "viewer"}`, "CreatedInvitation"},
		{"GET", "/api/v1/invitations", "", "InvitationPage"},
		{"GET", "/api/v1/members", "", "MemberPage"},
		{"PATCH", "/api/v1/members/1", `{"role": "owner"}`, "Member"},
		{"GET", "/api/v1/organization", "", "Organization"},
		{"GET", "/api/v1/monitors/999", "", "Error"},
		{"POST", "/api/v1/monitors", `{"name": ""}`, "Error"},
		{"GET", "/api/v1/openapi.json", "", "OpenAPI"},
		{"GET", "/api/v1/monitors/" + id, "", "Monitor"},
		{"GET", "/api/v1/incidents", "", "IncidentPage"},
		{"GET", "/api/v1/incidents/" + iid, "", "IncidentDetail"},
		{"POST", "/api/v1/incidents", `{"title": "t", "message": "m"}`, "IncidentDetail"},
		{"POST", "/api/v1/incidents/" + iid + "/updates", `{"status": "identified", "message": "m", "impact": "minor"}`, "IncidentDetail"},
		{"GET", "/api/v1/incidents/" + iid + "/updates", "", "IncidentUpdatePage"},
		{"POST", "/api/v1/incidents/" + iid + "/updates", `{"status": "bogus", "message": ""}`, "Error"},
		{"POST", "/api/v1/incidents/" + iid + "/acknowledge", "", "IncidentDetail"},
		{"GET", "/api/v1/channels", "", "ChannelPage"},
		{"GET", "/api/v1/channels/" + chid, "", "Channel"},
		{"POST", "/api/v1/channels/" + chid + "/test", "", "ChannelTest"},
		{"GET", "/api/v1/maintenances", "", "MaintenancePage"},
		{"GET", "/api/v1/maintenances/" + mid, "", "Maintenance"},
		{"GET", "/api/v1/pages", "", "PagePage"},
		{"GET", "/api/v1/pages/" + pid, "", "Page"},
		{"PATCH", "/api/v1/pages/" + pid, `{"description": "d"}`, "Page"},
		{"GET", "/api/v1/pages/" + pid + "/components", "", "ComponentPage"},
		{"GET", "/api/v1/pages/" + pid + "/components/" + cid, "", "Component"},
		{"PATCH", "/api/v1/pages/" + pid + "/components/" + cid, `{"position": 0}`, "Component"},
		{"POST", "/api/v1/pages/" + pid + "/components", `{"name": "New"}`, "Component"},
		{"POST", "/api/v1/pages", `{"slug": "Bad slug"}`, "Error"},
		{"POST", "/api/v1/pages/" + pid + "/subscribers", `{"kind": "webhook", "address": "https://hooks.example.com/s", "secret": "k"}`, "Subscriber"},
		{"POST", "/api/v1/pages/" + pid + "/subscribers", `{"address": "ann@example.com", "confirmed": true}`, "Subscriber"},
		{"POST", "/api/v1/pages/" + pid + "/subscribers", `{"address": "bob@example.com"}`, "Subscriber"},
		{"POST", "/api/v1/pages/" + pid + "/subscribers", `{"address": "nope"}`, "Error"},
		{"GET", "/api/v1/pages/" + pid + "/subscribers", "", "SubscriberPage"},
	} {
		a := e.do(c.method, c.path, e.write, c.body)
		validated[c.schema] = true
		var v any
		if err := json.Unmarshal([]byte(a.Body), &v); err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		for _, problem := range validate(doc, ref(c.schema), v, "$") {
			t.Errorf("%s %s against %s: %s\n%s", c.method, c.path, c.schema, problem, a.Body)
		}
	}
	a := e.do("PUT", "/api/v1/pages/"+pid+"/logo", e.write, png, "Content-Type", "image/png")
	var logoAnswer any
	if err := json.Unmarshal([]byte(a.Body), &logoAnswer); err != nil || a.Status != http.StatusOK {
		t.Fatalf("logo: %d %s", a.Status, a.Body)
	}
	for _, problem := range validate(doc, ref("Page"), logoAnswer, "$") {
		t.Errorf("PUT logo against Page: %s", problem)
	}

	// Every schema an operation answers with was held against a real answer above.
	for p, op := range operations(doc) {
		for status, resp := range op["responses"].(map[string]any) {
			content, _ := resp.(map[string]any)["content"].(map[string]any)
			js, _ := content["application/json"].(map[string]any)
			if js == nil || !strings.HasPrefix(status, "2") {
				continue
			}
			name := strings.TrimPrefix(js["schema"].(map[string]any)["$ref"].(string), "#/components/schemas/")
			if !validated[name] {
				t.Errorf("%s answers %s, which no case of this test validates", p, name)
			}
		}
	}

	// Request bodies too: a GET answer is a valid PUT body, and PATCH takes any subset.
	var m any
	e.json("GET", "/api/v1/monitors/"+id, e.read, "", http.StatusOK, &m)
	for _, problem := range validate(doc, ref("Monitor"), m, "$") {
		t.Errorf("monitor: %s", problem)
	}
	for _, problem := range validate(doc, ref("MonitorPatch"), map[string]any{"interval": nil, "url": "https://x/"}, "$") {
		t.Errorf("patch: %s", problem)
	}
	if len(validate(doc, ref("MonitorPatch"), map[string]any{"id": 3}, "$")) == 0 {
		t.Error("MonitorPatch accepts the read-only id")
	}
	// A page's GET answer can be sent back as a creation body; patches take writable keys.
	var pageAnswer any
	e.json("GET", "/api/v1/pages/"+pid, e.read, "", http.StatusOK, &pageAnswer)
	for _, problem := range validate(doc, ref("PageInput"), pageAnswer, "$") {
		t.Errorf("page as PageInput: %s", problem)
	}
	for _, c := range []struct {
		schema string
		body   map[string]any
		ok     bool
	}{
		{"PagePatch", map[string]any{"title": "x", "custom_domain": nil, "components": []any{map[string]any{"id": 1.0, "name": "a"}}}, true},
		{"PagePatch", map[string]any{"url": "x"}, false},
		{"ComponentPatch", map[string]any{"name": "x", "monitor_id": nil, "position": 2.0}, true},
		{"ComponentPatch", map[string]any{"id": 3.0}, false},
		{"IncidentDeclaration", map[string]any{"title": "t", "message": "m", "impact": "critical", "component_ids": []any{1.0}}, true},
		{"IncidentDeclaration", map[string]any{"title": "t", "message": "m", "impact": "huge"}, false},
		{"IncidentUpdateInput", map[string]any{"status": "resolved", "message": "m"}, true},
	} {
		if problems := validate(doc, ref(c.schema), c.body, "$"); (len(problems) == 0) != c.ok {
			t.Errorf("%s %v: problems %v, want ok %v", c.schema, c.body, problems, c.ok)
		}
	}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func resolve(doc map[string]any, r string) map[string]any {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(r, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
	}
	m, _ := cur.(map[string]any)
	return m
}

// validate checks v against the subset of JSON Schema the document uses.
func validate(doc, s map[string]any, v any, at string) []string {
	if r, ok := s["$ref"].(string); ok {
		return validate(doc, resolve(doc, r), v, at)
	}
	if anyOf, ok := s["anyOf"].([]any); ok {
		for _, alt := range anyOf {
			if len(validate(doc, alt.(map[string]any), v, at)) == 0 {
				return nil
			}
		}
		return []string{at + ": matches no alternative"}
	}
	var problems []string
	if t, ok := s["type"]; ok && !typeMatches(t, v) {
		return []string{fmt.Sprintf("%s: %T (%v) is not of type %v", at, v, v, t)}
	}
	if enum, ok := s["enum"].([]any); ok && v != nil && !slices.Contains(enum, v) {
		problems = append(problems, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	if s["format"] == "date-time" {
		if str, ok := v.(string); ok {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				problems = append(problems, at+": not a date-time: "+str)
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := v[r.(string)]; !ok {
				problems = append(problems, at+": missing required "+r.(string))
			}
		}
		for k, x := range v {
			ps, ok := props[k].(map[string]any)
			switch {
			case ok:
				problems = append(problems, validate(doc, ps, x, at+"."+k)...)
			case s["additionalProperties"] == false:
				problems = append(problems, at+": unexpected key "+k)
			case s["additionalProperties"] != nil:
				problems = append(problems, validate(doc, s["additionalProperties"].(map[string]any), x, at+"."+k)...)
			case props != nil:
				problems = append(problems, at+": undocumented key "+k)
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range v {
				problems = append(problems, validate(doc, items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return problems
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func typeMatches(t any, v any) bool {
	for _, name := range append(asSlice(t), t) {
		switch name {
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "null":
			if v == nil {
				return true
			}
		case "number":
			if _, ok := v.(float64); ok {
				return true
			}
		case "integer":
			if f, ok := v.(float64); ok && f == float64(int64(f)) {
				return true
			}
		}
	}
	return false
}
