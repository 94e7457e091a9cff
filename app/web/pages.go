package web

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"statusthing/app/statuspage"
	"statusthing/views"
)

// blankComponentRows is how many empty component lines the page form offers.
const blankComponentRows = 3

func pageURL(id int64) string { return "/admin/pages/" + strconv.FormatInt(id, 10) }

func (h *Handler) pagesList(w http.ResponseWriter, r *http.Request) {
	pages, err := h.monitors.StatusPages(r.Context(), orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	counts, err := h.monitors.SubscriberCounts(r.Context(), orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	page := views.PagesPage{Shell: h.shell(w, r, sectionPages)}
	page.Title = f.t("pages.title")
	switch done := r.URL.Query().Get("done"); done {
	case "created", "deleted":
		page.Flash = f.t("pages.flash." + done)
	}
	for _, p := range pages {
		page.Rows = append(page.Rows, views.PageRow{ID: p.ID, Title: p.Title, PublicURL: statusURL(p.Slug, ""),
			EditURL: pageURL(p.ID) + "/edit", Components: len(p.Components), Public: p.Public, Default: p.Default, Domain: p.CustomDomain,
			Subscribers: counts[p.ID].Confirmed()})
	}
	h.render(w, r, http.StatusOK, views.Pages(page))
}

func (h *Handler) pageNew(w http.ResponseWriter, r *http.Request) {
	h.renderPageForm(w, r, http.StatusOK, statuspage.Page{Public: true, Locale: h.lang(r)}, nil)
}

// orgPage reads the page {id} of the session's organization; it answers 404 itself (and
// reports false) when the organization has no such page.
func (h *Handler) orgPage(w http.ResponseWriter, r *http.Request) (statuspage.Page, bool) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return statuspage.Page{}, false
	}
	p, err := h.monitors.StatusPage(r.Context(), orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return statuspage.Page{}, false
	}
	return p, true
}

func (h *Handler) pageEdit(w http.ResponseWriter, r *http.Request) {
	if p, ok := h.orgPage(w, r); ok {
		h.renderPageForm(w, r, http.StatusOK, p, nil)
	}
}

// renderPageForm shows the form of p (as stored, or as submitted and refused with errs).
func (h *Handler) renderPageForm(w http.ResponseWriter, r *http.Request, status int, p statuspage.Page, errs map[string]string) {
	h.renderPageFormWith(w, r, status, p, errs, "")
}

// renderPageFormWith is renderPageForm keeping hookURL in the webhook subscriber form.
func (h *Handler) renderPageFormWith(w http.ResponseWriter, r *http.Request, status int, p statuspage.Page, errs map[string]string, hookURL string) {
	monitors, err := h.monitors.List(r.Context(), orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	page := views.PageFormPage{Shell: h.shell(w, r, sectionPages), Errors: errs, Title: p.Title, Slug: p.Slug,
		Description: p.Description, CustomDomain: p.CustomDomain, Public: p.Public, Default: p.Default,
		CollapsedGroups: strings.Join(p.CollapsedGroups, ", ")}
	if p.ID != 0 {
		page.Heading, page.Action, page.Editing = f.t("pages.edit_title", p.Title), pageURL(p.ID), true
		page.PublicURL, page.DeleteURL, page.LogoURL = statusURL(p.Slug, ""), pageURL(p.ID)+"/delete", pageURL(p.ID)+"/logo"
		if p.HasLogo() {
			page.LogoPreview = statusURL(p.Slug, "/logo?v="+strconv.FormatInt(p.UpdatedAt.UnixMilli(), 10))
		}
		switch done := r.URL.Query().Get("done"); done {
		case "saved", "subscriber_added", "subscriber_removed":
			page.Flash = f.t("pages.flash." + done)
		}
		if page.Subscribers, err = h.subscribersBox(r, f, p); err != nil {
			h.serviceError(w, r, err)
			return
		}
		page.Subscribers.HookURL = hookURL
	} else {
		page.Heading, page.Action = f.t("pages.new_title"), "/admin/pages"
	}
	page.Title = p.Title
	for _, code := range statuspage.Locales() {
		page.Locales = append(page.Locales, views.Option{Value: code, Label: f.t("pages.locale." + code), Selected: p.Locale == code})
	}
	rows := append(slices.Clone(p.Components), make([]statuspage.Component, blankComponentRows)...)
	for i, c := range rows {
		row := views.ComponentRow{Index: i, ID: c.ID, Position: i + 1, Group: c.Group, Name: c.Name, Description: c.Description,
			Chart: c.ShowResponseTime, Blank: i >= len(p.Components)}
		row.Monitors = []views.Option{{Value: "", Label: f.t("pages.form.by_hand"), Selected: c.MonitorID == 0}}
		for _, m := range monitors {
			row.Monitors = append(row.Monitors, views.Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name, Selected: m.ID == c.MonitorID})
		}
		for _, s := range statuspage.Statuses() {
			row.Statuses = append(row.Statuses, views.Option{Value: string(s), Label: f.t("component." + string(s)),
				Selected: s == c.Status || (c.Status == "" && s == statuspage.Operational)})
		}
		page.Rows = append(page.Rows, row)
	}
	h.render(w, r, status, views.PageForm(page))
}

// pageFromForm reads the submitted page; components are taken in the order of their
// position fields (ties keep the form's order), blank and removed lines left out.
func pageFromForm(r *http.Request) statuspage.Page {
	form := r.PostForm
	p := statuspage.Page{Title: form.Get("title"), Slug: form.Get("slug"), Description: form.Get("description"),
		CustomDomain: form.Get("custom_domain"), Locale: form.Get("locale"), Public: form.Get("public") == "1",
		Default: form.Get("default") == "1"}
	for _, g := range strings.Split(form.Get("collapsed_groups"), ",") {
		p.CollapsedGroups = append(p.CollapsedGroups, strings.TrimSpace(g))
	}
	n, _ := strconv.Atoi(form.Get("rows"))
	n = min(max(n, 0), statuspage.MaxComponents+blankComponentRows)
	type line struct {
		pos int
		c   statuspage.Component
	}
	var lines []line
	for i := range n {
		k := "c" + strconv.Itoa(i) + "."
		id, _ := strconv.ParseInt(form.Get(k+"id"), 10, 64)
		name := strings.TrimSpace(form.Get(k + "name"))
		if form.Get(k+"remove") == "1" || (id == 0 && name == "") {
			continue
		}
		monitorID, _ := strconv.ParseInt(form.Get(k+"monitor"), 10, 64)
		pos, err := strconv.Atoi(form.Get(k + "position"))
		if err != nil {
			pos = i + 1
		}
		lines = append(lines, line{pos: pos, c: statuspage.Component{ID: max(id, 0), Name: name, Group: form.Get(k + "group"),
			Description: form.Get(k + "description"), MonitorID: monitorID, Status: statuspage.Status(form.Get(k + "status")),
			ShowResponseTime: form.Get(k+"chart") == "1"}})
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.pos - b.pos })
	for _, l := range lines {
		p.Components = append(p.Components, l.c)
	}
	return p
}

// savePage validates and saves the submitted page (id 0: a new one).
func (h *Handler) savePage(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	org := orgOf(r)
	p := pageFromForm(r)
	p.ID = id
	var saved statuspage.Page
	var err error
	if id == 0 {
		saved, err = h.monitors.CreateStatusPage(ctx, org, p)
	} else {
		saved, err = h.monitors.UpdateStatusPage(ctx, org, p)
	}
	var pe *statuspage.Error
	if errors.As(err, &pe) {
		h.renderPageForm(w, r, http.StatusUnprocessableEntity, p, pe.Fields.Map())
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, pageURL(saved.ID)+"/edit?done=saved", http.StatusSeeOther)
}

func (h *Handler) pageCreate(w http.ResponseWriter, r *http.Request) { h.savePage(w, r, 0) }

// pagePreview shows the submitted page as visitors would see it, without saving it: the
// editor's preview (no live updates, never cached).
func (h *Handler) pagePreview(w http.ResponseWriter, r *http.Request) {
	p := pageFromForm(r)
	p.OrgID = orgOf(r)
	for i := range p.Components {
		if p.Components[i].ID == 0 {
			p.Components[i].CreatedAt = h.now() // new: no history yet
		}
	}
	var pe *statuspage.Error
	if err := p.Validate(); errors.As(err, &pe) {
		h.renderPageForm(w, r, http.StatusUnprocessableEntity, p, pe.Fields.Map())
		return
	}
	v, err := h.monitors.PageView(r.Context(), p)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	model := h.statusModel(h.pageFormatter(p.Locale, v.Now), v)
	model.Preview, model.EventsURL = true, ""
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, views.StatusPageView(model))
}

func (h *Handler) pageUpdate(w http.ResponseWriter, r *http.Request) {
	// Another organization's page is missing, whatever the form says.
	if p, ok := h.orgPage(w, r); ok {
		h.savePage(w, r, p.ID)
	}
}

func (h *Handler) pageDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	if err := h.monitors.DeleteStatusPage(r.Context(), orgOf(r), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/pages?done=deleted", http.StatusSeeOther)
}

// pageLogo stores (or, with remove=1, removes) the uploaded logo of a page.
func (h *Handler) pageLogo(w http.ResponseWriter, r *http.Request) {
	p, ok := h.orgPage(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), p.ID
	var data []byte
	if r.PostForm.Get("remove") != "1" {
		file, _, err := r.FormFile("logo")
		if err != nil {
			h.renderPageForm(w, r, http.StatusUnprocessableEntity, p, map[string]string{"logo": h.formatter(r).t("pages.logo.missing")})
			return
		}
		defer file.Close()
		if data, err = io.ReadAll(io.LimitReader(file, statuspage.MaxLogoBytes+1)); err != nil {
			h.fail(w, r, http.StatusBadRequest, nil)
			return
		}
	}
	err := h.monitors.SetStatusPageLogo(ctx, orgOf(r), id, data)
	var pe *statuspage.Error
	if errors.As(err, &pe) {
		h.renderPageForm(w, r, http.StatusUnprocessableEntity, p, map[string]string{"logo": pe.For("logo")})
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, pageURL(id)+"/edit?done=saved", http.StatusSeeOther)
}
