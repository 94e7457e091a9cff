package web

import (
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"rsc.io/qr"

	"statusthing/app/auth"
	"statusthing/views"
)

// settingsState is what a request adds to the settings page: a flash (a catalog key), a
// refused form with its values and errors, recovery codes just made (shown this once).
type settingsState struct {
	flash           string
	err             string
	profile         *profileForm
	passwordErrors  map[string]string
	twoFactorErrors map[string]string
	recoveryCodes   []string
	deleteOrgErr    string
}

// profileForm is a refused profile form: what was posted and why it was refused.
type profileForm struct {
	auth.Profile
	errors map[string]string
}

// settingsFlash is the catalog key of the message for ?saved=, or "".
func settingsFlash(saved string) string {
	switch saved {
	case "1":
		return "settings.saved"
	case "password", "sessions", "totp_off", "totp_cancel":
		return "profile.flash." + saved
	case "org_deleted":
		return "settings.org_deleted"
	}
	return ""
}

// translated is the message of key, or "" for no key.
func translated(t func(string, ...any) string, key string) string {
	if key == "" {
		return ""
	}
	return t(key)
}

// userLocation is the time zone the user chose, or nil (UTC).
func userLocation(r *http.Request) *time.Location {
	id, ok := identityOf(r)
	if !ok || id.User.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(id.User.TimeZone)
	if err != nil {
		return nil // validated when saved; a zone gone from the system's database shows UTC
	}
	return loc
}

// profileSection builds the user's own cards of the settings page.
func (h *Handler) profileSection(r *http.Request, id auth.Identity, st settingsState, t func(string, ...any) string) (views.ProfileSection, error) {
	ctx := r.Context()
	u := id.User
	p := auth.Profile{Name: u.Name, Email: u.Email, Locale: u.Locale, TimeZone: u.TimeZone}
	sec := views.ProfileSection{PasswordHint: t("setup.password_hint", auth.MinPasswordLength), PasswordErrors: st.passwordErrors}
	if st.profile != nil {
		p, sec.Errors = st.profile.Profile, st.profile.errors
	}
	sec.Name, sec.Email, sec.TimeZone = p.Name, p.Email, p.TimeZone
	sec.Languages = languageOptions(h.catalogs.Languages(), p.Locale, t("settings.language_auto"))
	others, err := h.auth.OtherSessions(ctx, id)
	if err != nil {
		return sec, err
	}
	sec.OtherSessions = others
	status, err := h.auth.TOTPStatus(ctx, u)
	if err != nil {
		return sec, err
	}
	sec.TwoFactor = views.TwoFactorSection{Enabled: status.Enabled, Errors: st.twoFactorErrors, RecoveryCodes: st.recoveryCodes}
	if status.Enabled {
		sec.TwoFactor.Status = t("profile.totp_on", h.formatter(r).stamp(status.EnabledAt), status.RecoveryCodesLeft)
	}
	if status.Pending != nil {
		sec.TwoFactor.PendingURI, sec.TwoFactor.PendingSecret = status.Pending.URI, status.Pending.Secret
		sec.TwoFactor.PendingQR = qrDataURL(status.Pending.URI)
	}
	return sec, nil
}

// profileErrors maps a refused profile, password or two-factor change onto the page: the
// status, errors by field, and a message for the page as a whole. ok is false for an
// unexpected error.
func profileErrors(err error, t func(string, ...any) string) (status int, fields map[string]string, general string, ok bool) {
	var throttled *auth.ThrottledError
	var ve *auth.ValidationError
	switch {
	case errors.As(err, &throttled):
		wait := max(throttled.RetryAfter.Round(time.Second), time.Second)
		return http.StatusTooManyRequests, nil, t("login.error.throttled", wait.String()), true
	case errors.Is(err, auth.ErrEmailTaken):
		return http.StatusUnprocessableEntity, map[string]string{"email": t("profile.error.email_taken")}, "", true
	case errors.Is(err, auth.ErrNoTOTPSetup):
		return http.StatusConflict, map[string]string{"": t("profile.error.no_setup")}, "", true
	case errors.As(err, &ve):
		msg := ve.Error()
		switch ve.Field {
		case "name":
			msg = t("profile.error.name")
		case "email":
			msg = t("setup.error.email")
		case "locale":
			msg = t("settings.error.locale")
		case "time_zone":
			msg = t("profile.error.time_zone")
		case "current_password":
			msg = t("profile.error.current_password")
		case "new_password":
			msg = t("setup.error.password", auth.MinPasswordLength)
		case "code":
			msg = t("profile.error.code")
		}
		return http.StatusUnprocessableEntity, map[string]string{ve.Field: msg}, "", true
	}
	return 0, nil, "", false
}

// saveProfile changes name, e-mail, language and time zone. A field the form lacks keeps
// its value, so a form may change only some of them.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	form := r.PostForm
	p := auth.Profile{Name: id.User.Name, Email: id.User.Email, Locale: id.User.Locale, TimeZone: id.User.TimeZone}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"name", &p.Name}, {"email", &p.Email}, {"locale", &p.Locale}, {"time_zone", &p.TimeZone}} {
		if form.Has(f.name) {
			*f.dst = form.Get(f.name)
		}
	}
	t := h.catalogs.Translator(h.lang(r))
	var err error
	if p.Locale != "" && !h.catalogs.Supported(p.Locale) {
		err = &auth.ValidationError{Field: "locale", Message: "is not a supported language"}
	} else {
		err = h.auth.UpdateProfile(r.Context(), auth.ProfileInput{UserID: id.User.ID, Profile: p,
			CurrentPassword: form.Get("current_password"), IP: infoOf(r).ip})
	}
	if err != nil {
		status, fields, general, ok := profileErrors(err, t)
		if !ok {
			h.serviceError(w, r, err)
			return
		}
		h.renderSettings(w, r, status, settingsState{err: general, profile: &profileForm{Profile: p, errors: fields}})
		return
	}
	http.Redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
}

// changePassword changes the password with the current one; the user's other sessions end.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	_, err := h.auth.ChangePassword(r.Context(), auth.ChangePasswordInput{UserID: id.User.ID, SessionID: id.Session.ID,
		CurrentPassword: r.PostForm.Get("current_password"), NewPassword: r.PostForm.Get("new_password"), IP: infoOf(r).ip})
	if err != nil {
		status, fields, general, ok := profileErrors(err, h.catalogs.Translator(h.lang(r)))
		if !ok {
			h.serviceError(w, r, err)
			return
		}
		h.renderSettings(w, r, status, settingsState{err: general, passwordErrors: fields})
		return
	}
	http.Redirect(w, r, "/admin/settings?saved=password", http.StatusSeeOther)
}

// logoutOtherSessions ends the user's sessions but this one.
func (h *Handler) logoutOtherSessions(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	if _, err := h.auth.LogoutOtherSessions(r.Context(), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?saved=sessions", http.StatusSeeOther)
}

// totpStart begins a two-factor enrolment: the settings page then shows its secret.
func (h *Handler) totpStart(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	if _, err := h.auth.BeginTOTP(r.Context(), id.User); err != nil && !errors.Is(err, auth.ErrTOTPEnabled) {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings#two-factor", http.StatusSeeOther)
}

// totpConfirm turns two-factor login on with a first code and shows the recovery codes,
// once: the answer is the page itself, not a redirect.
func (h *Handler) totpConfirm(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	codes, err := h.auth.ConfirmTOTP(r.Context(), id.User, r.PostForm.Get("code"))
	h.twoFactorDone(w, r, err, "", settingsState{recoveryCodes: codes})
}

// totpCancel drops a pending enrolment.
func (h *Handler) totpCancel(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	h.twoFactorDone(w, r, h.auth.CancelTOTP(r.Context(), id.User), "totp_cancel", settingsState{})
}

// totpDisable turns two-factor login off with the password and a code.
func (h *Handler) totpDisable(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	err := h.auth.DisableTOTP(r.Context(), auth.DisableTOTPInput{UserID: id.User.ID, Password: r.PostForm.Get("current_password"),
		Code: r.PostForm.Get("code"), IP: infoOf(r).ip})
	h.twoFactorDone(w, r, err, "totp_off", settingsState{})
}

// totpRecoveryCodes replaces the recovery codes (password and a code) and shows the new
// ones, once.
func (h *Handler) totpRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	codes, err := h.auth.RegenerateRecoveryCodes(r.Context(), auth.DisableTOTPInput{UserID: id.User.ID,
		Password: r.PostForm.Get("current_password"), Code: r.PostForm.Get("code"), IP: infoOf(r).ip})
	h.twoFactorDone(w, r, err, "", settingsState{recoveryCodes: codes})
}

// twoFactorDone answers a two-factor change: the page with the refusal, a redirect with
// ?saved=saved, or (saved "") the page with ok's state.
func (h *Handler) twoFactorDone(w http.ResponseWriter, r *http.Request, err error, saved string, ok settingsState) {
	switch {
	case errors.Is(err, auth.ErrTOTPEnabled):
		http.Redirect(w, r, "/admin/settings", http.StatusSeeOther) // on already: nothing to do
	case err != nil:
		status, fields, general, known := profileErrors(err, h.catalogs.Translator(h.lang(r)))
		if !known {
			h.serviceError(w, r, err)
			return
		}
		h.renderSettings(w, r, status, settingsState{err: general, twoFactorErrors: fields})
	case saved != "":
		http.Redirect(w, r, "/admin/settings?saved="+saved, http.StatusSeeOther)
	default:
		h.renderSettings(w, r, http.StatusOK, ok)
	}
}

// renderLoginTOTP shows the second step of a login.
func (h *Handler) renderLoginTOTP(w http.ResponseWriter, r *http.Request, status int, pending, next, errMsg string) {
	p := h.page(r, "login.totp.title")
	p.CSRF = h.csrfFor(w, r)
	h.render(w, r, status, views.LoginTOTP(views.LoginTOTPPage{Page: p, Pending: pending, Next: next, Error: errMsg}))
}

// loginTOTPSubmit finishes a login with a code from the app or a recovery code.
func (h *Handler) loginTOTPSubmit(w http.ResponseWriter, r *http.Request) {
	pending, next := r.PostForm.Get("pending"), r.PostForm.Get("next")
	token, _, err := h.auth.LoginSecondFactor(r.Context(), auth.SecondFactorInput{
		Pending:       pending,
		Code:          r.PostForm.Get("code"),
		IP:            infoOf(r).ip,
		UserAgent:     r.UserAgent(),
		PreviousToken: cookieValue(r, sessionCookie),
	})
	t := h.catalogs.Translator(h.lang(r))
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		wait := h.throttled(w, r, throttled)
		h.renderLoginTOTP(w, r, http.StatusTooManyRequests, pending, next, t("login.error.throttled", wait.String()))
	case errors.Is(err, auth.ErrInvalidCode):
		h.log.Info("login second factor failed", "ip", infoOf(r).ip)
		h.renderLoginTOTP(w, r, http.StatusUnauthorized, pending, next, t("login.error.code"))
	case errors.Is(err, auth.ErrLoginExpired):
		h.renderLogin(w, r, http.StatusUnauthorized, "", next, t("login.error.expired"))
	case errors.Is(err, auth.ErrInvalidCredentials):
		h.renderLogin(w, r, http.StatusUnauthorized, "", next, t("login.error.invalid"))
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, err)
	default:
		h.startSession(w, r, token)
		http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	}
}

// qrDataURL draws text as a QR code, a data: PNG URL for an <img> (the CSP allows data:
// images); "" when it cannot be encoded. The text is an otpauth:// URI of our making.
func qrDataURL(text string) templ.SafeURL {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return ""
	}
	code.Scale = 4
	return templ.SafeURL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG()))
}
