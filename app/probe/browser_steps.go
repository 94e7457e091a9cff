package probe

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
	"github.com/ysmood/gson"

	"statusthing/app/monitor"
)

// Steps poll: every pollMin at first, backing off to pollMax, until they hold or the check's
// time is up.
const (
	pollMin = 20 * time.Millisecond
	pollMax = 200 * time.Millisecond
)

// jsPrelude defines the helpers of the step expressions. Visibility follows rod's rule: not
// display:none or visibility:hidden, and a box of some size or position.
const jsPrelude = `
const vis = el => { const s = getComputedStyle(el); if (s.visibility === 'hidden' || s.display === 'none') return false;
  const r = el.getBoundingClientRect(); return !!(r.top || r.bottom || r.width || r.height) };
const norm = s => String(s == null ? '' : s).replace(/\s+/g, ' ').trim();
const all = sel => { try { return Array.from(document.querySelectorAll(sel)) } catch (e) { return null } };
const pageText = () => norm(document.body ? document.body.innerText : (document.documentElement || {}).textContent);
`

// jsFind returns the first element matching sel that is visible and, for need "enabled",
// enabled or, for "editable", also writable; or, when there is none, why: missing, hidden,
// disabled, readonly or invalid (a bad selector). With element false it returns the state
// string only ("ok" when found).
const jsFind = `(sel, need, element) => {
  const els = all(sel);
  if (els === null) return 'invalid';
  let state = els.length ? 'hidden' : 'missing';
  for (const el of els) {
    if (!vis(el)) continue;
    if (need !== 'visible') {
      if (el.matches(':disabled') || el.getAttribute('aria-disabled') === 'true') { state = 'disabled'; continue }
      if (need === 'editable' && !(el.isContentEditable || (el.matches('input, textarea') && !el.readOnly))) { state = 'readonly'; continue }
    }
    return element ? el : 'ok';
  }
  return state;
}`

// jsHidden is "ok" when no element matching sel is visible, "visible" otherwise.
const jsHidden = `(sel) => { const els = all(sel); if (els === null) return 'invalid'; return els.some(vis) ? 'visible' : 'ok' }`

// jsCount is the number of elements matching sel, or -1 for a bad selector.
const jsCount = `(sel) => { const els = all(sel); return els === null ? -1 : els.length }`

// jsTextIn is {n, ok, text}: how many elements match sel, whether one contains want and the
// text of the first.
const jsTextIn = `(sel, want) => {
  const els = all(sel);
  if (els === null) return {n: -1};
  const texts = els.map(el => norm(el.innerText !== undefined ? el.innerText : el.textContent));
  return {n: els.length, ok: texts.some(t => t.includes(norm(want))), text: texts[0] || ''};
}`

// jsPage is {text, title, url} of the page, text only when asked.
const jsPage = `(withText, want) => ({ok: withText ? pageText().includes(norm(want)) : false, title: document.title, url: location.href})`

// timingJS waits (briefly) for the load event to end and returns the Navigation Timing of the
// document, in milliseconds: time to first byte (from fetchStart, so DNS, connect and TLS
// included), DOMContentLoaded end and load end (from the navigation's start).
const timingJS = `new Promise(resolve => {
  const t0 = Date.now();
  const done = () => {
    const n = performance.getEntriesByType('navigation')[0];
    if (!n) return resolve(null);
    if (n.loadEventEnd <= 0 && Date.now() - t0 < 1000) return setTimeout(done, 5);
    resolve({ttfb: n.responseStart - n.fetchStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd});
  };
  done();
})`

// jsCall is the expression calling fn (one of the js* functions) with args, the prelude in
// scope.
func jsCall(fn string, args ...any) string {
	var b strings.Builder
	b.WriteString("(() => {")
	b.WriteString(jsPrelude)
	b.WriteString("return (")
	b.WriteString(fn)
	b.WriteString(")(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		j, _ := json.Marshal(a)
		b.Write(j)
	}
	b.WriteString(")})()")
	return b.String()
}

// step runs one step.
func (c *browserCheck) step(st monitor.BrowserStep) *failure {
	switch st.Action {
	case monitor.StepNavigate:
		return c.load(st.Text, nil)
	case monitor.StepClick:
		return c.act(st.Selector, "enabled", func(el *rod.Element) error {
			return el.Click(proto.InputMouseButtonLeft, 1)
		})
	case monitor.StepType:
		text := st.Fill(c.s.Secrets)
		return c.act(st.Selector, "editable", func(el *rod.Element) error {
			if err := el.SelectAllText(); err != nil {
				return err
			}
			return el.Input(text) // replaces the selection: type sets the field's value
		})
	case monitor.StepWait:
		return c.pollState(st.Selector, monitor.ClassStep, jsCall(jsFind, st.Selector, "visible", false))
	case monitor.StepWaitHidden:
		return c.pollState(st.Selector, monitor.ClassStep, jsCall(jsHidden, st.Selector))
	case monitor.StepWaitIdle:
		return c.waitIdle()
	case monitor.StepAssertExists:
		return c.assertCount(st.Selector, -1)
	case monitor.StepAssertCount:
		return c.assertCount(st.Selector, st.Count)
	case monitor.StepAssertTextIn:
		return c.assertTextIn(st.Selector, st.Text)
	case monitor.StepAssertText, monitor.StepAssertTitle, monitor.StepAssertURL:
		return c.assertPage(st.Action, st.Text)
	}
	return fail(monitor.ClassInternal, "unknown action %q", st.Action)
}

// poll evaluates expr until judge accepts the value, the check's time runs out or the browser
// breaks. It returns the last value, whether the page answered at all, and a failure when the
// browser broke or the check was cancelled (nil when the time simply ran out).
func (c *browserCheck) poll(expr string, judge func(gson.JSON) bool) (last gson.JSON, answered, ok bool, f *failure) {
	delay := pollMin
	for {
		if f := c.broken(); f != nil {
			return last, answered, false, f
		}
		if v, err := c.eval(c.work, expr); err == nil {
			last, answered = v, true
			if judge(v) {
				return last, true, true, nil
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-c.work.Done():
			t.Stop()
			if f := c.broken(); f != nil {
				return last, answered, false, f
			}
			if errors.Is(c.work.Err(), context.Canceled) {
				return last, answered, false, c.ended("running the step")
			}
			return last, answered, false, nil
		case <-c.inst.gone:
			t.Stop()
		case <-t.C:
		}
		delay = min(2*delay, pollMax)
	}
}

// stuck is the failure of a step during which the page never answered.
func (c *browserCheck) stuck() *failure {
	c.inst.suspect.Store(true)
	return fail(monitor.ClassTimeout, "timed out after %s: the page did not answer (a script may be busy)", fmtDuration(c.limit))
}

// selText writes a selector in a message, quoted when it has spaces.
func selText(sel string) string {
	if strings.ContainsAny(sel, " \t\"") {
		return quote(sel, 100)
	}
	return sel
}

// stateText describes why an element could not be used.
func stateText(sel, state string, waited time.Duration) string {
	after := " after " + fmtDuration(waited)
	switch state {
	case "missing":
		return "no element matches " + selText(sel) + after
	case "hidden":
		return selText(sel) + " is not visible" + after
	case "visible":
		return selText(sel) + " is still visible" + after
	case "disabled":
		return selText(sel) + " is disabled" + after
	case "readonly":
		return selText(sel) + " is not an editable field" + after
	}
	return selText(sel) + " " + state + after
}

func invalidSelector(sel string) *failure {
	return fail(monitor.ClassStep, "invalid CSS selector %s", quote(sel, 100))
}

// pollState waits for a jsFind/jsHidden expression to return "ok".
func (c *browserCheck) pollState(sel string, class monitor.ErrorClass, expr string) *failure {
	start := time.Now()
	invalid := false
	last, answered, ok, f := c.poll(expr, func(v gson.JSON) bool {
		invalid = v.Str() == "invalid"
		return v.Str() == "ok" || invalid
	})
	switch {
	case f != nil:
		return f
	case invalid:
		return invalidSelector(sel)
	case ok:
		return nil
	case !answered:
		return c.stuck()
	}
	return fail(class, "%s", stateText(sel, last.Str(), time.Since(start)))
}

// act finds the first usable element matching sel, waits until the point it would be clicked
// at is not covered by another element, and does what it must with it.
func (c *browserCheck) act(sel, need string, do func(*rod.Element) error) *failure {
	start := time.Now()
	expr := jsCall(jsFind, sel, need, true)
	state, answered := "missing", false
	delay := pollMin
	for {
		if f := c.broken(); f != nil {
			return f
		}
		res, err := proto.RuntimeEvaluate{Expression: expr}.Call(c.page.Context(c.work))
		if err == nil && res.ExceptionDetails == nil {
			answered = true
			obj := res.Result
			if obj.Type == proto.RuntimeRemoteObjectTypeString {
				state = obj.Value.Str()
				if state == "invalid" {
					return invalidSelector(sel)
				}
			} else if el, err := c.page.Context(c.work).ElementFromObject(obj); err == nil {
				// What failed because the time ran out says nothing about the element.
				if why := interactable(el); why != "" {
					if c.work.Err() == nil {
						state = why
					}
				} else if err := do(el); err == nil {
					return nil
				} else if c.work.Err() == nil {
					state = "could not be used: " + oneLine(err.Error())
				}
				_ = el.Release()
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-c.work.Done():
			t.Stop()
			if f := c.broken(); f != nil {
				return f
			}
			if errors.Is(c.work.Err(), context.Canceled) {
				return c.ended("running the step")
			}
			if !answered {
				return c.stuck()
			}
			return fail(monitor.ClassStep, "%s", stateText(sel, state, time.Since(start)))
		case <-c.inst.gone:
			t.Stop()
		case <-t.C:
		}
		delay = min(2*delay, pollMax)
	}
}

// interactable scrolls el into view and says why it cannot be clicked, or "" when it can.
func interactable(el *rod.Element) string {
	if err := el.ScrollIntoView(); err != nil {
		return "could not be scrolled into view"
	}
	_, err := el.Interactable()
	var covered *rod.CoveredError
	var noPointer *rod.NoPointerEventsError
	var invisible *rod.InvisibleShapeError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &covered):
		what := "another element"
		if v, err := covered.Element.Eval(`() => { let s = this.tagName.toLowerCase(); if (this.id) s += '#' + this.id;
			else if (this.classList.length) s += '.' + Array.from(this.classList).slice(0, 2).join('.'); return s }`); err == nil {
			what = v.Value.Str()
		}
		return "is covered by " + what
	case errors.As(err, &noPointer):
		return "ignores the mouse (pointer-events: none)"
	case errors.As(err, &invisible):
		return "hidden"
	}
	return "could not be located: " + oneLine(err.Error())
}

// waitIdle waits until no request has been in flight for idleQuiet.
func (c *browserCheck) waitIdle() *failure {
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if f := c.broken(); f != nil {
			return f
		}
		c.st.mu.Lock()
		idle := c.st.inflight == 0 && time.Since(c.st.lastNet) >= idleQuiet
		c.st.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-c.work.Done():
			if f := c.broken(); f != nil {
				return f
			}
			if errors.Is(c.work.Err(), context.Canceled) {
				return c.ended("waiting for the network to be idle")
			}
			return fail(monitor.ClassStep, "network still busy after %s%s", fmtDuration(time.Since(start)), c.st.pendingText())
		case <-c.inst.gone:
		case <-tick.C:
		}
	}
}

// assertCount checks the number of elements matching sel: want < 0 means at least one.
func (c *browserCheck) assertCount(sel string, want int) *failure {
	start := time.Now()
	last, answered, ok, f := c.poll(jsCall(jsCount, sel), func(v gson.JSON) bool {
		n := v.Int()
		return n == -1 || (want < 0 && n > 0) || n == want
	})
	switch {
	case f != nil:
		return f
	case answered && last.Int() == -1:
		return invalidSelector(sel)
	case ok:
		return nil
	case !answered:
		return c.stuck()
	}
	waited := fmtDuration(time.Since(start))
	if want < 0 {
		return fail(monitor.ClassAssertion, "no element matches %s after %s", selText(sel), waited)
	}
	return fail(monitor.ClassAssertion, "%s matches %s, expected %d (after %s)", selText(sel), plural(last.Int(), "element"), want, waited)
}

func (c *browserCheck) assertTextIn(sel, want string) *failure {
	start := time.Now()
	last, answered, ok, f := c.poll(jsCall(jsTextIn, sel, want), func(v gson.JSON) bool {
		return v.Get("n").Int() == -1 || v.Get("ok").Bool()
	})
	switch {
	case f != nil:
		return f
	case answered && last.Get("n").Int() == -1:
		return invalidSelector(sel)
	case ok:
		return nil
	case !answered:
		return c.stuck()
	}
	waited := fmtDuration(time.Since(start))
	if last.Get("n").Int() == 0 {
		return fail(monitor.ClassAssertion, "no element matches %s after %s", selText(sel), waited)
	}
	return fail(monitor.ClassAssertion, "text of %s is %s, which does not contain %s (after %s)",
		selText(sel), quote(last.Get("text").Str(), 80), quote(want, 80), waited)
}

// assertPage checks the page's text, title or URL.
func (c *browserCheck) assertPage(action monitor.StepAction, want string) *failure {
	start := time.Now()
	last, answered, ok, f := c.poll(jsCall(jsPage, action == monitor.StepAssertText, want), func(v gson.JSON) bool {
		switch action {
		case monitor.StepAssertTitle:
			return strings.Contains(v.Get("title").Str(), want)
		case monitor.StepAssertURL:
			return strings.Contains(v.Get("url").Str(), want)
		}
		return v.Get("ok").Bool()
	})
	switch {
	case f != nil:
		return f
	case ok:
		return nil
	case !answered:
		return c.stuck()
	}
	waited := fmtDuration(time.Since(start))
	switch action {
	case monitor.StepAssertTitle:
		return fail(monitor.ClassAssertion, "title is %s, which does not contain %s (after %s)", quote(last.Get("title").Str(), 80), quote(want, 80), waited)
	case monitor.StepAssertURL:
		return fail(monitor.ClassAssertion, "URL is %s, which does not contain %s (after %s)", quote(last.Get("url").Str(), 120), quote(want, 80), waited)
	}
	return fail(monitor.ClassAssertion, "page text does not contain %s after %s", quote(want, 80), waited)
}
