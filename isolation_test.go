package main

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/api"
	"statusthing/app/auth"
	"statusthing/app/incident"
	"statusthing/app/web"
)

// TestOrganizationsAreIsolated sets up two organizations with look-alike data, then, from
// organization A, requests every admin route and calls every API operation that takes an
// id with organization B's ids: reads answer 404, changes are refused, and B's data is the
// same afterwards. The routes come from the routers, so a new one is covered at once.
func TestOrganizationsAreIsolated(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	down := newTarget(t)
	down.status.Store(http.StatusServiceUnavailable)

	// Organization B, made by the instance admin (who then works in it).
	if res := post(t, s, c, "/admin/instance", "/admin/instance/organizations", url.Values{"name": {"Bravo"}, "slug": {"bravo"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("create organization: %d\n%s", res.Status, res.Body)
	}
	orgs, err := s.Store.Organizations(ctx)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("organizations %+v %v", orgs, err)
	}
	orgA, orgB := orgs[0], orgs[1]
	token := func(org string) apiClient {
		code, out, errOut := runCLI(t, []string{"STATUSTHING_DATABASE_PATH=" + s.DBPath}, "", "token", "create", "--name", "iso "+org, "--org", org)
		if code != exitOK {
			t.Fatalf("token create: %d %s", code, errOut)
		}
		return apiClient{t, s.URL, strings.TrimSpace(out)}
	}
	a, b := token(orgA.Slug), token("bravo")

	// The same things in both: B's ids are what A will try.
	ids := map[string]string{}
	for _, cl := range []apiClient{a, b} {
		var ch struct{ ID int64 }
		if code, _ := cl.call("POST", "/api/v1/channels", `{"name":"ops","type":"webhook","is_default":true,"settings":{"url":"http://127.0.0.1:1/x","secret":"s"}}`, &ch); code != http.StatusCreated {
			t.Fatalf("channel: %d", code)
		}
		var m struct{ ID int64 }
		if code, _ := cl.call("POST", "/api/v1/monitors", `{"name":"Shop","type":"http","url":"`+down.URL+`","interval":"1h","retries":0}`, &m); code != http.StatusCreated {
			t.Fatalf("monitor: %d", code)
		}
		cl.call("POST", "/api/v1/monitors/"+strconv.FormatInt(m.ID, 10)+"/check", "", nil)
		var p struct {
			ID         int64
			Components []struct{ ID int64 }
		}
		if code, _ := cl.call("POST", "/api/v1/pages", `{"slug":"shop-`+strconv.FormatInt(m.ID, 10)+`","title":"Shop","components":[{"name":"Shop","monitor_id":`+strconv.FormatInt(m.ID, 10)+`}]}`, &p); code != http.StatusCreated {
			t.Fatalf("page: %d", code)
		}
		var mw struct{ ID int64 }
		start := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		end := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		if code, _ := cl.call("POST", "/api/v1/maintenances", `{"title":"Upgrade","start_at":"`+start+`","end_at":"`+end+`"}`, &mw); code != http.StatusCreated {
			t.Fatalf("maintenance: %d", code)
		}
		var inc struct{ ID int64 }
		if code, _ := cl.call("POST", "/api/v1/incidents", `{"title":"Slow","message":"Looking","component_ids":[`+strconv.FormatInt(p.Components[0].ID, 10)+`]}`, &inc); code != http.StatusCreated {
			t.Fatalf("incident: %d", code)
		}
		var sub struct{ ID int64 }
		if code, _ := cl.call("POST", "/api/v1/pages/"+itoa(p.ID)+"/subscribers", `{"kind":"webhook","address":"http://127.0.0.1:1/sub"}`, &sub); code != http.StatusCreated {
			t.Fatalf("subscriber: %d", code)
		}
		if cl == b {
			ids["subscribers"] = itoa(sub.ID)
			ids["monitors"], ids["pages"], ids["maintenance"], ids["maintenances"] = itoa(m.ID), itoa(p.ID), itoa(mw.ID), itoa(mw.ID)
			ids["incidents"], ids["channels"], ids["components"] = itoa(inc.ID), itoa(ch.ID), itoa(p.Components[0].ID)
			var results struct{ Items []struct{ ID int64 } }
			cl.call("GET", "/api/v1/monitors/"+itoa(m.ID)+"/results", "", &results)
			if len(results.Items) == 0 {
				t.Fatal("no result in B")
			}
			ids["results"] = itoa(results.Items[0].ID)
			var toks struct{ Items []struct{ ID int64 } }
			cl.call("GET", "/api/v1/tokens", "", &toks)
			ids["tokens"] = itoa(toks.Items[0].ID)
		}
	}
	// B's outbox row, member and invitation.
	incs, err := s.Store.Incidents(ctx, orgB.ID, incidentFilterAll(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range incs {
		if alerts, _ := s.Store.IncidentAlerts(ctx, orgB.ID, in.ID); len(alerts) > 0 {
			ids["alerts"] = itoa(alerts[0].ID)
		}
	}
	hash, _ := auth.HashPassword(testPassword)
	bOnly, err := s.Store.CreateUser(ctx, auth.User{Email: "only-b@example.com", PasswordHash: hash}, orgB.ID, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	ids["members"] = itoa(bOnly.ID)
	inv, err := s.Store.CreateInvitation(ctx, auth.Invitation{OrgID: orgB.ID, Email: "x@example.com", Role: auth.RoleViewer,
		TokenHash: []byte("iso"), CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ids["invitations"] = itoa(inv.ID)
	for _, k := range []string{"alerts", "results"} {
		if ids[k] == "" {
			t.Fatalf("no %s in B", k)
		}
	}

	// B as B sees it, before and after.
	snapshot := func() string {
		var out strings.Builder
		for _, p := range []string{"/api/v1/monitors", "/api/v1/incidents", "/api/v1/maintenances", "/api/v1/pages", "/api/v1/channels", "/api/v1/tokens"} {
			var v any
			b.call("GET", p, "", &v)
			raw, _ := json.Marshal(v)
			out.Write(raw)
		}
		members, _ := s.Store.Members(ctx, orgB.ID)
		invs, _ := s.Store.Invitations(ctx, orgB.ID)
		raw, _ := json.Marshal([]any{members, invs})
		out.Write(raw)
		return regexp.MustCompile(`"(last_used_at|duration_ms)":("[^"]*"|\d+)`).ReplaceAllString(out.String(), "")
	}
	before := snapshot()

	// The session works in A again.
	post(t, s, c, "/admin", "/admin/organization", url.Values{"org": {itoa(orgA.ID)}})
	csrf := csrfOf(t, do(t, c, "GET", s.URL+"/admin", nil, nil).Body)
	if !strings.Contains(do(t, c, "GET", s.URL+"/admin/settings", nil, nil).Body, orgA.Name) {
		t.Fatal("the session is not back in A")
	}
	fill := func(pattern string) (string, bool) {
		ok := true
		out := regexp.MustCompile(`([a-z]+)/\{([a-z]+)\}`).ReplaceAllStringFunc(pattern, func(seg string) string {
			m := regexp.MustCompile(`([a-z]+)/\{([a-z]+)\}`).FindStringSubmatch(seg)
			kind := m[1]
			switch m[2] {
			case "rid":
				kind = "results"
			case "cid":
				kind = "components"
			case "token", "slug", "monitor":
				ok = false
			}
			id, found := ids[kind]
			if !found {
				ok = false
			}
			return m[1] + "/" + id
		})
		return out, ok && strings.Contains(pattern, "{")
	}
	checked := 0
	for _, rt := range web.New(web.Options{}).AdminRoutes() {
		u, ok := fill(rt.Pattern)
		if !ok || rt.Pattern == "/admin/instance" {
			continue
		}
		checked++
		t.Run("web "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
			var res response
			switch {
			case rt.Method == "GET":
				res = do(t, c, "GET", s.URL+u, nil, nil)
			case rt.Upload:
				res.Status = postMultipart(t, c, s.URL+u, csrf)
			default:
				res = do(t, c, "POST", s.URL+u, url.Values{"csrf_token": {csrf}, "role": {"viewer"}, "text": {"x"}, "message": {"x"}}, nil)
			}
			if res.Status != http.StatusNotFound {
				t.Errorf("%s %s with B's ids: %d, want 404", rt.Method, u, res.Status)
			}
			for _, secret := range []string{"only-b@example.com", "x@example.com"} {
				if strings.Contains(res.Body, secret) {
					t.Errorf("%s %s shows B's %s", rt.Method, u, secret)
				}
			}
		})
	}
	for _, op := range api.New(api.Options{}).Operations() {
		u, ok := fill(op.Path)
		if !ok {
			continue
		}
		checked++
		t.Run("api "+op.Method+" "+op.Path, func(t *testing.T) {
			// Without a body, only the organization can stop the call: 404. With one, an
			// empty body may be refused before the lookup (400/415/422, which say nothing
			// of B); the snapshot below proves nothing changed either way.
			body := ""
			if op.Body {
				body = "{}"
			}
			var raw json.RawMessage
			code, _ := a.call(op.Method, u, body, &raw)
			refusedEarly := op.Body && (code == http.StatusBadRequest || code == http.StatusUnsupportedMediaType || code == http.StatusUnprocessableEntity)
			if code != http.StatusNotFound && !refusedEarly {
				t.Errorf("%s %s with B's ids: %d %s, want 404", op.Method, u, code, raw)
			}
			if strings.Contains(string(raw), "only-b@example.com") || strings.Contains(string(raw), "Shop is down") {
				t.Errorf("%s %s shows B's data: %s", op.Method, u, raw)
			}
		})
	}
	// A's lists hold none of B's rows.
	for _, l := range []struct{ path, kind, key string }{
		{"/api/v1/monitors", "monitors", "id"}, {"/api/v1/incidents", "incidents", "id"}, {"/api/v1/maintenances", "maintenances", "id"},
		{"/api/v1/pages", "pages", "id"}, {"/api/v1/channels", "channels", "id"}, {"/api/v1/tokens", "tokens", "id"},
		{"/api/v1/members", "members", "user_id"}, {"/api/v1/invitations", "invitations", "id"}, {"/api/v1/audit", "", ""},
		{"/api/v1/pages/" + ids["pages"] + "/subscribers", "", ""},
	} {
		var out struct{ Items []map[string]any }
		code, _ := a.call("GET", l.path, "", &out)
		if l.kind == "" {
			if code == http.StatusOK && len(out.Items) > 0 && l.path != "/api/v1/audit" {
				t.Errorf("A lists %d of B's items at %s", len(out.Items), l.path)
			}
			continue
		}
		for _, item := range out.Items {
			if id, _ := item[l.key].(float64); itoa(int64(id)) == ids[l.kind] {
				t.Errorf("A's %s lists B's %s %v", l.path, l.kind, item)
			}
		}
	}
	var audit struct {
		Items []struct{ Actor, Target string }
	}
	a.call("GET", "/api/v1/audit?limit=500", "", &audit)
	for _, e := range audit.Items {
		if e.Actor == "token:iso bravo" {
			t.Errorf("A's audit log shows B's change %+v", e)
		}
	}
	if checked < 40 {
		t.Errorf("only %d routes take an id", checked)
	}
	if after := snapshot(); after != before {
		t.Errorf("B changed:\nbefore %s\nafter  %s", before, after)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func incidentFilterAll() incident.Filter { return incident.Filter{} }

// postMultipart posts a multipart form holding only the CSRF token, as a file upload form
// with no file; it returns the status.
func postMultipart(t *testing.T, c *http.Client, u, csrf string) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", csrf)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", u, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
