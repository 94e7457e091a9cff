package notify

import (
	"context"
	"net/http"

	"statusthing/app/alert"
)

// Discord posts to a Discord webhook: one embed, red when down, green when up, amber for
// the warnings (degraded, late, certificate, flapping).
type Discord struct {
	Client *http.Client
}

type discordEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
	Color       int    `json:"color"`
	Timestamp   string `json:"timestamp"`
}

// Send posts a to ch's webhook URL.
func (d *Discord) Send(ctx context.Context, ch Channel, a Alert) error {
	set, err := incomingWebhook(ch.Settings)
	if err != nil {
		return err
	}
	color := 0xd93025 // down, reminder
	switch a.Event {
	case alert.EventUp:
		color = 0x1e8e3e
	case alert.EventDegraded, alert.EventLate, alert.EventCertExpiring, alert.EventFlapping:
		color = 0xf29900
	case alert.EventTest:
		color = 0x1a73e8
	}
	payload := struct {
		Content         string         `json:"content"`
		Embeds          []discordEmbed `json:"embeds"`
		AllowedMentions struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"` // none: a monitor name cannot ping @everyone
	}{Content: title(a), Embeds: []discordEmbed{{
		Title: title(a), Description: details(a), URL: link(a), Color: color,
		Timestamp: a.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
	}}}
	payload.AllowedMentions.Parse = []string{}
	return postJSON(ctx, d.Client, set.WebhookURL, payload, nil)
}
