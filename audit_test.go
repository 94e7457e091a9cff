package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestAuditLog: changes through the admin and the API are logged with who, what and on
// which resource; refused changes are not.
func TestAuditLog(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"Shop"}, "url": {tg.URL}, "interval": {"1h"}, "retries": {"0"}})
	id := strings.TrimPrefix(path, "/admin/monitors/")
	post(t, s, c, path, path+"/pause", nil)
	if res := post(t, s, c, "/admin/monitors/new?type=http", "/admin/monitors", url.Values{"type": {"http"}, "name": {""}}); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("refused monitor: %d", res.Status)
	}
	tok := createToken(t, s, "write")
	if code, _ := (apiClient{t, s.URL, tok}).call("DELETE", "/api/v1/monitors/"+id, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}

	page := do(t, c, "GET", s.URL+"/admin/settings/audit", nil, nil).Body
	rows := regexp.MustCompile(`data-action="([^"]+)"[\s\S]*?</tr>`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1])
	}
	want := []string{"monitors.delete", "monitors.pause", "monitors.create"} // newest first
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("audit actions %v, want %v", got, want)
	}
	for i, who := range []string{"token:api test write", testEmail, testEmail} {
		if !strings.Contains(rows[i][0], who) || !strings.Contains(rows[i][0], "monitors "+id) {
			t.Errorf("entry %d (%s) lacks %q or the monitor:\n%s", i, got[i], who, rows[i][0])
		}
	}
	var list struct {
		Items []struct{ Action, Actor, Target, Via string }
	}
	if code, _ := (apiClient{t, s.URL, tok}).call("GET", "/api/v1/audit?limit=2", "", &list); code != http.StatusOK || len(list.Items) != 2 ||
		list.Items[0].Action != "monitors.delete" || list.Items[0].Via != "api" || list.Items[1].Via != "admin" {
		t.Errorf("API audit log: %d %+v", code, list)
	}
}
