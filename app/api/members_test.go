package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"statusthing/app/auth"
)

func TestMembersAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	orgs, err := e.st.Organizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	org := orgs[0].ID
	ed, err := e.auth.CreateUser(ctx, auth.CreateUserInput{Email: "ed@example.com", Password: "a long enough password", Role: auth.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := e.auth.CreateAPIToken(ctx, auth.CreateAPITokenInput{OrgID: org, Name: "admin", Scope: auth.ScopeWrite, Role: auth.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	edPath := "/api/v1/members/" + strconv.FormatInt(ed.ID, 10)
	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
	}{
		{"admin demotes an editor", admin, "PATCH", edPath, `{"role":"viewer"}`, http.StatusOK},
		{"admin makes an owner", admin, "PATCH", edPath, `{"role":"owner"}`, http.StatusForbidden},
		{"admin invites an owner", admin, "POST", "/api/v1/invitations", `{"email":"o@example.com","role":"owner"}`, http.StatusForbidden},
		{"bad role", e.write, "PATCH", edPath, `{"role":"god"}`, http.StatusUnprocessableEntity},
		{"last owner", e.write, "PATCH", "/api/v1/members/1", `{"role":"admin"}`, http.StatusConflict},
		{"invite a member", e.write, "POST", "/api/v1/invitations", `{"email":"ed@example.com","role":"viewer"}`, http.StatusConflict},
		{"unknown member", e.write, "DELETE", "/api/v1/members/999", "", http.StatusNotFound},
		{"remove", admin, "DELETE", edPath, "", http.StatusNoContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.do(tc.method, tc.path, tc.token, tc.body)
			if a.Status != tc.want {
				t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, a.Status, a.Body, tc.want)
			}
		})
	}
	a := e.do("POST", "/api/v1/invitations", e.write, `{"email":"new@example.com","role":"editor"}`)
	if a.Status != http.StatusCreated || !strings.Contains(a.Body, `"link":"`) || !strings.Contains(a.Body, "/invite/inv_") {
		t.Fatalf("invite: %d %s", a.Status, a.Body)
	}
	if a := e.do("GET", "/api/v1/invitations", e.write, ""); !strings.Contains(a.Body, `"state":"pending"`) || strings.Contains(a.Body, "inv_") {
		t.Errorf("invitations list: %s", a.Body)
	}
}
