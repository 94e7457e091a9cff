package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// resultJSON is one check result. Latencies are whole milliseconds; measurements that were
// not taken are left out.
type resultJSON struct {
	ID         int64              `json:"id,omitempty"` // absent in a check's answer
	MonitorID  int64              `json:"monitor_id"`
	StartedAt  time.Time          `json:"started_at"`
	DurationMs int64              `json:"duration_ms"`
	Outcome    monitor.Outcome    `json:"outcome"`
	ErrorClass monitor.ErrorClass `json:"error_class,omitempty"`
	Message    string             `json:"message,omitempty"`
	Details    detailsJSON        `json:"details"`
	// ScreenshotURL is where a browser check's screenshot is served (relative to the server).
	ScreenshotURL string `json:"screenshot_url,omitempty"`
}

type detailsJSON struct {
	StatusCode  int          `json:"status_code,omitempty"`
	DNSMs       int64        `json:"dns_ms,omitempty"`
	ConnectMs   int64        `json:"connect_ms,omitempty"`
	TLSMs       int64        `json:"tls_ms,omitempty"`
	FirstByteMs int64        `json:"first_byte_ms,omitempty"`
	CertExpiry  *time.Time   `json:"cert_expiry,omitempty"`
	Body        string       `json:"body,omitempty"`
	Answers     []string     `json:"answers,omitempty"`
	Browser     *browserJSON `json:"browser,omitempty"`
}

// browserJSON is what a browser check saw.
type browserJSON struct {
	FailedStep         int      `json:"failed_step,omitempty"`
	Step               string   `json:"step,omitempty"`
	DOMContentLoadedMs int64    `json:"dom_content_loaded_ms,omitempty"`
	LoadMs             int64    `json:"load_ms,omitempty"`
	Requests           int      `json:"requests"`
	Bytes              int64    `json:"bytes"`
	ConsoleErrors      []string `json:"console_errors,omitempty"`
	FailedRequests     []string `json:"failed_requests,omitempty"`
}

// screenshotPath is the API URL of a result's screenshot.
func screenshotPath(monitorID, resultID int64) string {
	return apiPrefix + "/monitors/" + strconv.FormatInt(monitorID, 10) + "/results/" + strconv.FormatInt(resultID, 10) + "/screenshot"
}

func toResultJSON(r monitor.Result) resultJSON {
	d := r.Details
	out := resultJSON{ID: r.ID, MonitorID: r.MonitorID, StartedAt: r.StartedAt.UTC(), DurationMs: r.Duration.Milliseconds(),
		Outcome: r.Outcome, ErrorClass: r.ErrorClass, Message: r.Message,
		Details: detailsJSON{StatusCode: d.StatusCode, DNSMs: d.DNS.Milliseconds(), ConnectMs: d.Connect.Milliseconds(),
			TLSMs: d.TLS.Milliseconds(), FirstByteMs: d.FirstByte.Milliseconds(), Body: d.BodySnippet, Answers: d.Answers}}
	if !d.CertExpiry.IsZero() {
		t := d.CertExpiry.UTC()
		out.Details.CertExpiry = &t
	}
	if b := d.Browser; b != nil {
		out.Details.Browser = &browserJSON{FailedStep: b.FailedStep, Step: b.Step, DOMContentLoadedMs: b.DOMContentLoaded.Milliseconds(),
			LoadMs: b.Load.Milliseconds(), Requests: b.Requests, Bytes: b.Bytes, ConsoleErrors: b.ConsoleErrors, FailedRequests: b.FailedRequests}
	}
	if r.ScreenshotID != 0 && r.ID != 0 {
		out.ScreenshotURL = screenshotPath(r.MonitorID, r.ID)
	}
	return out
}

// getScreenshot answers the image of a browser check's screenshot.
func (h *Handler) getScreenshot(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil || rid <= 0 {
		return newError(http.StatusNotFound, codeNotFound, "not found: ids are positive integers")
	}
	sh, err := h.monitors.Screenshot(r.Context(), c.org, id, rid)
	if auth.IsNotFound(err) {
		return notFound("screenshot")
	}
	if err != nil {
		return err
	}
	mime := sh.MediaType()
	if mime == "" {
		return fmt.Errorf("api: screenshot %d of monitor %d: unknown format %q", rid, id, sh.Format)
	}
	hd := w.Header()
	hd.Set("Content-Type", mime)
	// Screenshots never change once taken; private: they show the monitored site.
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("Content-Length", strconv.Itoa(len(sh.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(sh.Data)
	}
	return nil
}

func (h *Handler) listResults(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lq, err := parseList(q, "results")
	if err != nil {
		return err
	}
	outcome := monitor.Outcome(q.Get("outcome"))
	switch outcome {
	case "", monitor.OutcomeUp, monitor.OutcomeDegraded, monitor.OutcomeDown:
	default:
		return badParam("outcome", "must be up, degraded or down")
	}
	var before time.Time
	if lq.cursor.id != 0 {
		before = lq.cursor.time()
	}
	rows, err := h.store.ResultsPage(r.Context(), c.org, id, outcome, lq.from, lq.to, before, lq.cursor.id, lq.limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(r monitor.Result) cursor { return cursor{list: "results", at: r.StartedAt.UnixMilli(), id: r.ID} },
		toResultJSON))
	return nil
}

// flipJSON is one status change.
type flipJSON struct {
	ID        int64          `json:"id"`
	MonitorID int64          `json:"monitor_id"`
	At        time.Time      `json:"at"`
	From      monitor.Status `json:"from"`
	To        monitor.Status `json:"to"`
	Reason    string         `json:"reason"`
}

func (h *Handler) listFlips(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	lq, err := parseList(r.URL.Query(), "flips")
	if err != nil {
		return err
	}
	var before time.Time
	if lq.cursor.id != 0 {
		before = lq.cursor.time()
	}
	rows, err := h.store.FlipsPage(r.Context(), c.org, id, lq.from, lq.to, before, lq.cursor.id, lq.limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(f monitor.Flip) cursor { return cursor{list: "flips", at: f.At.UnixMilli(), id: f.ID} },
		func(f monitor.Flip) flipJSON {
			return flipJSON{ID: f.ID, MonitorID: f.MonitorID, At: f.At.UTC(), From: f.From, To: f.To, Reason: f.Reason}
		}))
	return nil
}

// pingJSON is one ping of a heartbeat.
type pingJSON struct {
	ID         int64          `json:"id"`
	MonitorID  int64          `json:"monitor_id"`
	At         time.Time      `json:"at"`
	Kind       heartbeat.Kind `json:"kind"`
	ExitStatus *int           `json:"exit_status,omitempty"` // kind exit only
	RID        string         `json:"rid,omitempty"`
	Method     string         `json:"method"`
	RemoteIP   string         `json:"remote_ip,omitempty"`
	UserAgent  string         `json:"user_agent,omitempty"`
	Body       string         `json:"body,omitempty"`
	Truncated  bool           `json:"truncated"`
	RunMs      *int64         `json:"run_ms,omitempty"` // the run this ping finished
}

func toPingJSON(p heartbeat.Record) pingJSON {
	out := pingJSON{ID: p.ID, MonitorID: p.MonitorID, At: p.At.UTC(), Kind: p.Kind, RID: p.RID, Method: p.Method,
		RemoteIP: p.RemoteIP, UserAgent: p.UserAgent, Body: p.Body, Truncated: p.Truncated}
	if p.Kind == heartbeat.KindExit {
		exit := p.Exit
		out.ExitStatus = &exit
	}
	if p.RunTime > 0 {
		ms := p.RunTime.Milliseconds()
		out.RunMs = &ms
	}
	return out
}

func (h *Handler) listPings(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	lq, err := parseList(r.URL.Query(), "pings")
	if err != nil {
		return err
	}
	m, err := h.monitors.Get(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	if m.Type != monitor.TypeHeartbeat {
		return newError(http.StatusNotFound, codeNotFound, "this monitor is not a heartbeat: it has results, not pings")
	}
	rows, err := h.store.PingsPage(r.Context(), c.org, id, lq.from, lq.to, lq.cursor.id, lq.limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(p heartbeat.Record) cursor { return cursor{list: "pings", id: p.ID} }, toPingJSON))
	return nil
}
