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

// TestInvitationMailed: with an [smtp] relay, an invitation is mailed with its link, which
// the new member follows.
func TestInvitationMailed(t *testing.T) {
	sink := startMailSink(t)
	s := startServer(t, nil, withSMTP(sink))
	c := browserClient(t)
	setupAdmin(t, s, c)
	res := post(t, s, c, "/admin/settings/members", "/admin/settings/members/invite", url.Values{"email": {"ed@example.com"}, "role": {"editor"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Invitation mailed to ed@example.com") {
		t.Fatalf("invite: %d\n%s", res.Status, res.Body)
	}
	mail := sink.wait(t, "ed@example.com", 1)[0]
	link := regexp.MustCompile(`https?://\S+/invite/inv_\S+`).FindString(mail.text)
	if mail.subject != "You are invited to Acme on statusthing" || link == "" || !strings.Contains(mail.text, testEmail+" invites you") ||
		!strings.Contains(mail.text, "as Editor") {
		t.Fatalf("mail %q:\n%s", mail.subject, mail.text)
	}
	ed := browserClient(t)
	page := do(t, ed, "GET", link, nil, nil)
	res = do(t, ed, "POST", link, url.Values{"csrf_token": {csrfOf(t, page.Body)}, "name": {"Ed"}, "password": {"editor password 1"}}, nil)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Fatalf("accept: %d %q", res.Status, res.Header.Get("Location"))
	}
	if body := do(t, ed, "GET", s.URL+"/admin/monitors", nil, nil).Body; !strings.Contains(body, `data-testid="new-monitor"`) {
		t.Error("the new editor cannot add monitors")
	}
}

// TestDeleteOrganization: an owner deletes an organization (typing its slug) and lands in
// another; its monitors stop, its heartbeats answer 404, its data is gone; the last
// organization of a user cannot be deleted from under them.
func TestDeleteOrganization(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	if res := post(t, s, c, "/admin/instance", "/admin/instance/organizations", url.Values{"name": {"Bravo"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("create organization: %d", res.Status)
	}
	// In Bravo now: a heartbeat, pinged once.
	hb := createMonitor(t, s, c, url.Values{"type": {"heartbeat"}, "name": {"Nightly"}, "period": {"1h"}, "grace": {"5m"}})
	uuid := regexp.MustCompile(`/ping/([0-9a-f-]{36})`).FindStringSubmatch(do(t, c, "GET", s.URL+hb, nil, nil).Body)
	if uuid == nil {
		t.Fatal("no ping URL")
	}
	if code, _, _ := curl(t, "GET", s.URL+"/ping/"+uuid[1], ""); code != http.StatusOK {
		t.Fatalf("ping: %d", code)
	}
	if res := post(t, s, c, "/admin/settings", "/admin/settings/organization/delete", url.Values{"confirm": {"acme"}}); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `data-testid="error-delete-org"`) {
		t.Fatalf("wrong confirmation: %d", res.Status)
	}
	res := post(t, s, c, "/admin/settings", "/admin/settings/organization/delete", url.Values{"confirm": {"bravo"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", res.Status, res.Body)
	}
	settings := do(t, c, "GET", s.URL+res.Header.Get("Location"), nil, nil).Body
	if !strings.Contains(settings, "Organization deleted") || !strings.Contains(settings, "Acme (acme)") {
		t.Errorf("after deleting: not back in Acme\n%s", settings)
	}
	if code, _, _ := curl(t, "GET", s.URL+"/ping/"+uuid[1], ""); code != http.StatusNotFound {
		t.Errorf("a deleted organization's heartbeat answers %d", code)
	}
	if ms, _ := s.Store.AllMonitors(t.Context()); len(ms) != 0 {
		t.Errorf("monitors left: %+v", ms)
	}
	// Acme is this owner's only organization now.
	if res := post(t, s, c, "/admin/settings", "/admin/settings/organization/delete", url.Values{"confirm": {"acme"}}); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "only organization") {
		t.Errorf("deleting the last organization: %d", res.Status)
	}
	// Through the API: the instance keeps one organization.
	tok := createToken(t, s, "write")
	var e struct{ Error struct{ Code, Field string } }
	if code, _ := (apiClient{t, s.URL, tok}).call("DELETE", "/api/v1/organization", `{"confirm":"nope"}`, &e); code != http.StatusUnprocessableEntity || e.Error.Field != "confirm" {
		t.Errorf("API delete with a wrong confirmation: %d %+v", code, e)
	}
	if code, _ := (apiClient{t, s.URL, tok}).call("DELETE", "/api/v1/organization", `{"confirm":"acme"}`, &e); code != http.StatusConflict {
		t.Errorf("API delete of the last organization: %d %+v", code, e)
	}
}
