package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
	"github.com/ysmood/gson"

	"statusthing/app/monitor"
)

const (
	// hardGrace is how long past its timeout a check waits for a browser that stopped answering.
	hardGrace = 250 * time.Millisecond
	// cleanupTimeout bounds closing a check's incognito context after the check.
	cleanupTimeout = 3 * time.Second
	// idleQuiet is the network silence wait_idle waits for.
	idleQuiet = 500 * time.Millisecond
	// jpegQuality of success screenshots (failures are PNG: exact pixels matter more there).
	jpegQuality = 80
	// maxListed bounds the console errors and failed requests kept on a result.
	maxListed = 20
	// maxEntry bounds one console error or failed request, in runes.
	maxEntry = 300
	// settleTimeout bounds the wait for the page's pending events (normally a millisecond); it
	// is short because it can run in the time kept for the screenshot.
	settleTimeout = 200 * time.Millisecond
	// crashNotice is how long a check waits, after a DevTools error, for the control
	// connection to report that Chromium died.
	crashNotice = 200 * time.Millisecond
)

// browserOutcome is what a browser check's goroutine hands back to Probe.
type browserOutcome struct {
	v       verdict
	status  int
	ttfb    time.Duration
	details *monitor.BrowserDetails
	shot    *monitor.Screenshot
	took    time.Duration
}

// probeBrowser runs a browser check. The work runs in its own goroutine so that a browser that
// stops answering cannot hold the check past its timeout: the check then reports the timeout and
// the next check finds the browser suspect, pings it and restarts it if needed.
func (p *Prober) probeBrowser(r *run, s monitor.BrowserSettings) verdict {
	if !validPageURL(s.URL) {
		return down(monitor.ClassInternal, "invalid URL %s: want an absolute http:// or https:// URL", quote(s.URL, 100))
	}
	for i, st := range s.Steps {
		if st.Action == monitor.StepNavigate && !validPageURL(st.Text) {
			return down(monitor.ClassInternal, "step %d (%s): invalid URL: want an absolute http:// or https:// URL", i+1, st)
		}
	}
	if !p.browser.enter() {
		return down(monitor.ClassBrowser, "%s", errPoolClosed)
	}
	out := make(chan browserOutcome, 1)
	go func() { out <- p.browser.check(r.ctx, r.limit, r.start, s) }()
	deadline, _ := r.ctx.Deadline()
	hard := time.NewTimer(time.Until(deadline) + hardGrace)
	defer hard.Stop()
	var o browserOutcome
	select {
	case o = <-out:
	case <-hard.C:
		// The goroutine ends by itself (every call it makes has a deadline); the next check
		// pings this browser before using it.
		go p.browser.suspectCurrent()
		return down(monitor.ClassTimeout, "timed out after %s: the browser stopped answering", fmtDuration(r.limit))
	}
	r.details.StatusCode, r.details.FirstByte, r.details.Browser = o.status, o.ttfb, o.details
	r.shot, r.duration = o.shot, o.took
	v := o.v
	v.msg = scrub(v.msg, s.Secrets)
	if d := o.details; d != nil {
		for i := range d.ConsoleErrors {
			d.ConsoleErrors[i] = scrub(d.ConsoleErrors[i], s.Secrets)
		}
		for i := range d.FailedRequests {
			d.FailedRequests[i] = scrub(d.FailedRequests[i], s.Secrets)
		}
	}
	return v
}

func validPageURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// scrub hides the secrets of type steps in text the page produced or echoed (an error message
// quoting a field, a GET form in a failed request's URL), longest first so that a secret
// containing another is hidden whole.
func scrub(s string, secrets map[string]string) string {
	var forms []string
	for _, v := range secrets {
		if v != "" {
			forms = append(forms, v, url.QueryEscape(v), url.PathEscape(v))
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, v := range forms {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}

// failure is why a check's page load or step failed.
type failure struct {
	class monitor.ErrorClass
	msg   string
}

func fail(class monitor.ErrorClass, format string, args ...any) *failure {
	return &failure{class: class, msg: fmt.Sprintf(format, args...)}
}

// browserCheck is one browser check in progress.
type browserCheck struct {
	s        monitor.BrowserSettings
	vp       monitor.Viewport
	limit    time.Duration // the check's timeout, for messages
	parent   context.Context
	deadline time.Time       // the parent's
	work     context.Context // the check's time minus what the screenshot needs
	inst     *chromium
	slot     bool

	conn       *rod.Browser // this check's own DevTools connection
	sessCancel context.CancelFunc
	evCancel   context.CancelFunc
	ctxID      proto.BrowserBrowserContextID
	page       *rod.Page
	st         *pageState
	marks      int
}

// check runs one browser check; bp.enter was called for it, and its cleanup (in the background,
// after the result is returned) calls bp.bg.Done.
func (bp *browserPool) check(ctx context.Context, limit time.Duration, start time.Time, s monitor.BrowserSettings) (o browserOutcome) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(limit)
	}
	c := &browserCheck{s: s, vp: s.Viewport, limit: limit, parent: ctx, deadline: deadline}
	if c.vp.Width <= 0 || c.vp.Height <= 0 {
		c.vp = monitor.DefaultViewport()
	}
	var cancel context.CancelFunc
	c.work, cancel = context.WithDeadline(ctx, deadline.Add(-screenshotReserve(limit)))
	defer cancel()
	defer func() {
		if e := recover(); e != nil {
			o = browserOutcome{v: down(monitor.ClassInternal, "internal error: %v", e), took: time.Since(start)}
		}
		go c.close(bp)
	}()

	select {
	case bp.slots <- struct{}{}:
		c.slot = true
	case <-bp.done:
		return browserOutcome{v: down(monitor.ClassBrowser, "%s", errPoolClosed), took: time.Since(start)}
	case <-c.work.Done():
		return browserOutcome{v: c.ended(fmt.Sprintf("waiting for a free browser ([browser] max_concurrency = %d)", cap(bp.slots))).verdict(), took: time.Since(start)}
	}
	inst, err := bp.instance(c.work)
	if err != nil {
		if c.work.Err() != nil {
			return browserOutcome{v: c.ended("starting the browser").verdict(), took: time.Since(start)}
		}
		return browserOutcome{v: down(monitor.ClassBrowser, "%s", err), took: time.Since(start)}
	}
	c.inst = inst
	if err := c.open(); err != nil {
		return browserOutcome{v: c.interrupted(err, "opening a page").verdict(), took: time.Since(start)}
	}
	return c.run()
}

// screenshotReserve is the part of a check's timeout kept for the screenshot of a failure.
func screenshotReserve(limit time.Duration) time.Duration {
	return min(2*time.Second, max(300*time.Millisecond, limit/5), limit/2)
}

// open connects, creates the incognito context and page, subscribes to its events and applies
// the viewport, user agent and headers.
func (c *browserCheck) open() error {
	// What rod does on its own (enabling domains, attaching) has the connection's context:
	// it ends shortly after the check's, so that nothing waits for a hung browser for ever.
	sessCtx, cancel := context.WithDeadline(context.Background(), c.deadline.Add(cleanupTimeout))
	c.sessCancel = cancel
	conn, err := connect(c.work, sessCtx, c.inst.wsURL)
	if err != nil {
		return err
	}
	c.conn = conn
	bc, err := proto.TargetCreateBrowserContext{DisposeOnDetach: true}.Call(conn.Context(c.work))
	if err != nil {
		return err
	}
	c.ctxID = bc.BrowserContextID
	target, err := proto.TargetCreateTarget{URL: "about:blank", BrowserContextID: c.ctxID, NewWindow: true}.Call(conn.Context(c.work))
	if err != nil {
		return err
	}
	incognito := conn.Context(c.work)
	incognito.BrowserContextID = c.ctxID
	page, err := incognito.PageFromTarget(target.TargetID)
	if err != nil {
		return err
	}
	c.page = page
	c.st = newPageState(page.FrameID)

	evCtx, evCancel := context.WithCancel(sessCtx)
	c.evCancel = evCancel
	st := c.st
	wait := page.Context(evCtx).EachEvent(
		st.onRequest, st.onResponse, st.onFinished, st.onFailed,
		st.onException, st.onConsole, st.onLifecycle, st.onNavigated, st.onCrash,
		func(e *proto.PageJavascriptDialogOpening) {
			// An alert() would block the page (and the check) until answered.
			go func() { _ = proto.PageHandleJavaScriptDialog{Accept: true}.Call(page.Context(evCtx)) }()
		},
	)
	go wait()

	p := page.Context(c.work)
	if err := (proto.PageSetLifecycleEventsEnabled{Enabled: true}).Call(p); err != nil {
		return err
	}
	if err := (proto.EmulationSetDeviceMetricsOverride{Width: c.vp.Width, Height: c.vp.Height, DeviceScaleFactor: 1}).Call(p); err != nil {
		return err
	}
	// Every check's window believes it has the focus, as a user's would.
	if err := (proto.EmulationSetFocusEmulationEnabled{Enabled: true}).Call(p); err != nil {
		return err
	}
	ua := c.s.UserAgent
	headers := proto.NetworkHeaders{}
	for name, value := range c.s.Headers {
		if strings.EqualFold(name, "User-Agent") {
			if ua == "" {
				ua = value
			}
			continue
		}
		headers[name] = gson.New(value)
	}
	if ua != "" {
		if err := (proto.NetworkSetUserAgentOverride{UserAgent: ua}).Call(p); err != nil {
			return err
		}
	}
	if len(headers) > 0 {
		if err := (proto.NetworkSetExtraHTTPHeaders{Headers: headers}).Call(p); err != nil {
			return err
		}
	}
	return nil
}

// run loads the page, runs the steps, judges errors and takes the screenshot.
func (c *browserCheck) run() (o browserOutcome) {
	navStart := time.Now()
	d := &monitor.BrowserDetails{}
	o.details = d
	v := verdict{}
	if f := c.load(c.s.URL, &o); f != nil {
		v = f.verdict()
	} else {
		for i, st := range c.s.Steps {
			if f := c.step(st); f != nil {
				d.FailedStep, d.Step = i+1, st.String()
				v = down(f.class, "step %d (%s): %s", i+1, st, f.msg)
				break
			}
		}
	}
	o.took = time.Since(navStart)
	if !c.inst.dead() {
		c.settle(c.parent)
	}

	consoleErrors, moreErrors, failed, moreFailed := c.st.report(c.s.AllowedRequestErrors)
	d.ConsoleErrors, d.FailedRequests = consoleErrors, failed
	d.Requests, d.Bytes = c.st.totals()
	if !v.failed() && c.s.FailOnJSErrors && len(consoleErrors) > 0 {
		v = down(monitor.ClassScript, "JavaScript error: %s%s", consoleErrors[0], more(len(consoleErrors)-1+moreErrors))
	}
	if !v.failed() && c.s.FailOnRequestErrors && len(failed) > 0 {
		v = down(monitor.ClassRequest, "failed request: %s%s", failed[0], more(len(failed)-1+moreFailed))
	}
	o.v = v
	if (v.failed() || c.s.ScreenshotOnSuccess) && c.parent.Err() == nil && !c.inst.dead() {
		o.shot = c.screenshot(!v.failed())
	}
	return o
}

func more(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (+%d more)", n)
}

func (f *failure) verdict() verdict { return down(f.class, "%s", f.msg) }

// load navigates to u and waits for the load event. The first load (o set) also records the
// status, the time to first byte and the navigation timings.
func (c *browserCheck) load(u string, o *browserOutcome) *failure {
	seq := c.st.navigations()
	res, err := proto.PageNavigate{URL: u}.Call(c.page.Context(c.work))
	if err != nil {
		return c.interrupted(err, "waiting for "+quote(u, 100)+" to answer")
	}
	c.st.addNavigation(res.LoaderID)
	if res.ErrorText != "" {
		c.settle(c.work)
		if status := c.st.status(res.LoaderID); status >= 400 {
			if o != nil {
				o.status = status
			}
			return statusFailure(status)
		}
		return navigationFailure(res.ErrorText, u)
	}
	if res.LoaderID == "" {
		return nil // same-document navigation (a #fragment): nothing loads
	}
	if !c.st.wait(c.work, c.inst.gone, func(st *pageState) bool {
		return st.navSeq > seq && st.loaded[st.committed]
	}) {
		if f := c.broken(); f != nil {
			return f
		}
		return c.ended(fmt.Sprintf("waiting for %s to load%s", quote(u, 100), c.st.pendingText()))
	}
	status := c.st.status(res.LoaderID)
	if o != nil {
		o.status = status
		c.timings(o)
	}
	if status >= 400 {
		return statusFailure(status)
	}
	return nil
}

func statusFailure(status int) *failure {
	if text := http.StatusText(status); text != "" {
		return fail(monitor.ClassStatus, "status %d (%s)", status, text)
	}
	return fail(monitor.ClassStatus, "status %d", status)
}

// navigationFailure describes a page that did not load, from Chromium's net error.
func navigationFailure(netErr, raw string) *failure {
	host := raw
	if u, err := url.Parse(raw); err == nil {
		host = u.Host
	}
	name := host
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		name = h
	}
	code := strings.TrimPrefix(netErr, "net::")
	switch {
	case code == "ERR_NAME_NOT_RESOLVED":
		return fail(monitor.ClassDNS, "no such host %s", name)
	case code == "ERR_NAME_RESOLUTION_FAILED":
		return fail(monitor.ClassDNS, "DNS lookup of %s failed", name)
	case code == "ERR_CONNECTION_REFUSED":
		return fail(monitor.ClassRefused, "connection refused (%s)", host)
	case code == "ERR_CONNECTION_RESET":
		return fail(monitor.ClassRefused, "connection reset by the server (%s)", host)
	case code == "ERR_CONNECTION_TIMED_OUT", code == "ERR_TIMED_OUT":
		return fail(monitor.ClassTimeout, "connection to %s timed out (%s)", host, netErr)
	case code == "ERR_CERT_DATE_INVALID":
		return fail(monitor.ClassCert, "certificate expired or not yet valid (%s)", netErr)
	case strings.HasPrefix(code, "ERR_CERT_"), strings.HasPrefix(code, "ERR_SSL_"), code == "ERR_BAD_SSL_CLIENT_AUTH_CERT":
		return fail(monitor.ClassTLS, "TLS error: %s", netErr)
	case code == "ERR_TOO_MANY_REDIRECTS":
		return fail(monitor.ClassRedirect, "too many redirects")
	case code == "ERR_INVALID_RESPONSE", code == "ERR_INVALID_HTTP_RESPONSE", strings.HasPrefix(code, "ERR_RESPONSE_HEADERS_"),
		code == "ERR_EMPTY_RESPONSE", code == "ERR_INVALID_CHUNKED_ENCODING", code == "ERR_CONTENT_LENGTH_MISMATCH":
		return fail(monitor.ClassProtocol, "invalid response from %s (%s)", host, netErr)
	}
	return fail(monitor.ClassNetwork, "page did not load (%s)", netErr)
}

// timings reads the Navigation Timing entry of the page that just loaded.
func (c *browserCheck) timings(o *browserOutcome) {
	v, err := c.eval(c.work, timingJS)
	if err != nil || v.Nil() {
		return
	}
	ms := func(key string) time.Duration {
		return time.Duration(v.Get(key).Num() * float64(time.Millisecond))
	}
	o.ttfb, o.details.DOMContentLoaded, o.details.Load = ms("ttfb"), ms("dcl"), ms("load")
}

// screenshot captures the viewport: PNG for failures, JPEG for success screenshots.
func (c *browserCheck) screenshot(success bool) *monitor.Screenshot {
	req := proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng}
	format := "png"
	if success {
		q := jpegQuality
		req.Format, req.Quality, format = proto.PageCaptureScreenshotFormatJpeg, &q, "jpeg"
	}
	shot, err := req.Call(c.page.Context(c.parent))
	if err != nil || len(shot.Data) == 0 {
		return nil
	}
	return &monitor.Screenshot{Format: format, Data: shot.Data, Width: c.vp.Width, Height: c.vp.Height}
}

// settle waits until every page event that happened before now has been handled: it logs a
// marker to the console and waits for its event, which arrives after all earlier ones.
func (c *browserCheck) settle(ctx context.Context) {
	c.marks++
	marker := "statusthing:settle:" + strconv.Itoa(c.marks)
	seen := c.st.expect(marker)
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	if _, err := c.eval(ctx, "console.debug("+strconv.Quote(marker)+")"); err != nil {
		return
	}
	select {
	case <-seen:
	case <-ctx.Done():
	}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (c *browserCheck) eval(ctx context.Context, expr string) (gson.JSON, error) {
	res, err := proto.RuntimeEvaluate{Expression: expr, ReturnByValue: true, AwaitPromise: true}.Call(c.page.Context(ctx))
	if err != nil {
		return gson.JSON{}, err
	}
	if res.ExceptionDetails != nil {
		return gson.JSON{}, errors.New(exceptionText(res.ExceptionDetails))
	}
	return res.Result.Value, nil
}

// broken reports a crashed browser or page.
func (c *browserCheck) broken() *failure {
	if c.inst.dead() {
		return fail(monitor.ClassBrowser, "browser crashed")
	}
	if c.st != nil && c.st.hasCrashed() {
		return fail(monitor.ClassBrowser, "page crashed (renderer killed or out of memory)")
	}
	return nil
}

// ended describes a check whose time ran out (or that was cancelled) while doing something.
func (c *browserCheck) ended(doing string) *failure {
	if errors.Is(c.work.Err(), context.Canceled) {
		return fail(monitor.ClassInternal, "check cancelled while %s", doing)
	}
	if c.inst != nil {
		c.inst.suspect.Store(true)
	}
	return fail(monitor.ClassTimeout, "timed out after %s %s", fmtDuration(c.limit), doing)
}

// interrupted describes a DevTools call that failed while doing something: the check's time
// ran out, Chromium died, or it answered with an error.
func (c *browserCheck) interrupted(err error, doing string) *failure {
	if f := c.broken(); f != nil {
		return f
	}
	// A socket deadline (the check's) may fire a moment before the context says so.
	if c.work.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
		return c.ended(doing)
	}
	t := time.NewTimer(crashNotice)
	defer t.Stop()
	select {
	case <-c.inst.gone:
		return fail(monitor.ClassBrowser, "browser crashed")
	case <-t.C:
	}
	c.inst.suspect.Store(true)
	return fail(monitor.ClassBrowser, "browser error while %s: %s", doing, oneLine(err.Error()))
}

// close ends the check: it disposes of the incognito context, closes the connection (Chromium
// disposes of anything left with it) and frees the slot.
func (c *browserCheck) close(bp *browserPool) {
	defer bp.bg.Done()
	if c.evCancel != nil {
		c.evCancel()
	}
	if c.conn != nil && c.ctxID != "" && !c.inst.dead() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		err := proto.TargetDisposeBrowserContext{BrowserContextID: c.ctxID}.Call(c.conn.Context(ctx))
		cancel()
		if err != nil && !c.inst.dead() {
			c.inst.suspect.Store(true)
		}
	}
	if c.sessCancel != nil {
		c.sessCancel()
	}
	if c.inst != nil {
		bp.release(c.inst)
	}
	if c.slot {
		<-bp.slots
	}
}

// pageState is what the page's events told so far. Event handlers run on one goroutine, in
// the order Chromium sent the events.
type pageState struct {
	mainFrame proto.PageFrameID
	changed   chan struct{} // poked after every event that may end a wait

	mu            sync.Mutex
	requests      map[proto.NetworkRequestID]*netRequest
	count         int
	bytes         int64
	inflight      int
	lastNet       time.Time
	failed        []failedRequest
	consoleErrors []string
	docStatus     map[proto.NetworkLoaderID]int
	navLoaders    map[proto.NetworkLoaderID]bool // documents of our own navigations
	loaded        map[proto.NetworkLoaderID]bool
	committed     proto.NetworkLoaderID // the main frame's current document
	navSeq        int                   // main-frame commits so far
	crashed       bool
	marker        string
	markerSeen    chan struct{}
}

type netRequest struct {
	url      string
	inflight bool
}

type failedRequest struct {
	id   proto.NetworkRequestID
	desc string // "404" or "net::ERR_…"
	url  string
}

func newPageState(mainFrame proto.PageFrameID) *pageState {
	return &pageState{
		mainFrame:  mainFrame,
		changed:    make(chan struct{}, 1),
		requests:   map[proto.NetworkRequestID]*netRequest{},
		docStatus:  map[proto.NetworkLoaderID]int{},
		navLoaders: map[proto.NetworkLoaderID]bool{},
		loaded:     map[proto.NetworkLoaderID]bool{},
		lastNet:    time.Now(),
	}
}

func (st *pageState) poke() {
	select {
	case st.changed <- struct{}{}:
	default:
	}
}

// ignored are requests that are not the page's: data URLs and Chromium's own favicon fetch.
func ignored(rawURL string, typ proto.NetworkResourceType) bool {
	if strings.HasPrefix(rawURL, "data:") || strings.HasPrefix(rawURL, "blob:") {
		return true
	}
	if typ == proto.NetworkResourceTypeOther {
		if u, err := url.Parse(rawURL); err == nil && u.Path == "/favicon.ico" {
			return true
		}
	}
	return false
}

func (st *pageState) onRequest(e *proto.NetworkRequestWillBeSent) {
	if ignored(e.Request.URL, e.Type) {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.lastNet = time.Now()
	if r, ok := st.requests[e.RequestID]; ok { // a redirect: same request, new URL
		r.url = e.Request.URL
		return
	}
	st.count++
	// Long-lived streams never finish: they must not keep wait_idle waiting.
	long := e.Type == proto.NetworkResourceTypeEventSource || e.Type == proto.NetworkResourceTypeWebSocket
	st.requests[e.RequestID] = &netRequest{url: e.Request.URL, inflight: !long}
	if !long {
		st.inflight++
	}
}

func (st *pageState) onResponse(e *proto.NetworkResponseReceived) {
	if e.Response == nil || ignored(e.Response.URL, e.Type) {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	status := e.Response.Status
	if e.Type == proto.NetworkResourceTypeDocument && e.FrameID == st.mainFrame {
		st.docStatus[e.LoaderID] = status
	}
	if status >= 400 {
		st.failed = append(st.failed, failedRequest{id: e.RequestID, desc: strconv.Itoa(status), url: e.Response.URL})
	}
}

func (st *pageState) done(id proto.NetworkRequestID) *netRequest {
	st.lastNet = time.Now()
	r, ok := st.requests[id]
	if !ok {
		return nil
	}
	if r.inflight {
		r.inflight = false
		st.inflight--
	}
	return r
}

func (st *pageState) onFinished(e *proto.NetworkLoadingFinished) {
	st.mu.Lock()
	if st.done(e.RequestID) != nil {
		st.bytes += int64(e.EncodedDataLength)
	}
	st.mu.Unlock()
	st.poke()
}

func (st *pageState) onFailed(e *proto.NetworkLoadingFailed) {
	st.mu.Lock()
	r := st.done(e.RequestID)
	if r != nil && !e.Canceled {
		st.failed = append(st.failed, failedRequest{id: e.RequestID, desc: e.ErrorText, url: r.url})
	}
	st.mu.Unlock()
	st.poke()
}

func (st *pageState) addError(text string) {
	st.mu.Lock()
	st.consoleErrors = append(st.consoleErrors, text)
	st.mu.Unlock()
}

func (st *pageState) onException(e *proto.RuntimeExceptionThrown) {
	if e.ExceptionDetails != nil {
		st.addError(exceptionText(e.ExceptionDetails))
	}
}

// exceptionText is "Uncaught Error: boom (https://…/app.js:3)".
func exceptionText(d *proto.RuntimeExceptionDetails) string {
	text := d.Text
	if ex := d.Exception; ex != nil {
		detail := ex.Description
		if detail == "" && !ex.Value.Nil() {
			detail = jsValue(ex.Value)
		}
		if detail != "" {
			detail, _, _ = strings.Cut(detail, "\n")
			text = strings.TrimSpace(text + " " + detail)
		}
	}
	if d.URL != "" {
		text += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	}
	return text
}

func jsValue(v gson.JSON) string {
	if s, ok := v.Val().(string); ok {
		return s
	}
	return v.JSON("", "")
}

func (st *pageState) onConsole(e *proto.RuntimeConsoleAPICalled) {
	switch e.Type {
	case proto.RuntimeConsoleAPICalledTypeError, proto.RuntimeConsoleAPICalledTypeAssert:
		parts := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			switch {
			case a.Type == proto.RuntimeRemoteObjectTypeString:
				parts = append(parts, a.Value.Str())
			case a.Description != "":
				parts = append(parts, a.Description)
			case !a.Value.Nil():
				parts = append(parts, jsValue(a.Value))
			default:
				parts = append(parts, string(a.Type))
			}
		}
		st.addError("console." + string(e.Type) + ": " + strings.Join(parts, " "))
	case proto.RuntimeConsoleAPICalledTypeDebug:
		if len(e.Args) == 1 && e.Args[0].Type == proto.RuntimeRemoteObjectTypeString {
			st.mu.Lock()
			if st.markerSeen != nil && e.Args[0].Value.Str() == st.marker {
				close(st.markerSeen)
				st.markerSeen = nil
			}
			st.mu.Unlock()
		}
	}
}

func (st *pageState) onLifecycle(e *proto.PageLifecycleEvent) {
	if e.FrameID != st.mainFrame || e.Name != "load" {
		return
	}
	st.mu.Lock()
	st.loaded[e.LoaderID] = true
	st.mu.Unlock()
	st.poke()
}

func (st *pageState) onNavigated(e *proto.PageFrameNavigated) {
	if e.Frame == nil || e.Frame.ID != st.mainFrame {
		return
	}
	st.mu.Lock()
	st.committed = e.Frame.LoaderID
	st.navSeq++
	st.mu.Unlock()
	st.poke()
}

func (st *pageState) onCrash(*proto.InspectorTargetCrashed) {
	st.mu.Lock()
	st.crashed = true
	st.mu.Unlock()
	st.poke()
}

func (st *pageState) hasCrashed() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.crashed
}

func (st *pageState) navigations() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.navSeq
}

func (st *pageState) addNavigation(id proto.NetworkLoaderID) {
	st.mu.Lock()
	st.navLoaders[id] = true
	st.mu.Unlock()
}

func (st *pageState) status(id proto.NetworkLoaderID) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.docStatus[id]
}

func (st *pageState) totals() (int, int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.count, st.bytes
}

// pendingText is " (3 requests pending)", or "" when none are.
func (st *pageState) pendingText() string {
	st.mu.Lock()
	n := st.inflight
	st.mu.Unlock()
	if n == 0 {
		return ""
	}
	return " (" + plural(n, "request") + " pending)"
}

// expect arms the settle marker and returns the channel closed when its event arrives.
func (st *pageState) expect(marker string) <-chan struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.marker, st.markerSeen = marker, make(chan struct{})
	return st.markerSeen
}

// wait blocks until cond holds, the page crashes, the browser goes or ctx ends; it reports
// whether cond held.
func (st *pageState) wait(ctx context.Context, gone <-chan struct{}, cond func(*pageState) bool) bool {
	for {
		st.mu.Lock()
		ok, crashed := cond(st), st.crashed
		st.mu.Unlock()
		if ok || crashed {
			return ok
		}
		select {
		case <-st.changed:
		case <-gone:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// report returns the console errors and the failed requests (without our navigations'
// documents, judged by their status, and without allowed URLs), each capped at maxListed with
// the count of the rest.
func (st *pageState) report(allowed []string) (errs []string, moreErrs int, failed []string, moreFailed int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, e := range st.consoleErrors {
		if len(errs) == maxListed {
			moreErrs++
			continue
		}
		errs = append(errs, cut(oneLine(e), maxEntry))
	}
	seen := map[proto.NetworkRequestID]bool{}
	for _, f := range st.failed {
		if st.navLoaders[proto.NetworkLoaderID(f.id)] || seen[f.id] || allowedURL(f.url, allowed) {
			continue
		}
		seen[f.id] = true // a 404 that then fails to load is one failure
		if len(failed) == maxListed {
			moreFailed++
			continue
		}
		failed = append(failed, cut(f.desc+" "+f.url, maxEntry))
	}
	return errs, moreErrs, failed, moreFailed
}

func allowedURL(u string, allowed []string) bool {
	for _, a := range allowed {
		if a != "" && strings.Contains(u, a) {
			return true
		}
	}
	return false
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
