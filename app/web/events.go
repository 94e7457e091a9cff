package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"statusthing/app/monitor"
)

// liveMonitor is the JSON of one SSE "monitor" event, already formatted for the page.
type liveMonitor struct {
	ID          int64       `json:"id"`
	Status      string      `json:"status,omitempty"`
	StatusLabel string      `json:"status_label,omitempty"`
	Since       string      `json:"since,omitempty"`
	LastCheck   string      `json:"last_check,omitempty"`
	Message     string      `json:"message,omitempty"`
	Deleted     bool        `json:"deleted,omitempty"`
	Result      *liveResult `json:"result,omitempty"`
}

type liveResult struct {
	Time         string `json:"time"`
	Outcome      string `json:"outcome"`
	OutcomeLabel string `json:"outcome_label"`
	Duration     string `json:"duration"`
	Code         string `json:"code"`
	Message      string `json:"message"`
}

func liveEvent(f formatter, ev monitor.Event) liveMonitor {
	if ev.Deleted {
		return liveMonitor{ID: ev.MonitorID, Deleted: true}
	}
	b := f.badge(ev.State.Status)
	lm := liveMonitor{ID: ev.MonitorID, Status: b.Status, StatusLabel: b.Label, Since: f.ago(ev.State.Since),
		LastCheck: f.ago(ev.State.LastCheckedAt), Message: ev.State.LastMessage}
	if lm.Message == "" {
		lm.Message = "–"
	}
	if ev.Result != nil {
		row := resultRow(f, *ev.Result)
		lm.Result = &liveResult{Time: row.At, Outcome: row.Outcome.Status, OutcomeLabel: row.Outcome.Label,
			Duration: row.Duration, Code: row.Code, Message: row.Message}
	}
	return lm
}

// sseKeepAlive keeps proxies from closing an idle stream.
const sseKeepAlive = 25 * time.Second

// events streams the organization's monitor changes as Server-Sent Events.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// The stream outlives the server's write timeout by design.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sse: %w", err))
		return
	}
	events, cancel := h.hub.Subscribe(orgOf(r))
	defer cancel()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	keepAlive := time.NewTicker(sseKeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case ev, ok := <-events:
			if !ok {
				return // hub closed (shutdown) or we fell behind: the browser reconnects
			}
			data, err := json.Marshal(liveEvent(h.formatter(r), ev))
			if err != nil {
				h.log.Error("sse encode", "err", err)
				return
			}
			fmt.Fprintf(w, "id: %s\nevent: monitor\ndata: %s\n\n", strconv.FormatInt(time.Now().UnixMilli(), 10), data)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
