package main

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// createChannelForm creates a channel in the admin and returns its id.
func createChannelForm(t *testing.T, s *testServer, c *http.Client, form url.Values) string {
	t.Helper()
	typ := form.Get("type")
	res := post(t, s, c, "/admin/channels/new?type="+typ, "/admin/channels", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create channel: status %d\n%s", res.Status, res.Body)
	}
	list := do(t, c, "GET", s.URL+"/admin/channels", nil, nil)
	ids := channelRowRE.FindAllStringSubmatch(list.Body, -1)
	if len(ids) == 0 {
		t.Fatalf("no channel listed:\n%s", list.Body)
	}
	return ids[len(ids)-1][1]
}

// The monitor form carries the alert options and the channels: the org's channels as
// boxes (a default one ticked and fixed), refusals named per field with the ticks kept,
// the attachment saved, shown on the edit page and on the channels list, and undone.
func TestMonitorFormAlertOptionsAndChannels(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	ops := createChannelForm(t, s, c, url.Values{"type": {"webhook"}, "name": {"ops hook"}, "s_url": {"https://hooks.example.com/ops"}, "enabled": {"1"}})
	all := createChannelForm(t, s, c, url.Values{"type": {"webhook"}, "name": {"everyone"}, "s_url": {"https://hooks.example.com/all"},
		"enabled": {"1"}, "is_default": {"1"}})

	form := do(t, c, "GET", s.URL+"/admin/monitors/new?type=http", nil, nil)
	for _, want := range []string{`data-testid="alert-options"`, `name="channel" value="` + ops + `"`, `data-testid="channel-default"`,
		`name="alert_degraded"`, `name="remind_every"`, `name="flap_changes"`, `name="cert_alert_days"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("new monitor form lacks %s", want)
		}
	}
	if regexp.MustCompile(`name="channel" value="` + all + `"`).MatchString(form.Body) {
		t.Error("the default channel is a box to untick")
	}

	values := url.Values{"type": {"http"}, "name": {"Shop"}, "url": {"http://shop.example.com/"}, "interval": {"60s"},
		"alert_degraded": {"on"}, "remind_every": {"1m"}, "flap_changes": {"4"}, "flap_window": {"20m"}, "cert_alert_days": {"7"},
		"channel": {ops}}
	res := postNewMonitor(t, s, c, values)
	body := html.UnescapeString(res.Body)
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `data-testid="error-remind_every"`) ||
		!strings.Contains(body, "certificate alerts need an https:// URL") ||
		!regexp.MustCompile(`name="channel" value="`+ops+`" checked`).MatchString(res.Body) {
		t.Fatalf("refused form: status %d\n%s", res.Status, res.Body)
	}
	values.Set("remind_every", "30m")
	values.Set("cert_alert_days", "0")
	mpath := createMonitor(t, s, c, values)

	edit := do(t, c, "GET", s.URL+mpath+"/edit", nil, nil)
	for _, re := range []string{`name="channel" value="` + ops + `" checked`, `name="remind_every"[^>]*value="30m"`,
		`name="flap_changes"[^>]*value="4"`, `name="flap_window"[^>]*value="20m"`, `name="alert_degraded" value="on" checked`} {
		if !regexp.MustCompile(re).MatchString(edit.Body) {
			t.Errorf("edit page lacks %s", re)
		}
	}
	if list := do(t, c, "GET", s.URL+"/admin/channels", nil, nil); !strings.Contains(list.Body, "1 attached") {
		t.Errorf("the channel list does not count the attachment:\n%s", list.Body)
	}

	values.Del("channel")
	values.Set("flap_changes", "0")
	if res := post(t, s, c, mpath+"/edit", mpath, values); res.Status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.Status, res.Body)
	}
	edit = do(t, c, "GET", s.URL+mpath+"/edit", nil, nil)
	if regexp.MustCompile(`name="channel" value="`+ops+`" checked`).MatchString(edit.Body) ||
		!regexp.MustCompile(`name="flap_changes"[^>]*value="0"`).MatchString(edit.Body) {
		t.Errorf("after unticking: %s", edit.Body)
	}
}
