package api

import (
	"errors"
	"net/http"
	"time"

	"statusthing/app/auth"
)

// codeMembership answers a member change that would leave the organization without an
// owner, or invites a member again (409).
const codeMembership = "membership_conflict"

// memberJSON is a member of the token's organization.
type memberJSON struct {
	UserID   int64     `json:"user_id"`
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// memberInput changes a member's role.
type memberInput struct {
	Role auth.Role `json:"role"`
}

// invitationJSON is an invitation (never its token).
type invitationJSON struct {
	ID         int64      `json:"id"`
	Email      string     `json:"email"`
	Role       auth.Role  `json:"role"`
	State      string     `json:"state"` // pending | accepted | revoked | expired
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
}

// createdInvitationJSON is the answer of an invitation: the only time its link is shown.
type createdInvitationJSON struct {
	invitationJSON
	Link string `json:"link"`
}

// invitationInput invites someone.
type invitationInput struct {
	Email string    `json:"email"`
	Role  auth.Role `json:"role"`
}

// organizationJSON is the token's organization.
type organizationJSON struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func memberOut(m auth.Member) memberJSON {
	return memberJSON{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: m.Role, JoinedAt: m.JoinedAt.UTC()}
}

func (h *Handler) invitationOut(inv auth.Invitation) invitationJSON {
	state := "pending"
	switch now := h.now(); {
	case !inv.AcceptedAt.IsZero():
		state = "accepted"
	case !inv.RevokedAt.IsZero():
		state = "revoked"
	case !now.Before(inv.ExpiresAt):
		state = "expired"
	}
	return invitationJSON{ID: inv.ID, Email: inv.Email, Role: inv.Role, State: state, CreatedAt: inv.CreatedAt.UTC(),
		ExpiresAt: inv.ExpiresAt.UTC(), AcceptedAt: optTime(inv.AcceptedAt)}
}

// memberFailure maps the refusals of member changes.
func memberFailure(err error) error {
	switch {
	case errors.Is(err, auth.ErrOwnersOnly):
		return newError(http.StatusForbidden, codeInsufficient, err.Error())
	case errors.Is(err, auth.ErrLastOwner), errors.Is(err, auth.ErrAlreadyMember):
		return newError(http.StatusConflict, codeMembership, err.Error())
	case errors.Is(err, auth.ErrNotMember):
		return notFound("member")
	}
	return err
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	members, err := h.auth.Members(r.Context(), c.org)
	if err != nil {
		return err
	}
	out := []memberJSON{}
	for _, m := range members {
		out = append(out, memberOut(m))
	}
	writeJSON(w, http.StatusOK, page[memberJSON]{Items: out})
	return nil
}

func (h *Handler) patchMember(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in memberInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	if err := h.auth.SetMemberRole(r.Context(), c.org, c.token.Role, id, in.Role); err != nil {
		return memberFailure(err)
	}
	return h.writeMember(w, r, c, id)
}

// writeMember answers the member id of the organization (404 when it is none).
func (h *Handler) writeMember(w http.ResponseWriter, r *http.Request, c *call, id int64) error {
	members, err := h.auth.Members(r.Context(), c.org)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.UserID == id {
			writeJSON(w, http.StatusOK, memberOut(m))
			return nil
		}
	}
	return notFound("member")
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.auth.RemoveMember(r.Context(), c.org, c.token.Role, id); err != nil {
		return memberFailure(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request, c *call) error {
	invs, err := h.auth.Invitations(r.Context(), c.org)
	if err != nil {
		return err
	}
	out := []invitationJSON{}
	for _, inv := range invs {
		out = append(out, h.invitationOut(inv))
	}
	writeJSON(w, http.StatusOK, page[invitationJSON]{Items: out})
	return nil
}

func (h *Handler) createInvitation(w http.ResponseWriter, r *http.Request, c *call) error {
	var in invitationInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	token, inv, err := h.auth.Invite(r.Context(), auth.InviteInput{OrgID: c.org, Email: in.Email, Role: in.Role,
		ByUserID: c.token.CreatedBy, ByRole: c.token.Role})
	if err != nil {
		return memberFailure(err)
	}
	w.Header().Set("Location", h.baseURL+apiPrefix+"/invitations")
	writeJSON(w, http.StatusCreated, createdInvitationJSON{invitationJSON: h.invitationOut(inv), Link: h.baseURL + "/invite/" + token})
	return nil
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.auth.RevokeInvitation(r.Context(), c.org, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getOrganization(w http.ResponseWriter, r *http.Request, c *call) error {
	o, err := h.auth.Organization(r.Context(), c.org)
	if err != nil {
		return memberFailure(err)
	}
	writeJSON(w, http.StatusOK, organizationJSON{ID: o.ID, Slug: o.Slug, Name: o.Name, CreatedAt: o.CreatedAt.UTC()})
	return nil
}

// organizationDeleteInput confirms deleting the token's organization.
type organizationDeleteInput struct {
	Confirm string `json:"confirm"`
}

func (h *Handler) deleteOrganization(w http.ResponseWriter, r *http.Request, c *call) error {
	var in organizationDeleteInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	o, err := h.auth.Organization(r.Context(), c.org)
	if err != nil {
		return memberFailure(err)
	}
	if in.Confirm != o.Slug {
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, "confirm", "must be the organization's slug, "+o.Slug)
	}
	if err := h.monitors.DeleteOrganization(r.Context(), c.org); err != nil {
		if errors.Is(err, auth.ErrLastOrganization) {
			return newError(http.StatusConflict, codeMembership, err.Error())
		}
		return err
	}
	h.log.Info("organization deleted through the API", "org_id", c.org, "token_id", c.token.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
