package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"statusthing/app/auth"
	"statusthing/views"
)

// render writes a full page. It renders into a buffer first so a failing template becomes a
// clean error page instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		h.log.Error("render page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail is the one error path of HTML handlers: it logs err (if any) and shows a generic page
// for status; internal details never reach the browser.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if err != nil {
		h.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	p := h.page(r, "")
	msg := views.MessagePage{Page: p}
	switch status {
	case http.StatusNotFound:
		msg.Heading, msg.Message = p.T("error.not_found.title"), p.T("error.not_found.body")
	case http.StatusForbidden:
		msg.Heading, msg.Message = p.T("error.forbidden.title"), p.T("error.forbidden.body")
	case http.StatusTooManyRequests:
		msg.Heading = p.T("error.too_many.title")
	default:
		msg.Heading, msg.Message = p.T("error.internal.title"), p.T("error.internal.body")
		if status < 500 {
			msg.Heading, msg.Message = http.StatusText(status), ""
		}
	}
	msg.Title = msg.Heading
	if _, ok := identityOf(r); ok {
		msg.LinkURL, msg.LinkLabel = "/admin", p.T("error.go_home")
	} else {
		msg.LinkURL, msg.LinkLabel = "/login", p.T("error.go_login")
	}
	h.render(w, r, status, views.Message(msg))
}

// lang picks the page language: the user's setting, else the browser's.
func (h *Handler) lang(r *http.Request) string {
	setting := ""
	if id, ok := identityOf(r); ok {
		setting = id.User.Locale
	}
	return h.catalogs.Negotiate(setting, r.Header.Get("Accept-Language"))
}

// page builds the layout model shared by every page. CSRF is filled by pages with forms.
func (h *Handler) page(r *http.Request, titleKey string) views.Page {
	lang := h.lang(r)
	t := h.catalogs.Translator(lang)
	p := views.Page{Lang: lang, T: t, CSSURL: h.assets.URL("app.css"), IconURL: h.assets.URL("logo.svg")}
	if titleKey != "" {
		p.Title = t(titleKey)
	}
	return p
}

// shell builds the admin layout model for the logged-in user.
func (h *Handler) shell(w http.ResponseWriter, r *http.Request, current section) views.Shell {
	p := h.page(r, current.titleKey())
	p.CSRF = h.csrfFor(w, r)
	id, _ := identityOf(r)
	role := id.Org().Role
	sh := views.Shell{Page: p, Nav: navItems(p.T, current), UserEmail: id.User.Email, OrgName: id.Org().OrgName,
		CanEdit: role.Allows(auth.PermEdit), CanManage: role.Allows(auth.PermManage)}
	if len(id.Memberships) > 1 {
		for _, m := range id.Memberships {
			sh.Orgs = append(sh.Orgs, views.Option{Value: strconv.FormatInt(m.OrgID, 10), Label: m.OrgName, Selected: m.OrgID == id.Session.OrgID})
		}
	}
	return sh
}

// fieldErrors turns a validation error into per-field messages in the page's language.
func fieldErrors(err error, t func(string, ...any) string) map[string]string {
	var ve *auth.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	switch ve.Field {
	case "email":
		return map[string]string{"email": t("setup.error.email")}
	case "password":
		return map[string]string{"password": t("setup.error.password", auth.MinPasswordLength)}
	case "org_name":
		return map[string]string{"org_name": t("setup.error.org_name")}
	}
	return map[string]string{"": ve.Error()}
}
