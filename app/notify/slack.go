package notify

import (
	"context"
	"encoding/json"
	"net/http"
)

// IncomingWebhookSettings are the settings of the chat channels fed through an incoming
// webhook URL (Slack, Discord, Teams). The URL is a credential.
type IncomingWebhookSettings struct {
	WebhookURL string `json:"webhook_url"`
}

func incomingWebhook(raw json.RawMessage) (IncomingWebhookSettings, error) {
	var s IncomingWebhookSettings
	if err := decodeSettings(raw, &s); err != nil {
		return s, err
	}
	return s, checkURL("webhook_url", s.WebhookURL)
}

// Slack posts to a Slack incoming webhook: a text fallback and a section block.
type Slack struct {
	Client *http.Client
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
}

// Send posts a to ch's webhook URL.
func (s *Slack) Send(ctx context.Context, ch Channel, a Alert) error {
	set, err := incomingWebhook(ch.Settings)
	if err != nil {
		return err
	}
	md := "*" + title(a) + "*\n" + details(a)
	if l := link(a); l != "" {
		md += "\n<" + l + "|" + linkLabel(a) + ">"
	}
	payload := struct {
		Text   string       `json:"text"`
		Blocks []slackBlock `json:"blocks"`
	}{Text: title(a), Blocks: []slackBlock{{Type: "section", Text: slackText{Type: "mrkdwn", Text: md}}}}
	return postJSON(ctx, s.Client, set.WebhookURL, payload, nil)
}
