package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"statusthing/app/auth"
	"statusthing/app/monitor"
	"statusthing/views"
)

// InstanceStats is what the instance admins' page reads across organizations;
// *store.Store satisfies it.
type InstanceStats interface {
	Organizations(ctx context.Context) ([]auth.Organization, error)
	OrganizationStats(ctx context.Context) (map[int64][3]int, error)
	AllMonitors(ctx context.Context) ([]monitor.Monitor, error)
	DatabaseSize() (file, wal int64, err error)
	AlertCounts(ctx context.Context) (pending, failed, delivered, openIncidents int64, err error)
}

func (h *Handler) instancePage(w http.ResponseWriter, r *http.Request) {
	h.renderInstance(w, r, http.StatusOK, "", "", nil)
}

// renderInstance shows the organizations and the instance's health; name, slug and errs
// re-show a refused new organization.
func (h *Handler) renderInstance(w http.ResponseWriter, r *http.Request, status int, name, slug string, errs map[string]string) {
	if h.instance == nil {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	ctx := r.Context()
	f := h.formatter(r)
	page := views.InstancePage{Shell: h.shell(w, r, sectionSettings), Name: name, Slug: slug, Errors: errs}
	page.Title = f.t("instance.title")
	orgs, err := h.instance.Organizations(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	stats, err := h.instance.OrganizationStats(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	for _, o := range orgs {
		c := stats[o.ID]
		page.Orgs = append(page.Orgs, views.OrgRow{Name: o.Name, Slug: o.Slug, Members: c[0], Monitors: c[1], Pages: c[2],
			Created: f.stamp(o.CreatedAt)})
	}
	monitors, err := h.instance.AllMonitors(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	var active int
	var perMinute float64
	for _, m := range monitors {
		if !m.Paused && m.Type.Active() && m.Interval > 0 {
			active++
			perMinute += float64(time.Minute) / float64(m.Interval)
		}
	}
	file, wal, err := h.instance.DatabaseSize()
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	pending, failed, _, open, err := h.instance.AlertCounts(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	page.Health = []views.Fact{
		{Label: f.t("instance.health.database"), Value: f.size(file) + " + WAL " + f.size(wal)},
		{Label: f.t("instance.health.monitors"), Value: f.t("instance.health.monitors_value", len(monitors), active)},
		{Label: f.t("instance.health.load"), Value: f.t("instance.health.load_value", f.decimal(perMinute, 1))},
		{Label: f.t("instance.health.outbox"), Value: f.t("instance.health.outbox_value", pending, failed)},
		{Label: f.t("instance.health.incidents"), Value: strconv.FormatInt(open, 10)},
		{Label: f.t("settings.fact.version"), Value: h.version},
	}
	h.render(w, r, status, views.Instance(page))
}

// organizationCreate makes a new organization owned by the instance admin, and switches
// their session to it.
func (h *Handler) organizationCreate(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	name, slug := r.PostForm.Get("name"), r.PostForm.Get("slug")
	org, err := h.auth.CreateOrganization(r.Context(), name, slug, id.User.ID)
	var ve *auth.ValidationError
	if errors.As(err, &ve) {
		h.renderInstance(w, r, http.StatusUnprocessableEntity, name, slug, map[string]string{ve.Field: ve.Error()})
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	id, err = h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie))
	if err == nil {
		err = h.auth.SwitchOrganization(r.Context(), id, org.ID)
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// organizationDelete deletes the session's organization (owners), once its slug is typed.
// The session moves to another of the owner's organizations first: there must be one.
func (h *Handler) organizationDelete(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	org := id.Org()
	f := h.formatter(r)
	refuse := func(msg string) {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, settingsState{deleteOrgErr: msg})
	}
	if r.PostForm.Get("confirm") != org.OrgSlug {
		refuse(f.t("settings.delete_org.mismatch", org.OrgSlug))
		return
	}
	var next int64
	for _, m := range id.Memberships {
		if m.OrgID != org.OrgID {
			next = m.OrgID
			break
		}
	}
	if next == 0 {
		refuse(auth.ErrNowhereToGo.Error())
		return
	}
	if err := h.auth.SwitchOrganization(r.Context(), id, next); err != nil {
		h.serviceError(w, r, err)
		return
	}
	if err := h.monitors.DeleteOrganization(r.Context(), org.OrgID); err != nil {
		if errors.Is(err, auth.ErrLastOrganization) {
			refuse(err.Error())
			return
		}
		h.serviceError(w, r, err)
		return
	}
	h.log.Info("organization deleted by its owner", "org_id", org.OrgID, "user_id", id.User.ID)
	http.Redirect(w, r, "/admin/settings?saved=org_deleted", http.StatusSeeOther)
}
