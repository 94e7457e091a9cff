package notify

import (
	"context"
	"net/http"
)

// Teams posts an Adaptive Card to a Microsoft Teams incoming webhook (a Workflows
// "post to a channel when a webhook request is received" URL).
type Teams struct {
	Client *http.Client
}

// Send posts a to ch's webhook URL.
func (t *Teams) Send(ctx context.Context, ch Channel, a Alert) error {
	set, err := incomingWebhook(ch.Settings)
	if err != nil {
		return err
	}
	body := []map[string]any{
		{"type": "TextBlock", "text": title(a), "weight": "Bolder", "size": "Medium", "wrap": true},
		{"type": "TextBlock", "text": details(a), "wrap": true},
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body":    body,
	}
	if l := link(a); l != "" {
		card["actions"] = []map[string]any{{"type": "Action.OpenUrl", "title": linkLabel(a), "url": l}}
	}
	payload := map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content":     card,
		}},
	}
	return postJSON(ctx, t.Client, set.WebhookURL, payload, nil)
}
