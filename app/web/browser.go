package web

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"

	"statusthing/app/monitor"
	"statusthing/views"
)

// maxListed bounds the console errors and failed requests shown of one check.
const maxListed = 10

// screenshotURL is the admin URL of a result's screenshot.
func screenshotURL(monitorID, resultID int64) string {
	return "/admin/monitors/" + strconv.FormatInt(monitorID, 10) + "/results/" + strconv.FormatInt(resultID, 10) + "/screenshot"
}

// browserPanel describes the last check of a browser monitor from its recent results (newest
// first), with the newest screenshot among them; nil without results.
func browserPanel(f formatter, results []monitor.Result) *views.BrowserPanel {
	if len(results) == 0 {
		return nil
	}
	last := results[0]
	p := &views.BrowserPanel{At: f.stamp(last.StartedAt), Outcome: f.outcome(last.Outcome), Message: last.Message}
	if b := last.Details.Browser; b != nil && b.FailedStep > 0 {
		p.FailedStep, p.Step = f.t("browser.failed_step", b.FailedStep), b.Step
	}
	p.Facts = browserFacts(f, last)
	p.Lists = browserLists(f, last.Details.Browser)
	for _, res := range results {
		if res.ScreenshotID == 0 || res.ID == 0 {
			continue
		}
		shot := &views.ScreenshotView{URL: screenshotURL(res.MonitorID, res.ID), Alt: f.t("browser.screenshot_alt", f.stamp(res.StartedAt))}
		if res.ID == last.ID {
			shot.Caption = f.t("browser.screenshot_this")
		} else {
			shot.Caption = f.t("browser.screenshot_of", f.stamp(res.StartedAt), f.t("status."+string(res.Outcome)))
		}
		p.Screenshot = shot
		break
	}
	return p
}

// browserFacts are the measurements of a browser check worth a line each.
func browserFacts(f formatter, res monitor.Result) []views.Fact {
	var out []views.Fact
	add := func(label, value string) {
		if value != "" && value != "–" {
			out = append(out, views.Fact{Label: f.t(label), Value: value})
		}
	}
	add("result.duration", f.checkDuration(res.Duration))
	add("result.first_byte", f.duration(res.Details.FirstByte))
	if b := res.Details.Browser; b != nil {
		add("browser.dom_content_loaded", f.duration(b.DOMContentLoaded))
		add("browser.load", f.duration(b.Load))
		if b.Requests > 0 {
			add("browser.requests", strconv.Itoa(b.Requests))
		}
		if b.Bytes > 0 {
			add("browser.bytes", f.size(b.Bytes))
		}
	}
	if res.Outcome != monitor.OutcomeUp && res.ErrorClass != "" {
		add("result.error_class", string(res.ErrorClass))
	}
	return out
}

// browserLists are the console errors and failed requests of a check, the first few of each.
func browserLists(f formatter, b *monitor.BrowserDetails) []views.FactList {
	if b == nil {
		return nil
	}
	var out []views.FactList
	add := func(key, testID string, items []string) {
		if len(items) == 0 {
			return
		}
		l := views.FactList{Label: f.t(key, len(items)), TestID: testID}
		if len(items) > maxListed {
			l.Items = append(append(l.Items, items[:maxListed]...), f.t("browser.more", len(items)-maxListed))
		} else {
			l.Items = items
		}
		out = append(out, l)
	}
	add("browser.console_errors", "console-errors", b.ConsoleErrors)
	add("browser.failed_requests", "failed-requests", b.FailedRequests)
	return out
}

// inlineScreenshot shows the screenshot of a test check, which is not stored, as a data: URL
// (the CSP allows data: images).
func inlineScreenshot(f formatter, sh *monitor.Screenshot) *views.ScreenshotView {
	if sh == nil || len(sh.Data) == 0 {
		return nil
	}
	mime := sh.MediaType()
	if mime == "" {
		return nil
	}
	return &views.ScreenshotView{URL: "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(sh.Data),
		Alt: f.t("browser.screenshot_test"), Caption: f.t("browser.screenshot_test"), Inline: true}
}

// monitorScreenshot serves the screenshot of a browser check's result. Screenshots never
// change once taken: the browser may keep them (privately: they show the monitored site).
func (h *Handler) monitorScreenshot(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil || rid <= 0 {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	sh, err := h.monitors.Screenshot(r.Context(), orgOf(r), id, rid)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	mime := sh.MediaType()
	if mime == "" {
		h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("screenshot of result %d: unknown format %q", rid, sh.Format))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", mime)
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("Content-Length", strconv.Itoa(len(sh.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(sh.Data)
	}
}
