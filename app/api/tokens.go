package api

import (
	"net/http"
	"time"

	"statusthing/app/auth"
	"statusthing/app/monitor"
)

// tokenJSON is an API token without its secret.
type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // the secret's first characters, to tell tokens apart
	Scope      auth.Scope `json:"scope"`
	Role       auth.Role  `json:"role"`
	Active     bool       `json:"active"` // neither revoked nor expired
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// createdTokenJSON is the answer of a creation: the only time the secret is shown.
type createdTokenJSON struct {
	tokenJSON
	Token string `json:"token"`
}

// tokenInput is the body of a token creation. expires_at and expires_in are alternatives;
// neither: the token does not expire.
type tokenInput struct {
	Name      string           `json:"name"`
	Scope     auth.Scope       `json:"scope"`
	Role      auth.Role        `json:"role,omitempty"`
	ExpiresAt *time.Time       `json:"expires_at,omitempty"`
	ExpiresIn monitor.Duration `json:"expires_in,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (h *Handler) tokenJSON(t auth.APIToken) tokenJSON {
	now := h.now()
	return tokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scope: t.Scope, Role: t.Role,
		Active:    t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)),
		CreatedAt: t.CreatedAt.UTC(), ExpiresAt: optTime(t.ExpiresAt), LastUsedAt: optTime(t.LastUsedAt),
		RevokedAt: optTime(t.RevokedAt)}
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "tokens")
	if err != nil {
		return err
	}
	rows, err := h.auth.ListAPITokens(r.Context(), c.org, lq.cursor.id, lq.from, lq.to, lq.limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(t auth.APIToken) cursor { return cursor{list: "tokens", id: t.ID} }, h.tokenJSON))
	return nil
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, c *call) error {
	var in tokenInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	if in.ExpiresAt != nil && in.ExpiresIn != 0 {
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, "expires_in", "set expires_at or expires_in, not both")
	}
	if in.Scope == "" { // no default: a token's power is chosen, not implied
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, "scope", "is required: read or write")
	}
	create := auth.CreateAPITokenInput{OrgID: c.org, Name: in.Name, Scope: in.Scope, Role: in.Role,
		CreatorRole: c.token.Role, CreatedBy: c.token.CreatedBy}
	switch {
	case in.ExpiresAt != nil:
		create.ExpiresAt = *in.ExpiresAt
	case in.ExpiresIn != 0:
		create.ExpiresAt = h.now().Add(time.Duration(in.ExpiresIn))
	}
	secret, t, err := h.auth.CreateAPIToken(r.Context(), create)
	if err != nil {
		return err
	}
	h.log.Info("api token created", "token_id", t.ID, "scope", t.Scope, "by_token_id", c.token.ID)
	writeJSON(w, http.StatusCreated, createdTokenJSON{tokenJSON: h.tokenJSON(t), Token: secret})
	return nil
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.auth.RevokeAPIToken(r.Context(), c.org, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
