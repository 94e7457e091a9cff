package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"statusthing/app/api"
	"statusthing/app/auth"
	"statusthing/app/web"
)

// member creates a user with role in the first organization and returns a logged-in client.
func member(t *testing.T, s *testServer, email string, role auth.Role) *http.Client {
	t.Helper()
	ctx := context.Background()
	orgs, err := s.Store.Organizations(ctx)
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organizations: %v %v", orgs, err)
	}
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.CreateUser(ctx, auth.User{Email: email, PasswordHash: hash}, orgs[0].ID, role); err != nil {
		t.Fatal(err)
	}
	c := browserClient(t)
	if res := login(t, s, c, email, testPassword); res.Status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", email, res.Status)
	}
	return c
}

// concrete fills a route pattern's wildcards with an id nothing has.
func concrete(pattern string) string {
	return regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(pattern, "999999")
}

// TestRoleMatrix requests every admin route and calls every API operation as every role:
// the routes a role may not use answer 403, the others anything but 403. The lists come
// from the routers themselves, so a new route is in the matrix the day it is added.
func TestRoleMatrix(t *testing.T) {
	s := startServer(t, nil, nil)
	owner := browserClient(t)
	setupAdmin(t, s, owner)
	clients := map[auth.Role]*http.Client{
		auth.RoleOwner:  owner,
		auth.RoleAdmin:  member(t, s, "second-admin@example.com", auth.RoleAdmin),
		auth.RoleEditor: member(t, s, "editor@example.com", auth.RoleEditor),
		auth.RoleViewer: member(t, s, "viewer@example.com", auth.RoleViewer),
	}
	csrf := map[auth.Role]string{}
	for role, c := range clients {
		csrf[role] = csrfOf(t, do(t, c, "GET", s.URL+"/admin", nil, nil).Body)
	}

	routes := web.New(web.Options{}).AdminRoutes()
	if len(routes) < 40 {
		t.Fatalf("only %d admin routes listed", len(routes))
	}
	for _, rt := range routes {
		// What a route declares is policy too: changes need more than read, except one's
		// own profile (password, sessions, two-factor login) and choice of organization.
		personal := rt.Pattern == "/admin/settings/profile" || strings.HasPrefix(rt.Pattern, "/admin/settings/profile/") ||
			rt.Pattern == "/admin/organization"
		if rt.Method == "POST" && rt.Permission == auth.PermRead && !personal {
			t.Errorf("POST %s changes something but declares only %s", rt.Pattern, rt.Permission)
		}
		for role, c := range clients {
			t.Run("web/"+string(role)+" "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
				u := s.URL + concrete(rt.Pattern)
				var res response
				switch {
				case rt.Method == "GET":
					if strings.HasSuffix(rt.Pattern, "/events") {
						return // a stream: the same check guards it, and it would not end
					}
					res = do(t, c, "GET", u, nil, nil)
				case rt.Upload:
					res.Status = postMultipart(t, c, u, csrf[role])
				default:
					res = do(t, c, "POST", u, url.Values{"csrf_token": {csrf[role]}}, nil)
				}
				// The owner here is the first user: the instance admin.
				allowed := role.Allows(rt.Permission) || (rt.Permission == auth.PermInstance && role == auth.RoleOwner)
				if allowed && res.Status == http.StatusForbidden {
					t.Errorf("%s may %s but got 403", role, rt.Permission)
				}
				if !allowed && res.Status != http.StatusForbidden {
					t.Errorf("%s may not %s but got %d", role, rt.Permission, res.Status)
				}
			})
		}
	}

	// API: a token per role, made through the API by the owner's token (never more than it).
	ownerToken := createToken(t, s, "write")
	tokens := map[auth.Role]string{auth.RoleOwner: ownerToken}
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleEditor, auth.RoleViewer} {
		var out struct{ Token string }
		if code, _ := (apiClient{t, s.URL, ownerToken}).call("POST", "/api/v1/tokens",
			`{"name":"`+string(role)+`","scope":"write","role":"`+string(role)+`"}`, &out); code != http.StatusCreated {
			t.Fatalf("token for %s: %d", role, code)
		}
		tokens[role] = out.Token
	}
	ops := api.New(api.Options{}).Operations()
	for _, op := range ops {
		if op.Public {
			continue
		}
		if op.Method != "GET" && op.Permission == auth.PermRead {
			t.Errorf("%s %s changes something but declares only %s", op.Method, op.Path, op.Permission)
		}
		for role, tok := range tokens {
			t.Run("api/"+string(role)+" "+op.Method+" "+op.Path, func(t *testing.T) {
				body := ""
				if op.Method != "GET" && op.Method != "DELETE" {
					body = "{}"
				}
				var e struct{ Error struct{ Code string } }
				code, _ := (apiClient{t, s.URL, tok}).call(op.Method, strings.TrimPrefix(concrete(op.Path), ""), body, &e)
				allowed := role.Allows(op.Permission)
				if allowed && code == http.StatusForbidden {
					t.Errorf("%s may %s but got 403 (%s)", role, op.Permission, e.Error.Code)
				}
				if !allowed && code != http.StatusForbidden {
					t.Errorf("%s may not %s but got %d", role, op.Permission, code)
				}
			})
		}
	}

	// A token never exceeds the token making it.
	var e struct{ Error struct{ Field string } }
	if code, _ := (apiClient{t, s.URL, tokens[auth.RoleViewer]}).call("POST", "/api/v1/tokens", `{"name":"x","scope":"write","role":"owner"}`, &e); code != http.StatusForbidden {
		t.Errorf("a viewer's token creating a token: %d", code)
	}
	raw, _ := json.Marshal(map[string]string{"name": "up", "scope": "write", "role": "owner"})
	if code, _ := (apiClient{t, s.URL, tokens[auth.RoleAdmin]}).call("POST", "/api/v1/tokens", string(raw), &e); code != http.StatusUnprocessableEntity || e.Error.Field != "role" {
		t.Errorf("an admin's token creating an owner token: %d %+v", code, e)
	}
}
