package monitor

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// BrowserSettings configures a browser monitor: Chromium loads URL, then runs Steps in order.
type BrowserSettings struct {
	URL       string            `json:"url"`
	Viewport  Viewport          `json:"viewport"`
	UserAgent string            `json:"user_agent,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Steps     []BrowserStep     `json:"steps,omitempty"`
	// Secrets are the values of {{name}} placeholders in the text of type steps: they are
	// typed into the page but never shown in results, logs, the UI or the API.
	Secrets              map[string]string `json:"secrets,omitempty"`
	FailOnJSErrors       bool              `json:"fail_on_js_errors,omitempty"`
	FailOnRequestErrors  bool              `json:"fail_on_request_errors,omitempty"`
	AllowedRequestErrors []string          `json:"allowed_request_errors,omitempty"` // URL substrings
	ScreenshotOnSuccess  bool              `json:"screenshot_on_success,omitempty"`
}

// Type implements Settings.
func (BrowserSettings) Type() Type { return TypeBrowser }

// Viewport is the size of the browser window, in CSS pixels.
type Viewport struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

func (v Viewport) String() string { return fmt.Sprintf("%dx%d", v.Width, v.Height) }

// DefaultViewport is a common laptop window.
func DefaultViewport() Viewport { return Viewport{Width: 1280, Height: 800} }

// ParseViewport parses "1280x800".
func ParseViewport(s string) (Viewport, error) {
	w, h, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	width, err1 := strconv.Atoi(strings.TrimSpace(w))
	height, err2 := strconv.Atoi(strings.TrimSpace(h))
	if !ok || err1 != nil || err2 != nil || width < 200 || width > 3840 || height < 200 || height > 2160 {
		return Viewport{}, fmt.Errorf("%q is not a size like 1280x800 (200x200 to 3840x2160)", s)
	}
	return Viewport{Width: width, Height: height}, nil
}

// StepAction is what a browser step does.
type StepAction string

// Browser step actions. Waits and assertions poll until they hold or the check times out.
const (
	StepNavigate     StepAction = "navigate"       // navigate URL
	StepClick        StepAction = "click"          // click SELECTOR
	StepType         StepAction = "type"           // type SELECTOR TEXT ({{secret}} placeholders)
	StepWait         StepAction = "wait"           // wait SELECTOR (until visible)
	StepWaitHidden   StepAction = "wait_hidden"    // wait_hidden SELECTOR (until hidden or gone)
	StepWaitIdle     StepAction = "wait_idle"      // wait_idle (no network request for 500 ms)
	StepAssertText   StepAction = "assert_text"    // assert_text TEXT (the page's text contains it)
	StepAssertTextIn StepAction = "assert_text_in" // assert_text_in SELECTOR TEXT
	StepAssertExists StepAction = "assert_exists"  // assert_exists SELECTOR
	StepAssertCount  StepAction = "assert_count"   // assert_count SELECTOR N
	StepAssertTitle  StepAction = "assert_title"   // assert_title TEXT (the title contains it)
	StepAssertURL    StepAction = "assert_url"     // assert_url TEXT (the URL contains it)
)

// stepArgs says what an action takes: a selector, a text (or URL or number), or both.
func stepArgs(a StepAction) (selector, text, ok bool) {
	switch a {
	case StepWaitIdle:
		return false, false, true
	case StepNavigate, StepAssertText, StepAssertTitle, StepAssertURL:
		return false, true, true
	case StepClick, StepWait, StepWaitHidden, StepAssertExists:
		return true, false, true
	case StepType, StepAssertTextIn, StepAssertCount:
		return true, true, true
	}
	return false, false, false
}

// StepActions lists the actions in the order the documentation shows them.
func StepActions() []StepAction {
	return []StepAction{StepNavigate, StepClick, StepType, StepWait, StepWaitHidden, StepWaitIdle, StepAssertText,
		StepAssertTextIn, StepAssertExists, StepAssertCount, StepAssertTitle, StepAssertURL}
}

// BrowserStep is one step of a browser check. Its external form is one line:
// `type #email me@example.com`, `click "button[type=submit]"`, `assert_count li.item 3`.
// A selector with spaces is written in double quotes (Go syntax); the text is the rest of
// the line, in double quotes to keep leading or trailing spaces.
type BrowserStep struct {
	Action   StepAction `json:"action"`
	Selector string     `json:"selector,omitempty"`
	Text     string     `json:"text,omitempty"`
	Count    int        `json:"count,omitempty"` // assert_count
}

// placeholderRE matches the {{name}} secret placeholders of type steps.
var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

// ParseStep parses the one-line form of a step.
func ParseStep(line string) (BrowserStep, error) {
	line = strings.TrimSpace(line)
	action, rest, _ := strings.Cut(line, " ")
	st := BrowserStep{Action: StepAction(strings.ToLower(action))}
	wantSelector, wantText, ok := stepArgs(st.Action)
	if !ok {
		var names []string
		for _, a := range StepActions() {
			names = append(names, string(a))
		}
		return st, fmt.Errorf("unknown action %q (one of %s)", action, strings.Join(names, ", "))
	}
	rest = strings.TrimSpace(rest)
	if wantSelector {
		sel, after, err := cutToken(rest)
		if err != nil {
			return st, err
		}
		if sel == "" {
			return st, fmt.Errorf("%s needs a CSS selector", st.Action)
		}
		st.Selector, rest = sel, strings.TrimSpace(after)
	}
	if wantText {
		text, err := unquoteRest(rest)
		if err != nil {
			return st, err
		}
		if text == "" && st.Action != StepType {
			return st, fmt.Errorf("%s needs %s", st.Action, map[bool]string{true: "a number", false: "a text"}[st.Action == StepAssertCount])
		}
		st.Text = text
	} else if rest != "" {
		return st, fmt.Errorf("%s takes nothing after %s, got %q", st.Action, map[bool]string{true: "its selector", false: "it"}[wantSelector], rest)
	}
	switch st.Action {
	case StepAssertCount:
		n, err := strconv.Atoi(st.Text)
		if err != nil || n < 0 {
			return st, fmt.Errorf("assert_count needs a count (0 or more) after the selector, got %q", st.Text)
		}
		st.Count, st.Text = n, ""
	case StepNavigate:
		if err := checkBrowserURL(st.Text); err != nil {
			return st, err
		}
	}
	return st, nil
}

// String is the one-line form ParseStep reads back.
func (st BrowserStep) String() string {
	parts := []string{string(st.Action)}
	if st.Selector != "" {
		parts = append(parts, quoteIfNeeded(st.Selector))
	}
	switch {
	case st.Action == StepAssertCount:
		parts = append(parts, strconv.Itoa(st.Count))
	case st.Text != "":
		text := st.Text
		if strings.TrimSpace(text) != text || strings.HasPrefix(text, `"`) || strings.ContainsAny(text, "\n\r") {
			text = strconv.Quote(text)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " ")
}

// Placeholders lists the secret names a step's text refers to.
func (st BrowserStep) Placeholders() []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(st.Text, -1) {
		out = append(out, m[1])
	}
	return out
}

// Fill returns the step's text with its placeholders replaced by their secrets.
func (st BrowserStep) Fill(secrets map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(st.Text, func(m string) string {
		return secrets[placeholderRE.FindStringSubmatch(m)[1]]
	})
}

func cutToken(s string) (token, rest string, err error) {
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", "", fmt.Errorf("unterminated or malformed quoted selector %s", s)
		}
		token, _ = strconv.Unquote(q)
		return token, s[len(q):], nil
	}
	token, rest, _ = strings.Cut(s, " ")
	return token, rest, nil
}

func unquoteRest(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		return s, nil
	}
	t, err := strconv.Unquote(s)
	if err != nil {
		return "", fmt.Errorf("malformed quoted text %s", s)
	}
	return t, nil
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"") {
		return strconv.Quote(s)
	}
	return s
}

func checkBrowserURL(raw string) error {
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return fmt.Errorf("%q is not an absolute http:// or https:// URL", raw)
	}
	return nil
}

// Browser check limits and defaults.
const (
	DefaultBrowserTimeout = 30 * time.Second
	MaxBrowserSteps       = 50
)

func (s Spec) buildBrowser(c *checker) BrowserSettings {
	b := BrowserSettings{
		URL:                  strings.TrimSpace(s.URL),
		Viewport:             DefaultViewport(),
		UserAgent:            strings.TrimSpace(s.UserAgent),
		Headers:              s.Headers,
		Secrets:              s.Secrets,
		FailOnJSErrors:       s.FailOnJSErrors,
		FailOnRequestErrors:  s.FailOnRequestErrors,
		AllowedRequestErrors: s.AllowedRequestErrors,
		ScreenshotOnSuccess:  s.ScreenshotOnSuccess,
	}
	if b.URL == "" {
		c.add("url", "is required")
	} else if err := checkBrowserURL(b.URL); err != nil {
		c.add("url", "must be an absolute http:// or https:// URL")
	}
	if strings.TrimSpace(s.Viewport) != "" {
		v, err := ParseViewport(s.Viewport)
		if err != nil {
			c.add("viewport", "%v", err)
		}
		b.Viewport = v
	}
	for name, value := range b.Headers {
		if !headerNameRE.MatchString(name) {
			c.add("headers", "%q is not a valid header name", name)
		}
		if strings.ContainsAny(value, "\r\n") {
			c.add("headers", "the value of %s must be on one line", name)
		}
	}
	if len(s.Steps) > MaxBrowserSteps {
		c.add("steps", "at most %d steps, got %d", MaxBrowserSteps, len(s.Steps))
	}
	used := map[string]bool{}
	for i, line := range s.Steps {
		st, err := ParseStep(line)
		if err != nil {
			c.add("steps", "step %d: %v", i+1, err)
			continue
		}
		for _, name := range st.Placeholders() {
			used[name] = true
			if _, ok := b.Secrets[name]; !ok {
				c.add("steps", "step %d: {{%s}} is not one of the secrets", i+1, name)
			}
		}
		b.Steps = append(b.Steps, st)
	}
	for name := range b.Secrets {
		if !used[name] {
			c.add("secrets", "%q is used by no type step (write {{%s}} in one)", name, name)
		}
	}
	return b
}
