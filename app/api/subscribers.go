package api

import (
	"net/http"
	"strconv"
	"time"

	"statusthing/app/subscriber"
)

// subscriberJSON is one subscriber of a page. Its secret is never shown.
type subscriberJSON struct {
	ID      int64           `json:"id"`
	Kind    subscriber.Kind `json:"kind"`
	Address string          `json:"address"`
	// HasSecret tells whether a webhook subscriber's payloads are signed.
	HasSecret   bool       `json:"has_secret"`
	Confirmed   bool       `json:"confirmed"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
}

// subscriberInput is the body of a subscriber's creation.
type subscriberInput struct {
	Kind      subscriber.Kind `json:"kind"`
	Address   string          `json:"address"`
	Secret    string          `json:"secret,omitempty"`
	Confirmed bool            `json:"confirmed,omitempty"`
}

func subscriberOut(s subscriber.Subscriber) subscriberJSON {
	out := subscriberJSON{ID: s.ID, Kind: s.Kind, Address: s.Address, HasSecret: s.Secret != "", Confirmed: s.Confirmed(),
		CreatedAt: s.CreatedAt}
	if s.Confirmed() {
		at := s.ConfirmedAt
		out.ConfirmedAt = &at
	}
	return out
}

func (h *Handler) listSubscribers(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "subscribers")
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rows, err := h.monitors.Subscribers(r.Context(), c.org, id, lq.cursor.id, lq.limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(s subscriber.Subscriber) cursor { return cursor{list: "subscribers", id: s.ID} }, subscriberOut))
	return nil
}

func (h *Handler) createSubscriber(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	var in subscriberInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = subscriber.KindEmail
	}
	s, err := h.monitors.AddSubscriber(r.Context(), c.org, subscriber.Subscriber{PageID: p.ID, Kind: in.Kind, Address: in.Address,
		Secret: in.Secret}, in.Confirmed)
	if err != nil {
		return err
	}
	h.log.Info("subscriber added", "page_id", p.ID, "subscriber", s, "by_token_id", c.token.ID)
	w.Header().Set("Location", apiPrefix+"/pages/"+strconv.FormatInt(p.ID, 10)+"/subscribers/"+strconv.FormatInt(s.ID, 10))
	writeJSON(w, http.StatusCreated, subscriberOut(s))
	return nil
}

func (h *Handler) deleteSubscriber(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	sid, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil || sid <= 0 {
		return notFound("subscriber")
	}
	if err := h.monitors.RemoveSubscriber(r.Context(), c.org, p.ID, sid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// subscriberKindNames are the values of subscriber.Kind.
func subscriberKindNames() []string { return stringsOf(subscriber.Kinds()) }
