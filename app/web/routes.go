package web

import "net/http"

// maxFormBytes bounds HTML form bodies; no form of the admin is anywhere near it.
const maxFormBytes = 64 << 10

func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /healthz", h.healthz)
	m.Handle("GET /assets/", h.assets)
	m.HandleFunc("GET /{$}", h.home)

	m.HandleFunc("GET /status/{slug}", h.statusPage)
	m.HandleFunc("GET /status/{slug}/history", h.statusHistory)
	m.HandleFunc("GET /status/{slug}/events", h.statusEvents)
	m.HandleFunc("GET /status/{slug}/feed.atom", h.statusFeed)
	m.HandleFunc("GET /status/{slug}/summary.json", h.statusSummary)
	m.HandleFunc("GET /status/{slug}/logo", h.statusLogo)
	m.Handle("POST /status/{slug}/subscribe", h.publicForm(h.subscribeSubmit))
	m.HandleFunc("GET /status/{slug}/confirm", h.subscriptionLink("confirm"))
	m.Handle("POST /status/{slug}/confirm", h.publicForm(h.confirmSubmit))
	m.HandleFunc("GET /status/{slug}/unsubscribe", h.subscriptionLink("unsubscribe"))
	m.Handle("POST /status/{slug}/unsubscribe", h.publicForm(h.unsubscribeSubmit))
	m.HandleFunc("GET /badge/{monitor}/status.svg", h.badgeStatus)
	m.HandleFunc("GET /badge/{monitor}/uptime.svg", h.badgeUptime)

	m.HandleFunc("GET /setup", h.setupForm)
	m.Handle("POST /setup", h.form(h.setupSubmit))
	m.HandleFunc("GET /login", h.loginForm)
	m.Handle("POST /login", h.form(h.loginSubmit))
	m.Handle("POST /logout", h.form(h.logout))

	m.Handle("GET /admin", h.admin(h.dashboard))
	m.Handle("GET /admin/monitors", h.admin(h.monitorsList))
	m.Handle("GET /admin/monitors/new", h.admin(h.monitorNew))
	m.Handle("POST /admin/monitors", h.adminForm(h.monitorCreate))
	m.Handle("POST /admin/monitors/test", h.adminForm(h.monitorTest))
	m.Handle("GET /admin/monitors/schedule-preview", h.admin(h.schedulePreviewFragment))
	m.Handle("GET /admin/monitors/{id}/heartbeat", h.admin(h.heartbeatLive))
	m.Handle("GET /admin/monitors/{id}", h.admin(h.monitorShow))
	m.Handle("GET /admin/monitors/{id}/edit", h.admin(h.monitorEdit))
	m.Handle("GET /admin/monitors/{id}/results/{rid}/screenshot", h.admin(h.monitorScreenshot))
	m.Handle("POST /admin/monitors/{id}", h.adminForm(h.monitorUpdate))
	m.Handle("POST /admin/monitors/{id}/pause", h.adminForm(h.monitorAction(h.monitorPause)))
	m.Handle("POST /admin/monitors/{id}/resume", h.adminForm(h.monitorAction(h.monitorResume)))
	m.Handle("POST /admin/monitors/{id}/check", h.adminForm(h.monitorAction(h.monitorCheck)))
	m.Handle("POST /admin/monitors/{id}/delete", h.adminForm(h.monitorAction(h.monitorDelete)))
	m.Handle("GET /admin/events", h.admin(h.events))
	m.Handle("GET /admin/incidents", h.admin(h.incidentsList))
	m.Handle("GET /admin/incidents/new", h.admin(h.incidentNew))
	m.Handle("POST /admin/incidents", h.adminForm(h.incidentDeclare))
	m.Handle("GET /admin/incidents/{id}", h.admin(h.incidentShow))
	m.Handle("POST /admin/incidents/{id}/updates", h.adminForm(h.incidentPublicUpdate))
	m.Handle("POST /admin/incidents/{id}/acknowledge", h.adminForm(h.incidentAction(h.incidentAcknowledge, "acknowledged")))
	m.Handle("POST /admin/incidents/{id}/unacknowledge", h.adminForm(h.incidentAction(h.incidentUnacknowledge, "unacknowledged")))
	m.Handle("POST /admin/incidents/{id}/resolve", h.adminForm(h.incidentAction(h.incidentResolve, "resolved")))
	m.Handle("POST /admin/incidents/{id}/comment", h.adminForm(h.incidentComment))
	m.Handle("GET /admin/maintenance", h.admin(h.maintenanceList))
	m.Handle("GET /admin/maintenance/new", h.admin(h.maintenanceNew))
	m.Handle("POST /admin/maintenance", h.adminForm(h.maintenanceCreate))
	m.Handle("GET /admin/maintenance/{id}/edit", h.admin(h.maintenanceEdit))
	m.Handle("POST /admin/maintenance/{id}", h.adminForm(h.maintenanceUpdate))
	m.Handle("POST /admin/maintenance/{id}/delete", h.adminForm(h.maintenanceDelete))
	m.Handle("GET /admin/pages", h.admin(h.pagesList))
	m.Handle("GET /admin/pages/new", h.admin(h.pageNew))
	m.Handle("POST /admin/pages", h.adminForm(h.pageCreate))
	m.Handle("GET /admin/pages/{id}/edit", h.admin(h.pageEdit))
	m.Handle("POST /admin/pages/{id}", h.adminForm(h.pageUpdate))
	m.Handle("POST /admin/pages/{id}/delete", h.adminForm(h.pageDelete))
	m.Handle("POST /admin/pages/{id}/logo", h.adminUpload(h.pageLogo))
	m.Handle("POST /admin/pages/{id}/subscribers", h.adminForm(h.pageSubscriberAdd))
	m.Handle("POST /admin/pages/{id}/subscribers/{sid}/delete", h.adminForm(h.pageSubscriberRemove))
	m.Handle("GET /admin/channels", h.admin(h.channelsList))
	m.Handle("GET /admin/channels/new", h.admin(h.channelNew))
	m.Handle("POST /admin/channels", h.adminForm(h.channelCreate))
	m.Handle("GET /admin/channels/{id}/edit", h.admin(h.channelEdit))
	m.Handle("POST /admin/channels/{id}", h.adminForm(h.channelUpdate))
	m.Handle("POST /admin/channels/{id}/delete", h.adminForm(h.channelDelete))
	m.Handle("POST /admin/channels/{id}/test", h.adminForm(h.channelTest))
	m.Handle("POST /admin/channels/alerts/{id}/retry", h.adminForm(h.alertRetry))
	m.Handle("GET /admin/settings", h.admin(h.settings))
	m.Handle("POST /admin/settings/profile", h.adminForm(h.saveProfile))

	// The machine side (pings, JSON API) is app/api's; it shares this handler's middleware.
	if h.api != nil {
		m.Handle("/ping/", h.api)
		m.Handle("/api/", h.api)
	}

	m.HandleFunc("/", h.notFound)
}

// form wraps a public form handler (login, setup): same-origin, CSRF token, size cap.
func (h *Handler) form(fn http.HandlerFunc) http.Handler { return h.protectForm(fn) }

// adminUpload wraps a multipart form post (a file upload) of logged-in users: as
// adminForm, with a cap fitting the largest file accepted (a page's logo).
func (h *Handler) adminUpload(fn http.HandlerFunc) http.Handler {
	return h.requireUser(h.protectUpload(fn))
}

// admin wraps a page for logged-in users.
func (h *Handler) admin(fn http.HandlerFunc) http.Handler { return h.requireUser(fn) }

// adminForm wraps a form post of logged-in users: the session is checked before the CSRF
// token, which is bound to it.
func (h *Handler) adminForm(fn http.HandlerFunc) http.Handler {
	return h.requireUser(h.protectForm(fn))
}
