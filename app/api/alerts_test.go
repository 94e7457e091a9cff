package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"statusthing/app/alert"
)

// TestMonitorAlertOptionsAndChannels: the alert options are spec keys (defaults shown,
// refusals named), and channel_ids attaches channels on create, replaces them on PUT and
// PATCH, stays as it is when left out, and refuses a channel the organization does not have
// before saving anything.
func TestMonitorAlertOptionsAndChannels(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch := func(name string) int64 {
		c, err := e.st.CreateChannel(ctx, alert.Channel{OrgID: e.org, Name: name, Type: alert.TypeWebhook,
			Settings: json.RawMessage(`{"url":"https://hooks.example.com/` + name + `"}`), Enabled: true}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	c1, c2 := ch("one"), ch("two")
	type view struct {
		ID            int64   `json:"id"`
		CertAlertDays *int    `json:"cert_alert_days"`
		FlapChanges   *int    `json:"flap_changes"`
		FlapWindow    string  `json:"flap_window"`
		RemindEvery   string  `json:"remind_every"`
		AlertDegraded bool    `json:"alert_degraded"`
		ChannelIDs    []int64 `json:"channel_ids"`
	}
	var m view
	e.json("POST", "/api/v1/monitors", e.write, `{"name": "Shop", "type": "http", "url": "https://shop.example.com/",
		"alert_degraded": true, "remind_every": "30m", "channel_ids": [`+strconv.FormatInt(c2, 10)+`]}`, http.StatusCreated, &m)
	if m.CertAlertDays == nil || *m.CertAlertDays != 14 || m.FlapChanges == nil || *m.FlapChanges != 5 || m.FlapWindow != "30m0s" ||
		m.RemindEvery != "30m0s" || !m.AlertDegraded || !slices.Equal(m.ChannelIDs, []int64{c2}) {
		t.Fatalf("created: %+v", m)
	}
	path := "/api/v1/monitors/" + strconv.FormatInt(m.ID, 10)

	tests := []struct {
		name   string
		method string
		body   string
		status int
		field  string  // of a refusal
		want   []int64 // channels after
	}{
		{"patch without channels keeps them", "PATCH", `{"flap_changes": 0}`, 200, "", []int64{c2}},
		{"patch sets them", "PATCH", `{"channel_ids": [` + strconv.FormatInt(c1, 10) + `, ` + strconv.FormatInt(c2, 10) + `]}`, 200, "", []int64{c1, c2}},
		{"put without channels keeps them", "PUT", `{"name": "Shop", "type": "http", "url": "https://shop.example.com/"}`, 200, "", []int64{c1, c2}},
		{"put empties them", "PUT", `{"name": "Shop", "type": "http", "url": "https://shop.example.com/", "channel_ids": []}`, 200, "", []int64{}},
		{"unknown channel", "PATCH", `{"channel_ids": [999], "remind_every": "1h"}`, 422, "channel_ids", []int64{}},
		{"bad option", "PATCH", `{"flap_changes": 1}`, 422, "flap_changes", []int64{}},
		{"late on http", "PATCH", `{"alert_late": true}`, 422, "alert_late", []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.field != "" {
				e.fails(tt.method, path, e.write, tt.body, tt.status, "validation_failed", tt.field)
			} else {
				e.json(tt.method, path, e.write, tt.body, tt.status, &m)
			}
			var got view
			e.json("GET", path, e.read, "", http.StatusOK, &got)
			if !slices.Equal(got.ChannelIDs, tt.want) {
				t.Errorf("channel_ids %v, want %v", got.ChannelIDs, tt.want)
			}
			if tt.name == "unknown channel" && got.RemindEvery != "" {
				t.Errorf("a refused body changed the monitor: %+v", got)
			}
		})
	}
}
