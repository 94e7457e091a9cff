package web

import (
	"net/http"

	"statusthing/app/auth"
)

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
	m.Handle("POST /login/totp", h.form(h.loginTOTPSubmit))
	m.Handle("POST /logout", h.form(h.logout))
	m.HandleFunc("GET /invite/{token}", h.inviteShow)
	m.Handle("POST /invite/{token}", h.form(h.inviteAccept))

	h.adminGet("/admin", auth.PermRead, h.dashboard)
	h.adminGet("/admin/monitors", auth.PermRead, h.monitorsList)
	h.adminGet("/admin/monitors/new", auth.PermEdit, h.monitorNew)
	h.adminPost("/admin/monitors", auth.PermEdit, h.monitorCreate)
	h.adminPost("/admin/monitors/test", auth.PermEdit, h.monitorTest)
	h.adminGet("/admin/monitors/schedule-preview", auth.PermRead, h.schedulePreviewFragment)
	h.adminGet("/admin/monitors/{id}/heartbeat", auth.PermRead, h.heartbeatLive)
	h.adminGet("/admin/monitors/{id}", auth.PermRead, h.monitorShow)
	h.adminGet("/admin/monitors/{id}/edit", auth.PermEdit, h.monitorEdit)
	h.adminGet("/admin/monitors/{id}/results/{rid}/screenshot", auth.PermRead, h.monitorScreenshot)
	h.adminPost("/admin/monitors/{id}", auth.PermEdit, h.monitorUpdate)
	h.adminPost("/admin/monitors/{id}/pause", auth.PermEdit, h.monitorAction(h.monitorPause))
	h.adminPost("/admin/monitors/{id}/resume", auth.PermEdit, h.monitorAction(h.monitorResume))
	h.adminPost("/admin/monitors/{id}/check", auth.PermEdit, h.monitorAction(h.monitorCheck))
	h.adminPost("/admin/monitors/{id}/delete", auth.PermEdit, h.monitorAction(h.monitorDelete))
	h.adminGet("/admin/events", auth.PermRead, h.events)
	h.adminGet("/admin/incidents", auth.PermRead, h.incidentsList)
	h.adminGet("/admin/incidents/new", auth.PermEdit, h.incidentNew)
	h.adminPost("/admin/incidents", auth.PermEdit, h.incidentDeclare)
	h.adminGet("/admin/incidents/{id}", auth.PermRead, h.incidentShow)
	h.adminPost("/admin/incidents/{id}/updates", auth.PermEdit, h.incidentPublicUpdate)
	h.adminPost("/admin/incidents/{id}/acknowledge", auth.PermRespond, h.incidentAction(h.incidentAcknowledge, "acknowledged"))
	h.adminPost("/admin/incidents/{id}/unacknowledge", auth.PermRespond, h.incidentAction(h.incidentUnacknowledge, "unacknowledged"))
	h.adminPost("/admin/incidents/{id}/resolve", auth.PermEdit, h.incidentAction(h.incidentResolve, "resolved"))
	h.adminPost("/admin/incidents/{id}/comment", auth.PermRespond, h.incidentComment)
	h.adminGet("/admin/maintenance", auth.PermRead, h.maintenanceList)
	h.adminGet("/admin/maintenance/new", auth.PermEdit, h.maintenanceNew)
	h.adminPost("/admin/maintenance", auth.PermEdit, h.maintenanceCreate)
	h.adminGet("/admin/maintenance/{id}/edit", auth.PermEdit, h.maintenanceEdit)
	h.adminPost("/admin/maintenance/{id}", auth.PermEdit, h.maintenanceUpdate)
	h.adminPost("/admin/maintenance/{id}/delete", auth.PermEdit, h.maintenanceDelete)
	h.adminGet("/admin/pages", auth.PermRead, h.pagesList)
	h.adminGet("/admin/pages/new", auth.PermEdit, h.pageNew)
	h.adminPost("/admin/pages", auth.PermEdit, h.pageCreate)
	h.adminPost("/admin/pages/preview", auth.PermEdit, h.pagePreview)
	h.adminGet("/admin/pages/{id}/edit", auth.PermEdit, h.pageEdit)
	h.adminPost("/admin/pages/{id}", auth.PermEdit, h.pageUpdate)
	h.adminPost("/admin/pages/{id}/delete", auth.PermEdit, h.pageDelete)
	h.adminUploadPost("/admin/pages/{id}/logo", auth.PermEdit, h.pageLogo)
	h.adminGet("/admin/channels", auth.PermRead, h.channelsList)
	h.adminGet("/admin/channels/new", auth.PermEdit, h.channelNew)
	h.adminPost("/admin/channels", auth.PermEdit, h.channelCreate)
	h.adminGet("/admin/channels/{id}/edit", auth.PermEdit, h.channelEdit)
	h.adminPost("/admin/channels/{id}", auth.PermEdit, h.channelUpdate)
	h.adminPost("/admin/channels/{id}/delete", auth.PermEdit, h.channelDelete)
	h.adminPost("/admin/channels/{id}/test", auth.PermEdit, h.channelTest)
	h.adminPost("/admin/channels/alerts/{id}/retry", auth.PermEdit, h.alertRetry)
	h.adminGet("/admin/settings", auth.PermRead, h.settings)
	h.adminGet("/admin/settings/members", auth.PermRead, h.membersPage)
	h.adminGet("/admin/settings/audit", auth.PermManage, h.auditPage)
	h.adminPost("/admin/settings/members/invite", auth.PermManage, h.memberInvite)
	h.adminPost("/admin/settings/members/{id}/role", auth.PermManage, h.memberChange(h.memberRole, "role"))
	h.adminPost("/admin/settings/members/{id}/remove", auth.PermManage, h.memberChange(h.memberRemove, "removed"))
	h.adminPost("/admin/settings/invitations/{id}/revoke", auth.PermManage, h.invitationRevoke)
	h.adminPost("/admin/organization", auth.PermRead, h.switchOrganization)
	h.adminPost("/admin/settings/organization/delete", auth.PermOwn, h.organizationDelete)
	h.adminGet("/admin/instance", auth.PermInstance, h.instancePage)
	h.adminPost("/admin/instance/organizations", auth.PermInstance, h.organizationCreate)
	h.adminPost("/admin/settings/profile", auth.PermRead, h.saveProfile)
	h.adminPost("/admin/settings/profile/password", auth.PermRead, h.changePassword)
	h.adminPost("/admin/settings/profile/sessions/logout", auth.PermRead, h.logoutOtherSessions)
	h.adminPost("/admin/settings/profile/totp", auth.PermRead, h.totpStart)
	h.adminPost("/admin/settings/profile/totp/confirm", auth.PermRead, h.totpConfirm)
	h.adminPost("/admin/settings/profile/totp/cancel", auth.PermRead, h.totpCancel)
	h.adminPost("/admin/settings/profile/totp/disable", auth.PermRead, h.totpDisable)
	h.adminPost("/admin/settings/profile/totp/recovery", auth.PermRead, h.totpRecoveryCodes)
	h.adminPost("/admin/pages/{id}/subscribers", auth.PermEdit, h.pageSubscriberAdd)
	h.adminPost("/admin/pages/{id}/subscribers/{sid}/delete", auth.PermEdit, h.pageSubscriberRemove)
	h.adminPost("/admin/pages/{id}/notices/{nid}/retry", auth.PermEdit, h.pageNoticeRetry)

	// The machine side (pings, JSON API) is app/api's; it shares this handler's middleware.
	if h.api != nil {
		m.Handle("/ping/", h.api)
		m.Handle("/api/", h.api)
	}

	m.HandleFunc("/", h.notFound)
}

// form wraps a public form handler (login, setup): same-origin, CSRF token, size cap.
func (h *Handler) form(fn http.HandlerFunc) http.Handler { return h.protectForm(fn) }

// AdminRoute is one route of the admin and what it needs: the role matrix test requests
// every one of them as every role.
type AdminRoute struct {
	Method     string // GET or POST
	Pattern    string
	Permission auth.Permission
	Upload     bool // a multipart form
}

// AdminRoutes lists every admin route as registered.
func (h *Handler) AdminRoutes() []AdminRoute { return h.adminTable }

// adminGet registers a page of logged-in members whose role allows perm.
func (h *Handler) adminGet(pattern string, perm auth.Permission, fn http.HandlerFunc) {
	h.adminTable = append(h.adminTable, AdminRoute{Method: "GET", Pattern: pattern, Permission: perm})
	h.mux.Handle("GET "+pattern, h.requireUser(h.allow(perm, fn)))
}

// adminPost registers a form post of logged-in members whose role allows perm: the
// session and role are checked before the CSRF token, which is bound to the session.
func (h *Handler) adminPost(pattern string, perm auth.Permission, fn http.HandlerFunc) {
	h.adminTable = append(h.adminTable, AdminRoute{Method: "POST", Pattern: pattern, Permission: perm})
	h.mux.Handle("POST "+pattern, h.requireUser(h.allow(perm, h.protectForm(h.audited(pattern, fn)))))
}

// adminUploadPost is adminPost for a multipart form (a file upload), with a cap fitting
// the largest file accepted (a page's logo).
func (h *Handler) adminUploadPost(pattern string, perm auth.Permission, fn http.HandlerFunc) {
	h.adminTable = append(h.adminTable, AdminRoute{Method: "POST", Pattern: pattern, Permission: perm, Upload: true})
	h.mux.Handle("POST "+pattern, h.requireUser(h.allow(perm, h.protectUpload(h.audited(pattern, fn)))))
}

// allow lets through members whose role in the session's organization allows perm; the
// others get 403.
func (h *Handler) allow(perm auth.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := identityOf(r)
		if !id.Org().Role.Allows(perm) && (perm != auth.PermInstance || !id.User.IsInstanceAdmin) {
			h.fail(w, r, http.StatusForbidden, nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
