package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"statusthing/app/auth"
	"statusthing/app/feed"
	"statusthing/app/incident"
	"statusthing/app/monitoring"
	"statusthing/app/statuspage"
	"statusthing/views"
)

// feedEntries is how many incidents the Atom feed carries.
const feedEntries = 50

// archivePage is how many incidents one page of the archive lists.
const archivePage = 20

// buildStatusPage renders everything served for a page: HTML, summary JSON and feed.
func (h *Handler) buildStatusPage(ctx context.Context, slug string) (*renderedPage, error) {
	p, err := h.monitors.PublicPage(ctx, "", slug)
	if err != nil {
		return nil, err
	}
	v, err := h.monitors.PageView(ctx, p)
	if err != nil {
		return nil, err
	}
	f := h.pageFormatter(p.Locale, v.Now)
	model := h.statusModel(f, v)
	var buf bytes.Buffer
	if err := views.StatusPageView(model).Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("render status page: %w", err)
	}
	archive, err := h.monitors.PageArchive(ctx, p, 0, feedEntries)
	if err != nil {
		return nil, err
	}
	rp := &renderedPage{slug: p.Slug, pageID: p.ID, orgID: p.OrgID, public: p.Public, html: buf.Bytes(), built: v.Now}
	rp.seal()
	if rp.summary, err = summaryJSON(h.absolute(statusURL(p.Slug, "")), v); err != nil {
		return nil, err
	}
	if rp.feed, err = h.atomFeed(f, p, v.Now, archive); err != nil {
		return nil, err
	}
	return rp, nil
}

func (h *Handler) pageFormatter(lang string, now time.Time) formatter {
	return formatter{lang: lang, t: h.catalogs.Translator(lang), now: now}
}

// statusURL is the path of a page's resource ("" the page, "/feed.atom", ...).
func statusURL(slug, rest string) string { return "/status/" + url.PathEscape(slug) + rest }

// absolute makes an instance path absolute with server.base_url, for feeds and JSON.
func (h *Handler) absolute(path string) string { return strings.TrimSuffix(h.baseURL, "/") + path }

// publicPage finds and checks the page of a request: 404 when there is none, the login
// page for a private page and a visitor who is not a member of its organization.
func (h *Handler) publicPage(w http.ResponseWriter, r *http.Request) (*renderedPage, bool) {
	slug := r.PathValue("slug")
	p, err := h.status.get(r.Context(), strings.ToLower(slug))
	if errors.Is(err, monitoring.ErrNoPage) {
		h.fail(w, r, http.StatusNotFound, nil)
		return nil, false
	}
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return nil, false
	}
	if !p.public {
		id, err := h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie))
		if err != nil && !errors.Is(err, auth.ErrSessionInvalid) {
			h.fail(w, r, http.StatusInternalServerError, err)
			return nil, false
		}
		if err != nil {
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/events") {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			} else {
				h.fail(w, r, http.StatusUnauthorized, nil)
			}
			return nil, false
		}
		if !slices.ContainsFunc(id.Memberships, func(m auth.Membership) bool { return m.OrgID == p.orgID }) {
			h.fail(w, r, http.StatusNotFound, nil)
			return nil, false
		}
		w.Header().Set("Cache-Control", "private, no-cache")
	} else {
		w.Header().Set("Cache-Control", "public, no-cache")
	}
	return p, true
}

// statusPage serves a page's HTML from the cache, gzipped when the browser accepts it,
// 304 when the browser has it.
func (h *Handler) statusPage(w http.ResponseWriter, r *http.Request) {
	p, ok := h.publicPage(w, r)
	if !ok {
		return
	}
	hd := w.Header()
	hd.Set("ETag", p.etag)
	hd.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, p.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "text/html; charset=utf-8")
	body := p.html
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (h *Handler) statusSummary(w http.ResponseWriter, r *http.Request) {
	p, ok := h.publicPage(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(p.summary)
}

func (h *Handler) statusFeed(w http.ResponseWriter, r *http.Request) {
	p, ok := h.publicPage(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", feed.ContentType)
	_, _ = w.Write(p.feed)
}

func (h *Handler) statusLogo(w http.ResponseWriter, r *http.Request) {
	p, ok := h.publicPage(w, r)
	if !ok {
		return
	}
	data, mediaType, err := h.monitors.StatusPageLogo(r.Context(), p.pageID)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(data)
}

// statusEvents tells a page's live visitors (SSE) when it has a new copy; they refetch it.
func (h *Handler) statusEvents(w http.ResponseWriter, r *http.Request) {
	p, ok := h.publicPage(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sse: %w", err))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if !h.status.openStream() {
		// Too many visitors live at once: come back in a minute (the page itself works).
		fmt.Fprint(w, "retry: 60000\n\n")
		return
	}
	defer h.status.closeStream()
	fmt.Fprint(w, "retry: 5000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	keepAlive := time.NewTicker(sseKeepAlive)
	defer keepAlive.Stop()
	for {
		changed := h.status.changed(p.slug)
		select {
		case <-r.Context().Done():
			return
		case <-h.hubDone():
			return
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-changed:
			fmt.Fprint(w, "event: change\ndata: {}\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// hubDone is closed when the server shuts down (the hub closes), ending SSE streams.
func (h *Handler) hubDone() <-chan struct{} {
	if h.hub == nil {
		return nil
	}
	return h.hub.Done()
}

// statusHistory is the paginated archive of a page's incidents: read per request (the
// archive is rarely visited), still public only within what the page shows.
func (h *Handler) statusHistory(w http.ResponseWriter, r *http.Request) {
	rp, ok := h.publicPage(w, r)
	if !ok {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	p, err := h.monitors.PublicPage(r.Context(), "", rp.slug)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	incidents, err := h.monitors.PageArchive(r.Context(), p, before, archivePage+1)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	f := h.pageFormatter(p.Locale, h.now())
	v := statuspage.View{Page: p, Now: h.now()}
	model := h.statusModel(f, v)
	model.Archive = true
	if len(incidents) > archivePage {
		incidents = incidents[:archivePage]
		model.OlderURL = statusURL(p.Slug, "/history?before="+strconv.FormatInt(incidents[len(incidents)-1].ID, 10))
	}
	names := componentNames(p)
	for _, inc := range incidents {
		model.History = append(model.History, publicIncident(f, inc, names))
	}
	h.render(w, r, http.StatusOK, views.StatusHistoryView(model))
}

// home serves the default status page (or the page of a custom domain) at "/", else sends
// to the admin.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	slug, _, err := h.status.route(r.Context(), r.Host)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if slug == "" {
		http.Redirect(w, r, "/admin", http.StatusFound)
		return
	}
	r.SetPathValue("slug", slug)
	h.statusPage(w, r)
}

// customDomains serves a page's custom domain: its resources at the root of the host
// ("/", "/feed.atom", ...), the rest of the site as usual.
func (h *Handler) customDomains(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.atom", "/summary.json", "/events", "/history", "/logo":
			if slug, custom, err := h.status.route(r.Context(), r.Host); err == nil && custom {
				r2 := r.Clone(r.Context())
				r2.URL.Path = statusURL(slug, r.URL.Path)
				r2.URL.RawPath = ""
				next.ServeHTTP(w, r2)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// statusRoutes reads the custom domains and the default page.
func (h *Handler) statusRoutes(ctx context.Context) (*statusRoutes, error) {
	pages, err := h.monitors.PageRoutes(ctx)
	if err != nil {
		return nil, err
	}
	rt := &statusRoutes{domains: map[string]string{}}
	for _, p := range pages {
		if p.CustomDomain != "" {
			rt.domains[p.CustomDomain] = p.Slug
		}
		if p.Default {
			rt.defaultSlug = p.Slug
		}
	}
	return rt, nil
}

func componentNames(p statuspage.Page) map[int64]string {
	names := map[int64]string{}
	for _, c := range p.Components {
		names[c.ID] = c.Name
	}
	return names
}

// impactText names an impact for visitors ("" for none).
func impactText(f formatter, i incident.Impact) string {
	if i == "" || i == incident.ImpactNone {
		return ""
	}
	return f.t("impact." + string(i))
}
