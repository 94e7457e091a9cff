package web

import (
	"net/http"
	"strconv"
	"time"

	"statusthing/app/auth"
	"statusthing/app/monitor"
	"statusthing/views"
)

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	monitors, err := h.monitors.List(ctx, orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	uptime, err := h.monitors.UptimeSince(ctx, orgOf(r), h.now().Add(-24*time.Hour))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	sh := h.shell(w, r, sectionDashboard)
	f := h.formatter(r)
	page := views.DashboardPage{Shell: sh, LiveURL: "/admin/events"}
	page.JSURL = h.assets.URL("live.js")
	open := h.openIncidents(r, 0)
	counts := map[monitor.Status]int{}
	var checks, ups int64
	var attention []monitor.Monitor
	for _, m := range monitors {
		counts[m.State.Status]++
		u := uptime[m.ID]
		checks += u.Checks
		ups += u.Ups
		if m.State.Status == monitor.StatusDown || m.State.Status == monitor.StatusDegraded || m.State.Status == monitor.StatusLate {
			attention = append(attention, m)
		}
	}
	for i, row := range h.monitorRows(ctx, f, attention, uptime) {
		if in, ok := open[attention[i].ID]; ok {
			row.IncidentURL = incidentURL(in.ID)
		}
		page.Attention = append(page.Attention, row)
	}
	ratio := -1.0
	if checks > 0 {
		ratio = float64(ups) / float64(checks)
	}
	page.Stats = []views.Stat{
		{Label: f.t("dashboard.stat.monitors"), Value: strconv.Itoa(len(monitors))},
		{Label: f.t("dashboard.stat.up"), Value: strconv.Itoa(counts[monitor.StatusUp]), Class: "up"},
		{Label: f.t("dashboard.stat.degraded"), Value: strconv.Itoa(counts[monitor.StatusDegraded]), Class: "degraded"},
		{Label: f.t("dashboard.stat.down"), Value: strconv.Itoa(counts[monitor.StatusDown]), Class: "down"},
		{Label: f.t("dashboard.stat.uptime"), Value: f.percent(ratio)},
	}
	page.HasMonitors = len(monitors) > 0
	if !page.HasMonitors {
		page.Steps = []string{f.t("dashboard.step.monitor"), f.t("dashboard.step.heartbeat"), f.t("dashboard.step.channel"), f.t("dashboard.step.page")}
	}
	h.render(w, r, http.StatusOK, views.Dashboard(page))
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, http.StatusOK, settingsState{flash: settingsFlash(r.URL.Query().Get("saved"))})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, st settingsState) {
	sh := h.shell(w, r, sectionSettings)
	id, _ := identityOf(r)
	t := sh.T
	profile, err := h.profileSection(r, id, st, t)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, status, views.Settings(views.SettingsPage{
		Shell: sh,
		Flash: translated(t, st.flash),
		Error: st.err,
		Facts: []views.Fact{
			{Label: t("settings.fact.org"), Value: id.Org().OrgName + " (" + id.Org().OrgSlug + ")"},
			{Label: t("settings.fact.version"), Value: h.version},
			{Label: t("settings.fact.base_url"), Value: h.baseURL},
			{Label: t("settings.fact.database"), Value: h.dbPath},
		},
		Ping:           h.pingSettings(r.Context(), id.Session.OrgID),
		InstanceAdmin:  id.User.IsInstanceAdmin && h.instance != nil,
		Profile:        profile,
		CanDeleteOrg:   id.Org().Role.Allows(auth.PermOwn),
		OrgSlug:        id.Org().OrgSlug,
		DeleteOrgError: st.deleteOrgErr,
	}))
}
