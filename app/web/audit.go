package web

import (
	"net/http"
	"strconv"

	"statusthing/app/audit"
	"statusthing/views"
)

// unaudited are the form posts that change nothing of the organization's: a monitor test
// run, a page preview, and the user's choice of organization (a new or deleted organization is logged by
// the server: the deleted one has no audit log left).
var unaudited = map[string]bool{"/admin/monitors/test": true, "/admin/organization": true, "/admin/instance/organizations": true,
	"/admin/settings/organization/delete": true, "/admin/pages/preview": true}

// audited records a successful form post in the organization's audit log, named from its
// route (audit.Action), after the handler: a refused change leaves no entry.
func (h *Handler) audited(pattern string, fn http.HandlerFunc) http.HandlerFunc {
	if unaudited[pattern] {
		return fn
	}
	action := audit.Action(http.MethodPost, pattern)
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		fn(rec, r)
		if h.audit == nil || rec.status >= 400 {
			return
		}
		id, _ := identityOf(r)
		e := audit.Entry{OrgID: id.Session.OrgID, At: h.now(), Actor: id.User.Email, Action: action,
			Target: audit.Target(pattern, r.URL.Path, rec.Header().Get("Location")), Via: "admin", IP: infoOf(r).ip}
		if err := h.audit.AddAuditEntry(r.Context(), e); err != nil {
			h.log.Warn("audit entry", "action", action, "err", err)
		}
	}
}

// auditPage lists the organization's audit log, newest first, 50 a page.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) {
	if h.audit == nil {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const perPage = 50
	entries, err := h.audit.AuditEntries(r.Context(), orgOf(r), before, perPage+1)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	page := views.AuditPage{Shell: h.shell(w, r, sectionSettings)}
	page.Title = f.t("audit.title")
	if len(entries) > perPage {
		entries = entries[:perPage]
		page.OlderURL = "/admin/settings/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	for _, e := range entries {
		page.Rows = append(page.Rows, views.AuditRow{At: f.stamp(e.At), Actor: e.Actor, Action: e.Action, Target: e.Target,
			Via: e.Via, IP: e.IP})
	}
	h.render(w, r, http.StatusOK, views.Audit(page))
}
