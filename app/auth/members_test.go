package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"statusthing/app/auth"
)

func TestInvitations(t *testing.T) {
	ctx := context.Background()
	svc, clk, st := newService(t)
	owner, err := st.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := st.Organizations(ctx)
	org := orgs[0].ID

	// An admin may invite anyone but an owner; a viewer nobody.
	if _, _, err := svc.Invite(ctx, auth.InviteInput{OrgID: org, Email: "x@example.com", Role: auth.RoleOwner, ByRole: auth.RoleAdmin}); !errors.Is(err, auth.ErrOwnersOnly) {
		t.Errorf("admin inviting an owner: %v", err)
	}
	if _, _, err := svc.Invite(ctx, auth.InviteInput{OrgID: org, Email: "x@example.com", Role: auth.RoleViewer, ByRole: auth.RoleViewer}); !errors.Is(err, auth.ErrOwnersOnly) {
		t.Errorf("viewer inviting: %v", err)
	}
	if _, _, err := svc.Invite(ctx, auth.InviteInput{OrgID: org, Email: email, Role: auth.RoleViewer, ByRole: auth.RoleOwner}); !errors.Is(err, auth.ErrAlreadyMember) {
		t.Errorf("inviting a member: %v", err)
	}
	token, inv, err := svc.Invite(ctx, auth.InviteInput{OrgID: org, Email: "Viewer@Example.com", Role: auth.RoleViewer, ByUserID: owner.ID, ByRole: auth.RoleOwner})
	if err != nil || !strings.EqualFold(inv.Email, "viewer@example.com") || !inv.ExpiresAt.Equal(clk.Now().Add(auth.InvitationLifetime)) {
		t.Fatalf("invite: %+v %v", inv, err)
	}
	if got, err := svc.PendingInvitation(ctx, token); err != nil || got.ID != inv.ID || got.OrgName != "Acme" {
		t.Errorf("pending: %+v %v", got, err)
	}

	// Accepted once, by two racing browsers: one wins.
	var wg sync.WaitGroup
	results := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := svc.AcceptInvitation(ctx, auth.AcceptInput{Token: token, Name: "Vi", Password: password})
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	var ok, refused int
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, auth.ErrInvitationInvalid):
			refused++
		default:
			t.Errorf("accept: %v", err)
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("racing acceptances: %d ok, %d refused", ok, refused)
	}
	members, _ := svc.Members(ctx, org)
	if len(members) != 2 || !strings.EqualFold(members[1].Email, "viewer@example.com") || members[1].Role != auth.RoleViewer || members[1].Name != "Vi" {
		t.Errorf("members %+v", members)
	}
	if _, err := svc.PendingInvitation(ctx, token); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("used invitation: %v", err)
	}

	// Expiry, on the injected clock: valid until the 7th day, not after.
	token2, _, err := svc.Invite(ctx, auth.InviteInput{OrgID: org, Email: "late@example.com", Role: auth.RoleEditor, ByRole: auth.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(auth.InvitationLifetime - time.Second)
	if _, err := svc.PendingInvitation(ctx, token2); err != nil {
		t.Errorf("invitation on its last second: %v", err)
	}
	clk.Advance(time.Second)
	if _, _, err := svc.AcceptInvitation(ctx, auth.AcceptInput{Token: token2, Password: password}); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("expired invitation accepted: %v", err)
	}
	// Revoked.
	token3, inv3, _ := svc.Invite(ctx, auth.InviteInput{OrgID: org, Email: "r@example.com", Role: auth.RoleEditor, ByRole: auth.RoleOwner})
	if err := svc.RevokeInvitation(ctx, org, inv3.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PendingInvitation(ctx, token3); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("revoked invitation: %v", err)
	}
	if _, err := svc.PendingInvitation(ctx, "inv_nonsense"); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("unknown invitation: %v", err)
	}
}

func TestMemberRoles(t *testing.T) {
	ctx := context.Background()
	svc, _, st := newService(t)
	orgs, _ := st.Organizations(ctx)
	org := orgs[0].ID
	owner, _ := st.UserByEmail(ctx, email)
	admin, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "admin2@example.com", Password: password, Role: auth.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	ed, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: "ed@example.com", Password: password, Role: auth.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"admin demotes the owner", func() error { return svc.SetMemberRole(ctx, org, auth.RoleAdmin, owner.ID, auth.RoleViewer) }, auth.ErrOwnersOnly},
		{"admin promotes to owner", func() error { return svc.SetMemberRole(ctx, org, auth.RoleAdmin, ed.ID, auth.RoleOwner) }, auth.ErrOwnersOnly},
		{"admin removes the owner", func() error { return svc.RemoveMember(ctx, org, auth.RoleAdmin, owner.ID) }, auth.ErrOwnersOnly},
		{"editor changes roles", func() error { return svc.SetMemberRole(ctx, org, auth.RoleEditor, ed.ID, auth.RoleViewer) }, auth.ErrOwnersOnly},
		{"last owner demoted", func() error { return svc.SetMemberRole(ctx, org, auth.RoleOwner, owner.ID, auth.RoleAdmin) }, auth.ErrLastOwner},
		{"last owner removed", func() error { return svc.RemoveMember(ctx, org, auth.RoleOwner, owner.ID) }, auth.ErrLastOwner},
		{"admin demotes an editor", func() error { return svc.SetMemberRole(ctx, org, auth.RoleAdmin, ed.ID, auth.RoleViewer) }, nil},
		{"owner promotes an admin", func() error { return svc.SetMemberRole(ctx, org, auth.RoleOwner, admin.ID, auth.RoleOwner) }, nil},
		{"no longer the last owner", func() error { return svc.SetMemberRole(ctx, org, auth.RoleOwner, owner.ID, auth.RoleAdmin) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Removing a member ends their sessions there and voids their tokens.
	tok, _, err := svc.CreateAPIToken(ctx, auth.CreateAPITokenInput{OrgID: org, Name: "ed", Scope: auth.ScopeWrite, CreatedBy: ed.ID, CreatorRole: auth.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.VerifyAPIToken(ctx, tok); err != nil || got.Role != auth.RoleViewer {
		t.Fatalf("token before removal: %+v %v", got, err)
	}
	if err := svc.RemoveMember(ctx, org, auth.RoleAdmin, ed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.VerifyAPIToken(ctx, tok); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("a removed member's token: %v", err)
	}
	if err := svc.RemoveMember(ctx, org, auth.RoleOwner, ed.ID); !errors.Is(err, auth.ErrNotMember) {
		t.Errorf("removing twice: %v", err)
	}
}
