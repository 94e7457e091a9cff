package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"statusthing/app/badge"
	"statusthing/app/monitoring"
	"statusthing/app/statuspage"
)

// Badge periods accepted by /badge/{monitor}/uptime.svg?period=.
var badgePeriods = map[string]time.Duration{
	"24h": 24 * time.Hour, "1d": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "90d": 90 * 24 * time.Hour,
}

// badgeWords are the status badge's messages, the words shields uses.
var badgeWords = map[statuspage.Status]string{
	statuspage.Operational: "up", statuspage.DegradedPerformance: "degraded", statuspage.PartialOutage: "partial outage",
	statuspage.MajorOutage: "down", statuspage.UnderMaintenance: "maintenance",
}

// badgeStatus serves the shields-style status badge of a monitor shown on a public page.
func (h *Handler) badgeStatus(w http.ResponseWriter, r *http.Request) {
	b, label, ok := h.badge(w, r, 0)
	if !ok {
		return
	}
	word := badgeWords[b.Status]
	color := badge.StatusColor(word)
	if b.Status == statuspage.PartialOutage {
		color = badge.Orange
	}
	writeBadge(w, r, badge.Render(label, word, color))
}

// badgeUptime serves the uptime badge (?period=24h|7d|30d|90d, 30d by default).
func (h *Handler) badgeUptime(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("period")
	if name == "" {
		name = "30d"
	}
	period, ok := badgePeriods[name]
	if !ok {
		http.Error(w, "period must be one of 24h, 7d, 30d, 90d", http.StatusBadRequest)
		return
	}
	b, label, ok := h.badge(w, r, period)
	if !ok {
		return
	}
	if r.URL.Query().Get("label") == "" {
		label += " " + name
	}
	writeBadge(w, r, badge.Render(label, badge.FormatUptime(b.Uptime), badge.UptimeColor(b.Uptime)))
}

// badge reads the monitor of a badge request and its label (?label= or its public name).
func (h *Handler) badge(w http.ResponseWriter, r *http.Request, period time.Duration) (monitoring.Badge, string, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.PathValue("monitor")), 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, "no such badge: the monitor must be shown on a public status page", http.StatusNotFound)
		return monitoring.Badge{}, "", false
	}
	b, err := h.monitors.PublicBadge(r.Context(), id, period)
	if errors.Is(err, monitoring.ErrNoPage) {
		http.Error(w, "no such badge: the monitor must be shown on a public status page", http.StatusNotFound)
		return monitoring.Badge{}, "", false
	}
	if err != nil {
		h.log.Error("badge", "monitor_id", id, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return monitoring.Badge{}, "", false
	}
	label := b.Name
	if l := r.URL.Query().Get("label"); l != "" {
		if utf8.RuneCountInString(l) > 100 {
			http.Error(w, "label: at most 100 characters", http.StatusBadRequest)
			return monitoring.Badge{}, "", false
		}
		label = l
	}
	return b, label, true
}

func writeBadge(w http.ResponseWriter, r *http.Request, svg []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "image/svg+xml; charset=utf-8")
	// Short: READMEs embed badges through caching proxies (GitHub's camo) that honour it.
	hd.Set("Cache-Control", "public, max-age=60")
	// A badge is an image: nothing in it may run even when opened directly.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	hd.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(svg)
}
