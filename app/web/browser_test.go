package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/views"
)

func TestBrowserFormRoundTrip(t *testing.T) {
	s := monitor.Spec{Name: "login", Type: monitor.TypeBrowser, URL: "https://example.com/login", Viewport: "390x844",
		UserAgent: "probe/1", Headers: map[string]string{"X-Env": "prod"},
		Steps:          []string{`type #user me`, `click "button[type=submit]"`, `assert_count li.item 3`, `assert_text "  spaced "`},
		FailOnJSErrors: true, FailOnRequestErrors: true, AllowedRequestErrors: []string{"/favicon.ico", "analytics"}, ScreenshotOnSuccess: true}
	m, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for k, v := range valuesFromSpec(monitor.SpecOf(m)) {
		form.Set(k, v)
	}
	got, errs := specFromForm(form)
	if len(errs) > 0 {
		t.Fatalf("errors %v", errs)
	}
	again, err := got.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, m) {
		t.Errorf("form round trip changed the monitor:\n%+v\n%+v", m, again)
	}
}

func TestBrowserSecretsFromForm(t *testing.T) {
	stored := map[string]string{"password": "hunter2", "otp": "4242"}
	tr := func(k string, a ...any) string { return k + ":" + a[0].(string) }
	tests := []struct {
		name              string
		rows              [][3]string // name, value, was
		want              map[string]string
		problem           string
		storedForThisForm map[string]string
	}{
		{"empty values keep", [][3]string{{"password", "", "password"}, {"otp", "", "otp"}, {"", "", ""}}, stored, "", stored},
		{"new value replaces", [][3]string{{"password", "new", "password"}, {"otp", "", "otp"}}, map[string]string{"password": "new", "otp": "4242"}, "", stored},
		{"cleared name removes", [][3]string{{"password", "", "password"}, {"", "", "otp"}}, map[string]string{"password": "hunter2"}, "", stored},
		{"rename keeps the value", [][3]string{{"pass", "", "password"}}, map[string]string{"pass": "hunter2"}, "", stored},
		{"new row needs a value", [][3]string{{"pin", "", ""}}, map[string]string{"pin": ""}, "form.secret_missing:pin", stored},
		{"twice", [][3]string{{"otp", "1", ""}, {"otp", "2", ""}}, map[string]string{"otp": "2"}, "form.secret_twice:otp", stored},
		{"create: nothing stored", [][3]string{{"password", "", ""}}, map[string]string{"password": ""}, "form.secret_missing:password", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"type": {"browser"}}
			for _, r := range tt.rows {
				form.Add("secret_name", r[0])
				form.Add("secret_value", r[1])
				form.Add("secret_was", r[2])
			}
			spec, _ := specFromForm(form)
			problem := fillSecrets(&spec, form, tt.storedForThisForm, tr)
			if problem != tt.problem || !reflect.DeepEqual(spec.Secrets, tt.want) {
				t.Errorf("got %v %q, want %v %q", spec.Secrets, problem, tt.want, tt.problem)
			}
		})
	}
	// Other types never carry secrets, whatever is posted.
	form := url.Values{"type": {"http"}, "secret_name": {"x"}, "secret_value": {"y"}, "secret_was": {""}}
	spec, _ := specFromForm(form)
	if fillSecrets(&spec, form, nil, tr) != "" || spec.Secrets != nil {
		t.Errorf("http spec secrets %v", spec.Secrets)
	}
}

func TestSecretRowsNeverHoldValues(t *testing.T) {
	stored := map[string]string{"b": "2", "a": "1"}
	rows := secretRows(nil, stored)
	want := []views.SecretRow{{Name: "a", Was: "a", Stored: true}, {Name: "b", Was: "b", Stored: true}, {}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("edit rows %+v", rows)
	}
	if rows := secretRows(nil, nil); len(rows) != 2 {
		t.Errorf("new form rows %+v", rows)
	}
	// A refused form: kept rows stay stored, typed values must be typed again, removed rows go.
	form := url.Values{"secret_name": {"a", "renamed", "", "c"}, "secret_value": {"", "typed", "", "x"}, "secret_was": {"a", "b", "", ""}}
	rows = secretRows(form, stored)
	want = []views.SecretRow{{Name: "a", Was: "a", Stored: true}, {Name: "renamed", Was: "b", Stored: true, Retype: true},
		{Name: "c", Retype: true}, {}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("refused form rows %+v", rows)
	}
}

func TestBrowserPanel(t *testing.T) {
	f := keyFormatter()
	at := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	many := make([]string, 13)
	for i := range many {
		many[i] = "error " + string(rune('a'+i))
	}
	results := []monitor.Result{
		{ID: 9, MonitorID: 3, StartedAt: at, Duration: 2 * time.Second, Outcome: monitor.OutcomeDown, ErrorClass: monitor.ClassStep,
			Message: "step 2: no element matches #go",
			Details: monitor.Details{FirstByte: 120 * time.Millisecond, Browser: &monitor.BrowserDetails{FailedStep: 2, Step: "click #go",
				DOMContentLoaded: 400 * time.Millisecond, Load: 1200 * time.Millisecond, Requests: 14, Bytes: 1_234_567,
				ConsoleErrors: many, FailedRequests: []string{"404 https://example.com/app.js"}}}},
		{ID: 8, MonitorID: 3, StartedAt: at.Add(-time.Minute), Outcome: monitor.OutcomeUp},
		{ID: 7, MonitorID: 3, StartedAt: at.Add(-2 * time.Minute), Outcome: monitor.OutcomeDown, ScreenshotID: 5},
	}
	p := browserPanel(f, results)
	if p.FailedStep != "browser.failed_step" || p.Step != "click #go" || p.Message != "step 2: no element matches #go" || p.Outcome.Status != "down" {
		t.Errorf("panel %+v", p)
	}
	facts := map[string]string{}
	for _, fact := range p.Facts {
		facts[fact.Label] = fact.Value
	}
	for k, v := range map[string]string{"result.first_byte": "120 ms", "browser.dom_content_loaded": "400 ms", "browser.load": "1.20 s",
		"browser.requests": "14", "browser.bytes": "1.2 MB", "result.error_class": "step"} {
		if facts[k] != v {
			t.Errorf("fact %s = %q, want %q (%v)", k, facts[k], v, facts)
		}
	}
	if len(p.Lists) != 2 || len(p.Lists[0].Items) != maxListed+1 || !strings.HasPrefix(p.Lists[0].Items[maxListed], "browser.more") ||
		p.Lists[1].Items[0] != "404 https://example.com/app.js" {
		t.Errorf("lists %+v", p.Lists)
	}
	// The latest check has no screenshot: the newest one among the recent checks is shown.
	if p.Screenshot == nil || p.Screenshot.URL != "/admin/monitors/3/results/7/screenshot" || !strings.HasPrefix(p.Screenshot.Caption, "browser.screenshot_of") {
		t.Errorf("screenshot %+v", p.Screenshot)
	}
	results[0].ScreenshotID = 6
	if p := browserPanel(f, results); p.Screenshot.URL != "/admin/monitors/3/results/9/screenshot" || p.Screenshot.Caption != "browser.screenshot_this" {
		t.Errorf("own screenshot %+v", p.Screenshot)
	}
	if browserPanel(f, nil) != nil {
		t.Error("a panel without results")
	}
	if row := resultRow(f, results[2]); row.ScreenshotURL != "/admin/monitors/3/results/7/screenshot" {
		t.Errorf("row %+v", row)
	}
}

func TestStepHelpCoversEveryAction(t *testing.T) {
	help := stepHelp(keyFormatter())
	if len(help) != len(monitor.StepActions()) || help[2].Syntax != "type SELECTOR TEXT" || help[5].Syntax != "wait_idle" {
		t.Errorf("help %+v", help)
	}
	for _, h := range help {
		// Each syntax parses once its placeholders are filled in.
		line := strings.NewReplacer("URL", "https://example.com/", "SELECTOR", "#x", "TEXT", "hello", " N", " 2").Replace(h.Syntax)
		if _, err := monitor.ParseStep(line); err != nil {
			t.Errorf("%s: %v", h.Syntax, err)
		}
	}
}

// keyFormatter translates every message to its key, so tests can tell which one was used.
func keyFormatter() formatter {
	return formatter{lang: "en", t: func(k string, _ ...any) string { return k }, now: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
}
