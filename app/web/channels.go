package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"statusthing/app/alert"
	"statusthing/app/monitoring"
	"statusthing/views"
)

func channelURL(id int64) string { return "/admin/channels/" + strconv.FormatInt(id, 10) }

// channelField describes one setting of a type in the form: its settings key, input kind,
// whether it is a secret (write-only) and required.
type channelField struct {
	key, kind        string
	secret, required bool
}

// channelFields are the settings of each type shown in the form, in order (app/notify's
// settings structs). Webhook headers are one "Name: value" a line; their values are
// secrets, shown as the mask (which, sent back, keeps the stored value).
var channelFields = map[alert.Type][]channelField{
	alert.TypeEmail: {{"host", "text", false, false}, {"port", "number", false, false}, {"tls", "select", false, false},
		{"username", "text", false, false}, {"password", "password", true, false}, {"from", "text", false, false},
		{"to", "textarea", false, true}},
	alert.TypeWebhook:  {{"url", "url", false, true}, {"secret", "password", true, false}, {"headers", "headers", false, false}},
	alert.TypeSlack:    {{"webhook_url", "url", true, true}},
	alert.TypeDiscord:  {{"webhook_url", "url", true, true}},
	alert.TypeTeams:    {{"webhook_url", "url", true, true}},
	alert.TypeTelegram: {{"bot_token", "password", true, true}, {"chat_id", "text", false, true}, {"api_url", "url", false, false}},
	alert.TypeNtfy:     {{"server_url", "url", false, true}, {"topic", "text", false, true}, {"token", "password", true, false}},
}

// fieldHints are the settings with a hint under their field.
var fieldHints = map[string]bool{"port": true, "to": true, "secret": true, "webhook_url": true, "api_url": true,
	"server_url": true, "password": true, "token": true, "headers": true, "host": true, "from": true}

var emailTLS = []string{"", "starttls-required", "opportunistic", "implicit", "none"}

func (h *Handler) channelID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	return h.monitorID(w, r)
}

func (h *Handler) channelsList(w http.ResponseWriter, r *http.Request) {
	h.renderChannels(w, r, http.StatusOK, channelsFlash(h.formatter(r), r.URL.Query().Get("done")), false)
}

func channelsFlash(f formatter, done string) string {
	switch done {
	case "created", "saved", "deleted", "retried":
		return f.t("channels.flash." + done)
	}
	return ""
}

func (h *Handler) renderChannels(w http.ResponseWriter, r *http.Request, status int, flash string, flashErr bool) {
	ctx := r.Context()
	org := orgOf(r)
	chans, err := h.monitors.Channels(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	attached, err := h.monitors.ChannelAttachments(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	failed, err := h.monitors.FailedAlerts(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	sh := h.shell(w, r, sectionChannels)
	f := h.formatter(r)
	page := views.ChannelsPage{Shell: sh, Flash: flash, FlashError: flashErr}
	for _, t := range alert.Types() {
		page.NewLinks = append(page.NewLinks, views.Link{Label: f.t("channels.type." + string(t)), URL: "/admin/channels/new?type=" + string(t)})
	}
	for _, c := range chans {
		page.Rows = append(page.Rows, views.ChannelRow{ID: c.ID, Name: c.Name, Type: f.t("channels.type." + string(c.Type)),
			Default: c.IsDefault, Enabled: c.Enabled, Monitors: f.t("channels.monitor_count", len(attached[c.ID])),
			EditURL: channelURL(c.ID) + "/edit", TestURL: channelURL(c.ID) + "/test"})
	}
	for _, d := range failed {
		page.Failed = append(page.Failed, views.FailedAlertRow{ID: d.ID, Channel: d.Channel.Name, Monitor: d.Alert.Monitor.Name,
			Event: string(d.Alert.Event), At: f.stamp(d.FailedAt), Attempts: f.t("channels.failed.attempts", d.Attempts),
			Error: d.LastError, RetryURL: "/admin/channels/alerts/" + strconv.FormatInt(d.ID, 10) + "/retry"})
	}
	h.render(w, r, status, views.Channels(page))
}

func (h *Handler) channelNew(w http.ResponseWriter, r *http.Request) {
	t := alert.Type(r.URL.Query().Get("type"))
	if !t.Valid() {
		http.Redirect(w, r, "/admin/channels", http.StatusSeeOther)
		return
	}
	h.renderChannelForm(w, r, http.StatusOK, alert.Channel{Type: t, Enabled: true}, nil, nil, "")
}

func (h *Handler) channelEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.channelID(w, r)
	if !ok {
		return
	}
	c, err := h.monitors.Channel(r.Context(), orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.renderChannelForm(w, r, http.StatusOK, c, nil, nil, "")
}

// renderChannelForm shows the form of c; values re-show a refused submission (secrets
// never), monitors the monitors ticked (nil: those attached).
func (h *Handler) renderChannelForm(w http.ResponseWriter, r *http.Request, status int, c alert.Channel, values map[string]string, ticked map[int64]bool, errMsg string) {
	ctx := r.Context()
	org := orgOf(r)
	monitors, err := h.monitors.List(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if ticked == nil {
		ticked = map[int64]bool{}
		if c.ID != 0 {
			attached, err := h.monitors.ChannelAttachments(ctx, org)
			if err != nil {
				h.serviceError(w, r, err)
				return
			}
			for _, id := range attached[c.ID] {
				ticked[id] = true
			}
		}
	}
	sh := h.shell(w, r, sectionChannels)
	f := h.formatter(r)
	page := views.ChannelFormPage{Shell: sh, Type: string(c.Type), TypeLabel: f.t("channels.type." + string(c.Type)),
		Name: c.Name, Default: c.IsDefault, Enabled: c.Enabled, Error: errMsg}
	if c.ID != 0 {
		page.Heading = f.t("channels.edit_title", c.Name)
		page.Action = channelURL(c.ID)
		page.Editing = true
		page.TestURL = channelURL(c.ID) + "/test"
		page.DeleteURL = channelURL(c.ID) + "/delete"
	} else {
		page.Heading = f.t("channels.new_title")
		page.Action = "/admin/channels"
	}
	stored := map[string]any{}
	_ = json.Unmarshal(c.Settings, &stored)
	for _, cf := range channelFields[c.Type] {
		field := views.ChannelField{Name: cf.key, Label: f.t("channels.field." + cf.key), Kind: cf.kind, Secret: cf.secret,
			Required: cf.required}
		if fieldHints[cf.key] {
			field.Hint = f.t("channels.hint." + cf.key)
		}
		if cf.secret {
			field.HasValue = monitoring.HasSecret(c.Settings, cf.key)
		} else if values != nil {
			field.Value = values[cf.key]
		} else {
			field.Value = settingText(stored[cf.key])
		}
		if cf.kind == "select" {
			for _, v := range emailTLS {
				label := v
				if v == "" {
					label = f.t("channels.tls_default")
				}
				field.Options = append(field.Options, views.Option{Value: v, Label: label, Selected: v == field.Value})
			}
		}
		page.Fields = append(page.Fields, field)
	}
	for _, m := range monitors {
		page.Monitors = append(page.Monitors, views.CheckOption{Value: strconv.FormatInt(m.ID, 10), Label: m.Name, Checked: ticked[m.ID]})
	}
	h.render(w, r, status, views.ChannelForm(page))
}

// headersFromForm reads webhook headers written "Name: value", one a line; bad is true
// when a line has no colon.
func headersFromForm(text string) (h map[string]string, bad bool) {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, true
		}
		if h == nil {
			h = map[string]string{}
		}
		h[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return h, false
}

// maskedHeaderLines are headers to show again after a refusal: the values typed are left
// out (to type again), masked ones stay masked (they keep the stored value).
func maskedHeaderLines(h map[string]string) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var lines []string
	for _, k := range names {
		v := ""
		if h[k] == monitoring.Mask {
			v = monitoring.Mask
		}
		lines = append(lines, k+": "+v)
	}
	return strings.Join(lines, "\n")
}

// settingText shows a stored setting in a form field: lists one item a line, webhook
// headers "Name: ********" a line (their values are secrets).
func settingText(v any) string {
	switch v := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		sort.Strings(names)
		var lines []string
		for _, k := range names {
			lines = append(lines, k+": "+monitoring.Mask)
		}
		return strings.Join(lines, "\n")
	case string:
		return v
	case float64:
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		var lines []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				lines = append(lines, s)
			}
		}
		return strings.Join(lines, "\n")
	}
	return ""
}

// channelFromForm reads the submitted channel of type t over the stored settings (which
// keep what the form does not show, such as webhook headers); an empty secret keeps the
// stored one. values are the submitted non-secret settings, to show again.
func channelFromForm(r *http.Request, t alert.Type, stored json.RawMessage) (alert.Channel, map[string]string, string) {
	c := alert.Channel{Name: strings.TrimSpace(r.PostForm.Get("name")), Type: t,
		IsDefault: r.PostForm.Get("is_default") != "", Enabled: r.PostForm.Get("enabled") != ""}
	settings := map[string]any{}
	if len(stored) > 0 {
		_ = json.Unmarshal(stored, &settings)
	}
	values := map[string]string{}
	for _, cf := range channelFields[t] {
		v := strings.TrimSpace(r.PostForm.Get("s_" + cf.key))
		switch {
		case cf.secret:
			if v == "" {
				if _, ok := settings[cf.key]; ok {
					settings[cf.key] = monitoring.Mask
				}
				continue
			}
			settings[cf.key] = v
			continue
		case cf.kind == "headers":
			h, bad := headersFromForm(v)
			if bad {
				values[cf.key] = v
				return c, values, cf.key
			}
			if len(h) == 0 {
				delete(settings, cf.key)
			} else {
				settings[cf.key] = h
			}
			// Shown again (a refused form) without the values typed: they are secrets.
			values[cf.key] = maskedHeaderLines(h)
			continue
		case v == "":
			delete(settings, cf.key)
		case cf.kind == "number":
			n, err := strconv.Atoi(v)
			if err != nil {
				values[cf.key] = v
				return c, values, cf.key
			}
			settings[cf.key] = n
		case cf.kind == "textarea":
			var list []string
			for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
				if s = strings.TrimSpace(s); s != "" {
					list = append(list, s)
				}
			}
			settings[cf.key] = list
		default:
			settings[cf.key] = v
		}
		values[cf.key] = v
	}
	c.Settings, _ = json.Marshal(settings)
	return c, values, ""
}

// badFieldMessage says why the form's field bad could not be read.
func badFieldMessage(f formatter, bad string) string {
	if bad == "headers" {
		return f.t("channels.error.headers")
	}
	return f.t("channels.error.number", f.t("channels.field."+bad))
}

func tickedMonitors(r *http.Request) (map[int64]bool, []int64) {
	ticked := map[int64]bool{}
	var ids []int64
	for _, s := range r.PostForm["monitor"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && !ticked[id] {
			ticked[id] = true
			ids = append(ids, id)
		}
	}
	return ticked, ids
}

// channelRefused re-shows the form with why the channel was refused.
func (h *Handler) channelRefused(w http.ResponseWriter, r *http.Request, c alert.Channel, values map[string]string, ticked map[int64]bool, err error) {
	var se *monitoring.SettingsError
	if !errors.As(err, &se) {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	msg := f.t("channels.error.invalid", se.Message)
	if se.Field == "name" {
		msg = f.t("channels.error.name")
	}
	h.renderChannelForm(w, r, http.StatusUnprocessableEntity, c, values, ticked, msg)
}

func (h *Handler) channelCreate(w http.ResponseWriter, r *http.Request) {
	t := alert.Type(r.PostForm.Get("type"))
	if !t.Valid() {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	ctx := r.Context()
	org := orgOf(r)
	c, values, bad := channelFromForm(r, t, nil)
	ticked, ids := tickedMonitors(r)
	shown := c
	shown.Settings = nil // nothing is stored yet: secrets are typed again
	if bad != "" {
		h.renderChannelForm(w, r, http.StatusUnprocessableEntity, shown, values, ticked, badFieldMessage(h.formatter(r), bad))
		return
	}
	created, err := h.monitors.CreateChannel(ctx, org, c)
	if err != nil {
		h.channelRefused(w, r, shown, values, ticked, err)
		return
	}
	if err := h.monitors.SetChannelMonitors(ctx, org, created.ID, ids); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.log.Info("channel created", "channel", created)
	http.Redirect(w, r, "/admin/channels?done=created", http.StatusSeeOther)
}

func (h *Handler) channelUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.channelID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	org := orgOf(r)
	old, err := h.monitors.Channel(ctx, org, id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	c, values, bad := channelFromForm(r, old.Type, old.Settings)
	c.ID = id
	ticked, ids := tickedMonitors(r)
	if bad != "" {
		c.Settings = old.Settings
		h.renderChannelForm(w, r, http.StatusUnprocessableEntity, c, values, ticked, badFieldMessage(h.formatter(r), bad))
		return
	}
	if _, err := h.monitors.UpdateChannel(ctx, org, c); err != nil {
		c.Settings = old.Settings
		h.channelRefused(w, r, c, values, ticked, err)
		return
	}
	if err := h.monitors.SetChannelMonitors(ctx, org, id, ids); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/channels?done=saved", http.StatusSeeOther)
}

func (h *Handler) channelDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := h.channelID(w, r)
	if !ok {
		return
	}
	if err := h.monitors.DeleteChannel(r.Context(), orgOf(r), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.log.Info("channel deleted", "channel_id", id)
	http.Redirect(w, r, "/admin/channels?done=deleted", http.StatusSeeOther)
}

// channelTest sends a test alert now and shows the list with the outcome: the receiver's
// refusal is shown as it is (notify's errors never quote a URL or a secret).
func (h *Handler) channelTest(w http.ResponseWriter, r *http.Request) {
	id, ok := h.channelID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	c, err := h.monitors.Channel(ctx, orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	if err := h.monitors.TestChannel(ctx, orgOf(r), id); err != nil {
		h.renderChannels(w, r, http.StatusOK, f.t("channels.test.failed", c.Name, err.Error()), true)
		return
	}
	h.renderChannels(w, r, http.StatusOK, f.t("channels.test.sent", c.Name), false)
}

func (h *Handler) alertRetry(w http.ResponseWriter, r *http.Request) {
	id, ok := h.channelID(w, r)
	if !ok {
		return
	}
	if err := h.monitors.RetryAlert(r.Context(), orgOf(r), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/channels?done=retried", http.StatusSeeOther)
}
