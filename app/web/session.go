package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"statusthing/app/auth"
)

const (
	sessionCookie = "statusthing_session"
	// anonCookie binds CSRF tokens of forms shown before login (login, setup).
	anonCookie = "statusthing_csrf"
)

func identityOf(r *http.Request) (auth.Identity, bool) {
	id, ok := r.Context().Value(ctxIdentity).(auth.Identity)
	return id, ok
}

// setCookie writes an HttpOnly, SameSite=Lax cookie, Secure whenever the browser uses HTTPS.
// maxAge < 0 deletes it; 0 makes a browser-session cookie.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   infoOf(r).secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// csrfBinding is what a form's CSRF token is tied to: the session when there is a session
// cookie, else the anonymous cookie.
func csrfBinding(r *http.Request) string {
	if v := cookieValue(r, sessionCookie); v != "" {
		return v
	}
	return cookieValue(r, anonCookie)
}

// csrfFor returns the CSRF token for the forms of the page being rendered, creating the
// anonymous binding cookie when the browser has neither cookie yet.
func (h *Handler) csrfFor(w http.ResponseWriter, r *http.Request) string {
	binding := csrfBinding(r)
	if binding == "" {
		binding = auth.NewSecret()
		setCookie(w, r, anonCookie, binding, 0)
		// Later reads in this request must see the same binding.
		r.AddCookie(&http.Cookie{Name: anonCookie, Value: binding})
	}
	return h.auth.CSRFToken(binding)
}

// requireUser lets only logged-in users through; others go to the login page and come back.
func (h *Handler) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := h.auth.Authenticate(r.Context(), cookieValue(r, sessionCookie))
		if err != nil {
			if !errors.Is(err, auth.ErrSessionInvalid) {
				h.fail(w, r, http.StatusInternalServerError, err)
				return
			}
			if cookieValue(r, sessionCookie) != "" {
				setCookie(w, r, sessionCookie, "", -1)
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				h.fail(w, r, http.StatusForbidden, nil)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		// Never cache authenticated pages in shared caches or the back-forward cache.
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxIdentity, id)))
	})
}

// safeNext keeps only local paths, so the login form cannot redirect to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/admin"
	}
	return next
}
