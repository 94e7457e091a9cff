package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"statusthing/app/auth"
	"statusthing/app/monitor"
	"statusthing/app/statuspage"
)

type componentView struct {
	ID               int64  `json:"id"`
	Group            string `json:"group"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	MonitorID        *int64 `json:"monitor_id"`
	Status           string `json:"status"`
	EffectiveStatus  string `json:"effective_status"`
	ShowResponseTime bool   `json:"show_response_time"`
	Position         int    `json:"position"`
}

type pageView struct {
	ID              int64           `json:"id"`
	Slug            string          `json:"slug"`
	Title           string          `json:"title"`
	Description     string          `json:"description"`
	CustomDomain    *string         `json:"custom_domain"`
	Locale          string          `json:"locale"`
	Default         bool            `json:"default"`
	Public          bool            `json:"public"`
	CollapsedGroups []string        `json:"collapsed_groups"`
	HasLogo         bool            `json:"has_logo"`
	URL             string          `json:"url"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	Components      []componentView `json:"components"`
}

// names lists the components' names in order.
func (p pageView) names() string {
	var out []string
	for _, c := range p.Components {
		out = append(out, c.Name)
	}
	return strings.Join(out, ",")
}

// createPage creates a page through the API.
func (e *env) createPage(body string) pageView {
	e.t.Helper()
	var p pageView
	e.json("POST", "/api/v1/pages", e.write, body, http.StatusCreated, &p)
	return p
}

// otherOrg makes a second organization and returns a write token of it.
func (e *env) otherOrg() string {
	e.t.Helper()
	e.exec(`INSERT INTO organizations (slug, name, created_at) VALUES ('other', 'Other', 0)`)
	tok, _, err := e.auth.CreateAPIToken(context.Background(), auth.CreateAPITokenInput{Name: "o", OrgSlug: "other", Scope: auth.ScopeWrite})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func TestPagesAPI(t *testing.T) {
	e := newEnv(t)
	web := e.createMonitor(`{"name": "web", "type": "http", "url": "https://example.com/", "retries": 0}`)

	body := fmt.Sprintf(`{"slug": "Acme", "title": " Acme status ", "collapsed_groups": ["Backend"], "components": [
		{"name": "Website", "monitor_id": %d, "show_response_time": true},
		{"name": "Support", "group": "Backend", "status": "partial_outage"}]}`, web.ID)
	a := e.do("POST", "/api/v1/pages", e.write, body)
	if a.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.Status, a.Body)
	}
	var p pageView
	e.json("GET", a.Header.Get("Location"), e.read, "", http.StatusOK, &p)
	if p.ID == 0 || p.Slug != "acme" || p.Title != "Acme status" || p.URL != baseURL+"/status/acme" || !p.Public ||
		p.Locale != "en" || p.Default || p.HasLogo || p.CustomDomain != nil || !p.CreatedAt.Equal(t0) ||
		len(p.CollapsedGroups) != 1 || p.names() != "Website,Support" {
		t.Fatalf("created %+v", p)
	}
	site, support := p.Components[0], p.Components[1]
	if site.MonitorID == nil || *site.MonitorID != web.ID || site.Status != "operational" || site.EffectiveStatus != "operational" ||
		!site.ShowResponseTime || site.Position != 0 {
		t.Errorf("bound component %+v", site)
	}
	if support.MonitorID != nil || support.Status != "partial_outage" || support.EffectiveStatus != "partial_outage" ||
		support.Group != "Backend" || support.Position != 1 {
		t.Errorf("manual component %+v", support)
	}

	// The bound component follows its monitor.
	e.record(web.ID, t0.Add(time.Minute), time.Millisecond, monitor.OutcomeDown)
	path := fmt.Sprintf("/api/v1/pages/%d", p.ID)
	e.json("GET", path, e.read, "", http.StatusOK, &p)
	if p.Components[0].EffectiveStatus != "major_outage" || p.Components[0].Status != "operational" {
		t.Errorf("bound component of a down monitor: %+v", p.Components[0])
	}

	t.Run("create refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			status     int
			code       string
			field      string
		}{
			{"no slug", `{"title": "x"}`, 422, "validation_failed", "slug"},
			{"bad slug", `{"slug": "-a b", "title": "x"}`, 422, "validation_failed", "slug"},
			{"taken slug", `{"slug": "acme", "title": "x"}`, 422, "validation_failed", "slug"},
			{"no title", `{"slug": "b"}`, 422, "validation_failed", "title"},
			{"long title", `{"slug": "b", "title": "` + strings.Repeat("x", 101) + `"}`, 422, "validation_failed", "title"},
			{"locale", `{"slug": "b", "title": "x", "locale": "de"}`, 422, "validation_failed", "locale"},
			{"custom domain", `{"slug": "b", "title": "x", "custom_domain": "https://x.example.com/"}`, 422, "validation_failed", "custom_domain"},
			{"component name", `{"slug": "b", "title": "x", "components": [{"name": "a"}, {"name": " "}]}`, 422, "validation_failed", "components[1].name"},
			{"component status", `{"slug": "b", "title": "x", "components": [{"name": "a", "status": "fine"}]}`, 422, "validation_failed", "components[0].status"},
			{"unknown monitor", `{"slug": "b", "title": "x", "components": [{"name": "a", "monitor_id": 999}]}`, 422, "validation_failed", "components[0].monitor_id"},
			{"wrong type", `{"slug": "b", "title": 5}`, 422, "validation_failed", "title"},
			{"unknown key", `{"slug": "b", "title": "x", "colour": "red"}`, 400, "unknown_field", "colour"},
			{"unknown component key", `{"slug": "b", "title": "x", "components": [{"name": "a", "colour": "red"}]}`, 422, "validation_failed", "components"},
			{"not JSON", `slug=b`, 400, "invalid_json", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.fails("POST", "/api/v1/pages", e.write, tc.body, tc.status, tc.code, tc.field)
			})
		}
		eb := e.fails("POST", "/api/v1/pages", e.write, `{"slug": "", "title": "", "locale": "xx"}`, 422, "validation_failed", "slug")
		if len(eb.Error.Fields) != 3 {
			t.Errorf("every refused field: %+v", eb.Error.Fields)
		}
	})

	t.Run("patch", func(t *testing.T) {
		for _, tc := range []struct {
			name, patch string
			check       func(pageView) bool
		}{
			{"title", `{"title": "New title"}`, func(p pageView) bool { return p.Title == "New title" && p.names() == "Website,Support" }},
			{"domain", `{"custom_domain": "Status.Example.com"}`, func(p pageView) bool {
				return p.CustomDomain != nil && *p.CustomDomain == "status.example.com"
			}},
			{"null resets", `{"custom_domain": null, "public": null, "locale": null}`, func(p pageView) bool {
				return p.CustomDomain == nil && p.Public && p.Locale == "en"
			}},
			{"private french default", `{"public": false, "locale": "fr", "default": true}`, func(p pageView) bool {
				return !p.Public && p.Locale == "fr" && p.Default
			}},
			{"read-only keys ignored", `{"id": 999, "url": "x", "has_logo": true, "description": "d"}`, func(p pageView) bool {
				return p.Description == "d" && !p.HasLogo && p.URL == baseURL+"/status/acme"
			}},
			{"components replaced, ids kept", fmt.Sprintf(`{"components": [{"id": %d, "name": "Help desk"}, {"name": "API"}]}`, support.ID),
				func(p pageView) bool {
					return p.names() == "Help desk,API" && p.Components[0].ID == support.ID && p.Components[1].ID > support.ID &&
						p.Components[0].Status == "operational"
				}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var got pageView
				e.json("PATCH", path, e.write, tc.patch, http.StatusOK, &got)
				if !tc.check(got) {
					t.Errorf("%s: %+v", tc.patch, got)
				}
				var again pageView
				e.json("GET", path, e.read, "", http.StatusOK, &again)
				if again.Title != got.Title || again.names() != got.names() || again.Public != got.Public {
					t.Errorf("not stored: %+v", again)
				}
			})
		}
		e.fails("PATCH", path, e.write, `{"slug": "Not a slug"}`, 422, "validation_failed", "slug")
		e.fails("PATCH", path, e.write, `{"components": [{"id": 424242, "name": "x"}]}`, 422, "validation_failed", "components[0].id")
		e.fails("PATCH", path, e.write, `{"nope": 1}`, 400, "unknown_field", "nope")
		e.fails("PATCH", path, e.write, `[]`, 400, "invalid_json", "")
		e.fails("PATCH", path, e.read, `{"title": "x"}`, 403, "insufficient_scope", "")
		e.fails("PATCH", "/api/v1/pages/999", e.write, `{"title": "x"}`, 404, "not_found", "")
	})

	t.Run("list", func(t *testing.T) {
		e.createPage(`{"slug": "second", "title": "Second"}`)
		e.createPage(`{"slug": "third", "title": "Third"}`)
		var seen []string
		next := "/api/v1/pages?limit=2"
		for range 3 {
			var list pageOf[pageView]
			e.json("GET", next, e.read, "", http.StatusOK, &list)
			for _, it := range list.Items {
				seen = append(seen, it.Slug)
			}
			if list.NextCursor == nil {
				break
			}
			next = "/api/v1/pages?limit=2&cursor=" + *list.NextCursor
		}
		if strings.Join(seen, ",") != "acme,second,third" {
			t.Errorf("pages: %v", seen)
		}
		e.fails("GET", "/api/v1/pages?cursor=bogus", e.read, "", 400, "invalid_cursor", "cursor")
	})

	t.Run("delete", func(t *testing.T) {
		e.fails("DELETE", path, e.read, "", 403, "insufficient_scope", "")
		if a := e.do("DELETE", path, e.write, ""); a.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", a.Status, a.Body)
		}
		e.fails("GET", path, e.read, "", 404, "not_found", "")
		e.fails("DELETE", path, e.write, "", 404, "not_found", "")
		e.fails("GET", "/api/v1/pages/x", e.read, "", 404, "not_found", "")
	})
}

func TestComponentsAPI(t *testing.T) {
	e := newEnv(t)
	web := e.createMonitor(`{"name": "web", "type": "http", "url": "https://example.com/", "retries": 0}`)
	p := e.createPage(`{"slug": "acme", "title": "Acme", "components": [{"name": "A"}, {"name": "B"}]}`)
	base := fmt.Sprintf("/api/v1/pages/%d/components", p.ID)
	names := func() string {
		e.t.Helper()
		var got pageView
		e.json("GET", fmt.Sprintf("/api/v1/pages/%d", p.ID), e.read, "", http.StatusOK, &got)
		for i, c := range got.Components {
			if c.Position != i {
				t.Errorf("position %d at %d", c.Position, i)
			}
		}
		return got.names()
	}

	a := e.do("POST", base, e.write, fmt.Sprintf(`{"name": "Web", "monitor_id": %d, "position": 1, "status": "major_outage"}`, web.ID))
	if a.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.Status, a.Body)
	}
	var c componentView
	e.json("GET", a.Header.Get("Location"), e.read, "", http.StatusOK, &c)
	if c.Name != "Web" || c.MonitorID == nil || *c.MonitorID != web.ID || c.Position != 1 || c.Status != "operational" ||
		c.EffectiveStatus != "operational" {
		t.Errorf("created %+v", c)
	}
	if got := names(); got != "A,Web,B" {
		t.Errorf("order %s", got)
	}
	e.json("POST", base, e.write, `{"name": "Last", "position": 99}`, http.StatusCreated, nil)
	e.json("POST", base, e.write, `{"name": "First", "position": 0, "group": "G", "description": "d", "status": "degraded_performance"}`, http.StatusCreated, &c)
	if c.Position != 0 || c.Group != "G" || c.Status != "degraded_performance" || c.EffectiveStatus != "degraded_performance" {
		t.Errorf("created first %+v", c)
	}
	first := c
	if got := names(); got != "First,A,Web,B,Last" {
		t.Errorf("order %s", got)
	}

	t.Run("list", func(t *testing.T) {
		var seen []string
		next := base + "?limit=2"
		for range 4 {
			var list pageOf[componentView]
			e.json("GET", next, e.read, "", http.StatusOK, &list)
			for _, it := range list.Items {
				seen = append(seen, it.Name)
			}
			if list.NextCursor == nil {
				break
			}
			next = base + "?limit=2&cursor=" + *list.NextCursor
		}
		if strings.Join(seen, ",") != "First,A,Web,B,Last" {
			t.Errorf("components: %v", seen)
		}
	})

	cpath := fmt.Sprintf("%s/%d", base, first.ID)
	t.Run("patch", func(t *testing.T) {
		for _, tc := range []struct {
			name, patch, order string
			check              func(componentView) bool
		}{
			{"rename", `{"name": "Primary"}`, "Primary,A,Web,B,Last",
				func(c componentView) bool { return c.Name == "Primary" && c.Group == "G" && c.Position == 0 }},
			{"move", `{"position": 3}`, "A,Web,B,Primary,Last", func(c componentView) bool { return c.Position == 3 }},
			{"move past the end", `{"position": 50}`, "A,Web,B,Last,Primary", func(c componentView) bool { return c.Position == 4 }},
			{"bind", fmt.Sprintf(`{"monitor_id": %d}`, web.ID), "A,Web,B,Last,Primary",
				func(c componentView) bool { return c.MonitorID != nil && c.Status == "operational" }},
			{"unbind and set", `{"monitor_id": null, "status": "under_maintenance", "group": null}`, "A,Web,B,Last,Primary",
				func(c componentView) bool {
					return c.MonitorID == nil && c.Status == "under_maintenance" && c.EffectiveStatus == "under_maintenance" && c.Group == ""
				}},
			{"read-only keys ignored", `{"id": 1, "effective_status": "x", "show_response_time": true}`, "A,Web,B,Last,Primary",
				func(c componentView) bool { return c.ID == first.ID && c.ShowResponseTime }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var got componentView
				e.json("PATCH", cpath, e.write, tc.patch, http.StatusOK, &got)
				if !tc.check(got) {
					t.Errorf("%s: %+v", tc.patch, got)
				}
				if order := names(); order != tc.order {
					t.Errorf("order %s, want %s", order, tc.order)
				}
			})
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
			code, field              string
		}{
			{"create without name", "POST", base, `{"group": "x"}`, 422, "validation_failed", "name"},
			{"create long name", "POST", base, `{"name": "` + strings.Repeat("n", 101) + `"}`, 422, "validation_failed", "name"},
			{"create bad status", "POST", base, `{"name": "x", "status": "sunny"}`, 422, "validation_failed", "status"},
			{"create unknown monitor", "POST", base, `{"name": "x", "monitor_id": 999}`, 422, "validation_failed", "monitor_id"},
			{"create negative position", "POST", base, `{"name": "x", "position": -1}`, 422, "validation_failed", "position"},
			{"create unknown key", "POST", base, `{"name": "x", "colour": 1}`, 400, "unknown_field", "colour"},
			{"create read token", "POST", base, `{"name": "x"}`, 403, "insufficient_scope", ""},
			{"create on unknown page", "POST", "/api/v1/pages/999/components", `{"name": "x"}`, 404, "not_found", ""},
			{"patch empty name", "PATCH", cpath, `{"name": ""}`, 422, "validation_failed", "name"},
			{"patch unknown monitor", "PATCH", cpath, `{"monitor_id": 999}`, 422, "validation_failed", "monitor_id"},
			{"patch negative position", "PATCH", cpath, `{"position": -2}`, 422, "validation_failed", "position"},
			{"patch wrong type", "PATCH", cpath, `{"name": 3}`, 422, "validation_failed", "name"},
			{"patch read token", "PATCH", cpath, `{"name": "x"}`, 403, "insufficient_scope", ""},
			{"get unknown", "GET", base + "/999", "", 404, "not_found", ""},
			{"get not an id", "GET", base + "/x", "", 404, "not_found", ""},
			{"delete read token", "DELETE", cpath, "", 403, "insufficient_scope", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tok := e.write
				if strings.HasSuffix(tc.name, "read token") {
					tok = e.read
				}
				e.fails(tc.method, tc.path, tok, tc.body, tc.status, tc.code, tc.field)
			})
		}
		// A component of another page is not found under this one.
		other := e.createPage(`{"slug": "other", "title": "Other", "components": [{"name": "Z"}]}`)
		e.fails("GET", fmt.Sprintf("%s/%d", base, other.Components[0].ID), e.read, "", 404, "not_found", "")
	})

	t.Run("delete", func(t *testing.T) {
		if a := e.do("DELETE", cpath, e.write, ""); a.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", a.Status, a.Body)
		}
		if got := names(); got != "A,Web,B,Last" {
			t.Errorf("order %s", got)
		}
		e.fails("DELETE", cpath, e.write, "", 404, "not_found", "")
	})
}

// TestPagesOrganizationScoping: another organization's pages, components and incidents are
// not found, and its ids cannot be used in bodies.
func TestPagesOrganizationScoping(t *testing.T) {
	e := newEnv(t)
	web := e.createMonitor(httpMonitor("web"))
	p := e.createPage(fmt.Sprintf(`{"slug": "mine", "title": "Mine", "components": [{"name": "Web", "monitor_id": %d}]}`, web.ID))
	var inc incidentView
	e.json("POST", "/api/v1/incidents", e.write, fmt.Sprintf(`{"title": "t", "message": "m", "component_ids": [%d]}`, p.Components[0].ID),
		http.StatusCreated, &inc)
	other := e.otherOrg()

	page := fmt.Sprintf("/api/v1/pages/%d", p.ID)
	comp := fmt.Sprintf("%s/components/%d", page, p.Components[0].ID)
	png := "\x89PNG\r\n\x1a\n...."
	for _, c := range []struct{ method, path, body string }{
		{"GET", page, ""}, {"PATCH", page, `{"title": "stolen"}`}, {"DELETE", page, ""},
		{"DELETE", page + "/logo", ""},
		{"GET", page + "/components", ""}, {"POST", page + "/components", `{"name": "x"}`},
		{"GET", comp, ""}, {"PATCH", comp, `{"name": "x"}`}, {"DELETE", comp, ""},
		{"GET", fmt.Sprintf("/api/v1/incidents/%d", inc.ID), ""},
		{"GET", fmt.Sprintf("/api/v1/incidents/%d/updates", inc.ID), ""},
		{"POST", fmt.Sprintf("/api/v1/incidents/%d/updates", inc.ID), `{"message": "x"}`},
	} {
		e.fails(c.method, c.path, other, c.body, http.StatusNotFound, "not_found", "")
	}
	if a := e.do("PUT", page+"/logo", other, png, "Content-Type", "image/png"); a.Status != http.StatusNotFound {
		t.Errorf("PUT another organization's logo: %d %s", a.Status, a.Body)
	}
	var list pageOf[pageView]
	e.json("GET", "/api/v1/pages", other, "", http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("the other organization sees %d pages", len(list.Items))
	}
	// Its pages cannot show our monitors, nor its incidents our components.
	e.fails("POST", "/api/v1/pages", other, fmt.Sprintf(`{"slug": "theirs", "title": "T", "components": [{"name": "x", "monitor_id": %d}]}`, web.ID),
		422, "validation_failed", "components[0].monitor_id")
	e.fails("POST", "/api/v1/incidents", other, fmt.Sprintf(`{"title": "t", "message": "m", "component_ids": [%d]}`, p.Components[0].ID),
		422, "validation_failed", "component_ids")

	var got pageView
	e.json("GET", page, e.read, "", http.StatusOK, &got) // untouched
	if got.Title != "Mine" || got.names() != "Web" {
		t.Errorf("after the other organization: %+v", got)
	}
}

func TestPageLogo(t *testing.T) {
	e := newEnv(t)
	p := e.createPage(`{"slug": "acme", "title": "Acme"}`)
	logo := fmt.Sprintf("/api/v1/pages/%d/logo", p.ID)
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100)
	for _, tc := range []struct {
		name, mediaType, body string
		status                int
		code, field           string
	}{
		{"png", "image/png", png, 200, "", ""},
		{"jpeg", "image/jpeg", "\xff\xd8\xff\xe0rest", 200, "", ""},
		{"gif", "image/gif", "GIF89a....", 200, "", ""},
		{"webp", "image/webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", 200, "", ""},
		{"largest", "image/png", png[:8] + strings.Repeat("x", statuspage.MaxLogoBytes-8), 200, "", ""},
		{"type read from the bytes", "image/png", "GIF87a....", 200, "", ""},
		{"too large", "image/png", png[:8] + strings.Repeat("x", statuspage.MaxLogoBytes-7), 413, "body_too_large", ""},
		{"svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"/>`, 415, "unsupported_media_type", ""},
		{"json", "application/json", `{"logo": "x"}`, 415, "unsupported_media_type", ""},
		{"not an image", "image/png", "hello, world", 422, "validation_failed", "logo"},
		{"empty", "image/png", "", 422, "validation_failed", "logo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.do("PUT", logo, e.write, tc.body, "Content-Type", tc.mediaType)
			if a.Status != tc.status {
				t.Fatalf("%d %s", a.Status, a.Body)
			}
			if tc.status == 200 {
				if !strings.Contains(a.Body, `"has_logo":true`) {
					t.Errorf("answer %s", a.Body)
				}
				return
			}
			if !strings.Contains(a.Body, `"code":"`+tc.code+`"`) || (tc.field != "" && !strings.Contains(a.Body, `"field":"`+tc.field+`"`)) {
				t.Errorf("answer %s, want %s %s", a.Body, tc.code, tc.field)
			}
		})
	}
	_, mediaType, err := e.monitors.StatusPageLogo(context.Background(), p.ID)
	if err != nil || mediaType != "image/gif" {
		t.Errorf("stored logo: %q %v", mediaType, err)
	}
	if a := e.do("PUT", logo, e.read, png, "Content-Type", "image/png"); a.Status != http.StatusForbidden {
		t.Errorf("read token: %d", a.Status)
	}
	if a := e.do("DELETE", logo, e.write, ""); a.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", a.Status, a.Body)
	}
	var got pageView
	e.json("GET", fmt.Sprintf("/api/v1/pages/%d", p.ID), e.read, "", http.StatusOK, &got)
	if got.HasLogo {
		t.Error("logo still there")
	}
	if a := e.do("DELETE", logo, e.write, ""); a.Status != http.StatusNoContent {
		t.Errorf("delete again: %d", a.Status)
	}
	e.fails("PUT", "/api/v1/pages/999/logo", e.write, "", 415, "unsupported_media_type", "")
	if a := e.do("PUT", "/api/v1/pages/999/logo", e.write, png, "Content-Type", "image/png"); a.Status != http.StatusNotFound {
		t.Errorf("unknown page: %d", a.Status)
	}
}
