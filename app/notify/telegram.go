package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// DefaultTelegramAPI is the Telegram Bot API base URL.
const DefaultTelegramAPI = "https://api.telegram.org"

// TelegramSettings are a Telegram channel's settings. BotToken is a credential.
type TelegramSettings struct {
	BotToken string `json:"bot_token"`
	ChatID   string `json:"chat_id"`
	APIURL   string `json:"api_url,omitempty"` // "" means the notifier's BaseURL
}

func telegramSettings(raw json.RawMessage) (TelegramSettings, error) {
	var s TelegramSettings
	if err := decodeSettings(raw, &s); err != nil {
		return s, err
	}
	if s.BotToken == "" || s.ChatID == "" {
		return s, permanent(errors.New("settings: bot_token and chat_id are required"))
	}
	if s.APIURL != "" {
		return s, checkURL("api_url", s.APIURL)
	}
	return s, nil
}

// Telegram sends a message through a bot (Bot API sendMessage).
type Telegram struct {
	Client  *http.Client
	BaseURL string // "" means DefaultTelegramAPI
}

// Send sends a to ch's chat.
func (t *Telegram) Send(ctx context.Context, ch Channel, a Alert) error {
	s, err := telegramSettings(ch.Settings)
	if err != nil {
		return err
	}
	base := s.APIURL
	if base == "" {
		base = t.BaseURL
	}
	if base == "" {
		base = DefaultTelegramAPI
	}
	payload := map[string]any{
		"chat_id":                  s.ChatID,
		"text":                     text(a),
		"disable_web_page_preview": true,
	}
	return postJSON(ctx, t.Client, strings.TrimRight(base, "/")+"/bot"+s.BotToken+"/sendMessage", payload, nil)
}
