package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"statusthing/app/incident"
)

// maintenanceJSON is a maintenance window.
type maintenanceJSON struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	StartAt    *time.Time `json:"start_at"` // one-off
	EndAt      *time.Time `json:"end_at"`
	Cron       string     `json:"cron"` // recurring
	DurationMs int64      `json:"duration_ms"`
	TimeZone   string     `json:"time_zone"`
	MonitorIDs []int64    `json:"monitor_ids"` // empty: every monitor
	Active     bool       `json:"active"`
	// ActiveUntil is the end of the window in effect now; NextStart the start of the next one.
	ActiveUntil *time.Time `json:"active_until"`
	NextStart   *time.Time `json:"next_start"`
}

// maintenanceInput is the body of a window's creation or replacement.
type maintenanceInput struct {
	Title      string     `json:"title"`
	StartAt    *time.Time `json:"start_at,omitempty"`
	EndAt      *time.Time `json:"end_at,omitempty"`
	Cron       string     `json:"cron,omitempty"`
	DurationMs int64      `json:"duration_ms,omitempty"`
	TimeZone   string     `json:"time_zone,omitempty"`
	MonitorIDs []int64    `json:"monitor_ids,omitempty"`
	// Read-only keys of a GET answer, ignored so that it can be sent back.
	ID          int64      `json:"id,omitempty"`
	Active      bool       `json:"active,omitempty"`
	ActiveUntil *time.Time `json:"active_until,omitempty"`
	NextStart   *time.Time `json:"next_start,omitempty"`
}

func (h *Handler) maintenanceOut(m incident.Maintenance) maintenanceJSON {
	now := h.now()
	out := maintenanceJSON{ID: m.ID, Title: m.Title, StartAt: optTime(m.Start), EndAt: optTime(m.End), Cron: m.Cron,
		DurationMs: m.Duration.Milliseconds(), TimeZone: m.TimeZone, MonitorIDs: m.MonitorIDs}
	if out.MonitorIDs == nil {
		out.MonitorIDs = []int64{}
	}
	if _, end, ok := m.Window(now); ok {
		out.Active, out.ActiveUntil = true, optTime(end)
	}
	if start, _, ok := m.NextWindow(now); ok {
		out.NextStart = optTime(start)
	}
	return out
}

// maintenanceError converts a refused window: 422 with every field.
func maintenanceError(err error) error {
	var me *incident.MaintenanceError
	if !errors.As(err, &me) {
		return err
	}
	names := map[string]string{"start": "start_at", "end": "end_at", "duration": "duration_ms", "timezone": "time_zone", "monitors": "monitor_ids"}
	e := &apiError{Status: http.StatusUnprocessableEntity, Code: codeValidation, Message: "invalid maintenance"}
	for _, f := range me.Fields {
		name := f.Field
		if n, ok := names[name]; ok {
			name = n
		}
		e.Fields = append(e.Fields, fieldError{Field: name, Message: f.Message})
	}
	if len(e.Fields) > 0 {
		e.Field = e.Fields[0].Field
		e.Message = e.Fields[0].Field + ": " + e.Fields[0].Message
		if n := len(e.Fields); n > 1 {
			e.Message += fmt.Sprintf(" (and %d more)", n-1)
		}
	}
	return e
}

func readMaintenance(w http.ResponseWriter, r *http.Request) (incident.Maintenance, error) {
	body, err := readBody(w, r)
	if err != nil {
		return incident.Maintenance{}, err
	}
	var in maintenanceInput
	if err := decodeObject(body, &in); err != nil {
		return incident.Maintenance{}, err
	}
	m := incident.Maintenance{Title: in.Title, Cron: in.Cron, Duration: time.Duration(in.DurationMs) * time.Millisecond,
		TimeZone: in.TimeZone, MonitorIDs: in.MonitorIDs}
	if in.StartAt != nil {
		m.Start = in.StartAt.UTC()
	}
	if in.EndAt != nil {
		m.End = in.EndAt.UTC()
	}
	return m, nil
}

func (h *Handler) listMaintenances(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "maintenances")
	if err != nil {
		return err
	}
	all, err := h.monitors.Maintenances(r.Context(), c.org)
	if err != nil {
		return err
	}
	var rows []incident.Maintenance
	for _, m := range all {
		if m.ID <= lq.cursor.id {
			continue
		}
		rows = append(rows, m)
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(m incident.Maintenance) cursor { return cursor{list: "maintenances", id: m.ID} }, h.maintenanceOut))
	return nil
}

func (h *Handler) createMaintenance(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := readMaintenance(w, r)
	if err != nil {
		return err
	}
	m, err := h.monitors.CreateMaintenance(r.Context(), c.org, in)
	if err != nil {
		return maintenanceError(err)
	}
	h.log.Info("maintenance created", "maintenance_id", m.ID, "by_token_id", c.token.ID)
	writeJSON(w, http.StatusCreated, h.maintenanceOut(m))
	return nil
}

func (h *Handler) getMaintenance(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := h.monitors.Maintenance(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.maintenanceOut(m))
	return nil
}

func (h *Handler) replaceMaintenance(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := readMaintenance(w, r)
	if err != nil {
		return err
	}
	in.ID = id
	m, err := h.monitors.UpdateMaintenance(r.Context(), c.org, in)
	if err != nil {
		return maintenanceError(err)
	}
	writeJSON(w, http.StatusOK, h.maintenanceOut(m))
	return nil
}

func (h *Handler) deleteMaintenance(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.monitors.DeleteMaintenance(r.Context(), c.org, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
