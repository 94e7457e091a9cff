package web

import (
	"errors"
	"net/http"
	"strconv"

	"statusthing/app/auth"
	"statusthing/views"
)

func (h *Handler) membersPage(w http.ResponseWriter, r *http.Request) {
	h.renderMembers(w, r, http.StatusOK, views.MembersPage{})
}

// renderMembers shows the members page; page carries what the request adds (a flash, the
// link of a new invitation, a refused invitation).
func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, status int, page views.MembersPage) {
	ctx := r.Context()
	id, _ := identityOf(r)
	org := id.Org()
	members, err := h.auth.Members(ctx, org.OrgID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	invitations, err := h.auth.Invitations(ctx, org.OrgID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	page.Shell = h.shell(w, r, sectionSettings)
	page.Title = f.t("members.title")
	switch done := r.URL.Query().Get("done"); done {
	case "role", "removed", "revoked":
		page.Flash = f.t("members.flash." + done)
	}
	grantable := func(selected auth.Role) []views.Option {
		var out []views.Option
		for _, role := range auth.Roles() {
			if org.Role.CanGrant(role) {
				out = append(out, views.Option{Value: string(role), Label: f.t("role." + string(role)), Selected: role == selected})
			}
		}
		return out
	}
	page.Roles = grantable(auth.RoleViewer)
	for _, m := range members {
		row := views.MemberRow{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: f.t("role." + string(m.Role)),
			RoleValue: string(m.Role), Joined: f.stamp(m.JoinedAt), You: m.UserID == id.User.ID,
			Editable: org.Role.CanGrant(m.Role)}
		if row.Editable {
			row.Roles = grantable(m.Role)
		}
		page.Members = append(page.Members, row)
	}
	now := h.now()
	for _, inv := range invitations {
		row := views.InvitationRow{ID: inv.ID, Email: inv.Email, Role: f.t("role." + string(inv.Role)), Pending: inv.Pending(now)}
		switch {
		case !inv.AcceptedAt.IsZero():
			row.State = f.t("members.invitation.accepted", f.stamp(inv.AcceptedAt))
		case !inv.RevokedAt.IsZero():
			row.State = f.t("members.invitation.revoked")
		case !now.Before(inv.ExpiresAt):
			row.State = f.t("members.invitation.expired")
		default:
			row.State = f.t("members.invitation.pending", f.stamp(inv.ExpiresAt))
		}
		page.Invitations = append(page.Invitations, row)
	}
	h.render(w, r, status, views.Members(page))
}

// memberError is the message of a refused member change, or "" for an unexpected error.
func memberError(f formatter, err error) string {
	for _, known := range []struct {
		err error
		key string
	}{{auth.ErrOwnersOnly, "members.error.owners_only"}, {auth.ErrLastOwner, "members.error.last_owner"},
		{auth.ErrAlreadyMember, "members.error.already_member"}, {auth.ErrNotMember, "members.error.not_member"}} {
		if errors.Is(err, known.err) {
			return f.t(known.key)
		}
	}
	var ve *auth.ValidationError
	if errors.As(err, &ve) {
		return f.t("members.error.invalid", ve.Field)
	}
	return ""
}

func (h *Handler) memberInvite(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	email := r.PostForm.Get("email")
	token, _, err := h.auth.Invite(r.Context(), auth.InviteInput{OrgID: id.Session.OrgID, Email: email,
		Role: auth.Role(r.PostForm.Get("role")), ByUserID: id.User.ID, ByRole: id.Org().Role})
	if err != nil {
		msg := memberError(h.formatter(r), err)
		if msg == "" {
			h.serviceError(w, r, err)
			return
		}
		h.renderMembers(w, r, http.StatusUnprocessableEntity, views.MembersPage{InviteEmail: email, InviteError: msg})
		return
	}
	f := h.formatter(r)
	link := h.absolute("/invite/" + token)
	page := views.MembersPage{Flash: f.t("members.flash.invited", email), InviteLink: link}
	if h.notes != nil {
		org := id.Org()
		err := h.notes.SendNote(r.Context(), email, f.t("invite.mail.subject", org.OrgName),
			f.t("invite.mail.body", id.User.Email, org.OrgName, f.t("role."+r.PostForm.Get("role")), link))
		if err != nil {
			h.log.Warn("invitation mail", "err", err)
			page.Flash, page.FlashError = f.t("members.flash.mail_failed", email), true
		} else {
			page.Flash = f.t("members.flash.mailed", email)
		}
	}
	h.renderMembers(w, r, http.StatusOK, page)
}

// memberChange runs a change on the member {id} and goes back to the list.
func (h *Handler) memberChange(change func(r *http.Request, id auth.Identity, userID int64) error, done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		userID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			h.fail(w, r, http.StatusNotFound, nil)
			return
		}
		id, _ := identityOf(r)
		if err := change(r, id, userID); err != nil {
			msg := memberError(h.formatter(r), err)
			if msg == "" {
				h.serviceError(w, r, err)
				return
			}
			status := http.StatusUnprocessableEntity
			if errors.Is(err, auth.ErrNotMember) {
				status = http.StatusNotFound
			}
			h.renderMembers(w, r, status, views.MembersPage{Flash: msg, FlashError: true})
			return
		}
		http.Redirect(w, r, "/admin/settings/members?done="+done, http.StatusSeeOther)
	}
}

func (h *Handler) memberRole(r *http.Request, id auth.Identity, userID int64) error {
	return h.auth.SetMemberRole(r.Context(), id.Session.OrgID, id.Org().Role, userID, auth.Role(r.PostForm.Get("role")))
}

func (h *Handler) memberRemove(r *http.Request, id auth.Identity, userID int64) error {
	return h.auth.RemoveMember(r.Context(), id.Session.OrgID, id.Org().Role, userID)
}

func (h *Handler) invitationRevoke(w http.ResponseWriter, r *http.Request) {
	invID, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	if err := h.auth.RevokeInvitation(r.Context(), orgOf(r), invID); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings/members?done=revoked", http.StatusSeeOther)
}

// inviteShow opens an invitation link: join as the logged-in user, or create an account.
func (h *Handler) inviteShow(w http.ResponseWriter, r *http.Request) {
	h.renderInvite(w, r, http.StatusOK, nil)
}

func (h *Handler) renderInvite(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	token := r.PathValue("token")
	p := h.page(r, "invite.page_title")
	p.CSRF = h.csrfFor(w, r)
	page := views.InvitePage{Page: p, Action: "/invite/" + token, Errors: errs}
	inv, err := h.auth.PendingInvitation(r.Context(), token)
	if errors.Is(err, auth.ErrInvitationInvalid) {
		page.Invalid = true
		h.render(w, r, http.StatusNotFound, views.Invite(page))
		return
	}
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	// Shared links must not leak the token through Referer or caches.
	w.Header().Set("Cache-Control", "no-store")
	page.OrgName, page.Role, page.Email = inv.OrgName, p.T("role."+string(inv.Role)), inv.Email
	_, aerr := h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie))
	page.LoggedIn = aerr == nil
	h.render(w, r, status, views.Invite(page))
}

// inviteAccept uses the invitation: the logged-in user joins, or a new account is made
// and logged in.
func (h *Handler) inviteAccept(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	f := h.formatter(r)
	in := auth.AcceptInput{Token: token}
	if id, err := h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie)); err == nil {
		in.UserID = id.User.ID
	} else {
		in.Name, in.Password = r.PostForm.Get("name"), r.PostForm.Get("password")
	}
	u, inv, err := h.auth.AcceptInvitation(r.Context(), in)
	var ve *auth.ValidationError
	switch {
	case errors.As(err, &ve) && ve.Field == "password":
		h.renderInvite(w, r, http.StatusUnprocessableEntity, map[string]string{"password": f.t("setup.error.password", auth.MinPasswordLength)})
		return
	case errors.Is(err, auth.ErrEmailTaken):
		h.renderInvite(w, r, http.StatusUnprocessableEntity, map[string]string{"form": f.t("invite.error.email_taken")})
		return
	case errors.Is(err, auth.ErrAlreadyMember):
		h.renderInvite(w, r, http.StatusUnprocessableEntity, map[string]string{"form": f.t("members.error.already_member")})
		return
	case errors.Is(err, auth.ErrInvitationInvalid):
		h.renderInvite(w, r, http.StatusNotFound, nil)
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if in.UserID != 0 {
		// Read again: the identity now has the new membership.
		id, err := h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie))
		if err == nil {
			err = h.auth.SwitchOrganization(r.Context(), id, inv.OrgID)
		}
		if err != nil {
			h.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	sessionToken, _, err := h.auth.Login(r.Context(), auth.LoginInput{Email: u.Email, Password: in.Password, IP: infoOf(r).ip,
		UserAgent: r.UserAgent(), PreviousToken: cookieValue(r, sessionCookie)})
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	h.startSession(w, r, sessionToken)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// switchOrganization moves the session to another of the user's organizations.
func (h *Handler) switchOrganization(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	orgID, _ := strconv.ParseInt(r.PostForm.Get("org"), 10, 64)
	if err := h.auth.SwitchOrganization(r.Context(), id, orgID); err != nil {
		if errors.Is(err, auth.ErrNotMember) {
			h.fail(w, r, http.StatusNotFound, nil) // not theirs: as if it did not exist
			return
		}
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
