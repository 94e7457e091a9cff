package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"statusthing/app/heartbeat"
	"statusthing/app/monitoring"
)

// The ping API (Healthchecks' URL shapes):
//
//	/ping/{uuid}[/start|/fail|/log|/{0-255}]
//	/ping/{ping_key}/{slug}[/start|/fail|/log|/{0-255}]   (?create=1 makes the heartbeat)
//
// GET, POST and HEAD, no authentication (the uuid is the secret), CORS open. "OK" is sent
// only once the ping is committed.

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ridRE bounds run ids: Healthchecks uses uuids, scripts sometimes use their own ids.
var ridRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

func (h *Handler) ping(w http.ResponseWriter, r *http.Request) {
	if !h.pingPreamble(w, r) {
		return
	}
	a, b, c := r.PathValue("a"), r.PathValue("b"), r.PathValue("c")
	var id int64
	var err error
	created := false
	suffix := b
	switch {
	case uuidRE.MatchString(a):
		if c != "" {
			pingError(w, http.StatusNotFound, "not found")
			return
		}
		id, err = h.monitors.PingByUUID(strings.ToLower(a))
	case b == "":
		pingError(w, http.StatusNotFound, "not found")
		return
	default:
		suffix = c
		create := r.URL.Query().Get("create") == "1"
		if _, _, kerr := heartbeat.ParseKind(suffix); kerr != nil {
			create = false // a bad suffix must not create anything
		}
		id, created, err = h.monitors.PingBySlug(r.Context(), a, b, create)
	}
	kind, exit, kerr := heartbeat.ParseKind(suffix)
	switch {
	case errors.Is(kerr, heartbeat.ErrBadExitStatus):
		pingError(w, http.StatusBadRequest, "exit status must be between 0 and 255")
		return
	case kerr != nil:
		pingError(w, http.StatusNotFound, "not found")
		return
	}
	if !h.pingLookup(w, err) {
		return
	}
	rid := r.URL.Query().Get("rid")
	if rid != "" && !ridRE.MatchString(rid) {
		pingError(w, http.StatusBadRequest, "rid must be a uuid (or 1-64 letters, digits, '.', '_', ':', '-')")
		return
	}
	body, truncated, ok := h.pingBody(w, r)
	if !ok {
		return
	}
	h.recordPing(w, r, heartbeat.Record{MonitorID: id, Ping: heartbeat.Ping{Kind: kind, Exit: exit, RID: rid, At: h.now()},
		Method: r.Method, Body: body, Truncated: truncated}, created)
}

// push is Uptime Kuma's push API: /api/push/{token}?status=up|down&msg=...&ping=ms, where
// the token is the heartbeat's uuid. It answers in Kuma's JSON.
func (h *Handler) push(w http.ResponseWriter, r *http.Request) {
	if !h.pingPreamble(w, r) {
		return
	}
	q := r.URL.Query()
	kind := heartbeat.KindSuccess
	switch q.Get("status") {
	case "", "up":
	case "down":
		kind = heartbeat.KindFail
	default:
		pushError(w, http.StatusBadRequest, "status must be up or down")
		return
	}
	id, err := h.monitors.PingByUUID(strings.ToLower(r.PathValue("token")))
	if err != nil {
		pushError(w, http.StatusNotFound, "Monitor not found or not active.")
		return
	}
	msg := q.Get("msg")
	if p := q.Get("ping"); p != "" {
		if _, err := strconv.ParseFloat(p, 64); err != nil {
			pushError(w, http.StatusBadRequest, "ping must be a number of milliseconds")
			return
		}
		msg = strings.TrimSpace(msg + " (ping " + p + " ms)")
	}
	body, truncated := truncateUTF8(msg, h.pingLimit)
	rec := heartbeat.Record{MonitorID: id, Ping: heartbeat.Ping{Kind: kind, At: h.now()}, Method: "PUSH",
		Body: body, Truncated: truncated, RemoteIP: h.clientIP(r), UserAgent: r.UserAgent()}
	if err := h.monitors.RecordPing(r.Context(), rec); err != nil {
		if errors.Is(err, monitoring.ErrUnknownPing) {
			pushError(w, http.StatusNotFound, "Monitor not found or not active.")
			return
		}
		h.log.Error("recording a push", "monitor_id", id, "err", err)
		pushError(w, http.StatusServiceUnavailable, "could not record the push, retry")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func pushError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b, _ := json.Marshal(struct {
		OK  bool   `json:"ok"`
		Msg string `json:"msg"`
	}{false, msg})
	_, _ = w.Write(b)
}

// pingPreamble sets the headers of every ping answer and handles methods: CORS preflight
// (OPTIONS) is answered here, methods other than GET, POST and HEAD are refused.
func (h *Handler) pingPreamble(w http.ResponseWriter, r *http.Request) bool {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Ping-Body-Limit", strconv.Itoa(h.pingLimit))
	hd.Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodHead:
		return true
	case http.MethodOptions:
		hd.Set("Access-Control-Allow-Methods", "GET, POST, HEAD")
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
		hd.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	hd.Set("Allow", "GET, POST, HEAD, OPTIONS")
	pingError(w, http.StatusMethodNotAllowed, "method not allowed: use GET, POST or HEAD")
	return false
}

// pingLookup answers the errors of resolving a ping address.
func (h *Handler) pingLookup(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, monitoring.ErrAmbiguousSlug):
		pingError(w, http.StatusConflict, "ambiguous slug: several heartbeats share this name, use their uuid URLs")
	case errors.Is(err, monitoring.ErrUnknownPing):
		pingError(w, http.StatusNotFound, "not found")
	case errors.Is(err, context.Canceled):
		// The client hung up before the commit: nobody reads the answer, nothing to log.
	default:
		h.log.Error("ping not recorded", "err", err)
		pingError(w, http.StatusServiceUnavailable, "could not record the ping, retry")
	}
	return false
}

// pingBody reads a POST body as the ping's log, cut at the configured limit: truncation is
// recorded, not refused (a job's output must not cost it its ping).
func (h *Handler) pingBody(w http.ResponseWriter, r *http.Request) (string, bool, bool) {
	if r.Method != http.MethodPost || r.Body == nil {
		return "", false, true
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, int64(h.pingLimit)+1))
	if err != nil {
		pingError(w, http.StatusBadRequest, "could not read the request body")
		return "", false, false
	}
	truncated := len(b) > h.pingLimit
	if truncated {
		b = b[:h.pingLimit]
		// The rest is not read: the connection is closed after the answer instead.
		w.Header().Set("Connection", "close")
	}
	body, cut := truncateUTF8(strings.ToValidUTF8(string(b), "\uFFFD"), h.pingLimit)
	return body, truncated || cut, true
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

func (h *Handler) recordPing(w http.ResponseWriter, r *http.Request, rec heartbeat.Record, created bool) {
	rec.RemoteIP, rec.UserAgent = h.clientIP(r), r.UserAgent()
	if len(rec.UserAgent) > 300 {
		rec.UserAgent, _ = truncateUTF8(rec.UserAgent, 300)
	}
	if err := h.monitors.RecordPing(r.Context(), rec); !h.pingLookup(w, err) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if created {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "Created")
		return
	}
	_, _ = io.WriteString(w, "OK")
}

func pingError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg)
}
