package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestBrowserInviteViewer: the owner invites a viewer in Chromium, the viewer opens the link,
// creates an account, and sees no edit buttons; the forms a viewer may not use answer 403.
func TestBrowserInviteViewer(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	tg := newTarget(t)
	path := createMonitor(t, s, c, url.Values{"type": {"http"}, "name": {"Shop"}, "url": {tg.URL}, "interval": {"1h"}, "retries": {"0"}})

	b := newBrowser(t)
	p := newPage(t, b, 1280, 900)
	navigate(t, p, s.URL+"/login")
	fill(t, p, "#email", testEmail)
	fill(t, p, "#password", testPassword)
	click(t, p, "[data-testid=login-submit]")
	navigate(t, p, s.URL+"/admin/settings")
	click(t, p, "[data-testid=members-link] a")
	fill(t, p, "#invite-email", "viewer@example.com")
	if err := p.MustElement("#invite-role").Select([]string{"Viewer"}, true, "text"); err != nil {
		t.Fatal(err)
	}
	click(t, p, "[data-testid=invite]")
	link := text(t, p, "[data-testid=invite-link]")
	if !strings.HasPrefix(link, s.URL+"/invite/inv_") {
		t.Fatalf("invitation link %q", link)
	}
	screenshot(t, p, "members-invited")

	// The viewer, in a browser of their own.
	b2 := newBrowser(t)
	v := newPage(t, b2, 1280, 900)
	navigate(t, v, link)
	fill(t, v, "#name", "Vera Viewer")
	fill(t, v, "#password", "viewer password 123")
	click(t, v, "[data-testid=accept-invite]")
	if got := currentPath(t, v); got != "/admin" {
		t.Fatalf("after accepting: %s", got)
	}
	navigate(t, v, s.URL+path)
	waitForText(t, v, "[data-testid=page-title]", "Shop", 5*time.Second)
	for _, sel := range []string{"[data-testid=edit]", "[data-testid=pause]", "[data-testid=check-now]", "[data-testid=delete]"} {
		if has, _, _ := v.Has(sel); has {
			t.Errorf("a viewer sees %s", sel)
		}
	}
	navigate(t, v, s.URL+"/admin/monitors")
	if has, _, _ := v.Has("[data-testid=new-monitor]"); has {
		t.Error("a viewer sees the new monitor button")
	}
	// Posting the form anyway (the viewer's own session and CSRF token): refused.
	res, err := v.Eval(`async (path) => {
		const page = await (await fetch("/admin/monitors")).text();
		const token = page.match(/name="csrf_token" value="([^"]+)"/)[1];
		const r = await fetch(path + "/pause", {method: "POST", body: new URLSearchParams({csrf_token: token})});
		return r.status;
	}`, path)
	if err != nil || res.Value.Int() != http.StatusForbidden {
		t.Errorf("a viewer pausing a monitor: %v %v", res, err)
	}
	screenshot(t, v, "viewer-monitors")

	// The owner sees the new member with the viewer role; the link does not work twice.
	navigate(t, p, s.URL+"/admin/settings/members")
	waitForText(t, p, `[data-email="viewer@example.com"] [data-testid=member-role]`, "Viewer", 5*time.Second)
	// On a phone: the members, audit and instance pages fit.
	phone := newPage(t, b, 375, 812) // the owner's browser
	for _, pg := range []string{"/admin/settings/members", "/admin/settings/audit", "/admin/instance"} {
		navigate(t, phone, s.URL+pg)
		noOverflow(t, phone, pg)
		screenshot(t, phone, "phone"+strings.ReplaceAll(pg, "/", "-"))
	}
	if res := do(t, browserClient(t), "GET", link, nil, nil); res.Status != http.StatusNotFound || !strings.Contains(res.Body, `data-testid="invite-invalid"`) {
		t.Errorf("invitation link used twice: %d", res.Status)
	}
}
