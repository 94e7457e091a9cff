package web

import (
	"sync"

	"statusthing/app/monitor"
)

// Hub fans monitor events out to the live views (SSE) of the same organization. Publish
// never blocks: a subscriber that cannot keep up is dropped, and its browser reconnects and
// reloads the current state.
type Hub struct {
	mu     sync.Mutex
	subs   map[*subscription]struct{}
	closed bool
	done   chan struct{} // closed by Close
}

type subscription struct {
	all   bool // every organization's events
	orgID int64
	ch    chan monitor.Event
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*subscription]struct{}{}, done: make(chan struct{})} }

// Done is closed when the hub closes (shutdown): streams that wait on something else end.
func (h *Hub) Done() <-chan struct{} { return h.done }

// subscriberBuffer is how many events a slow browser may lag behind before it is dropped.
const subscriberBuffer = 256

// Subscribe returns the events of an organization until cancel is called or the hub closes
// (then the channel is closed).
func (h *Hub) Subscribe(orgID int64) (events <-chan monitor.Event, cancel func()) {
	return h.subscribe(&subscription{orgID: orgID, ch: make(chan monitor.Event, subscriberBuffer)})
}

// SubscribeAll is Subscribe for every organization's events (the status pages' cache).
func (h *Hub) SubscribeAll() (events <-chan monitor.Event, cancel func()) {
	return h.subscribe(&subscription{all: true, ch: make(chan monitor.Event, subscriberBuffer)})
}

func (h *Hub) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

func (h *Hub) subscribe(s *subscription) (events <-chan monitor.Event, cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	h.subs[s] = struct{}{}
	return s.ch, func() { h.drop(s) }
}

func (h *Hub) drop(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

// Publish sends ev to every subscriber of its organization.
func (h *Hub) Publish(ev monitor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.all && s.orgID != ev.OrgID {
			continue
		}
		select {
		case s.ch <- ev:
		default:
			delete(h.subs, s)
			close(s.ch)
		}
	}
}

// Close ends every subscription, so streaming responses return and the server can shut down.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		close(h.done)
	}
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
	}
}
