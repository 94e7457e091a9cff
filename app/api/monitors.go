package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"

	"statusthing/app/monitor"
)

// secretMask stands for a stored secret (auth_password, bearer_token, each value of a browser
// monitor's secrets) in answers: secrets are never sent back. Sent in a PUT or PATCH, it
// keeps the stored value.
const secretMask = "********"

// monitorJSON is a monitor as the API shows it: the keys of its [[monitors]] block (its
// Spec, defaults filled in) plus its identity and status.
type monitorJSON struct {
	ID int64 `json:"id"`
	monitor.Spec
	Status        monitor.Status `json:"status"`
	StatusSince   time.Time      `json:"status_since"`
	LastCheckedAt *time.Time     `json:"last_checked_at"`
	PingURL       string         `json:"ping_url,omitempty"`
	// ChannelIDs are the alert channels attached to the monitor (the organization's
	// default channels alert for it too).
	ChannelIDs []int64 `json:"channel_ids"`
}

// monitorInput is the body of a create or replace: a Spec. The read-only keys of
// monitorJSON are accepted and ignored, so that a GET answer can be edited and sent back;
// an id must match the URL's.
type monitorInput struct {
	monitor.Spec
	ID            *int64          `json:"id,omitempty"`
	Status        json.RawMessage `json:"status,omitempty"`
	StatusSince   json.RawMessage `json:"status_since,omitempty"`
	LastCheckedAt json.RawMessage `json:"last_checked_at,omitempty"`
	PingURL       json.RawMessage `json:"ping_url,omitempty"`
	// ChannelIDs, when given, replace the monitor's attached channels; absent (or null)
	// leaves them as they are.
	ChannelIDs *[]int64 `json:"channel_ids,omitempty"`
}

var typeOfMonitorInput = reflect.TypeFor[monitorInput]()

// readOnlyKeys are the keys of monitorJSON that are not Spec keys.
var readOnlyKeys = []string{"id", "status", "status_since", "last_checked_at", "ping_url"}

func (h *Handler) monitorJSON(m monitor.Monitor, uuid string, channels []int64) monitorJSON {
	spec := monitor.SpecOf(m)
	if spec.AuthPassword != "" {
		spec.AuthPassword = secretMask
	}
	if spec.BearerToken != "" {
		spec.BearerToken = secretMask
	}
	if len(spec.Secrets) > 0 {
		masked := make(map[string]string, len(spec.Secrets))
		for name := range spec.Secrets {
			masked[name] = secretMask
		}
		spec.Secrets = masked // a copy: the monitor's own map stays as stored
	}
	if channels == nil {
		channels = []int64{}
	}
	out := monitorJSON{ID: m.ID, Spec: spec, Status: m.State.Status, StatusSince: m.State.Since, ChannelIDs: channels}
	if !m.State.LastCheckedAt.IsZero() {
		t := m.State.LastCheckedAt
		out.LastCheckedAt = &t
	}
	if uuid != "" {
		out.PingURL = h.baseURL + "/ping/" + uuid
	}
	return out
}

// monitorsJSON converts monitors, with the ping URLs of the heartbeats among them.
func (h *Handler) monitorsJSON(r *http.Request, org int64, ms []monitor.Monitor) ([]monitorJSON, error) {
	var ids []int64
	for _, m := range ms {
		if m.Type == monitor.TypeHeartbeat {
			ids = append(ids, m.ID)
		}
	}
	uuids, err := h.store.HeartbeatUUIDs(r.Context(), org, ids)
	if err != nil {
		return nil, err
	}
	attached, err := h.monitors.ChannelAttachments(r.Context(), org)
	if err != nil {
		return nil, err
	}
	channels := map[int64][]int64{}
	for _, ch := range slices.Sorted(maps.Keys(attached)) {
		for _, m := range attached[ch] {
			channels[m] = append(channels[m], ch)
		}
	}
	out := make([]monitorJSON, len(ms))
	for i, m := range ms {
		out[i] = h.monitorJSON(m, uuids[m.ID], channels[m.ID])
	}
	return out, nil
}

func (h *Handler) replyMonitor(w http.ResponseWriter, r *http.Request, c *call, status int, m monitor.Monitor) error {
	js, err := h.monitorsJSON(r, c.org, []monitor.Monitor{m})
	if err != nil {
		return err
	}
	writeJSON(w, status, js[0])
	return nil
}

// pathID reads the {id} of the URL.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, newError(http.StatusNotFound, codeNotFound, "not found: ids are positive integers")
	}
	return id, nil
}

func statusNames() []string {
	return []string{"pending", "up", "degraded", "down", "paused", "new", "late"}
}

func typeNames() []string {
	out := []string{}
	for _, t := range monitor.SpecTypes() {
		out = append(out, string(t))
	}
	if !slices.Contains(out, string(monitor.TypeBrowser)) {
		out = append(out, string(monitor.TypeBrowser))
	}
	return out
}

func (h *Handler) listMonitors(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	lq, err := parseList(q, "monitors")
	if err != nil {
		return err
	}
	status, typ := q.Get("status"), q.Get("type")
	if status != "" && !slices.Contains(statusNames(), status) {
		return badParam("status", "must be one of pending, up, degraded, down, paused, new, late")
	}
	if typ != "" && !slices.Contains(typeNames(), typ) {
		return badParam("type", "must be a monitor type such as http or heartbeat")
	}
	ms, err := h.store.MonitorsPage(r.Context(), c.org, lq.cursor.id, monitor.Status(status), monitor.Type(typ),
		lq.from, lq.to, lq.limit+1)
	if err != nil {
		return err
	}
	js, err := h.monitorsJSON(r, c.org, ms)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(js, lq.limit,
		func(m monitorJSON) cursor { return cursor{list: "monitors", id: m.ID} },
		func(m monitorJSON) monitorJSON { return m }))
	return nil
}

func (h *Handler) getMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := h.monitors.Get(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	return h.replyMonitor(w, r, c, http.StatusOK, m)
}

func (h *Handler) createMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	spec, channels, err := decodeMonitor(w, r, 0, monitor.Spec{})
	if err != nil {
		return err
	}
	if err := h.checkChannels(r, c.org, channels); err != nil {
		return err
	}
	m, err := h.monitors.Create(r.Context(), c.org, spec)
	if err != nil {
		return err
	}
	if channels != nil {
		if err := h.monitors.SetMonitorChannels(r.Context(), c.org, m.ID, *channels); err != nil {
			return err
		}
	}
	w.Header().Set("Location", apiPrefix+"/monitors/"+strconv.FormatInt(m.ID, 10))
	return h.replyMonitor(w, r, c, http.StatusCreated, m)
}

func (h *Handler) replaceMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cur, err := h.monitors.Get(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	spec, channels, err := decodeMonitor(w, r, id, monitor.SpecOf(cur))
	if err != nil {
		return err
	}
	return h.updateMonitor(w, r, c, id, spec, channels)
}

// updateMonitor saves the spec and, when given, the channels of monitor id and answers it.
func (h *Handler) updateMonitor(w http.ResponseWriter, r *http.Request, c *call, id int64, spec monitor.Spec, channels *[]int64) error {
	if err := h.checkChannels(r, c.org, channels); err != nil {
		return err
	}
	m, err := h.monitors.Update(r.Context(), c.org, id, spec)
	if err != nil {
		return err
	}
	if channels != nil {
		if err := h.monitors.SetMonitorChannels(r.Context(), c.org, id, *channels); err != nil {
			return err
		}
	}
	return h.replyMonitor(w, r, c, http.StatusOK, m)
}

// checkChannels refuses channel ids that are not channels of org, before anything is saved.
func (h *Handler) checkChannels(r *http.Request, org int64, ids *[]int64) error {
	if ids == nil || len(*ids) == 0 {
		return nil
	}
	chans, err := h.monitors.Channels(r.Context(), org)
	if err != nil {
		return err
	}
	known := map[int64]bool{}
	for _, ch := range chans {
		known[ch.ID] = true
	}
	for _, id := range *ids {
		if !known[id] {
			return fieldErr(http.StatusUnprocessableEntity, codeValidation, "channel_ids",
				"no channel "+strconv.FormatInt(id, 10)+" in this organization (see GET /channels)")
		}
	}
	return nil
}

// decodeMonitor reads the spec of a create (id 0) or a replace of the monitor whose spec is
// stored: a masked secret takes the stored value. channels are the body's channel_ids
// (nil when absent).
func decodeMonitor(w http.ResponseWriter, r *http.Request, id int64, stored monitor.Spec) (monitor.Spec, *[]int64, error) {
	body, err := readBody(w, r)
	if err != nil {
		return monitor.Spec{}, nil, err
	}
	return parseMonitorBody(body, id, stored)
}

// parseMonitor decodes a monitor body (see decodeMonitor) but its channels; the fuzz test
// drives it.
func parseMonitor(body []byte, id int64, stored monitor.Spec) (monitor.Spec, error) {
	spec, _, err := parseMonitorBody(body, id, stored)
	return spec, err
}

// parseMonitorBody decodes a monitor body: its spec and its channel_ids (nil when absent).
func parseMonitorBody(body []byte, id int64, stored monitor.Spec) (monitor.Spec, *[]int64, error) {
	spec, in, err := parseMonitorInput(body, id, stored)
	return spec, in.ChannelIDs, err
}

func parseMonitorInput(body []byte, id int64, stored monitor.Spec) (monitor.Spec, monitorInput, error) {
	var in monitorInput
	if err := decodeObject(body, &in); err != nil {
		return monitor.Spec{}, in, err
	}
	if in.ID != nil && *in.ID != id {
		msg := "is read-only: leave it out"
		if id != 0 {
			msg = "does not match the URL's id " + strconv.FormatInt(id, 10)
		}
		return monitor.Spec{}, in, fieldErr(http.StatusUnprocessableEntity, codeValidation, "id", msg)
	}
	spec := in.Spec
	if spec.AuthPassword == secretMask {
		spec.AuthPassword = stored.AuthPassword
	}
	if spec.BearerToken == secretMask {
		spec.BearerToken = stored.BearerToken
	}
	for _, name := range sortedKeys(spec.Secrets) {
		if spec.Secrets[name] != secretMask {
			continue
		}
		v, ok := stored.Secrets[name]
		if !ok {
			return monitor.Spec{}, in, fieldErr(http.StatusUnprocessableEntity, codeValidation, "secrets",
				name+": "+secretMask+" stands for a stored value, and no secret of that name is stored: send its value")
		}
		spec.Secrets[name] = v
	}
	return spec, in, nil
}

// patchMonitor applies a JSON merge patch to the monitor's spec.
func (h *Handler) patchMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cur, err := h.monitors.Get(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	spec, channels, err := applyPatchBody(body, id, monitor.SpecOf(cur))
	if err != nil {
		return err
	}
	return h.updateMonitor(w, r, c, id, spec, channels)
}

// applyPatch is applyPatchBody without the channels; the fuzz test drives it.
func applyPatch(patch []byte, id int64, stored monitor.Spec) (monitor.Spec, error) {
	spec, _, err := applyPatchBody(patch, id, stored)
	return spec, err
}

// applyPatchBody merges patch into stored (RFC 7386) and decodes the result like a PUT
// body: the patch's keys are checked as a body's are, and a masked secret keeps the stored
// value. channel_ids, when set, replace the channels (nil: unchanged).
func applyPatchBody(patch []byte, id int64, stored monitor.Spec) (monitor.Spec, *[]int64, error) {
	raw, err := objectOf(patch)
	if err != nil {
		return monitor.Spec{}, nil, err
	}
	known := jsonKeys(typeOfMonitorInput)
	for _, k := range sortedKeys(raw) {
		if !known[k] {
			return monitor.Spec{}, nil, fieldErr(http.StatusBadRequest, codeUnknownField, k, "unknown field")
		}
	}
	p, err := decodeGeneric(patch)
	if err != nil {
		return monitor.Spec{}, nil, newError(http.StatusBadRequest, codeInvalidJSON, "malformed JSON")
	}
	pm := p.(map[string]any) // objectOf made sure it is an object
	for _, k := range readOnlyKeys {
		if k != "id" {
			delete(pm, k)
		}
	}
	for _, k := range []string{"auth_password", "bearer_token"} {
		if pm[k] == secretMask {
			delete(pm, k)
		}
	}
	// A masked secret of the patch keeps the stored one, as a key left out of it does
	// (secrets is an object: the merge patch merges it key by key).
	if secrets, ok := pm["secrets"].(map[string]any); ok {
		for name, v := range secrets {
			if _, isStored := stored.Secrets[name]; v == secretMask && isStored {
				delete(secrets, name)
			}
		}
	}
	cur, err := json.Marshal(stored)
	if err != nil {
		return monitor.Spec{}, nil, err
	}
	target, err := decodeGeneric(cur)
	if err != nil {
		return monitor.Spec{}, nil, err
	}
	merged, err := json.Marshal(mergePatch(target, pm))
	if err != nil {
		return monitor.Spec{}, nil, err
	}
	return parseMonitorBody(merged, id, stored)
}

func (h *Handler) deleteMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.monitors.Delete(r.Context(), c.org, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) pauseMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.setPaused(w, r, c, true)
}

func (h *Handler) resumeMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.setPaused(w, r, c, false)
}

func (h *Handler) setPaused(w http.ResponseWriter, r *http.Request, c *call, paused bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	set := h.monitors.Resume
	if paused {
		set = h.monitors.Pause
	}
	m, err := set(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	return h.replyMonitor(w, r, c, http.StatusOK, m)
}

// checkAnswer is the answer of a check now: its result and the monitor after it.
type checkAnswer struct {
	Result  resultJSON  `json:"result"`
	Monitor monitorJSON `json:"monitor"`
}

func (h *Handler) checkMonitor(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	res, m, err := h.monitors.CheckNow(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	// The service returns the state after the check; read the monitor again for the rest
	// (last_checked_at) as the store has it.
	if fresh, err := h.monitors.Get(r.Context(), c.org, id); err == nil {
		m = fresh
	}
	res.MonitorID = m.ID
	js, err := h.monitorsJSON(r, c.org, []monitor.Monitor{m})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, checkAnswer{Result: toResultJSON(res), Monitor: js[0]})
	return nil
}
