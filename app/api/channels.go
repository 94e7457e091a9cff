package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"statusthing/app/alert"
	"statusthing/app/monitoring"
)

// channelJSON is an alert channel; the secrets of its settings are masked.
type channelJSON struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Type      alert.Type      `json:"type"`
	Settings  json.RawMessage `json:"settings"`
	IsDefault bool            `json:"is_default"`
	Enabled   bool            `json:"enabled"`
	CreatedAt time.Time       `json:"created_at"`
}

// channelInput is the body of a channel's creation or replacement.
type channelInput struct {
	Name      string          `json:"name"`
	Type      alert.Type      `json:"type"`
	Settings  json.RawMessage `json:"settings,omitempty"`
	IsDefault bool            `json:"is_default,omitempty"`
	Enabled   *bool           `json:"enabled,omitempty"`
	// Read-only keys of a GET answer, ignored so that it can be sent back.
	ID        int64      `json:"id,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
}

// channelTestJSON is the outcome of a test alert.
type channelTestJSON struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func channelTypeNames() []string {
	var out []string
	for _, t := range alert.Types() {
		out = append(out, string(t))
	}
	return out
}

func channelOut(c alert.Channel) channelJSON {
	return channelJSON{ID: c.ID, Name: c.Name, Type: c.Type, Settings: monitoring.MaskSettings(c.Type, c.Settings),
		IsDefault: c.IsDefault, Enabled: c.Enabled, CreatedAt: c.CreatedAt.UTC()}
}

// channelError converts a refused channel: 422 naming the field (settings keys as
// settings.<key>).
func channelError(err error) error {
	var se *monitoring.SettingsError
	if !errors.As(err, &se) {
		return err
	}
	field := se.Field
	switch field {
	case "name", "type", "settings":
	default:
		field = "settings." + field
	}
	e := fieldErr(http.StatusUnprocessableEntity, codeValidation, field, se.Message)
	e.Message = se.Message
	return e
}

func readChannel(w http.ResponseWriter, r *http.Request) (alert.Channel, error) {
	body, err := readBody(w, r)
	if err != nil {
		return alert.Channel{}, err
	}
	var in channelInput
	if err := decodeObject(body, &in); err != nil {
		return alert.Channel{}, err
	}
	c := alert.Channel{Name: in.Name, Type: in.Type, Settings: in.Settings, IsDefault: in.IsDefault, Enabled: true}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	return c, nil
}

func (h *Handler) listChannels(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "channels")
	if err != nil {
		return err
	}
	all, err := h.monitors.Channels(r.Context(), c.org)
	if err != nil {
		return err
	}
	var rows []alert.Channel
	for _, ch := range all {
		if ch.ID <= lq.cursor.id || (!lq.from.IsZero() && ch.CreatedAt.Before(lq.from)) ||
			(!lq.to.IsZero() && !ch.CreatedAt.Before(lq.to)) {
			continue
		}
		rows = append(rows, ch)
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(ch alert.Channel) cursor { return cursor{list: "channels", id: ch.ID} }, channelOut))
	return nil
}

func (h *Handler) createChannel(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := readChannel(w, r)
	if err != nil {
		return err
	}
	ch, err := h.monitors.CreateChannel(r.Context(), c.org, in)
	if err != nil {
		return channelError(err)
	}
	h.log.Info("channel created", "channel", ch, "by_token_id", c.token.ID)
	writeJSON(w, http.StatusCreated, channelOut(ch))
	return nil
}

func (h *Handler) getChannel(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ch, err := h.monitors.Channel(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, channelOut(ch))
	return nil
}

func (h *Handler) replaceChannel(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := readChannel(w, r)
	if err != nil {
		return err
	}
	in.ID = id
	ch, err := h.monitors.UpdateChannel(r.Context(), c.org, in)
	if err != nil {
		return channelError(err)
	}
	writeJSON(w, http.StatusOK, channelOut(ch))
	return nil
}

func (h *Handler) deleteChannel(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.monitors.DeleteChannel(r.Context(), c.org, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) testChannel(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.monitors.Channel(r.Context(), c.org, id); err != nil {
		return err
	}
	out := channelTestJSON{OK: true}
	if err := h.monitors.TestChannel(r.Context(), c.org, id); err != nil {
		out = channelTestJSON{Error: err.Error()}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
