package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"statusthing/app/incident"
	"statusthing/views"
)

// datetimeLocal is the value format of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

func maintenanceURL(id int64) string { return "/admin/maintenance/" + strconv.FormatInt(id, 10) }

func (h *Handler) maintenanceList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	org := orgOf(r)
	ms, err := h.monitors.Maintenances(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	monitors, err := h.monitors.List(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, m := range monitors {
		names[m.ID] = m.Name
	}
	f := h.formatter(r)
	now := h.now()
	page := views.MaintenancePage{Shell: h.shell(w, r, sectionIncidents)}
	page.Title = f.t("maintenance.title")
	switch done := r.URL.Query().Get("done"); done {
	case "created", "saved", "deleted":
		page.Flash = f.t("maintenance.flash." + done)
	}
	for _, m := range ms {
		loc := m.Location()
		row := views.MaintenanceRow{ID: m.ID, Title: m.Title, EditURL: maintenanceURL(m.ID) + "/edit"}
		if m.Recurring() {
			row.When = m.Cron + " · " + shortDuration(m.Duration) + " · " + loc.String()
		} else {
			row.When = f.zoned(m.Start.In(loc)) + " – " + f.zoned(m.End.In(loc))
		}
		if len(m.MonitorIDs) == 0 {
			row.Scope = f.t("maintenance.all_monitors")
		} else {
			var ns []string
			for _, id := range m.MonitorIDs {
				ns = append(ns, names[id])
			}
			row.Scope = strings.Join(ns, ", ")
		}
		if _, end, ok := m.Window(now); ok {
			row.Active, row.State = true, f.t("maintenance.state.active", f.zoned(end.In(loc)))
		} else if start, _, ok := m.NextWindow(now); ok {
			row.State = f.t("maintenance.state.next", f.zoned(start.In(loc)))
		} else {
			row.State = f.t("maintenance.state.over")
		}
		page.Rows = append(page.Rows, row)
	}
	h.render(w, r, http.StatusOK, views.Maintenance(page))
}

func (h *Handler) maintenanceNew(w http.ResponseWriter, r *http.Request) {
	h.renderMaintenanceForm(w, r, http.StatusOK, incident.Maintenance{}, nil, nil)
}

func (h *Handler) maintenanceEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	m, err := h.monitors.Maintenance(r.Context(), orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.renderMaintenanceForm(w, r, http.StatusOK, m, nil, nil)
}

// maintenanceForm is what the form submitted, as typed (re-shown when refused).
type maintenanceForm struct {
	title, kind, start, end, cron, duration, zone string
}

// renderMaintenanceForm shows the form of m, or of the refused submission in (with errs).
func (h *Handler) renderMaintenanceForm(w http.ResponseWriter, r *http.Request, status int, m incident.Maintenance, in *maintenanceForm, errs map[string]string) {
	monitors, err := h.monitors.List(r.Context(), orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	sh := h.shell(w, r, sectionIncidents)
	page := views.MaintenanceFormPage{Shell: sh, Errors: errs}
	if m.ID != 0 {
		page.Heading, page.Action, page.Editing = f.t("maintenance.edit_title", m.Title), maintenanceURL(m.ID), true
		page.DeleteURL = maintenanceURL(m.ID) + "/delete"
	} else {
		page.Heading, page.Action = f.t("maintenance.new_title"), "/admin/maintenance"
	}
	if in != nil {
		page.Title, page.Recurring, page.Start, page.End = in.title, in.kind == "recurring", in.start, in.end
		page.Cron, page.Duration, page.TimeZone = in.cron, in.duration, in.zone
	} else {
		loc := m.Location()
		page.Title, page.Recurring, page.Cron, page.TimeZone = m.Title, m.Recurring(), m.Cron, m.TimeZone
		if !m.Start.IsZero() {
			page.Start, page.End = m.Start.In(loc).Format(datetimeLocal), m.End.In(loc).Format(datetimeLocal)
		}
		if m.Duration > 0 {
			page.Duration = shortDuration(m.Duration)
		}
	}
	ticked := map[int64]bool{}
	for _, id := range m.MonitorIDs {
		ticked[id] = true
	}
	for _, mon := range monitors {
		page.Monitors = append(page.Monitors, views.CheckOption{Value: strconv.FormatInt(mon.ID, 10), Label: mon.Name, Checked: ticked[mon.ID]})
	}
	h.render(w, r, status, views.MaintenanceForm(page))
}

// maintenanceFromForm reads the submitted window; errs holds what could not be parsed.
func (h *Handler) maintenanceFromForm(r *http.Request) (incident.Maintenance, *maintenanceForm, map[string]string) {
	f := h.formatter(r)
	in := &maintenanceForm{title: r.PostForm.Get("title"), kind: r.PostForm.Get("kind"), start: strings.TrimSpace(r.PostForm.Get("start")),
		end: strings.TrimSpace(r.PostForm.Get("end")), cron: strings.TrimSpace(r.PostForm.Get("cron")),
		duration: strings.TrimSpace(r.PostForm.Get("duration")), zone: strings.TrimSpace(r.PostForm.Get("timezone"))}
	_, ids := tickedMonitors(r)
	m := incident.Maintenance{Title: strings.TrimSpace(in.title), TimeZone: in.zone, MonitorIDs: ids}
	errs := map[string]string{}
	loc := m.Location() // UTC while invalid: Validate names the zone
	if in.kind == "recurring" {
		m.Cron = in.cron
		if m.Cron == "" {
			m.Cron = " " // refused by Validate under "cron", not taken for a one-off window
		}
		if in.duration != "" {
			d, err := time.ParseDuration(in.duration)
			if err != nil {
				errs["duration"] = f.t("maintenance.error.duration")
			}
			m.Duration = d
		}
	} else {
		for _, x := range []struct {
			name, v string
			dst     *time.Time
		}{{"start", in.start, &m.Start}, {"end", in.end, &m.End}} {
			if x.v == "" {
				continue
			}
			t, err := time.ParseInLocation(datetimeLocal, x.v, loc)
			if err != nil {
				errs[x.name] = f.t("maintenance.error.datetime")
				continue
			}
			*x.dst = t.UTC()
		}
	}
	return m, in, errs
}

// saveMaintenance validates and saves the submitted window (id 0: a new one).
func (h *Handler) saveMaintenance(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	org := orgOf(r)
	m, in, errs := h.maintenanceFromForm(r)
	m.ID = id
	var err error
	if len(errs) == 0 {
		if id == 0 {
			_, err = h.monitors.CreateMaintenance(ctx, org, m)
		} else {
			_, err = h.monitors.UpdateMaintenance(ctx, org, m)
		}
	}
	var me *incident.MaintenanceError
	switch {
	case errors.As(err, &me):
		for _, fe := range me.Fields {
			if errs[fe.Field] == "" {
				errs[fe.Field] = fe.Message
			}
		}
	case err != nil:
		h.serviceError(w, r, err)
		return
	}
	if len(errs) > 0 {
		h.renderMaintenanceForm(w, r, http.StatusUnprocessableEntity, m, in, errs)
		return
	}
	done := "saved"
	if id == 0 {
		done = "created"
	}
	http.Redirect(w, r, "/admin/maintenance?done="+done, http.StatusSeeOther)
}

func (h *Handler) maintenanceCreate(w http.ResponseWriter, r *http.Request) {
	h.saveMaintenance(w, r, 0)
}

func (h *Handler) maintenanceUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	if _, err := h.monitors.Maintenance(r.Context(), orgOf(r), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.saveMaintenance(w, r, id)
}

func (h *Handler) maintenanceDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	if err := h.monitors.DeleteMaintenance(r.Context(), orgOf(r), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/maintenance?done=deleted", http.StatusSeeOther)
}

// maintenanceBanner is "In maintenance until …" while a window covers the monitor, else "".
func (h *Handler) maintenanceBanner(r *http.Request, f formatter, monitorID int64) string {
	until, ok, err := h.monitors.MonitorMaintenance(r.Context(), orgOf(r), monitorID)
	if err != nil || !ok {
		return ""
	}
	return f.t("monitor.maintenance_until", f.stamp(until))
}
