package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// apiClient calls the JSON API of a test server with a bearer token, as curl does in the
// README's walkthrough.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// call sends body (JSON, "" for none) and decodes the answer into out (if not nil).
func (a apiClient) call(method, path, body string, out any) (int, http.Header) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %d %q: %v", method, path, res.StatusCode, b, err)
		}
	}
	return res.StatusCode, res.Header
}

// createToken runs `statusthing token create` against the server's database.
func createToken(t *testing.T, s *testServer, scope string) string {
	t.Helper()
	code, out, errOut := runCLI(t, []string{"STATUSTHING_DATABASE_PATH=" + s.DBPath}, "",
		"token", "create", "--name", "api test "+scope, "--scope", scope)
	if code != exitOK {
		t.Fatalf("token create: exit %d %s", code, errOut)
	}
	return strings.TrimSpace(out)
}

// TestJSONAPIWalkthrough follows the README's curl walkthrough on the real server: a token
// from the CLI, an HTTP monitor checked now, a heartbeat pinged, their history and trend.
func TestJSONAPIWalkthrough(t *testing.T) {
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))
	secret := createToken(t, s, "write")
	api := apiClient{t: t, base: s.URL + "/api/v1", token: secret}
	tg := newTarget(t)

	type monitorJSON struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Status  string `json:"status"`
		PingURL string `json:"ping_url"`
	}
	var web monitorJSON
	code, hdr := api.call("POST", "/monitors", `{"name": "Website", "type": "http", "url": "`+tg.URL+`/health",
		"interval": "30s", "json": ["$.status == \"ok\""]}`, &web)
	if code != http.StatusCreated || web.ID == 0 || web.Status != "pending" ||
		hdr.Get("Location") != "/api/v1/monitors/"+strconv.FormatInt(web.ID, 10) {
		t.Fatalf("create http monitor: %d %+v %q", code, web, hdr.Get("Location"))
	}
	// The web layer's middleware wraps the API too.
	if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", hdr)
	}
	webPath := "/monitors/" + strconv.FormatInt(web.ID, 10)
	var check struct {
		Result struct {
			Outcome string `json:"outcome"`
			Details struct {
				StatusCode int `json:"status_code"`
			} `json:"details"`
		} `json:"result"`
		Monitor monitorJSON `json:"monitor"`
	}
	if code, _ := api.call("POST", webPath+"/check", "", &check); code != http.StatusOK || check.Result.Outcome != "up" ||
		check.Result.Details.StatusCode != 200 || check.Monitor.Status != "up" || tg.hits.Load() == 0 {
		t.Fatalf("check now: %d %+v", code, check)
	}

	var hb monitorJSON
	if code, _ := api.call("POST", "/monitors", `{"name": "Nightly backup", "type": "heartbeat", "period": "24h", "grace": "1h"}`, &hb); code != http.StatusCreated || !strings.HasPrefix(hb.PingURL, s.URL+"/ping/") {
		t.Fatalf("create heartbeat: %d %+v", code, hb)
	}
	if code, body, _ := curl(t, "GET", hb.PingURL, ""); code != http.StatusOK || body != "OK" {
		t.Fatalf("ping: %d %q", code, body)
	}
	hbPath := "/monitors/" + strconv.FormatInt(hb.ID, 10)
	var got monitorJSON
	if api.call("GET", hbPath, "", &got); got.Status != "up" {
		t.Errorf("heartbeat after its ping: %+v", got)
	}
	var pings struct {
		Items []struct {
			Kind      string `json:"kind"`
			UserAgent string `json:"user_agent"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	if code, _ := api.call("GET", hbPath+"/pings", "", &pings); code != http.StatusOK || len(pings.Items) != 1 ||
		pings.Items[0].Kind != "success" || pings.Items[0].UserAgent != "curl/8.5.0" || pings.NextCursor != nil {
		t.Errorf("pings: %d %+v", code, pings)
	}

	var trend struct {
		Aggregation string `json:"aggregation"`
		Buckets     []struct {
			Checks int64   `json:"checks"`
			Uptime float64 `json:"uptime"`
		} `json:"buckets"`
	}
	for _, agg := range []string{"1m", "1h", "1d"} {
		if code, _ := api.call("GET", webPath+"/trend?aggregation="+agg, "", &trend); code != http.StatusOK ||
			trend.Aggregation != agg || len(trend.Buckets) != 1 || trend.Buckets[0].Checks != 1 || trend.Buckets[0].Uptime != 1 {
			t.Errorf("trend %s: %d %+v", agg, code, trend)
		}
	}
	var list struct {
		Items []monitorJSON `json:"items"`
	}
	if code, _ := api.call("GET", "/monitors?type=heartbeat", "", &list); code != http.StatusOK || len(list.Items) != 1 || list.Items[0].ID != hb.ID {
		t.Errorf("heartbeats: %d %+v", code, list)
	}

	// Scopes and revocation.
	reader := apiClient{t: t, base: api.base, token: createToken(t, s, "read")}
	if code, hdr := reader.call("DELETE", webPath, "", nil); code != http.StatusForbidden || !strings.Contains(hdr.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("read token deleting: %d", code)
	}
	if code, hdr := (apiClient{t: t, base: api.base}).call("GET", "/monitors", "", nil); code != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d", code)
	}
	var toks struct {
		Items []struct {
			ID    int64  `json:"id"`
			Scope string `json:"scope"`
		} `json:"items"`
	}
	api.call("GET", "/tokens", "", &toks)
	if len(toks.Items) != 2 || toks.Items[1].Scope != "read" {
		t.Fatalf("tokens: %+v", toks)
	}
	if code, _ := api.call("DELETE", "/tokens/"+strconv.FormatInt(toks.Items[1].ID, 10), "", nil); code != http.StatusNoContent {
		t.Errorf("revoke: %d", code)
	}
	if code, _ := reader.call("GET", "/monitors", "", nil); code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", code)
	}
	if code, _ := api.call("DELETE", webPath, "", nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}

	// The document is public, and the secrets never reach the log.
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]any
	}
	if code, _ := (apiClient{t: t, base: api.base}).call("GET", "/openapi.json", "", &doc); code != http.StatusOK ||
		doc.OpenAPI != "3.1.0" || doc.Paths["/monitors/{id}/trend"] == nil {
		t.Errorf("openapi.json: %d %+v", code, doc.OpenAPI)
	}
	if logs := s.Logs.String(); strings.Contains(logs, secret) || strings.Contains(logs, reader.token) {
		t.Error("a token secret is in the server log")
	}
}
