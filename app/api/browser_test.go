package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// browserMonitor is a browser monitor's JSON with the keys these tests read.
type browserMonitor struct {
	ID      int64             `json:"id"`
	Type    string            `json:"type"`
	Steps   []string          `json:"steps"`
	Secrets map[string]string `json:"secrets"`
	Timeout string            `json:"timeout"`
}

const browserBody = `{"name": "login", "type": "browser", "url": "https://example.com/login", "viewport": "390x844",
	"steps": ["type #user me", "type #password {{password}}", "type #otp {{otp}}", "click \"button[type=submit]\"", "assert_text Welcome"],
	"secrets": {"password": "hunter2-secret", "otp": "424242"}, "fail_on_js_errors": true, "allowed_request_errors": ["/favicon.ico"]}`

// storedSecrets reads a monitor's secrets as the store has them.
func (e *env) storedSecrets(id int64) map[string]string {
	e.t.Helper()
	m, err := e.monitors.Get(context.Background(), e.org, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m.Settings.(monitor.BrowserSettings).Secrets
}

func TestBrowserMonitorSecretsAreMasked(t *testing.T) {
	e := newEnv(t)
	var m browserMonitor
	a := e.json("POST", "/api/v1/monitors", e.write, browserBody, http.StatusCreated, &m)
	if strings.Contains(a.Body, "hunter2-secret") || strings.Contains(a.Body, "424242") {
		t.Fatalf("create answer shows a secret: %s", a.Body)
	}
	if m.Type != "browser" || len(m.Steps) != 5 || m.Secrets["password"] != "********" || m.Secrets["otp"] != "********" || m.Timeout != "30s" {
		t.Fatalf("created %+v", m)
	}
	id := strconv.FormatInt(m.ID, 10)
	get := e.json("GET", "/api/v1/monitors/"+id, e.read, "", http.StatusOK, &m)
	list := e.do("GET", "/api/v1/monitors", e.read, "")
	for _, body := range []string{get.Body, list.Body} {
		if strings.Contains(body, "hunter2-secret") || strings.Contains(body, "424242") || !strings.Contains(body, `"password":"********"`) {
			t.Errorf("answer does not mask the secrets: %s", body)
		}
	}

	var v any
	_ = json.Unmarshal([]byte(get.Body), &v)
	for _, problem := range validate(openAPIDoc(t, e), ref("Monitor"), v, "$") {
		t.Errorf("browser monitor against Monitor: %s\n%s", problem, get.Body)
	}

	// A GET answer sent back keeps every secret.
	e.json("PUT", "/api/v1/monitors/"+id, e.write, get.Body, http.StatusOK, &m)
	if s := e.storedSecrets(m.ID); s["password"] != "hunter2-secret" || s["otp"] != "424242" {
		t.Fatalf("PUT of the masked answer changed the secrets: %v", s)
	}
	// PATCH: a masked value keeps, a new value replaces, names left out stay.
	e.json("PATCH", "/api/v1/monitors/"+id, e.write, `{"secrets": {"password": "********", "otp": "777777"}}`, http.StatusOK, &m)
	if s := e.storedSecrets(m.ID); s["password"] != "hunter2-secret" || s["otp"] != "777777" {
		t.Fatalf("after PATCH: %v", s)
	}
	e.json("PATCH", "/api/v1/monitors/"+id, e.write, `{"name": "login 2"}`, http.StatusOK, &m)
	if s := e.storedSecrets(m.ID); len(s) != 2 || s["otp"] != "777777" {
		t.Fatalf("a PATCH without secrets changed them: %v", s)
	}
	// The mask of a name that is not stored is refused, not stored as the secret.
	e.fails("PATCH", "/api/v1/monitors/"+id, e.write, `{"secrets": {"pin": "********"}}`, http.StatusUnprocessableEntity, "validation_failed", "secrets")
	body := strings.Replace(get.Body, `"otp":"********"`, `"otp":"********","pin":"********"`, 1)
	e.fails("PUT", "/api/v1/monitors/"+id, e.write, body, http.StatusUnprocessableEntity, "validation_failed", "secrets")
	e.fails("POST", "/api/v1/monitors", e.write, strings.Replace(browserBody, "hunter2-secret", "********", 1),
		http.StatusUnprocessableEntity, "validation_failed", "secrets")
	// A step naming an unknown secret is refused with its number.
	eb := e.fails("POST", "/api/v1/monitors", e.write, strings.Replace(browserBody, "{{otp}}", "{{totp}}", 1),
		http.StatusUnprocessableEntity, "validation_failed", "")
	if !strings.Contains(eb.Error.Message+eb.Error.Fields[0].Message, "step 3") {
		t.Errorf("unknown secret: %+v", eb.Error)
	}
}

func TestBrowserScreenshots(t *testing.T) {
	e := newEnv(t)
	doc := openAPIDoc(t, e)
	var m browserMonitor
	e.json("POST", "/api/v1/monitors", e.write, browserBody, http.StatusCreated, &m)
	other := e.createMonitor(httpMonitor("web"))
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)
	ctx := context.Background()
	ok := monitor.Result{MonitorID: m.ID, StartedAt: t0, Duration: 900 * time.Millisecond, Outcome: monitor.OutcomeUp,
		Details: monitor.Details{FirstByte: 80 * time.Millisecond, Browser: &monitor.BrowserDetails{DOMContentLoaded: 300 * time.Millisecond,
			Load: 700 * time.Millisecond, Requests: 12, Bytes: 345678}}}
	failed := monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(time.Minute), Duration: 2 * time.Second, Outcome: monitor.OutcomeDown,
		ErrorClass: monitor.ClassStep, Message: `step 4: click "button[type=submit]": no element matches`,
		Details: monitor.Details{Browser: &monitor.BrowserDetails{FailedStep: 4, Step: `click "button[type=submit]"`, Requests: 3,
			ConsoleErrors: []string{"TypeError: x is undefined"}, FailedRequests: []string{"404 https://example.com/app.js"}}},
		Screenshot: &monitor.Screenshot{Format: "png", Data: png, Width: 390, Height: 844}}
	for _, r := range []monitor.Result{ok, failed} {
		if _, _, err := e.st.RecordResult(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatInt(m.ID, 10)
	var results pageOf[map[string]any]
	a := e.json("GET", "/api/v1/monitors/"+id+"/results", e.read, "", http.StatusOK, &results)
	if len(results.Items) != 2 {
		t.Fatalf("results %s", a.Body)
	}
	var v any
	_ = json.Unmarshal([]byte(a.Body), &v)
	for _, problem := range validate(doc, ref("ResultPage"), v, "$") {
		t.Errorf("results against ResultPage: %s\n%s", problem, a.Body)
	}
	newest, oldest := results.Items[0], results.Items[1]
	if _, has := oldest["screenshot_url"]; has {
		t.Errorf("a result without screenshot has a screenshot_url: %v", oldest)
	}
	rid := strconv.FormatInt(int64(newest["id"].(float64)), 10)
	want := "/api/v1/monitors/" + id + "/results/" + rid + "/screenshot"
	if newest["screenshot_url"] != want {
		t.Fatalf("screenshot_url %v, want %s", newest["screenshot_url"], want)
	}
	b := newest["details"].(map[string]any)["browser"].(map[string]any)
	if b["failed_step"] != float64(4) || b["step"] != `click "button[type=submit]"` || b["console_errors"].([]any)[0] != "TypeError: x is undefined" {
		t.Errorf("browser details %v", b)
	}
	if ob := oldest["details"].(map[string]any); ob["first_byte_ms"] != float64(80) || ob["browser"].(map[string]any)["bytes"] != float64(345678) {
		t.Errorf("successful check's details %v", ob)
	}

	shot := e.do("GET", want, e.read, "")
	if shot.Status != http.StatusOK || shot.Header.Get("Content-Type") != "image/png" || shot.Body != string(png) ||
		shot.Header.Get("Cache-Control") != "private, max-age=86400" {
		t.Fatalf("screenshot: %d %q %q %d bytes", shot.Status, shot.Header.Get("Content-Type"), shot.Header.Get("Cache-Control"), len(shot.Body))
	}
	if head := e.do("HEAD", want, e.read, ""); head.Status != http.StatusOK || head.Body != "" {
		t.Errorf("HEAD: %d %d bytes", head.Status, len(head.Body))
	}
	if a := e.do("GET", want, "", ""); a.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", a.Status)
	}
	oldID := strconv.FormatInt(int64(oldest["id"].(float64)), 10)
	oid := strconv.FormatInt(other.ID, 10)
	for _, path := range []string{
		"/api/v1/monitors/" + id + "/results/" + oldID + "/screenshot", // a result without one
		"/api/v1/monitors/" + oid + "/results/" + rid + "/screenshot",  // another monitor's result
		"/api/v1/monitors/999/results/" + rid + "/screenshot",
		"/api/v1/monitors/" + id + "/results/abc/screenshot",
		"/api/v1/monitors/" + id + "/results/0/screenshot",
	} {
		e.fails("GET", path, e.read, "", http.StatusNotFound, "not_found", "")
	}
	e.fails("POST", want, e.write, "", http.StatusMethodNotAllowed, "method_not_allowed", "")
}
