package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
	"statusthing/views"
)

// editorSubscribers is how many subscribers the page editor lists (the API pages them all).
const editorSubscribers = 500

// subscribersBox builds the page editor's subscribers box of page p.
func (h *Handler) subscribersBox(r *http.Request, f formatter, p statuspage.Page) (*views.SubscribersBox, error) {
	ctx := r.Context()
	subs, err := h.monitors.Subscribers(ctx, orgOf(r), p.ID, 0, editorSubscribers)
	if err != nil {
		return nil, err
	}
	counts, err := h.monitors.SubscriberCounts(ctx, orgOf(r))
	if err != nil {
		return nil, err
	}
	c := counts[p.ID]
	b := &views.SubscribersBox{AddURL: pageURL(p.ID) + "/subscribers",
		Counts: f.t("pages.subscribers.counts", c.EmailConfirmed, c.EmailPending, c.Webhooks)}
	switch {
	case !h.emailSubs:
		b.Note = f.t("pages.subscribers.no_email")
	case !p.Public:
		b.Note = f.t("pages.subscribers.private")
	}
	for _, s := range subs {
		row := views.SubscriberRow{Address: s.Address, Kind: f.t("pages.subscribers.kind." + string(s.Kind)),
			RemoveURL: pageURL(p.ID) + "/subscribers/" + strconv.FormatInt(s.ID, 10) + "/delete"}
		if s.Confirmed() {
			row.State = f.t("pages.subscribers.confirmed", f.stamp(s.ConfirmedAt))
		} else {
			row.State, row.Pending = f.t("pages.subscribers.pending"), true
		}
		b.Rows = append(b.Rows, row)
	}
	failed, err := h.monitors.FailedSubscriberNotices(ctx, orgOf(r), p.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range failed {
		b.Failed = append(b.Failed, views.FailedNoticeRow{At: f.stamp(n.FailedAt), To: n.Address, Event: n.Event, Error: n.LastError,
			Attempts: f.t("pages.subscribers.attempts", n.Attempts),
			RetryURL: pageURL(p.ID) + "/notices/" + strconv.FormatInt(n.ID, 10) + "/retry"})
	}
	return b, nil
}

// pageNoticeRetry queues a given-up subscriber notice of the page again.
func (h *Handler) pageNoticeRetry(w http.ResponseWriter, r *http.Request) {
	nid, err := strconv.ParseInt(r.PathValue("nid"), 10, 64)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	p, ok := h.orgPage(w, r)
	if !ok {
		return
	}
	if err := h.monitors.RetrySubscriberNotice(r.Context(), orgOf(r), nid); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, pageURL(p.ID)+"/edit?done=saved#subscribers", http.StatusSeeOther)
}

// pageSubscriberAdd adds a webhook subscriber to a page (the editor's form).
func (h *Handler) pageSubscriberAdd(w http.ResponseWriter, r *http.Request) {
	p, ok := h.orgPage(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), p.ID
	hookURL := strings.TrimSpace(r.PostForm.Get("url"))
	_, err := h.monitors.AddSubscriber(ctx, orgOf(r), subscriber.Subscriber{PageID: id, Kind: subscriber.KindWebhook,
		Address: hookURL, Secret: r.PostForm.Get("secret")}, true)
	var se *subscriber.Error
	if errors.As(err, &se) {
		errs := map[string]string{}
		for _, fe := range se.Fields {
			errs["subscriber."+strings.Replace(fe.Field, "address", "url", 1)] = fe.Message
		}
		h.renderPageFormWith(w, r, http.StatusUnprocessableEntity, p, errs, hookURL)
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, pageURL(id)+"/edit?done=subscriber_added", http.StatusSeeOther)
}

// pageSubscriberRemove removes a subscriber of a page.
func (h *Handler) pageSubscriberRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	sid, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	if err := h.monitors.RemoveSubscriber(r.Context(), orgOf(r), id, sid); err != nil {
		h.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, pageURL(id)+"/edit?done=subscriber_removed", http.StatusSeeOther)
}
