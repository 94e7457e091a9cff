package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"statusthing/app/incident"
	"statusthing/app/statuspage"
	"statusthing/views"
)

// publicSection builds the public side of an incident's page: its updates, the pages
// showing it and the form of the next update (or the refused one, re-shown).
func (h *Handler) publicSection(r *http.Request, f formatter, in incident.Incident, refused *views.PublicUpdateForm) (views.PublicSection, error) {
	pub, err := h.monitors.IncidentPublic(r.Context(), orgOf(r), in.ID)
	if err != nil {
		return views.PublicSection{}, err
	}
	pages, err := h.monitors.StatusPages(r.Context(), orgOf(r))
	if err != nil {
		return views.PublicSection{}, err
	}
	s := views.PublicSection{Published: in.Public, Impact: impactText(f, in.Impact)}
	for _, u := range pub.Updates {
		s.Updates = append(s.Updates, views.PublicUpdate{Status: f.t("update." + string(u.Status)), Message: u.Message,
			At: f.stamp(u.At) + " · " + actorName(f, u.Actor)})
	}
	for _, p := range pages {
		if slices.ContainsFunc(p.Components, func(c statuspage.Component) bool { return slices.Contains(pub.ComponentIDs, c.ID) }) {
			s.PagesLinks = append(s.PagesLinks, views.Link{Label: p.Title, URL: statusURL(p.Slug, "")})
		}
	}
	if refused != nil {
		s.Form = *refused
		return s, nil
	}
	selected := pub.ComponentIDs
	if !in.Public && in.MonitorID != 0 {
		// Publishing a monitor's incident: its components are the natural choice.
		for _, p := range pages {
			for _, c := range p.Components {
				if c.MonitorID == in.MonitorID {
					selected = append(selected, c.ID)
				}
			}
		}
	}
	next := incident.UpdateIdentified
	if !in.Public {
		next = incident.UpdateInvestigating
	}
	if !in.Open() {
		next = incident.UpdateResolved
	}
	s.Form = publicForm(f, pages, incidentURL(in.ID)+"/updates", "", in.Impact, next, selected, "", nil)
	if !in.Public {
		// The automatic title names the monitor, which may be private: suggest the
		// component's public name instead.
		s.Form.AskTitle, s.Form.Title = true, f.t("incident.public.suggested_title")
		for _, p := range pages {
			for _, c := range p.Components {
				if slices.Contains(selected, c.ID) && s.Form.Title == f.t("incident.public.suggested_title") {
					s.Form.Title = f.t("incident.public.component_title", c.Name)
				}
			}
		}
	}
	return s, nil
}

// publicForm builds the public update form with the given choices.
func publicForm(f formatter, pages []statuspage.Page, action, title string, impact incident.Impact, status incident.UpdateStatus,
	componentIDs []int64, message string, errs map[string]string) views.PublicUpdateForm {
	form := views.PublicUpdateForm{Action: action, Title: title, Message: message, Errors: errs}
	if impact == "" {
		impact = incident.ImpactNone
	}
	for _, i := range incident.Impacts() {
		form.Impacts = append(form.Impacts, views.Option{Value: string(i), Label: f.t("impact." + string(i)), Selected: i == impact})
	}
	for _, s := range incident.UpdateStatuses() {
		form.Statuses = append(form.Statuses, views.Option{Value: string(s), Label: f.t("update." + string(s)), Selected: s == status})
	}
	for _, p := range pages {
		for _, c := range p.Components {
			form.Components = append(form.Components, views.CheckOption{Value: strconv.FormatInt(c.ID, 10),
				Label: p.Title + " · " + c.Name, Checked: slices.Contains(componentIDs, c.ID)})
		}
	}
	return form
}

// publicFormInput reads a submitted public update form.
func publicFormInput(r *http.Request) (title string, impact incident.Impact, status incident.UpdateStatus, ids []int64, message string) {
	form := r.PostForm
	for _, v := range form["component"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return form.Get("title"), incident.Impact(form.Get("impact")), incident.UpdateStatus(form.Get("status")), ids, form.Get("message")
}

func draftErrors(err error) (map[string]string, bool) {
	var de *incident.DraftError
	if !errors.As(err, &de) {
		return nil, false
	}
	return de.Fields.Map(), true
}

func (h *Handler) incidentNew(w http.ResponseWriter, r *http.Request) {
	h.renderIncidentNew(w, r, http.StatusOK, "", incident.ImpactMinor, incident.UpdateInvestigating, nil, "", nil)
}

func (h *Handler) renderIncidentNew(w http.ResponseWriter, r *http.Request, status int, title string, impact incident.Impact,
	st incident.UpdateStatus, ids []int64, message string, errs map[string]string) {
	pages, err := h.monitors.StatusPages(r.Context(), orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	page := views.IncidentNewPage{Shell: h.shell(w, r, sectionIncidents)}
	page.Title = f.t("incidents.declare_title")
	page.Form = publicForm(f, pages, "/admin/incidents", title, impact, st, ids, message, errs)
	page.Form.AskTitle = true
	h.render(w, r, status, views.IncidentNew(page))
}

// incidentDeclare opens a public incident by hand.
func (h *Handler) incidentDeclare(w http.ResponseWriter, r *http.Request) {
	title, impact, status, ids, message := publicFormInput(r)
	ident, _ := identityOf(r)
	id, err := h.monitors.DeclareIncident(r.Context(), orgOf(r), incident.Draft{Title: title, Impact: impact, ComponentIDs: ids,
		Status: status, Message: message}, ident.User.Email)
	if errs, ok := draftErrors(err); ok {
		h.renderIncidentNew(w, r, http.StatusUnprocessableEntity, title, impact, status, ids, message, errs)
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, incidentURL(id)+"?done=declared", http.StatusSeeOther)
}

// incidentPublicUpdate posts a public update (publishing the incident if it was not).
func (h *Handler) incidentPublicUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.incidentID(w, r)
	if !ok {
		return
	}
	title, impact, status, ids, message := publicFormInput(r)
	if ids == nil {
		ids = []int64{} // the form always says which components: none ticked means none
	}
	ident, _ := identityOf(r)
	err := h.monitors.PostIncidentUpdate(r.Context(), orgOf(r), id, incident.Change{Title: title, Impact: impact, ComponentIDs: ids,
		Status: status, Message: message}, ident.User.Email)
	if errs, ok := draftErrors(err); ok {
		pages, perr := h.monitors.StatusPages(r.Context(), orgOf(r))
		if perr != nil {
			h.serviceError(w, r, perr)
			return
		}
		form := publicForm(h.formatter(r), pages, incidentURL(id)+"/updates", title, impact, status, ids, message, errs)
		form.AskTitle = r.PostForm.Has("title")
		h.renderIncidentWith(w, r, http.StatusUnprocessableEntity, "", "", &form)
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, incidentURL(id)+"?done=updated", http.StatusSeeOther)
}
