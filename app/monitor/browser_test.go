package monitor

import (
	"strings"
	"testing"
)

func TestParseStep(t *testing.T) {
	ok := []struct {
		line string
		want BrowserStep
		back string // String(), when it differs from line
	}{
		{line: "navigate https://example.com/a?b=1", want: BrowserStep{Action: StepNavigate, Text: "https://example.com/a?b=1"}},
		{line: "click #login", want: BrowserStep{Action: StepClick, Selector: "#login"}},
		{line: `click "button[type=submit] span"`, want: BrowserStep{Action: StepClick, Selector: "button[type=submit] span"}},
		{line: "type #email me@example.com", want: BrowserStep{Action: StepType, Selector: "#email", Text: "me@example.com"}},
		{line: `type #q "  padded  "`, want: BrowserStep{Action: StepType, Selector: "#q", Text: "  padded  "}},
		{line: "type #password {{password}}", want: BrowserStep{Action: StepType, Selector: "#password", Text: "{{password}}"}},
		{line: "TYPE #clear", want: BrowserStep{Action: StepType, Selector: "#clear"}, back: "type #clear"},
		{line: "wait .dashboard", want: BrowserStep{Action: StepWait, Selector: ".dashboard"}},
		{line: "wait_hidden .spinner", want: BrowserStep{Action: StepWaitHidden, Selector: ".spinner"}},
		{line: "wait_idle", want: BrowserStep{Action: StepWaitIdle}},
		{line: "assert_text Welcome back", want: BrowserStep{Action: StepAssertText, Text: "Welcome back"}},
		{line: "assert_text_in .banner Hello, world", want: BrowserStep{Action: StepAssertTextIn, Selector: ".banner", Text: "Hello, world"}},
		{line: "assert_exists footer", want: BrowserStep{Action: StepAssertExists, Selector: "footer"}},
		{line: "assert_count li.item 3", want: BrowserStep{Action: StepAssertCount, Selector: "li.item", Count: 3}},
		{line: "assert_title Dashboard", want: BrowserStep{Action: StepAssertTitle, Text: "Dashboard"}},
		{line: "assert_url /home", want: BrowserStep{Action: StepAssertURL, Text: "/home"}},
	}
	for _, tt := range ok {
		got, err := ParseStep(tt.line)
		if err != nil || got != tt.want {
			t.Errorf("ParseStep(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
			continue
		}
		back := tt.back
		if back == "" {
			back = tt.line
		}
		if got.String() != back {
			t.Errorf("String() = %q, want %q", got.String(), back)
		}
		if again, err := ParseStep(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", tt.line, again, err)
		}
	}
	bad := map[string]string{
		"":                       `unknown action ""`,
		"hover #x":               `unknown action "hover"`,
		"click":                  "click needs a CSS selector",
		"click #a #b":            `click takes nothing after its selector, got "#b"`,
		"wait_idle now":          `wait_idle takes nothing after it, got "now"`,
		"assert_text":            "assert_text needs a text",
		"assert_count li":        "assert_count needs a number",
		"assert_count li many":   `assert_count needs a count (0 or more) after the selector, got "many"`,
		"navigate /relative":     `"/relative" is not an absolute http:// or https:// URL`,
		`click "unterminated`:    "unterminated or malformed quoted selector",
		`type #q "bad \q quote"`: "malformed quoted text",
	}
	for line, want := range bad {
		if _, err := ParseStep(line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseStep(%q) error %v, want it to contain %q", line, err, want)
		}
	}
}

func TestBuildBrowserSpec(t *testing.T) {
	spec := Spec{Name: "Login", Type: TypeBrowser, URL: "https://app.example.com/login", Viewport: "390x844",
		Steps:   []string{"type #email me@example.com", "type #password {{password}}", "click #submit", "wait .dashboard"},
		Secrets: map[string]string{"password": "hunter2"}, FailOnJSErrors: true, AllowedRequestErrors: []string{"/favicon.ico"}}
	m, err := spec.Build()
	if err != nil {
		t.Fatal(err)
	}
	b := m.Settings.(BrowserSettings)
	if b.Viewport != (Viewport{390, 844}) || len(b.Steps) != 4 || m.Timeout != DefaultBrowserTimeout || !b.FailOnJSErrors {
		t.Errorf("built %+v (timeout %s)", b, m.Timeout)
	}
	if got := b.Steps[1].Fill(b.Secrets); got != "hunter2" {
		t.Errorf("filled step text %q", got)
	}
	if back := SpecOf(m); strings.Join(back.Steps, "|") != strings.Join(spec.Steps, "|") || back.Viewport != "390x844" {
		t.Errorf("SpecOf: %+v", back)
	}

	bad := Spec{Name: "x", Type: TypeBrowser, URL: "ftp://x", Viewport: "10x10",
		Steps:   []string{"click #ok", "fly away", "type #p {{pin}}"},
		Secrets: map[string]string{"unused": "v"}, Address: "x:1"}
	_, err = bad.Build()
	v, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error %v", err)
	}
	msgs := map[string][]string{}
	for _, f := range v.Fields {
		msgs[f.Field] = append(msgs[f.Field], f.Message)
	}
	want := map[string]string{"url": "absolute http", "viewport": "1280x800", "secrets": `"unused" is used by no type step`, "address": "not a setting of browser"}
	for field, sub := range want {
		if !strings.Contains(strings.Join(msgs[field], "; "), sub) {
			t.Errorf("%s: %v, want %q", field, msgs[field], sub)
		}
	}
	steps := strings.Join(msgs["steps"], "; ")
	if !strings.Contains(steps, "step 2: unknown action") || !strings.Contains(steps, "step 3: {{pin}} is not one of the secrets") {
		t.Errorf("steps errors: %s", steps)
	}
}
