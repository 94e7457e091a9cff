package monitoring

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// HeartbeatStore is the persistence of heartbeat monitors; *store.Store satisfies it.
type HeartbeatStore interface {
	RecordPing(ctx context.Context, rec heartbeat.Record, keep int) (monitor.Event, error)
	Heartbeat(ctx context.Context, orgID, id int64) (heartbeat.Info, error)
	Heartbeats(ctx context.Context) ([]heartbeat.Info, error)
	HeartbeatsOf(ctx context.Context, orgID int64) (map[int64]heartbeat.Info, error)
	Pings(ctx context.Context, orgID, monitorID, beforeID int64, limit int) ([]heartbeat.Record, error)
	SweepHeartbeats(ctx context.Context, now time.Time) ([]monitor.Event, error)
	RecoverHeartbeats(ctx context.Context, startedAt time.Time) error
	PingKey(ctx context.Context, orgID int64) (string, error)
	PingKeys(ctx context.Context) (map[string]int64, error)
	EnsurePingKeys(ctx context.Context) error
}

// PingObserver is told about pings, for metrics; *metrics.Metrics satisfies it. Its methods
// run on the ping's request: they must be quick and must not block.
type PingObserver interface {
	// PingRecorded follows the commit of a ping.
	PingRecorded(kind heartbeat.Kind)
	// PingUnknown follows a ping to an address that matches no heartbeat.
	PingUnknown()
}

// noPingObserver stands in for a nil Options.Observer.
type noPingObserver struct{}

func (noPingObserver) PingRecorded(heartbeat.Kind) {}
func (noPingObserver) PingUnknown()                {}

// Errors of ping addresses. The ping handler answers 404 and 409.
var (
	ErrUnknownPing   = errors.New("not found")
	ErrAmbiguousSlug = errors.New("ambiguous slug: several heartbeats have this name; use their uuid ping URLs")
)

// pingIndex maps ping addresses to monitors in memory: a ping to an unknown address is
// answered without touching the database, and a known one costs no read before its write.
type pingIndex struct {
	mu     sync.RWMutex
	byUUID map[string]int64
	keys   map[string]int64             // ping key -> organization
	slugs  map[int64]map[string][]int64 // organization -> slug -> monitors
}

// loadIndex rebuilds the ping index from the store. Heartbeats change rarely (a form, the
// config file), so a full reload keeps it simple and exact.
func (s *Service) loadIndex(ctx context.Context) error {
	infos, err := s.hb.Heartbeats(ctx)
	if err != nil {
		return err
	}
	keys, err := s.hb.PingKeys(ctx)
	if err != nil {
		return err
	}
	byUUID := make(map[string]int64, len(infos))
	slugs := map[int64]map[string][]int64{}
	for _, in := range infos {
		byUUID[in.UUID] = in.MonitorID
		if slugs[in.OrgID] == nil {
			slugs[in.OrgID] = map[string][]int64{}
		}
		slugs[in.OrgID][in.Slug] = append(slugs[in.OrgID][in.Slug], in.MonitorID)
	}
	s.index.mu.Lock()
	s.index.byUUID, s.index.keys, s.index.slugs = byUUID, keys, slugs
	s.index.mu.Unlock()
	return nil
}

// reloadIndex follows a change of heartbeats; a failure only delays new ping addresses
// until the next change, so it is logged rather than returned.
func (s *Service) reloadIndex(ctx context.Context) {
	if err := s.loadIndex(ctx); err != nil {
		s.log.Error("reloading heartbeat ping addresses", "err", err)
	}
}

// StartHeartbeats prepares heartbeats at start: the stale ones get a fresh grace period
// (statusthing was not running to receive their pings) and the ping index is loaded.
func (s *Service) StartHeartbeats(ctx context.Context) error {
	if err := s.hb.RecoverHeartbeats(ctx, s.now()); err != nil {
		return err
	}
	if err := s.hb.EnsurePingKeys(ctx); err != nil {
		return err
	}
	return s.loadIndex(ctx)
}

// PingByUUID resolves /ping/{uuid}.
func (s *Service) PingByUUID(uuid string) (int64, error) {
	s.index.mu.RLock()
	id, ok := s.index.byUUID[uuid]
	s.index.mu.RUnlock()
	if !ok {
		s.obs.PingUnknown()
		return 0, ErrUnknownPing
	}
	return id, nil
}

// PingBySlug resolves /ping/{ping_key}/{slug}. With create, an unknown slug creates a
// heartbeat of that name with the default schedule (created reports it).
func (s *Service) PingBySlug(ctx context.Context, key, slug string, create bool) (id int64, created bool, err error) {
	s.index.mu.RLock()
	org, ok := s.index.keys[key]
	ids := s.index.slugs[org][slug]
	s.index.mu.RUnlock()
	switch {
	case !ok:
		s.obs.PingUnknown()
		return 0, false, ErrUnknownPing
	case len(ids) == 1:
		return ids[0], false, nil
	case len(ids) > 1:
		return 0, false, ErrAmbiguousSlug
	case !create:
		s.obs.PingUnknown()
		return 0, false, ErrUnknownPing
	}
	if heartbeat.Slug(slug) != slug {
		s.obs.PingUnknown()
		return 0, false, fmt.Errorf("%w: %q is not a slug (lower-case letters, digits and dashes)", ErrUnknownPing, slug)
	}
	s.createMu.Lock() // two first pings of a new slug must not create two heartbeats
	defer s.createMu.Unlock()
	s.index.mu.RLock()
	ids = s.index.slugs[org][slug]
	s.index.mu.RUnlock()
	if len(ids) > 0 {
		return ids[0], false, nil
	}
	m, err := s.Create(ctx, org, monitor.Spec{Name: slug, Type: monitor.TypeHeartbeat})
	if err != nil {
		return 0, false, err
	}
	return m.ID, true, nil
}

// RecordPing records a ping of a heartbeat (committed when it returns nil) and publishes
// the change. ErrUnknownPing when the heartbeat was deleted meanwhile.
func (s *Service) RecordPing(ctx context.Context, rec heartbeat.Record) error {
	ev, err := s.hb.RecordPing(ctx, rec, s.keepPings)
	if auth.IsNotFound(err) {
		s.reloadIndex(ctx)
		s.obs.PingUnknown()
		return ErrUnknownPing
	}
	if err != nil {
		return err
	}
	s.obs.PingRecorded(rec.Kind)
	if ev.Flip != nil {
		s.log.Info("monitor status changed", "monitor_id", ev.MonitorID, "from", ev.Flip.From, "to", ev.Flip.To, "reason", ev.Flip.Reason)
	}
	if ev.Flip != nil {
		s.publish(ev)
	} else {
		s.pingPublish.offer(ev, s.publish)
	}
	return nil
}

// publishThrottle passes on at most one ping event per heartbeat per second (status changes
// bypass it): live pages want "last ping: now", not thousands of events a second from a busy
// job, which would overflow their buffers. An event held back is not lost: the latest one
// is sent when the second is over, so a page always ends on the last ping.
type publishThrottle struct {
	mu      sync.Mutex
	last    map[int64]time.Time     // when the last event of a heartbeat went out
	pending map[int64]monitor.Event // the latest event held back, per heartbeat
}

const publishEvery = time.Second

func (p *publishThrottle) offer(ev monitor.Event, publish func(monitor.Event)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last, p.pending = map[int64]time.Time{}, map[int64]monitor.Event{}
	}
	id := ev.MonitorID
	if _, waiting := p.pending[id]; waiting {
		p.pending[id] = ev // the timer below sends the newest
		return
	}
	if wait := publishEvery - time.Since(p.last[id]); wait > 0 {
		p.pending[id] = ev
		time.AfterFunc(wait, func() { p.flush(id, publish) })
		return
	}
	p.last[id] = time.Now()
	publish(ev)
}

func (p *publishThrottle) flush(id int64, publish func(monitor.Event)) {
	p.mu.Lock()
	ev, ok := p.pending[id]
	delete(p.pending, id)
	if ok {
		p.last[id] = time.Now()
	}
	p.mu.Unlock()
	if ok {
		publish(ev)
	}
}

// SweepHeartbeats finds the heartbeats whose ping is overdue (late, then down) and
// publishes their changes; the runner calls it every few seconds.
func (s *Service) SweepHeartbeats(ctx context.Context) error {
	evs, err := s.hb.SweepHeartbeats(ctx, s.now())
	if err != nil {
		return err
	}
	for _, ev := range evs {
		s.log.Info("monitor status changed", "monitor_id", ev.MonitorID, "from", ev.Flip.From, "to", ev.Flip.To, "reason", ev.Flip.Reason)
		s.publish(ev)
	}
	return nil
}

// Heartbeat returns the ping address and state of a heartbeat of org.
func (s *Service) Heartbeat(ctx context.Context, orgID, id int64) (heartbeat.Info, error) {
	return s.hb.Heartbeat(ctx, orgID, id)
}

// Pings lists a heartbeat's pings, newest first, with ids below beforeID (0: the newest).
func (s *Service) Pings(ctx context.Context, orgID, id, beforeID int64, limit int) ([]heartbeat.Record, error) {
	return s.hb.Pings(ctx, orgID, id, beforeID, limit)
}

// PingKey returns org's ping key for slug URLs, making it on first use.
func (s *Service) PingKey(ctx context.Context, orgID int64) (string, error) {
	s.index.mu.RLock()
	for k, org := range s.index.keys {
		if org == orgID {
			s.index.mu.RUnlock()
			return k, nil
		}
	}
	s.index.mu.RUnlock()
	key, err := s.hb.PingKey(ctx, orgID)
	if err != nil {
		return "", err
	}
	s.reloadIndex(ctx)
	return key, nil
}

// HeartbeatsOf returns the heartbeats of an organization by monitor id (lists).
func (s *Service) HeartbeatsOf(ctx context.Context, orgID int64) (map[int64]heartbeat.Info, error) {
	return s.hb.HeartbeatsOf(ctx, orgID)
}

// HourlyRollupsOf returns the hourly buckets of several monitors from from on (lists'
// sparklines), in one read.
func (s *Service) HourlyRollupsOf(ctx context.Context, orgID int64, ids []int64, from time.Time) (map[int64][]monitor.RollupBucket, error) {
	return s.store.RollupsOf(ctx, orgID, ids, true, from)
}
