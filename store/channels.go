package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"statusthing/app/alert"
)

// channelColumns are read by scanChannel, from channels c.
const channelColumns = `c.id, c.org_id, c.name, c.type, c.settings, c.is_default, c.enabled, c.created_at`

func scanChannel(row interface{ Scan(...any) error }) (alert.Channel, error) {
	var c alert.Channel
	var settings string
	var created int64
	err := row.Scan(&c.ID, &c.OrgID, &c.Name, &c.Type, &settings, &c.IsDefault, &c.Enabled, &created)
	c.Settings, c.CreatedAt = json.RawMessage(settings), fromMillis(created)
	return c, err
}

// checkChannel refuses what the schema would: the type-specific validation of the
// settings belongs to app/notify (notify.ValidateSettings), which the API calls first.
func checkChannel(c alert.Channel) error {
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("channel name is empty")
	}
	if !c.Type.Valid() {
		return fmt.Errorf("unknown channel type %q", c.Type)
	}
	if len(c.Settings) > 0 && !json.Valid(c.Settings) {
		return errors.New("channel settings are not valid JSON")
	}
	return nil
}

func settingsText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	return string(raw)
}

// CreateChannel creates c in c.OrgID at now and returns it with its id.
func (s *Store) CreateChannel(ctx context.Context, c alert.Channel, now time.Time) (alert.Channel, error) {
	if err := checkChannel(c); err != nil {
		return alert.Channel{}, fmt.Errorf("store: create channel: %w", err)
	}
	c.CreatedAt = fromMillis(millis(now))
	err := s.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO channels (org_id, name, type, settings, is_default, enabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.OrgID, c.Name, string(c.Type), settingsText(c.Settings), c.IsDefault, c.Enabled, millis(now)).Scan(&c.ID)
	})
	if err != nil {
		return alert.Channel{}, fmt.Errorf("store: create channel: %w", err)
	}
	return c, nil
}

// Channels lists the channels of orgID by id.
func (s *Store) Channels(ctx context.Context, orgID int64) ([]alert.Channel, error) {
	return s.channels(ctx, "channels", `SELECT `+channelColumns+` FROM channels c WHERE c.org_id = ? ORDER BY c.id`, orgID)
}

// MonitorChannels lists the channels attached to a monitor of orgID (not counting the
// organization's default channels, which alert for every monitor).
func (s *Store) MonitorChannels(ctx context.Context, orgID, monitorID int64) ([]alert.Channel, error) {
	return s.channels(ctx, "monitor channels", `SELECT `+channelColumns+` FROM channels c
		JOIN monitor_channels mc ON mc.channel_id = c.id WHERE c.org_id = ? AND mc.monitor_id = ? ORDER BY c.id`, orgID, monitorID)
}

// ChannelAttachments maps each channel of orgID that is attached to monitors to those
// monitors' ids, in one query (the channels pages need it for every channel).
func (s *Store) ChannelAttachments(ctx context.Context, orgID int64) (map[int64][]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT mc.channel_id, mc.monitor_id FROM monitor_channels mc
		JOIN channels c ON c.id = mc.channel_id WHERE c.org_id = ? ORDER BY mc.channel_id, mc.monitor_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: channel attachments: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var ch, m int64
		if err := rows.Scan(&ch, &m); err != nil {
			return nil, fmt.Errorf("store: channel attachments: %w", err)
		}
		out[ch] = append(out[ch], m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: channel attachments: %w", err)
	}
	return out, nil
}

func (s *Store) channels(ctx context.Context, what, query string, args ...any) ([]alert.Channel, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []alert.Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// Channel returns the channel id of orgID.
func (s *Store) Channel(ctx context.Context, orgID, id int64) (alert.Channel, error) {
	c, err := scanChannel(s.read.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels c WHERE c.id = ? AND c.org_id = ?`, id, orgID))
	if err != nil {
		return alert.Channel{}, notFoundOr(err, "channel")
	}
	return c, nil
}

// UpdateChannel replaces the name, type, settings, default and enabled flags of the
// channel c.ID of c.OrgID. Alerts already in the outbox go out with the new settings.
func (s *Store) UpdateChannel(ctx context.Context, c alert.Channel) error {
	if err := checkChannel(c); err != nil {
		return fmt.Errorf("store: update channel: %w", err)
	}
	return s.updateOne(ctx, "update channel", `UPDATE channels SET name = ?, type = ?, settings = ?, is_default = ?, enabled = ?
		WHERE id = ? AND org_id = ?`, c.Name, string(c.Type), settingsText(c.Settings), c.IsDefault, c.Enabled, c.ID, c.OrgID)
}

// DeleteChannel deletes the channel id of orgID, its attachments and its outbox rows
// (undelivered alerts included: there is nowhere left to send them).
func (s *Store) DeleteChannel(ctx context.Context, orgID, id int64) error {
	return s.updateOne(ctx, "delete channel", `DELETE FROM channels WHERE id = ? AND org_id = ?`, id, orgID)
}

// AttachChannel makes the channel channelID alert for the monitor monitorID, both of
// orgID (ErrNotFound otherwise). Attaching twice changes nothing.
func (s *Store) AttachChannel(ctx context.Context, orgID, monitorID, channelID int64) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO monitor_channels (monitor_id, channel_id)
			SELECT m.id, c.id FROM monitors m, channels c WHERE m.id = ? AND m.org_id = ? AND c.id = ? AND c.org_id = ?
			ON CONFLICT DO NOTHING`, monitorID, orgID, channelID, orgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var found bool
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM monitor_channels mc JOIN channels c ON c.id = mc.channel_id
			WHERE mc.monitor_id = ? AND mc.channel_id = ? AND c.org_id = ?)`, monitorID, channelID, orgID).Scan(&found)
		if err == nil && !found {
			return ErrNotFound
		}
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: attach channel: %w", err)
	}
	return nil
}

// DetachChannel undoes AttachChannel. Detaching a channel that is not attached changes
// nothing.
func (s *Store) DetachChannel(ctx context.Context, orgID, monitorID, channelID int64) error {
	return s.exec(ctx, "detach channel", `DELETE FROM monitor_channels WHERE monitor_id = ? AND channel_id = ?
		AND channel_id IN (SELECT id FROM channels WHERE org_id = ?)`, monitorID, channelID, orgID)
}

// ErrUnknownChannel refuses to attach a channel that the monitor's organization does not
// have (alert.ErrUnknownChannel: app/web and app/api recognise it without importing store).
var ErrUnknownChannel = alert.ErrUnknownChannel

// SetMonitorChannels attaches to the monitor monitorID of orgID exactly the channels
// channelIDs (detaching the others), in one transaction: ErrNotFound when the organization
// has no such monitor, an error wrapping ErrUnknownChannel (naming the id) when it has no
// such channel — and then nothing changes.
func (s *Store) SetMonitorChannels(ctx context.Context, orgID, monitorID int64, channelIDs []int64) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM monitors WHERE id = ? AND org_id = ?`, monitorID, orgID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM monitor_channels WHERE monitor_id = ?`, monitorID); err != nil {
			return err
		}
		for _, ch := range channelIDs {
			res, err := tx.ExecContext(ctx, `INSERT INTO monitor_channels (monitor_id, channel_id)
				SELECT ?, id FROM channels WHERE id = ? AND org_id = ? ON CONFLICT DO NOTHING`, monitorID, ch, orgID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				var dup bool
				if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM monitor_channels WHERE monitor_id = ? AND channel_id = ?)`,
					monitorID, ch).Scan(&dup); err != nil {
					return err
				}
				if !dup {
					return fmt.Errorf("%w: %d", ErrUnknownChannel, ch)
				}
			}
		}
		return nil
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound):
		return ErrNotFound
	case errors.Is(err, ErrUnknownChannel):
		return err
	}
	return fmt.Errorf("store: set monitor channels: %w", err)
}
