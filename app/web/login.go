package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"time"

	"statusthing/app/auth"
	"statusthing/views"
)

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, err := h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie)); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, http.StatusOK, "", r.URL.Query().Get("next"), "")
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, next, errMsg string) {
	p := h.page(r, "login.title")
	p.CSRF = h.csrfFor(w, r)
	h.render(w, r, status, views.Login(views.LoginPage{Page: p, Email: email, Next: next, Error: errMsg}))
}

func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	email, next := r.PostForm.Get("email"), r.PostForm.Get("next")
	token, _, err := h.auth.Login(r.Context(), auth.LoginInput{
		Email:         email,
		Password:      r.PostForm.Get("password"),
		IP:            infoOf(r).ip,
		UserAgent:     r.UserAgent(),
		PreviousToken: cookieValue(r, sessionCookie),
	})
	t := h.catalogs.Translator(h.lang(r))
	var throttled *auth.ThrottledError
	var second *auth.SecondFactorRequired
	switch {
	case errors.As(err, &second):
		h.renderLoginTOTP(w, r, http.StatusOK, second.Pending, next, "")
	case errors.As(err, &throttled):
		wait := h.throttled(w, r, throttled)
		h.renderLogin(w, r, http.StatusTooManyRequests, email, next, t("login.error.throttled", wait.String()))
	case errors.Is(err, auth.ErrInvalidCredentials):
		h.log.Info("login failed", "ip", infoOf(r).ip)
		h.renderLogin(w, r, http.StatusUnauthorized, email, next, t("login.error.invalid"))
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, err)
	default:
		h.startSession(w, r, token)
		http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	}
}

// throttled answers a throttled login attempt's Retry-After and logs it; it returns the
// wait, for the page to tell.
func (h *Handler) throttled(w http.ResponseWriter, r *http.Request, t *auth.ThrottledError) time.Duration {
	wait := max(t.RetryAfter.Round(time.Second), time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
	h.log.Warn("login throttled", "ip", infoOf(r).ip)
	return wait
}

// startSession sets the session cookie. It lives as long as the server-side session may.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, token string) {
	setCookie(w, r, sessionCookie, token, int(h.auth.SessionLifetime().Seconds()))
	setCookie(w, r, anonCookie, "", -1)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.auth.Logout(r.Context(), cookieValue(r, sessionCookie)); err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setupAllowed checks the one-time token and that no account exists yet. It renders the
// refusal itself and reports false when setup must not go on.
func (h *Handler) setupAllowed(w http.ResponseWriter, r *http.Request, token string) bool {
	needed, err := h.auth.NeedsSetup(r.Context())
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return false
	}
	p := h.page(r, "")
	if !needed {
		msg := views.MessagePage{Page: p, Heading: p.T("setup.closed.title"), Message: p.T("setup.closed.body"),
			LinkURL: "/login", LinkLabel: p.T("error.go_login")}
		msg.Title = msg.Heading
		h.render(w, r, http.StatusGone, views.Message(msg))
		return false
	}
	if h.setup == "" || subtle.ConstantTimeCompare([]byte(token), []byte(h.setup)) != 1 {
		msg := views.MessagePage{Page: p, Heading: p.T("setup.invalid.title"), Message: p.T("setup.invalid.body")}
		msg.Title = msg.Heading
		h.render(w, r, http.StatusNotFound, views.Message(msg))
		return false
	}
	return true
}

func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if !h.setupAllowed(w, r, token) {
		return
	}
	h.renderSetup(w, r, http.StatusOK, views.SetupPage{Token: token})
}

func (h *Handler) renderSetup(w http.ResponseWriter, r *http.Request, status int, sp views.SetupPage) {
	sp.Page = h.page(r, "setup.title")
	sp.PasswordHint = sp.T("setup.password_hint", auth.MinPasswordLength)
	sp.CSRF = h.csrfFor(w, r)
	h.render(w, r, status, views.Setup(sp))
}

func (h *Handler) setupSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("token")
	if !h.setupAllowed(w, r, token) {
		return
	}
	in := auth.SetupInput{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password"), OrgName: r.PostForm.Get("org_name")}
	sp := views.SetupPage{Token: token, Email: in.Email, OrgName: in.OrgName}
	_, err := h.auth.Setup(r.Context(), in)
	var ve *auth.ValidationError
	switch {
	case errors.As(err, &ve):
		sp.Errors = fieldErrors(err, h.catalogs.Translator(h.lang(r)))
		h.renderSetup(w, r, http.StatusUnprocessableEntity, sp)
		return
	case errors.Is(err, auth.ErrSetupDone):
		h.setupAllowed(w, r, token) // renders "setup is complete"
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	sessionToken, _, err := h.auth.Login(r.Context(), auth.LoginInput{
		Email: in.Email, Password: in.Password, IP: infoOf(r).ip, UserAgent: r.UserAgent(),
	})
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	h.startSession(w, r, sessionToken)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, http.StatusNotFound, nil)
}

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := h.health.Ping(r.Context()); err != nil {
		h.log.Error("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
