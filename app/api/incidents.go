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
	MonitorID      int64              `json:"monitor_id"`
	MonitorName    string             `json:"monitor_name"`
	Title          string             `json:"title"`
	Status         incident.Status    `json:"status"`
	Cause          monitor.ErrorClass `json:"cause,omitempty"`
	Message        string             `json:"message"`
	OpenedAt       time.Time          `json:"opened_at"`
	AcknowledgedAt *time.Time         `json:"acknowledged_at"`
	AcknowledgedBy *string            `json:"acknowledged_by"`
	ResolvedAt     *time.Time         `json:"resolved_at"`
	DurationMs     int64              `json:"duration_ms"`
}

// incidentDetailJSON is an incident with its timeline and its monitor's earlier incidents.
type incidentDetailJSON struct {
	incidentJSON
	Events     []incidentEventJSON `json:"events"`
	SeenBefore seenBeforeJSON      `json:"seen_before"`
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

func (h *Handler) incidentJSON(in incident.Incident) incidentJSON {
	return incidentJSON{ID: in.ID, MonitorID: in.MonitorID, MonitorName: in.MonitorName, Title: in.Title, Status: in.Status,
		Cause: in.Cause, Message: in.Message, OpenedAt: in.OpenedAt.UTC(), AcknowledgedAt: optTime(in.AcknowledgedAt),
		AcknowledgedBy: optString(in.AcknowledgedBy), ResolvedAt: optTime(in.ResolvedAt),
		DurationMs: in.Duration(h.now()).Milliseconds()}
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
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(in incident.Incident) cursor { return cursor{list: "incidents", id: in.ID} }, h.incidentJSON))
	return nil
}

// incidentDetail reads incident id of the caller's organization with its timeline.
func (h *Handler) incidentDetail(r *http.Request, c *call, id int64) (incidentDetailJSON, error) {
	in, events, hist, err := h.monitors.Incident(r.Context(), c.org, id)
	if err != nil {
		return incidentDetailJSON{}, err
	}
	out := incidentDetailJSON{incidentJSON: h.incidentJSON(in), Events: []incidentEventJSON{},
		SeenBefore: seenBeforeJSON{Count: hist.Count, MeanResolveMs: hist.MeanResolve.Milliseconds(), Recent: []incidentJSON{}}}
	for _, e := range events {
		out.Events = append(out.Events, incidentEventJSON{ID: e.ID, At: e.At.UTC(), Kind: e.Kind, Actor: optString(e.Actor), Message: e.Message})
	}
	for _, e := range hist.Recent {
		out.SeenBefore.Recent = append(out.SeenBefore.Recent, h.incidentJSON(e))
	}
	return out, nil
}

func (h *Handler) getIncident(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := h.incidentDetail(r, c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
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
		out, err := h.incidentDetail(r, c, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
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
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in commentInput
	if err := decodeObject(body, &in); err != nil {
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
	out, err := h.incidentDetail(r, c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
