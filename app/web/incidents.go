package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"statusthing/app/alert"
	"statusthing/app/auth"
	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/views"
)

// incidentsPerPage is the incidents list's page size.
const incidentsPerPage = 25

// maxIncidentResults bounds the failing checks shown on an incident's page.
const maxIncidentResults = 20

func incidentURL(id int64) string { return "/admin/incidents/" + strconv.FormatInt(id, 10) }

// incidentQuery is the list's filters as read from the URL.
type incidentQuery struct {
	filter   incident.Filter
	from, to string // as typed: YYYY-MM-DD
	before   int64
	bad      bool // a date could not be read: it is ignored
}

// parseIncidentQuery reads status, monitor, from, to (dates, UTC; to is inclusive) and
// before (the paging key) from q. Unknown values are ignored rather than refused: the
// list is a page to browse, not an API.
func parseIncidentQuery(q url.Values) incidentQuery {
	var iq incidentQuery
	for _, s := range incident.Statuses() {
		if q.Get("status") == string(s) {
			iq.filter.Status = s
		}
	}
	if id, err := strconv.ParseInt(q.Get("monitor"), 10, 64); err == nil && id > 0 {
		iq.filter.MonitorID = id
	}
	if id, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && id > 0 {
		iq.before = id
	}
	if s := q.Get("from"); s != "" {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			iq.filter.From, iq.from = t, s
		} else {
			iq.bad = true
		}
	}
	if s := q.Get("to"); s != "" {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			iq.filter.To, iq.to = t.AddDate(0, 0, 1), s
		} else {
			iq.bad = true
		}
	}
	return iq
}

// values is the query of the list with these filters (before: the page).
func (iq incidentQuery) values(before int64) url.Values {
	v := url.Values{}
	if iq.filter.Status != "" {
		v.Set("status", string(iq.filter.Status))
	}
	if iq.filter.MonitorID != 0 {
		v.Set("monitor", strconv.FormatInt(iq.filter.MonitorID, 10))
	}
	if iq.from != "" {
		v.Set("from", iq.from)
	}
	if iq.to != "" {
		v.Set("to", iq.to)
	}
	if before != 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	return v
}

func listURL(v url.Values) string {
	if len(v) == 0 {
		return "/admin/incidents"
	}
	return "/admin/incidents?" + v.Encode()
}

// incidentBadge shows an incident's status with the colours of monitor statuses: open is
// red, acknowledged amber (someone is on it), resolved green.
func incidentBadge(f formatter, s incident.Status) views.StatusBadge {
	colour := map[incident.Status]string{incident.StatusOpen: "down", incident.StatusAcknowledged: "degraded",
		incident.StatusResolved: "up"}[s]
	return views.StatusBadge{Status: colour, Label: f.t("incident.status." + string(s))}
}

func causeText(c monitor.ErrorClass) string {
	if c == "" {
		return "–"
	}
	return string(c)
}

// incidentRow is one line of the list.
func incidentRow(f formatter, in incident.Incident) views.IncidentRow {
	row := views.IncidentRow{ID: in.ID, URL: incidentURL(in.ID), Title: in.Title, Status: incidentBadge(f, in.Status),
		Monitor: in.MonitorName, Opened: f.ago(in.OpenedAt), OpenedTitle: f.stamp(in.OpenedAt),
		Duration: f.span(in.Duration(f.now)), Cause: causeText(in.Cause)}
	if in.MonitorID != 0 {
		row.MonitorURL = "/admin/monitors/" + strconv.FormatInt(in.MonitorID, 10)
	}
	return row
}

func (h *Handler) incidentsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	org := orgOf(r)
	iq := parseIncidentQuery(r.URL.Query())
	rows, err := h.monitors.Incidents(ctx, org, iq.filter, iq.before, incidentsPerPage+1)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	monitors, err := h.monitors.List(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	sh := h.shell(w, r, sectionIncidents)
	f := h.formatter(r)
	page := views.IncidentsPage{Shell: sh, From: iq.from, To: iq.to,
		Filtered: iq.filter != (incident.Filter{}) || iq.before != 0}
	if iq.bad {
		page.FilterError = f.t("incidents.error.date")
	}
	page.Statuses = []views.Option{{Value: "", Label: f.t("incidents.all_statuses"), Selected: iq.filter.Status == ""}}
	for _, s := range incident.Statuses() {
		page.Statuses = append(page.Statuses, views.Option{Value: string(s), Label: f.t("incident.status." + string(s)), Selected: iq.filter.Status == s})
	}
	page.Monitors = []views.Option{{Value: "", Label: f.t("incidents.all_monitors"), Selected: iq.filter.MonitorID == 0}}
	for _, m := range monitors {
		page.Monitors = append(page.Monitors, views.Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name, Selected: m.ID == iq.filter.MonitorID})
	}
	for i, in := range rows {
		if i == incidentsPerPage {
			page.OlderURL = listURL(iq.values(rows[i-1].ID))
			break
		}
		page.Rows = append(page.Rows, incidentRow(f, in))
	}
	if iq.before != 0 {
		page.NewestURL = listURL(iq.values(0))
	}
	h.render(w, r, http.StatusOK, views.Incidents(page))
}

// incidentID reads {id}; a malformed id is a 404 like a missing one.
func (h *Handler) incidentID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	return h.monitorID(w, r)
}

func (h *Handler) incidentShow(w http.ResponseWriter, r *http.Request) {
	h.renderIncident(w, r, http.StatusOK, "", "")
}

// renderIncident shows an incident; comment and commentErr re-show a refused comment.
func (h *Handler) renderIncident(w http.ResponseWriter, r *http.Request, status int, comment, commentErr string) {
	h.renderIncidentWith(w, r, status, comment, commentErr, nil)
}

// renderIncidentWith is renderIncident re-showing a refused public update too (refused
// not nil).
func (h *Handler) renderIncidentWith(w http.ResponseWriter, r *http.Request, status int, comment, commentErr string,
	refused *views.PublicUpdateForm) {
	id, ok := h.incidentID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	org := orgOf(r)
	in, events, hist, err := h.monitors.Incident(ctx, org, id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	var results []monitor.Result
	if in.MonitorID != 0 {
		before := time.Time{}
		if !in.Open() {
			before = in.ResolvedAt.Add(time.Millisecond)
		}
		results, err = h.monitors.Results(ctx, org, in.MonitorID, before, 200)
		if err != nil && !auth.IsNotFound(err) { // the monitor may be gone: its incident stays
			h.serviceError(w, r, err)
			return
		}
	}
	sh := h.shell(w, r, sectionIncidents)
	sh.Title = in.Title
	f := h.formatter(r)
	alerts, err := h.monitors.IncidentAlerts(ctx, org, in.ID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	page := incidentPage(f, in, withAlerts(f, events, alerts), hist, results)
	page.Shell = sh
	page.Comment, page.CommentError = comment, commentErr
	page.Flash, page.FlashError = incidentFlash(f, r.URL.Query().Get("done"))
	if page.Public, err = h.publicSection(r, f, in, refused); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, status, views.Incident(page))
}

// withAlerts merges the alerts sent for an incident into its timeline, by time: each is
// an "alert" event naming its channel, what it said and how its delivery went.
func withAlerts(f formatter, events []incident.Event, alerts []alert.Delivery) []incident.Event {
	out := slices.Clone(events)
	for _, d := range alerts {
		e := incident.Event{Kind: eventAlert, At: d.CreatedAt, Actor: d.Channel.Name + " (" + string(d.Channel.Type) + ")"}
		what := f.t("incident.alert.event", string(d.Alert.Event))
		switch {
		case !d.DeliveredAt.IsZero():
			e.At, e.Message = d.DeliveredAt, f.t("incident.alert.delivered", what)
		case !d.FailedAt.IsZero():
			e.At, e.Message = d.FailedAt, f.t("incident.alert.failed", what, d.Attempts, d.LastError)
		default:
			e.Message = f.t("incident.alert.pending", what, d.Attempts)
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b incident.Event) int { return a.At.Compare(b.At) })
	return out
}

// eventAlert is the timeline kind of an alert sent (not stored as an incident event: it
// comes from the outbox).
const eventAlert incident.EventKind = "alert"

// incidentPage builds the view of an incident (without its shell): facts, "seen before",
// timeline and the failing results among results (newest first) during the incident.
func incidentPage(f formatter, in incident.Incident, events []incident.Event, hist incident.History, results []monitor.Result) views.IncidentPage {
	p := views.IncidentPage{ID: in.ID, Title: in.Title, Status: incidentBadge(f, in.Status), Monitor: in.MonitorName,
		Message: in.Message, Open: in.Open(), Acknowledged: in.Status == incident.StatusAcknowledged,
		ActionURL: incidentURL(in.ID)}
	if in.MonitorID != 0 {
		p.MonitorURL = "/admin/monitors/" + strconv.FormatInt(in.MonitorID, 10)
	}
	p.Facts = append(p.Facts, views.Fact{Label: f.t("incident.opened"), Value: f.stamp(in.OpenedAt) + " (" + f.ago(in.OpenedAt) + ")"})
	if !in.AcknowledgedAt.IsZero() {
		p.Facts = append(p.Facts, views.Fact{Label: f.t("incident.acknowledged"),
			Value: f.t("incident.by", f.stamp(in.AcknowledgedAt), actorName(f, in.AcknowledgedBy))})
	}
	if !in.ResolvedAt.IsZero() {
		p.Facts = append(p.Facts, views.Fact{Label: f.t("incident.resolved"), Value: f.stamp(in.ResolvedAt)})
	}
	p.Facts = append(p.Facts,
		views.Fact{Label: f.t("incident.duration"), Value: f.span(in.Duration(f.now))},
		views.Fact{Label: f.t("incidents.col.cause"), Value: causeText(in.Cause)})
	if hist.Count > 0 {
		sb := &views.SeenBefore{Summary: f.t("incident.seen_count", hist.Count)}
		if hist.MeanResolve > 0 {
			sb.Mean = f.t("incident.mean_resolve", f.span(hist.MeanResolve))
		}
		for _, e := range hist.Recent {
			sb.Recent = append(sb.Recent, views.Link{Label: f.stamp(e.OpenedAt) + " · " + f.span(e.Duration(f.now)), URL: incidentURL(e.ID)})
		}
		p.SeenBefore = sb
	}
	for _, e := range events {
		p.Events = append(p.Events, views.IncidentEvent{At: f.stamp(e.At), Kind: f.t("incident.event." + string(e.Kind)),
			KindKey: string(e.Kind), Actor: actorName(f, e.Actor), Message: e.Message})
	}
	for _, res := range results {
		if len(p.Results) == maxIncidentResults {
			break
		}
		// The check that opened it ended at OpenedAt; stored times are whole milliseconds,
		// hence the slack.
		if res.Outcome == monitor.OutcomeUp || res.StartedAt.Add(res.Duration).Before(in.OpenedAt.Add(-time.Second)) {
			continue
		}
		if !in.ResolvedAt.IsZero() && res.StartedAt.After(in.ResolvedAt) {
			continue
		}
		row := resultRow(f, res)
		row.ErrorClass = causeText(res.ErrorClass)
		p.Results = append(p.Results, row)
	}
	return p
}

// actorName is who did it: a user's e-mail, an API token, or statusthing itself.
func actorName(f formatter, actor string) string {
	if actor == "" {
		return f.t("incident.actor_system")
	}
	return actor
}

// incidentFlash shows the outcome of the action that redirected here (?done=...).
func incidentFlash(f formatter, done string) (string, bool) {
	switch done {
	case "acknowledged", "unacknowledged", "commented", "resolved", "updated", "declared":
		return f.t("incident.flash." + done), false
	case "already_resolved":
		return f.t("incident.flash.already_resolved"), true
	}
	return "", false
}

// incidentAction runs an action on {id} as the logged-in user and goes back to the page.
func (h *Handler) incidentAction(action func(r *http.Request, org, id int64, actor string) error, done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := h.incidentID(w, r)
		if !ok {
			return
		}
		ident, _ := identityOf(r)
		d := done
		switch err := action(r, orgOf(r), id, ident.User.Email); {
		case errors.Is(err, incident.ErrResolved):
			d = "already_resolved"
		case err != nil:
			h.serviceError(w, r, err)
			return
		}
		http.Redirect(w, r, incidentURL(id)+"?done="+d, http.StatusSeeOther)
	}
}

func (h *Handler) incidentAcknowledge(r *http.Request, org, id int64, actor string) error {
	return h.monitors.AcknowledgeIncident(r.Context(), org, id, actor, true)
}

func (h *Handler) incidentUnacknowledge(r *http.Request, org, id int64, actor string) error {
	return h.monitors.AcknowledgeIncident(r.Context(), org, id, actor, false)
}

func (h *Handler) incidentResolve(r *http.Request, org, id int64, actor string) error {
	return h.monitors.ResolveIncident(r.Context(), org, id, actor)
}

func (h *Handler) incidentComment(w http.ResponseWriter, r *http.Request) {
	id, ok := h.incidentID(w, r)
	if !ok {
		return
	}
	text := r.PostForm.Get("text")
	ident, _ := identityOf(r)
	err := h.monitors.CommentIncident(r.Context(), orgOf(r), id, ident.User.Email, text)
	switch {
	case errors.Is(err, incident.ErrCommentEmpty):
		h.renderIncident(w, r, http.StatusUnprocessableEntity, text, h.formatter(r).t("incident.error.comment_empty"))
		return
	case errors.Is(err, incident.ErrCommentTooLong):
		h.renderIncident(w, r, http.StatusUnprocessableEntity, text, h.formatter(r).t("incident.error.comment_long", incident.MaxComment))
		return
	case err != nil:
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, incidentURL(id)+"?done=commented#comment", http.StatusSeeOther)
}

// openIncidents maps monitors to their open (unresolved) incident.
func (h *Handler) openIncidents(r *http.Request, monitorID int64) map[int64]incident.Incident {
	out := map[int64]incident.Incident{}
	for _, s := range []incident.Status{incident.StatusOpen, incident.StatusAcknowledged} {
		rows, err := h.monitors.Incidents(r.Context(), orgOf(r), incident.Filter{Status: s, MonitorID: monitorID}, 0, 200)
		if err != nil {
			h.log.Warn("list open incidents", "err", err)
			continue
		}
		for _, in := range rows {
			if in.Open() {
				out[in.MonitorID] = in
			}
		}
	}
	return out
}
