package monitoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"statusthing/app/alert"
)

// ChannelStore is the persistence of alert channels and of their outbox; *store.Store
// satisfies it.
type ChannelStore interface {
	CreateChannel(ctx context.Context, c alert.Channel, now time.Time) (alert.Channel, error)
	Channels(ctx context.Context, orgID int64) ([]alert.Channel, error)
	Channel(ctx context.Context, orgID, id int64) (alert.Channel, error)
	UpdateChannel(ctx context.Context, c alert.Channel) error
	DeleteChannel(ctx context.Context, orgID, id int64) error
	AttachChannel(ctx context.Context, orgID, monitorID, channelID int64) error
	DetachChannel(ctx context.Context, orgID, monitorID, channelID int64) error
	ChannelAttachments(ctx context.Context, orgID int64) (map[int64][]int64, error)
	MonitorChannels(ctx context.Context, orgID, monitorID int64) ([]alert.Channel, error)
	SetMonitorChannels(ctx context.Context, orgID, monitorID int64, channelIDs []int64) error
	FailedAlerts(ctx context.Context, orgID int64) ([]alert.Delivery, error)
	RetryAlert(ctx context.Context, orgID, id int64, now time.Time) error
}

// Notifier sends one alert to one channel now (the "Send test" button); notify.Mux
// satisfies it.
type Notifier interface {
	Send(ctx context.Context, ch alert.Channel, a alert.Alert) error
}

// SettingsValidator checks a channel type's settings (notify.ValidateSettings).
type SettingsValidator func(t alert.Type, raw json.RawMessage) error

// Mask stands for a secret setting in answers; sent back, it keeps the stored value.
const Mask = "********"

// ErrNoNotifier refuses a test when the service was built without a notifier.
var ErrNoNotifier = errors.New("no notifier configured")

// SettingsError is a refused channel: its name, type or settings. Field is the settings
// key at fault when it could be told ("name", "type", "settings" or a settings key).
type SettingsError struct {
	Field   string
	Message string
}

func (e *SettingsError) Error() string { return e.Message }

// secretKeys are the settings of each type that are credentials: never shown again.
var secretKeys = map[alert.Type][]string{
	alert.TypeEmail:    {"password"},
	alert.TypeWebhook:  {"secret"},
	alert.TypeSlack:    {"webhook_url"},
	alert.TypeDiscord:  {"webhook_url"},
	alert.TypeTeams:    {"webhook_url"},
	alert.TypeTelegram: {"bot_token"},
	alert.TypeNtfy:     {"token"},
}

// SecretKeys lists the settings keys of type t that are secrets. Webhook header values are
// secrets too (an Authorization header is a credential).
func SecretKeys(t alert.Type) []string { return secretKeys[t] }

// MaskSettings returns raw with every secret value of type t replaced by Mask (unset
// secrets stay unset, so that one can tell whether there is one).
func MaskSettings(t alert.Type, raw json.RawMessage) json.RawMessage {
	m := map[string]any{}
	if len(raw) > 0 && json.Unmarshal(raw, &m) != nil {
		return json.RawMessage("{}")
	}
	for _, k := range secretKeys[t] {
		if v, ok := m[k]; ok && v != "" && v != nil {
			m[k] = Mask
		}
	}
	if h, ok := m["headers"].(map[string]any); ok && t == alert.TypeWebhook {
		for k := range h {
			h[k] = Mask
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// HasSecret reports whether the settings raw of type t hold a value for the secret key.
func HasSecret(raw json.RawMessage, key string) bool {
	m := map[string]any{}
	_ = json.Unmarshal(raw, &m)
	v, ok := m[key].(string)
	return ok && v != ""
}

// keepSecrets replaces the Mask values of incoming by the values of stored (dropping them
// when there is none): a masked answer sent back changes no secret.
func keepSecrets(t alert.Type, stored, incoming json.RawMessage) (json.RawMessage, error) {
	in := map[string]any{}
	if len(incoming) > 0 {
		if err := json.Unmarshal(incoming, &in); err != nil {
			return nil, &SettingsError{Field: "settings", Message: "settings: must be a JSON object"}
		}
	}
	old := map[string]any{}
	if len(stored) > 0 {
		_ = json.Unmarshal(stored, &old)
	}
	for _, k := range secretKeys[t] {
		if in[k] == Mask {
			if v, ok := old[k]; ok {
				in[k] = v
			} else {
				delete(in, k)
			}
		}
	}
	if h, ok := in["headers"].(map[string]any); ok && t == alert.TypeWebhook {
		oh, _ := old["headers"].(map[string]any)
		for k, v := range maps.Clone(h) {
			if v == Mask {
				if ov, ok := oh[k]; ok {
					h[k] = ov
				} else {
					delete(h, k)
				}
			}
		}
	}
	return json.Marshal(in)
}

// checkChannel validates c; settings errors name their key when the message does.
func (s *Service) checkChannel(c alert.Channel) error {
	if strings.TrimSpace(c.Name) == "" {
		return &SettingsError{Field: "name", Message: "name: is required"}
	}
	if len(c.Name) > 200 {
		return &SettingsError{Field: "name", Message: "name: is longer than 200 characters"}
	}
	if !c.Type.Valid() {
		return &SettingsError{Field: "type", Message: fmt.Sprintf("type: unknown channel type %q", c.Type)}
	}
	if s.validate == nil {
		return nil
	}
	if err := s.validate(c.Type, c.Settings); err != nil {
		msg := err.Error()
		field := "settings"
		rest := strings.TrimPrefix(msg, "settings: ")
		if word, _, ok := strings.Cut(rest, " "); ok && rest != msg {
			word = strings.Trim(word, ":;,")
			if knownSettingsKey(c.Type, word) {
				field = word
			}
		}
		if strings.Contains(rest, "unknown field ") {
			_, after, _ := strings.Cut(rest, "unknown field ")
			field = strings.Trim(after, `"`)
		}
		return &SettingsError{Field: field, Message: msg}
	}
	return nil
}

// settingsKeys are the keys of each type's settings (app/notify's structs), in form order.
var settingsKeys = map[alert.Type][]string{
	alert.TypeEmail:    {"host", "port", "tls", "username", "password", "from", "to"},
	alert.TypeWebhook:  {"url", "secret", "headers"},
	alert.TypeSlack:    {"webhook_url"},
	alert.TypeDiscord:  {"webhook_url"},
	alert.TypeTeams:    {"webhook_url"},
	alert.TypeTelegram: {"bot_token", "chat_id", "api_url"},
	alert.TypeNtfy:     {"server_url", "topic", "token"},
}

func knownSettingsKey(t alert.Type, k string) bool {
	for _, s := range settingsKeys[t] {
		if s == k {
			return true
		}
	}
	return false
}

// Channels lists org's channels by id.
func (s *Service) Channels(ctx context.Context, orgID int64) ([]alert.Channel, error) {
	return s.ch.Channels(ctx, orgID)
}

// Channel returns channel id of org.
func (s *Service) Channel(ctx context.Context, orgID, id int64) (alert.Channel, error) {
	return s.ch.Channel(ctx, orgID, id)
}

// CreateChannel validates c (its settings through the notifier's rules) and creates it in
// org. Masked secrets count as unset.
func (s *Service) CreateChannel(ctx context.Context, orgID int64, c alert.Channel) (alert.Channel, error) {
	c.OrgID = orgID
	c.Name = strings.TrimSpace(c.Name)
	settings, err := keepSecrets(c.Type, nil, c.Settings)
	if err != nil {
		return alert.Channel{}, err
	}
	c.Settings = settings
	if err := s.checkChannel(c); err != nil {
		return alert.Channel{}, err
	}
	return s.ch.CreateChannel(ctx, c, s.now())
}

// UpdateChannel replaces channel c.ID of org; masked secrets keep their stored value.
func (s *Service) UpdateChannel(ctx context.Context, orgID int64, c alert.Channel) (alert.Channel, error) {
	old, err := s.ch.Channel(ctx, orgID, c.ID)
	if err != nil {
		return alert.Channel{}, err
	}
	c.OrgID, c.CreatedAt = orgID, old.CreatedAt
	c.Name = strings.TrimSpace(c.Name)
	stored := old.Settings
	if old.Type != c.Type {
		stored = nil
	}
	if c.Settings, err = keepSecrets(c.Type, stored, c.Settings); err != nil {
		return alert.Channel{}, err
	}
	if err := s.checkChannel(c); err != nil {
		return alert.Channel{}, err
	}
	if err := s.ch.UpdateChannel(ctx, c); err != nil {
		return alert.Channel{}, err
	}
	return s.ch.Channel(ctx, orgID, c.ID)
}

// DeleteChannel deletes channel id of org, its attachments and its undelivered alerts.
func (s *Service) DeleteChannel(ctx context.Context, orgID, id int64) error {
	return s.ch.DeleteChannel(ctx, orgID, id)
}

// AttachChannel makes channel alert for monitor (both of org).
func (s *Service) AttachChannel(ctx context.Context, orgID, monitorID, channelID int64) error {
	return s.ch.AttachChannel(ctx, orgID, monitorID, channelID)
}

// DetachChannel stops channel alerting for monitor (unless it is a default channel).
func (s *Service) DetachChannel(ctx context.Context, orgID, monitorID, channelID int64) error {
	return s.ch.DetachChannel(ctx, orgID, monitorID, channelID)
}

// ChannelAttachments maps each of org's channels attached to monitors to their ids.
func (s *Service) ChannelAttachments(ctx context.Context, orgID int64) (map[int64][]int64, error) {
	return s.ch.ChannelAttachments(ctx, orgID)
}

// MonitorChannels lists the channels attached to a monitor of org (the organization's
// default channels alert for it too, attached or not).
func (s *Service) MonitorChannels(ctx context.Context, orgID, monitorID int64) ([]alert.Channel, error) {
	return s.ch.MonitorChannels(ctx, orgID, monitorID)
}

// SetMonitorChannels attaches exactly channelIDs to a monitor of org (the monitor page's and
// the API's channel_ids); an id that is not one of org's channels is refused (an error
// wrapping alert.ErrUnknownChannel) and nothing changes.
func (s *Service) SetMonitorChannels(ctx context.Context, orgID, monitorID int64, channelIDs []int64) error {
	return s.ch.SetMonitorChannels(ctx, orgID, monitorID, channelIDs)
}

// SetChannelMonitors attaches channel channelID to exactly the monitors monitorIDs of org
// (detaching it from the others).
func (s *Service) SetChannelMonitors(ctx context.Context, orgID, channelID int64, monitorIDs []int64) error {
	want := map[int64]bool{}
	for _, id := range monitorIDs {
		want[id] = true
	}
	monitors, err := s.store.Monitors(ctx, orgID)
	if err != nil {
		return err
	}
	attached, err := s.ch.ChannelAttachments(ctx, orgID)
	if err != nil {
		return err
	}
	for _, m := range monitors {
		has := slices.Contains(attached[channelID], m.ID)
		switch {
		case want[m.ID] && !has:
			err = s.ch.AttachChannel(ctx, orgID, m.ID, channelID)
		case !want[m.ID] && has:
			err = s.ch.DetachChannel(ctx, orgID, m.ID, channelID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// FailedAlerts lists org's alerts given up on, most recent first.
func (s *Service) FailedAlerts(ctx context.Context, orgID int64) ([]alert.Delivery, error) {
	return s.ch.FailedAlerts(ctx, orgID)
}

// RetryAlert puts a given-up alert back in the outbox, due now.
func (s *Service) RetryAlert(ctx context.Context, orgID, id int64) error {
	return s.ch.RetryAlert(ctx, orgID, id, s.now())
}

// testTimeout bounds a "Send test": the person is waiting for the answer.
const testTimeout = 15 * time.Second

// TestChannel sends a test alert to channel id of org now, bypassing the outbox; the
// error is the receiver's refusal (or the transport's), to show as it is.
func (s *Service) TestChannel(ctx context.Context, orgID, id int64) error {
	c, err := s.ch.Channel(ctx, orgID, id)
	if err != nil {
		return err
	}
	if s.notifier == nil {
		return ErrNoNotifier
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	now := s.now().UTC()
	a := alert.Alert{
		Event:          EventTest,
		Monitor:        alert.Monitor{Name: "statusthing test alert", Type: "test"},
		Incident:       alert.Incident{Title: "Test alert", OpenedAt: now},
		Status:         "test",
		Reason:         "This is a test alert sent from statusthing to check the channel " + strconv.Quote(c.Name) + ": nothing is down.",
		Time:           now,
		IdempotencyKey: "statusthing-test-channel-" + strconv.FormatInt(c.ID, 10) + "-" + strconv.FormatInt(now.UnixNano(), 10),
	}
	return s.notifier.Send(ctx, c, a)
}

// EventTest is the event of test alerts ("Send test"): receivers may ignore them.
const EventTest = alert.EventTest
