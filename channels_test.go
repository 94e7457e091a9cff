package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver is a webhook endpoint that checks signatures and keeps the payloads.
type hookReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []map[string]any
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if r.Header.Get("X-Statusthing-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var payload map[string]any
		if err := json.Unmarshal(body, &payload); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, payload)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

// wait returns the payloads once there are n, failing after 10 s.
func (h *hookReceiver) wait(t *testing.T, n int) []map[string]any {
	t.Helper()
	for range 100 {
		h.mu.Lock()
		if len(h.got) >= n {
			out := append([]map[string]any(nil), h.got...)
			h.mu.Unlock()
			return out
		}
		h.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%d payloads after 10 s, want %d", len(h.got), n)
	return nil
}

var channelRowRE = regexp.MustCompile(`data-channel-id="(\d+)"`)

// A webhook channel made in the admin: Send test reaches the receiver signed, a broken URL
// shows the error, the secret never comes back in the HTML, and an outage alerts it.
func TestChannelAdminWebhook(t *testing.T) {
	const secret = "whsec-7f3a9c"
	rcv := newHookReceiver(t, secret)
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	mpath := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"Payments"}, "url": {tg.URL + "/"},
		"interval": {"60s"}, "retries": {"0"}})
	mid := strings.TrimPrefix(mpath, "/admin/monitors/")

	// A refused channel: the form comes back with the reason.
	res := post(t, s, c, "/admin/channels/new?type=webhook", "/admin/channels", url.Values{"type": {"webhook"},
		"name": {"ops"}, "s_url": {"not a url"}, "enabled": {"1"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "url must be an http(s) URL") {
		t.Fatalf("bad url: status %d\n%s", res.Status, res.Body)
	}

	res = post(t, s, c, "/admin/channels/new?type=webhook", "/admin/channels", url.Values{"type": {"webhook"},
		"name": {"ops hook"}, "s_url": {rcv.URL + "/hook"}, "s_secret": {secret}, "enabled": {"1"}, "monitor": {mid}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/channels?done=created" {
		t.Fatalf("create: status %d %q\n%s", res.Status, res.Header.Get("Location"), res.Body)
	}
	list := do(t, c, "GET", s.URL+"/admin/channels", nil, nil)
	m := channelRowRE.FindStringSubmatch(list.Body)
	if m == nil || !strings.Contains(list.Body, "ops hook") || !strings.Contains(list.Body, "1 attached") {
		t.Fatalf("list:\n%s", list.Body)
	}
	id := m[1]
	edit := do(t, c, "GET", s.URL+"/admin/channels/"+id+"/edit", nil, nil)
	if edit.Status != http.StatusOK || strings.Contains(edit.Body, secret) || !strings.Contains(edit.Body, `data-testid="secret-kept"`) {
		t.Fatalf("edit page: status %d, secret shown or not said kept\n%s", edit.Status, edit.Body)
	}
	if !regexp.MustCompile(`name="monitor" value="` + mid + `" checked`).MatchString(edit.Body) {
		t.Errorf("monitor not ticked on the edit page")
	}

	// Send test: a signed test payload, and the page says so.
	res = post(t, s, c, "/admin/channels", "/admin/channels/"+id+"/test", nil)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Test alert sent to ops hook.") {
		t.Fatalf("send test: status %d\n%s", res.Status, res.Body)
	}
	got := rcv.wait(t, 1)
	if got[0]["event"] != "test" {
		t.Errorf("test payload %v", got[0])
	}

	// Saving the form with an empty secret keeps it: the next test is still signed.
	res = post(t, s, c, "/admin/channels/"+id+"/edit", "/admin/channels/"+id, url.Values{"name": {"ops hook"},
		"s_url": {rcv.URL + "/hook"}, "s_secret": {""}, "enabled": {"1"}, "monitor": {mid}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.Status, res.Body)
	}
	post(t, s, c, "/admin/channels", "/admin/channels/"+id+"/test", nil)
	rcv.wait(t, 2)

	// An outage of the attached monitor alerts the channel.
	post(t, s, c, mpath, mpath+"/check", nil)
	tg.status.Store(http.StatusServiceUnavailable)
	post(t, s, c, mpath, mpath+"/check", nil)
	got = rcv.wait(t, 3)
	if got[2]["event"] != "down" {
		t.Errorf("outage payload %v", got[2])
	}

	// A receiver that refuses: the error is shown.
	res = post(t, s, c, "/admin/channels/"+id+"/edit", "/admin/channels/"+id, url.Values{"name": {"ops hook"},
		"s_url": {rcv.URL + "/hook"}, "s_secret": {"wrong"}, "enabled": {"1"}, "monitor": {mid}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.Status, res.Body)
	}
	res = post(t, s, c, "/admin/channels", "/admin/channels/"+id+"/test", nil)
	if !strings.Contains(html.UnescapeString(res.Body), "The test alert to ops hook failed:") || !strings.Contains(res.Body, "401") {
		t.Errorf("refused test: status %d\n%s", res.Status, res.Body)
	}
	// The recovery alert is refused (bad signature, permanent): it shows under Failed
	// deliveries; with the secret fixed, Retry delivers it.
	tg.status.Store(http.StatusOK)
	post(t, s, c, mpath, mpath+"/check", nil)
	retryRE := regexp.MustCompile(`action="(/admin/channels/alerts/\d+/retry)"`)
	var retry []string
	for range 100 {
		list = do(t, c, "GET", s.URL+"/admin/channels", nil, nil)
		if retry = retryRE.FindStringSubmatch(list.Body); retry != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if retry == nil || !strings.Contains(list.Body, `data-testid="failed-error"`) || !strings.Contains(list.Body, "401") {
		t.Fatalf("no failed delivery after 10 s:\n%s", list.Body)
	}
	post(t, s, c, "/admin/channels/"+id+"/edit", "/admin/channels/"+id, url.Values{"name": {"ops hook"},
		"s_url": {rcv.URL + "/hook"}, "s_secret": {secret}, "enabled": {"1"}, "monitor": {mid}})
	if res := post(t, s, c, "/admin/channels", retry[1], nil); res.Status != http.StatusSeeOther {
		t.Fatalf("retry: status %d", res.Status)
	}
	if got = rcv.wait(t, 4); got[3]["event"] != "up" {
		t.Errorf("retried payload %v", got[3])
	}

	// A URL where nothing listens: the error is shown too.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	post(t, s, c, "/admin/channels/"+id+"/edit", "/admin/channels/"+id, url.Values{"name": {"ops hook"},
		"s_url": {closed.URL + "/hook"}, "enabled": {"1"}})
	res = post(t, s, c, "/admin/channels", "/admin/channels/"+id+"/test", nil)
	if !strings.Contains(html.UnescapeString(res.Body), "The test alert to ops hook failed:") {
		t.Errorf("broken URL test: status %d\n%s", res.Status, res.Body)
	}
	if edit := do(t, c, "GET", s.URL+"/admin/channels/"+id+"/edit", nil, nil); strings.Contains(edit.Body, "wrong") {
		t.Error("the secret is on the edit page")
	}

	res = post(t, s, c, "/admin/channels", "/admin/channels/"+id+"/delete", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("delete: status %d", res.Status)
	}
	if res := do(t, c, "GET", s.URL+"/admin/channels/"+id+"/edit", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("deleted channel: status %d", res.Status)
	}
}

// The JSON API of channels: created, read masked, tested, refused and deleted.
func TestChannelAPI(t *testing.T) {
	const secret = "api-secret-123"
	rcv := newHookReceiver(t, secret)
	s := startServer(t, nil, nil)
	setupAdmin(t, s, browserClient(t))
	w := apiClient{t: t, base: s.URL + "/api/v1", token: createToken(t, s, "write")}
	r := apiClient{t: t, base: s.URL + "/api/v1", token: createToken(t, s, "read")}

	var e struct {
		Error struct {
			Code, Field, Message string
		}
	}
	if code, _ := w.call("POST", "/channels", `{"name": "hook", "type": "webhook", "settings": {"url": "ftp://x"}}`, &e); code != http.StatusUnprocessableEntity || e.Error.Field != "settings.url" {
		t.Fatalf("bad url: %d %+v", code, e)
	}
	if code, _ := w.call("POST", "/channels", `{"name": "t", "type": "telegram", "settings": {"chat_id": "1"}}`, &e); code != http.StatusUnprocessableEntity || e.Error.Field != "settings.bot_token" {
		t.Fatalf("no bot token: %d %+v", code, e)
	}
	if code, _ := r.call("POST", "/channels", `{"name": "hook", "type": "webhook", "settings": {"url": "https://x/"}}`, nil); code != http.StatusForbidden {
		t.Fatalf("read token create: %d", code)
	}
	body := `{"name": "hook", "type": "webhook", "settings": {"url": "` + rcv.URL + `/h", "secret": "` + secret + `", "headers": {"Authorization": "Bearer zz-hdr"}}}`
	var ch struct {
		ID       int64          `json:"id"`
		Name     string         `json:"name"`
		Enabled  bool           `json:"enabled"`
		Settings map[string]any `json:"settings"`
	}
	if code, _ := w.call("POST", "/channels", body, &ch); code != http.StatusCreated || ch.ID == 0 || !ch.Enabled {
		t.Fatalf("create: %d %+v", code, ch)
	}
	path := "/channels/" + strconv.FormatInt(ch.ID, 10)
	var raw map[string]any
	if code, _ := r.call("GET", path, "", &raw); code != http.StatusOK {
		t.Fatalf("get: %d", code)
	}
	b, _ := json.Marshal(raw)
	if strings.Contains(string(b), secret) || strings.Contains(string(b), "zz-hdr") || !strings.Contains(string(b), `"secret":"********"`) {
		t.Errorf("secrets not masked: %s", b)
	}
	// The GET answer sent back keeps the secrets: the test is still signed.
	raw["name"] = "hook 2"
	b, _ = json.Marshal(raw)
	if code, _ := w.call("PUT", path, string(b), &ch); code != http.StatusOK || ch.Name != "hook 2" {
		t.Fatalf("put: %d %+v", code, ch)
	}
	var out struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if code, _ := w.call("POST", path+"/test", "", &out); code != http.StatusOK || !out.OK {
		t.Fatalf("test: %d %+v", code, out)
	}
	if got := rcv.wait(t, 1); got[0]["event"] != "test" {
		t.Errorf("payload %v", got[0])
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if code, _ := r.call("GET", "/channels", "", &list); code != http.StatusOK || len(list.Items) != 1 {
		t.Fatalf("list: %d %+v", code, list)
	}
	if code, _ := w.call("DELETE", path, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	for _, c := range []struct{ method, path string }{{"GET", path}, {"DELETE", path}, {"POST", path + "/test"}, {"PUT", path}} {
		body := ""
		if c.method == "PUT" {
			body = `{"name": "x", "type": "webhook", "settings": {"url": "https://x/"}}`
		}
		if code, _ := w.call(c.method, c.path, body, &e); code != http.StatusNotFound || e.Error.Code != "not_found" {
			t.Errorf("%s %s after delete: %d %+v", c.method, c.path, code, e)
		}
	}
}
