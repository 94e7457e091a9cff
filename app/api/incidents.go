package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
)

// codeIncidentResolved answers acknowledging a resolved incident (409).
const codeIncidentResolved = "incident_resolved"

// incidentJSON is an incident without its timeline.
type incidentJSON struct {
	ID             int64              `json:"id"`
	MonitorID      *int64             `json:"monitor_id"`   // null for a declared incident
	MonitorName    *string            `json:"monitor_name"` // null for a declared incident
	Title          string             `json:"title"`
	Status         incident.Status    `json:"status"`
	Cause          monitor.ErrorClass `json:"cause,omitempty"`
	Message        string             `json:"message"`
	OpenedAt       time.Time          `json:"opened_at"`
	AcknowledgedAt *time.Time         `json:"acknowledged_at"`
	AcknowledgedBy *string            `json:"acknowledged_by"`
	ResolvedAt     *time.Time         `json:"resolved_at"`
	DurationMs     int64              `json:"duration_ms"`
	Impact         incident.Impact    `json:"impact"`
	Public         bool               `json:"public"`
	ComponentIDs   []int64            `json:"component_ids"`
}

// incidentDetailJSON is an incident with its timeline, its public updates and its
// monitor's earlier incidents.
type incidentDetailJSON struct {
	incidentJSON
	Events     []incidentEventJSON  `json:"events"`
	Updates    []incidentUpdateJSON `json:"updates"`
	SeenBefore seenBeforeJSON       `json:"seen_before"`
}

// incidentUpdateJSON is one public update of an incident: what status page visitors read.
type incidentUpdateJSON struct {
	ID      int64                 `json:"id"`
	At      time.Time             `json:"at"`
	Status  incident.UpdateStatus `json:"status"`
	Message string                `json:"message"`
	Actor   *string               `json:"actor"`
}

// declareInput is the body of a declared incident.
type declareInput struct {
	Title        string                `json:"title"`
	Impact       incident.Impact       `json:"impact,omitempty"`
	ComponentIDs []int64               `json:"component_ids,omitempty"`
	Status       incident.UpdateStatus `json:"status,omitempty"`
	Message      string                `json:"message"`
}

// updateInput is the body of a public update.
type updateInput struct {
	Status       incident.UpdateStatus `json:"status,omitempty"`
	Message      string                `json:"message"`
	Title        string                `json:"title,omitempty"`
	Impact       incident.Impact       `json:"impact,omitempty"`
	ComponentIDs []int64               `json:"component_ids,omitempty"`
}

// incidentEventJSON is one entry of a timeline.
type incidentEventJSON struct {
	ID      int64              `json:"id"`
	At      time.Time          `json:"at"`
	Kind    incident.EventKind `json:"kind"`
	Actor   *string            `json:"actor"`
	Message string             `json:"message"`
}

// seenBeforeJSON sums up the earlier incidents with the same cause.
type seenBeforeJSON struct {
	Count         int            `json:"count"`
	MeanResolveMs int64          `json:"mean_resolve_ms"`
	Recent        []incidentJSON `json:"recent"`
}

// commentInput is the body of a comment.
type commentInput struct {
	Text string `json:"text"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// incidentJSON converts an incident affecting the components componentIDs.
func (h *Handler) incidentJSON(in incident.Incident, componentIDs []int64) incidentJSON {
	out := incidentJSON{ID: in.ID, MonitorID: optID(in.MonitorID), Title: in.Title, Status: in.Status,
		Cause: in.Cause, Message: in.Message, OpenedAt: in.OpenedAt.UTC(), AcknowledgedAt: optTime(in.AcknowledgedAt),
		AcknowledgedBy: optString(in.AcknowledgedBy), ResolvedAt: optTime(in.ResolvedAt),
		DurationMs: in.Duration(h.now()).Milliseconds(), Impact: in.Impact, Public: in.Public, ComponentIDs: componentIDs}
	if in.MonitorID > 0 {
		out.MonitorName = &in.MonitorName
	}
	if out.Impact == "" {
		out.Impact = incident.ImpactNone
	}
	if out.ComponentIDs == nil {
		out.ComponentIDs = []int64{}
	}
	return out
}

// componentsOf reads the components the public ones among incidents affect, by incident
// id; an unpublished incident affects none.
func (h *Handler) componentsOf(r *http.Request, c *call, incidents []incident.Incident) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for _, in := range incidents {
		if !in.Public {
			continue
		}
		p, err := h.monitors.IncidentPublic(r.Context(), c.org, in.ID)
		if err != nil {
			return nil, err
		}
		out[in.ID] = p.ComponentIDs
	}
	return out, nil
}

func incidentStatusNames() []string {
	var out []string
	for _, s := range incident.Statuses() {
		out = append(out, string(s))
	}
	return out
}

func (h *Handler) listIncidents(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	lq, err := parseList(q, "incidents")
	if err != nil {
		return err
	}
	f := incident.Filter{From: lq.from, To: lq.to}
	if s := q.Get("status"); s != "" {
		for _, st := range incident.Statuses() {
			if s == string(st) {
				f.Status = st
			}
		}
		if f.Status == "" {
			return badParam("status", "must be open, acknowledged or resolved")
		}
	}
	if s := q.Get("monitor"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return badParam("monitor", "must be a monitor id")
		}
		f.MonitorID = id
	}
	rows, err := h.monitors.Incidents(r.Context(), c.org, f, lq.cursor.id, lq.limit+1)
	if err != nil {
		return err
	}
	cids, err := h.componentsOf(r, c, rows[:min(len(rows), lq.limit)])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(in incident.Incident) cursor { return cursor{list: "incidents", id: in.ID} },
		func(in incident.Incident) incidentJSON { return h.incidentJSON(in, cids[in.ID]) }))
	return nil
}

// writeIncident answers the incident id's detail with status.
func (h *Handler) writeIncident(w http.ResponseWriter, r *http.Request, c *call, status int, id int64) error {
	out, err := h.incidentDetail(r, c, id)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// incidentDetail reads incident id of the caller's organization with its timeline.
func (h *Handler) incidentDetail(r *http.Request, c *call, id int64) (incidentDetailJSON, error) {
	in, events, hist, err := h.monitors.Incident(r.Context(), c.org, id)
	if err != nil {
		return incidentDetailJSON{}, err
	}
	pub, err := h.monitors.IncidentPublic(r.Context(), c.org, id)
	if err != nil {
		return incidentDetailJSON{}, err
	}
	cids, err := h.componentsOf(r, c, hist.Recent)
	if err != nil {
		return incidentDetailJSON{}, err
	}
	out := incidentDetailJSON{incidentJSON: h.incidentJSON(in, pub.ComponentIDs), Events: []incidentEventJSON{},
		Updates:    updatesJSON(pub.Updates),
		SeenBefore: seenBeforeJSON{Count: hist.Count, MeanResolveMs: hist.MeanResolve.Milliseconds(), Recent: []incidentJSON{}}}
	for _, e := range events {
		out.Events = append(out.Events, incidentEventJSON{ID: e.ID, At: e.At.UTC(), Kind: e.Kind, Actor: optString(e.Actor), Message: e.Message})
	}
	for _, e := range hist.Recent {
		out.SeenBefore.Recent = append(out.SeenBefore.Recent, h.incidentJSON(e, cids[e.ID]))
	}
	return out, nil
}

func updateJSON(u incident.Update) incidentUpdateJSON {
	return incidentUpdateJSON{ID: u.ID, At: u.At.UTC(), Status: u.Status, Message: u.Message, Actor: optString(u.Actor)}
}

func updatesJSON(us []incident.Update) []incidentUpdateJSON {
	out := make([]incidentUpdateJSON, 0, len(us))
	for _, u := range us {
		out = append(out, updateJSON(u))
	}
	return out
}

func (h *Handler) getIncident(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeIncident(w, r, c, http.StatusOK, id)
}

// actor is who an API call acts as in an incident's timeline: its token.
func (c *call) actor() string { return "token:" + c.token.Name }

// incidentAction runs act on {id} and answers the incident as it is after it.
func (h *Handler) incidentAction(act func(r *http.Request, c *call, id int64) error) func(http.ResponseWriter, *http.Request, *call) error {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := act(r, c, id); err != nil {
			if errors.Is(err, incident.ErrResolved) {
				return newError(http.StatusConflict, codeIncidentResolved, "the incident is resolved: it can no longer be acknowledged")
			}
			return err
		}
		return h.writeIncident(w, r, c, http.StatusOK, id)
	}
}

func (h *Handler) acknowledgeIncident(r *http.Request, c *call, id int64) error {
	return h.monitors.AcknowledgeIncident(r.Context(), c.org, id, c.actor(), true)
}

func (h *Handler) unacknowledgeIncident(r *http.Request, c *call, id int64) error {
	return h.monitors.AcknowledgeIncident(r.Context(), c.org, id, c.actor(), false)
}

func (h *Handler) resolveIncident(r *http.Request, c *call, id int64) error {
	return h.monitors.ResolveIncident(r.Context(), c.org, id, c.actor())
}

func (h *Handler) commentIncident(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in commentInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	switch err := h.monitors.CommentIncident(r.Context(), c.org, id, c.actor(), in.Text); {
	case errors.Is(err, incident.ErrCommentEmpty):
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, "text", "is required: the comment is empty")
	case errors.Is(err, incident.ErrCommentTooLong):
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, "text", "is longer than "+strconv.Itoa(incident.MaxComment)+" characters")
	case err != nil:
		return err
	}
	return h.writeIncident(w, r, c, http.StatusCreated, id)
}

// declareIncident opens a public incident by hand, not tied to a monitor.
func (h *Handler) declareIncident(w http.ResponseWriter, r *http.Request, c *call) error {
	var in declareInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	d := incident.Draft{Title: in.Title, Impact: in.Impact, ComponentIDs: in.ComponentIDs, Status: in.Status, Message: in.Message}
	id, err := h.monitors.DeclareIncident(r.Context(), c.org, d, c.actor())
	if err != nil {
		return err
	}
	h.log.Info("incident declared", "incident_id", id, "by_token_id", c.token.ID)
	out, err := h.incidentDetail(r, c, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", apiPrefix+"/incidents/"+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// listUpdates lists the public updates of an incident, newest first. They are few: the
// page is cut from all of them, after the cursor's (at, id).
func (h *Handler) listUpdates(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	lq, err := parseList(r.URL.Query(), "updates")
	if err != nil {
		return err
	}
	pub, err := h.monitors.IncidentPublic(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	var rows []incident.Update
	for _, u := range pub.Updates { // newest first: (at, id) descending
		at := u.At.UnixMilli()
		if lq.cursor.id == 0 || at < lq.cursor.at || (at == lq.cursor.at && u.ID < lq.cursor.id) {
			rows = append(rows, u)
		}
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(u incident.Update) cursor { return cursor{list: "updates", at: u.At.UnixMilli(), id: u.ID} }, updateJSON))
	return nil
}

// postUpdate posts a public update: it publishes an automatic incident, and the status
// resolved resolves an open one.
func (h *Handler) postUpdate(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in updateInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	ch := incident.Change{Title: in.Title, Impact: in.Impact, ComponentIDs: in.ComponentIDs, Status: in.Status, Message: in.Message}
	if err := h.monitors.PostIncidentUpdate(r.Context(), c.org, id, ch, c.actor()); err != nil {
		return err
	}
	return h.writeIncident(w, r, c, http.StatusCreated, id)
}
