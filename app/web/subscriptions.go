package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"statusthing/app/monitoring"
	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
	"statusthing/views"
)

// Subscriptions from one client address: at most subscribeLimit per subscribeWindow.
const (
	subscribeLimit   = 5
	subscribeWindow  = 10 * time.Minute
	subscribeMaxKeys = 10000
)

// maxSubscribeBytes bounds the subscription forms (an address or a token).
const maxSubscribeBytes = 4 << 10

// publicForm guards the forms of the public pages' subscription flow. The status page is
// cached and shared by every visitor, so its form cannot carry a per-visitor CSRF token:
// instead only same-origin browsers may post (CrossOriginProtection; clients that send
// neither Sec-Fetch-Site nor Origin, such as a mail provider's RFC 8058 one-click POST,
// are not browsers and pass), within a size cap. What a forged post could do is harmless:
// a subscription only starts once confirmed from its mailbox.
func (h *Handler) publicForm(fn http.HandlerFunc) http.Handler {
	return h.protect(fn, maxSubscribeBytes, parseForm, false)
}

// subscriptionPage finds the page of a subscription request (404 for none).
func (h *Handler) subscriptionPage(w http.ResponseWriter, r *http.Request) (statuspage.Page, bool) {
	p, err := h.monitors.PublicPage(r.Context(), "", r.PathValue("slug"))
	if errors.Is(err, monitoring.ErrNoPage) {
		h.fail(w, r, http.StatusNotFound, nil)
		return p, false
	}
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return p, false
	}
	return p, true
}

// subscribeURL is where page p's subscribe form posts, "" when it takes no e-mail
// subscriptions: private pages refuse them (their audience has the admin), and without an
// [smtp] relay no confirmation could be sent.
func (h *Handler) subscribeURL(p statuspage.Page) string {
	if !p.Public || !h.emailSubs {
		return ""
	}
	return statusURL(p.Slug, "/subscribe")
}

// renderSubscription renders a step of the subscription flow in page p's frame and
// language. It is never cached: it may carry a token or an address.
func (h *Handler) renderSubscription(w http.ResponseWriter, r *http.Request, status int, p statuspage.Page, m views.StatusMessage) {
	f := h.pageFormatter(p.Locale, h.now())
	model := h.statusModel(f, statuspage.View{Page: p, Now: h.now()})
	model.Archive = true
	model.EventsURL = "" // a step of the flow does not follow the page live
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, status, views.StatusMessageView(model, m))
}

// subscribeSubmit takes a visitor's e-mail subscription: "check your mail" whatever the
// address's state (the form tells no one who subscribed), the form again for an address
// that is not one, 429 past the per-address rate.
func (h *Handler) subscribeSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := h.subscriptionPage(w, r)
	if !ok {
		return
	}
	if h.subscribeURL(p) == "" {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	t := h.catalogs.Translator(p.Locale)
	form := views.StatusMessage{Title: t("public.subscribe.title"), Body: t("public.subscribe.lead"), Action: h.subscribeURL(p),
		EmailField: true, Email: strings.TrimSpace(r.PostForm.Get("email")), Button: t("public.subscribe.submit")}
	if ok, wait := h.subLimit.allow(infoOf(r).ip, h.now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		form.Error = t("public.subscribe.too_many")
		h.renderSubscription(w, r, http.StatusTooManyRequests, p, form)
		return
	}
	err := h.monitors.Subscribe(r.Context(), p, form.Email)
	var se *subscriber.Error
	switch {
	case errors.As(err, &se):
		form.Error = t("public.subscribe.invalid")
		h.renderSubscription(w, r, http.StatusUnprocessableEntity, p, form)
	case errors.Is(err, monitoring.ErrSubscriptionsClosed):
		h.fail(w, r, http.StatusNotFound, nil)
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, err)
	default:
		h.renderSubscription(w, r, http.StatusOK, p, views.StatusMessage{Title: t("public.subscribe.check_title"),
			Body: t("public.subscribe.check_body", strings.ToLower(form.Email))})
	}
}

// invalidLink tells that a confirm or unsubscribe link is not (or no longer) valid.
func (h *Handler) invalidLink(w http.ResponseWriter, r *http.Request, p statuspage.Page) {
	t := h.catalogs.Translator(p.Locale)
	h.renderSubscription(w, r, http.StatusNotFound, p, views.StatusMessage{Title: t("public.subscribe.invalid_link_title"),
		Body: t("public.subscribe.invalid_link_body")})
}

// subscriptionLink is the GET of a mail's confirm or unsubscribe link: a page with one
// button that posts the token. It changes nothing itself, as mail scanners fetch links.
func (h *Handler) subscriptionLink(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := h.subscriptionPage(w, r)
		if !ok {
			return
		}
		token := r.URL.Query().Get("token")
		if _, err := h.monitors.SubscriptionByToken(r.Context(), p, token); errors.Is(err, monitoring.ErrInvalidLink) {
			h.invalidLink(w, r, p)
			return
		} else if err != nil {
			h.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		t := h.catalogs.Translator(p.Locale)
		m := views.StatusMessage{Title: t("public.subscribe." + action + "_title"), Body: t("public.subscribe."+action+"_body", p.Title),
			Action: statusURL(p.Slug, "/"+action), Token: token, Button: t("public.subscribe." + action + "_button")}
		h.renderSubscription(w, r, http.StatusOK, p, m)
	}
}

// linkToken is the token of a confirm or unsubscribe post: the form's, else the query's
// (a one-click unsubscribe posts to the link itself).
func linkToken(r *http.Request) string {
	if tok := r.PostForm.Get("token"); tok != "" {
		return tok
	}
	return r.URL.Query().Get("token")
}

// confirmSubmit confirms a subscription (the button of the confirm link's page).
func (h *Handler) confirmSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := h.subscriptionPage(w, r)
	if !ok {
		return
	}
	err := h.monitors.ConfirmSubscription(r.Context(), p, linkToken(r))
	switch {
	case errors.Is(err, monitoring.ErrInvalidLink), errors.Is(err, monitoring.ErrSubscriptionsClosed):
		h.invalidLink(w, r, p)
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	t := h.catalogs.Translator(p.Locale)
	h.renderSubscription(w, r, http.StatusOK, p, views.StatusMessage{Title: t("public.subscribe.confirmed_title"),
		Body: t("public.subscribe.confirmed_body", p.Title)})
}

// unsubscribeSubmit ends a subscription: the button of the unsubscribe link's page, or a
// mail client's one-click POST (RFC 8058) to the link of List-Unsubscribe. Unsubscribing
// twice answers the same (the link's subscriber is gone either way). Private pages too:
// a page made private keeps its subscribers until they leave.
func (h *Handler) unsubscribeSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := h.subscriptionPage(w, r)
	if !ok {
		return
	}
	if err := h.monitors.Unsubscribe(r.Context(), p, linkToken(r)); err != nil && !errors.Is(err, monitoring.ErrInvalidLink) {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	t := h.catalogs.Translator(p.Locale)
	h.renderSubscription(w, r, http.StatusOK, p, views.StatusMessage{Title: t("public.subscribe.unsubscribed_title"),
		Body: t("public.subscribe.unsubscribed_body", p.Title)})
}
