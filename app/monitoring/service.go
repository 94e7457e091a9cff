// Package monitoring is the service layer of monitors: the admin UI and the JSON API call it
// to create, change, pause, check and read monitors, and it keeps the scheduler in step with
// the database. Validation lives in the domain (monitor.Spec.Build), storage in the store.
package monitoring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// Store is the persistence the service needs; *store.Store satisfies it.
type Store interface {
	CreateMonitor(ctx context.Context, m monitor.Monitor, now time.Time) (monitor.Monitor, error)
	UpdateMonitor(ctx context.Context, m monitor.Monitor, now time.Time) (monitor.Monitor, error)
	DeleteMonitor(ctx context.Context, orgID, id int64) error
	Monitor(ctx context.Context, orgID, id int64) (monitor.Monitor, error)
	Monitors(ctx context.Context, orgID int64) ([]monitor.Monitor, error)
	SetPaused(ctx context.Context, orgID, id int64, paused bool, now time.Time) (monitor.Monitor, *monitor.Flip, error)
	Results(ctx context.Context, orgID, monitorID int64, before time.Time, limit int) ([]monitor.Result, error)
	Flips(ctx context.Context, orgID, monitorID int64, limit int) ([]monitor.Flip, error)
	UptimeSince(ctx context.Context, orgID int64, since time.Time) (map[int64]monitor.Uptime, error)
	MonitorUptime(ctx context.Context, orgID, monitorID int64, since time.Time) (monitor.Uptime, error)
	Rollups(ctx context.Context, orgID, monitorID int64, hourly bool, from, to time.Time) ([]monitor.RollupBucket, error)
	Screenshot(ctx context.Context, orgID, monitorID, resultID int64) (monitor.Screenshot, error)
	HeartbeatStore
	IncidentStore
	ChannelStore
	MaintenanceStore
	PageStore
	SubscriberStore
}

// Scheduler runs monitors; *runner.Runner satisfies it.
type Scheduler interface {
	Schedule(m monitor.Monitor) error
	Unschedule(id int64) error
	RunNow(ctx context.Context, m monitor.Monitor) (monitor.Result, monitor.State, *monitor.Flip, error)
}

// Prober runs one check without recording it (the form's "Test" button).
type Prober interface {
	Probe(ctx context.Context, m monitor.Monitor) monitor.Result
}

// Publisher receives monitor events for live views.
type Publisher interface {
	Publish(monitor.Event)
}

// ErrNotProbed refuses to check a heartbeat: its pings are its checks.
var ErrNotProbed = errors.New("a heartbeat is not checked by statusthing: it waits for the job's pings")

// ErrPaused refuses to check a paused monitor now.
var ErrPaused = errors.New("the monitor is paused: resume it first")

// ErrManaged refuses changes through the UI or API to monitors declared in the config file.
var ErrManaged = errors.New("this monitor is declared in the configuration file: change it there")

// Options are the service's dependencies.
type Options struct {
	Store     Store
	Scheduler Scheduler
	Prober    Prober
	Publisher Publisher
	Logger    *slog.Logger
	Now       func() time.Time
	// KeepPings is how many pings are kept per heartbeat (heartbeat.keep_pings).
	KeepPings int
	// Observer is told about pings, for metrics; optional.
	Observer PingObserver
	// Notifier sends the test alerts of channels ("Send test"); optional.
	Notifier Notifier
	// ValidateSettings checks channel settings before they are saved (notify.ValidateSettings);
	// nil checks only the name and type.
	ValidateSettings SettingsValidator
	// Pages is told when what status pages show changes (the public pages' cache); optional.
	Pages PageWatcher
}

// Service is the single entry point for monitor changes.
type Service struct {
	store  Store
	sched  Scheduler
	prober Prober
	pub    Publisher
	log    *slog.Logger
	now    func() time.Time

	hb          HeartbeatStore
	inc         IncidentStore
	keepPings   int
	index       pingIndex
	createMu    sync.Mutex // serializes creations by ping (?create=1)
	pingPublish publishThrottle
	obs         PingObserver
	ch          ChannelStore
	notifier    Notifier
	validate    SettingsValidator
	pages       PageWatcher
}

// New builds the service.
func New(opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.KeepPings <= 0 {
		opts.KeepPings = 1000
	}
	if opts.Observer == nil {
		opts.Observer = noPingObserver{}
	}
	return &Service{store: opts.Store, sched: opts.Scheduler, prober: opts.Prober, pub: opts.Publisher, log: opts.Logger,
		now: opts.Now, hb: opts.Store, inc: opts.Store, keepPings: opts.KeepPings, obs: opts.Observer,
		ch: opts.Store, notifier: opts.Notifier, validate: opts.ValidateSettings, pages: opts.Pages}
}

func (s *Service) publish(ev monitor.Event) {
	if s.pub != nil {
		s.pub.Publish(ev)
	}
}

// Create validates spec and creates the monitor in org; it is scheduled at once.
func (s *Service) Create(ctx context.Context, orgID int64, spec monitor.Spec) (monitor.Monitor, error) {
	return s.create(ctx, orgID, spec, "")
}

func (s *Service) create(ctx context.Context, orgID int64, spec monitor.Spec, managedBy string) (monitor.Monitor, error) {
	m, err := heartbeat.BuildSpec(spec)
	if err != nil {
		return monitor.Monitor{}, err
	}
	m.OrgID, m.ManagedBy = orgID, managedBy
	m, err = s.store.CreateMonitor(ctx, m, s.now())
	if err != nil {
		return monitor.Monitor{}, err
	}
	if err := s.sched.Schedule(m); err != nil {
		return m, err
	}
	if m.Type == monitor.TypeHeartbeat {
		s.reloadIndex(ctx)
	}
	s.log.Info("monitor created", "monitor_id", m.ID, "type", m.Type, "managed_by", managedBy)
	s.publish(monitor.Event{MonitorID: m.ID, OrgID: orgID, State: m.State})
	return m, nil
}

// Update replaces the settings of a monitor. Its status is kept; pausing and resuming go
// through Pause and Resume so that they are recorded as flips.
func (s *Service) Update(ctx context.Context, orgID, id int64, spec monitor.Spec) (monitor.Monitor, error) {
	cur, err := s.store.Monitor(ctx, orgID, id)
	if err != nil {
		return monitor.Monitor{}, err
	}
	if cur.ManagedBy != "" {
		return monitor.Monitor{}, ErrManaged
	}
	return s.update(ctx, cur, spec)
}

func (s *Service) update(ctx context.Context, cur monitor.Monitor, spec monitor.Spec) (monitor.Monitor, error) {
	m, err := heartbeat.BuildSpec(spec)
	if err != nil {
		return monitor.Monitor{}, err
	}
	if (cur.Type == monitor.TypeHeartbeat) != (m.Type == monitor.TypeHeartbeat) {
		return monitor.Monitor{}, &monitor.ValidationError{Fields: []monitor.FieldError{{Field: "type",
			Message: "a heartbeat cannot become a probed monitor or the reverse: create a new monitor"}}}
	}
	m.ID, m.OrgID, m.ManagedBy, m.Paused = cur.ID, cur.OrgID, cur.ManagedBy, cur.Paused
	m, err = s.store.UpdateMonitor(ctx, m, s.now())
	if err != nil {
		return monitor.Monitor{}, err
	}
	if m.Type == monitor.TypeHeartbeat && m.Name != cur.Name {
		s.reloadIndex(ctx)
	}
	if spec.Paused != cur.Paused {
		if m, err = s.setPaused(ctx, m.OrgID, m.ID, spec.Paused); err != nil {
			return monitor.Monitor{}, err
		}
	}
	if err := s.sched.Schedule(m); err != nil {
		return m, err
	}
	s.publish(monitor.Event{MonitorID: m.ID, OrgID: m.OrgID, State: m.State})
	return m, nil
}

// Delete removes a monitor with its history.
func (s *Service) Delete(ctx context.Context, orgID, id int64) error {
	cur, err := s.store.Monitor(ctx, orgID, id)
	if err != nil {
		return err
	}
	if cur.ManagedBy != "" {
		return ErrManaged
	}
	return s.delete(ctx, cur)
}

func (s *Service) delete(ctx context.Context, m monitor.Monitor) error {
	if err := s.sched.Unschedule(m.ID); err != nil {
		return err
	}
	if err := s.store.DeleteMonitor(ctx, m.OrgID, m.ID); err != nil {
		return err
	}
	if m.Type == monitor.TypeHeartbeat {
		s.reloadIndex(ctx)
	}
	s.log.Info("monitor deleted", "monitor_id", m.ID)
	s.publish(monitor.Event{MonitorID: m.ID, OrgID: m.OrgID, Deleted: true})
	return nil
}

// Pause stops checking a monitor.
func (s *Service) Pause(ctx context.Context, orgID, id int64) (monitor.Monitor, error) {
	return s.setPaused(ctx, orgID, id, true)
}

// Resume checks a paused monitor again; it is pending until its next result.
func (s *Service) Resume(ctx context.Context, orgID, id int64) (monitor.Monitor, error) {
	return s.setPaused(ctx, orgID, id, false)
}

func (s *Service) setPaused(ctx context.Context, orgID, id int64, paused bool) (monitor.Monitor, error) {
	m, flip, err := s.store.SetPaused(ctx, orgID, id, paused, s.now())
	if err != nil {
		return monitor.Monitor{}, err
	}
	if err := s.sched.Schedule(m); err != nil {
		return m, err
	}
	if flip != nil {
		s.log.Info("monitor status changed", "monitor_id", id, "from", flip.From, "to", flip.To, "reason", flip.Reason)
	}
	s.publish(monitor.Event{MonitorID: id, OrgID: orgID, State: m.State, Flip: flip})
	return m, nil
}

// CheckNow runs a monitor's check at once and records it like a scheduled one.
func (s *Service) CheckNow(ctx context.Context, orgID, id int64) (monitor.Result, monitor.Monitor, error) {
	m, err := s.store.Monitor(ctx, orgID, id)
	if err != nil {
		return monitor.Result{}, monitor.Monitor{}, err
	}
	if m.Paused {
		return monitor.Result{}, m, ErrPaused
	}
	if !m.Type.Active() {
		return monitor.Result{}, m, ErrNotProbed
	}
	res, state, _, err := s.sched.RunNow(ctx, m)
	if err != nil {
		return res, m, err
	}
	m.State = state
	return res, m, nil
}

// Test validates spec and runs its check once without saving anything.
func (s *Service) Test(ctx context.Context, spec monitor.Spec) (monitor.Result, error) {
	m, err := heartbeat.BuildSpec(spec)
	if err != nil {
		return monitor.Result{}, err
	}
	if !m.Type.Active() {
		return monitor.Result{}, ErrNotProbed
	}
	return s.prober.Probe(ctx, m), nil
}

// Get returns one monitor of org.
func (s *Service) Get(ctx context.Context, orgID, id int64) (monitor.Monitor, error) {
	return s.store.Monitor(ctx, orgID, id)
}

// List returns the monitors of org, by name.
func (s *Service) List(ctx context.Context, orgID int64) ([]monitor.Monitor, error) {
	return s.store.Monitors(ctx, orgID)
}

// Results returns recent results of a monitor, newest first.
func (s *Service) Results(ctx context.Context, orgID, id int64, before time.Time, limit int) ([]monitor.Result, error) {
	return s.store.Results(ctx, orgID, id, before, limit)
}

// Screenshot returns the screenshot of a browser check's result.
func (s *Service) Screenshot(ctx context.Context, orgID, monitorID, resultID int64) (monitor.Screenshot, error) {
	return s.store.Screenshot(ctx, orgID, monitorID, resultID)
}

// Flips returns the status changes of a monitor, newest first.
func (s *Service) Flips(ctx context.Context, orgID, id int64, limit int) ([]monitor.Flip, error) {
	return s.store.Flips(ctx, orgID, id, limit)
}

// UptimeSince returns every monitor's uptime in org since a time.
func (s *Service) UptimeSince(ctx context.Context, orgID int64, since time.Time) (map[int64]monitor.Uptime, error) {
	return s.store.UptimeSince(ctx, orgID, since)
}

// Windows are the uptime periods shown on a monitor's page.
func Windows() []time.Duration {
	return []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour}
}

// UptimeWindows returns a monitor's uptime for each of Windows().
func (s *Service) UptimeWindows(ctx context.Context, orgID, id int64) ([]monitor.Uptime, error) {
	now := s.now()
	out := make([]monitor.Uptime, 0, len(Windows()))
	for _, w := range Windows() {
		u, err := s.store.MonitorUptime(ctx, orgID, id, now.Add(-w))
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// Rollups returns hourly or daily buckets of a monitor for charts.
func (s *Service) Rollups(ctx context.Context, orgID, id int64, hourly bool, from, to time.Time) ([]monitor.RollupBucket, error) {
	return s.store.Rollups(ctx, orgID, id, hourly, from, to)
}

// SyncConfig makes the config-managed monitors of org match specs (the [[monitors]] blocks):
// missing ones are created, changed ones updated, removed ones deleted. Monitors are matched
// by name. It runs at start, before the scheduler.
func (s *Service) SyncConfig(ctx context.Context, orgID int64, specs []monitor.Spec) error {
	existing, err := s.store.Monitors(ctx, orgID)
	if err != nil {
		return err
	}
	managed := map[string]monitor.Monitor{}
	for _, m := range existing {
		if m.ManagedBy == "config" {
			managed[m.Name] = m
		}
	}
	seen := map[string]bool{}
	var created, updated, deleted int
	for i, spec := range specs {
		m, err := heartbeat.BuildSpec(spec)
		if err != nil {
			return fmt.Errorf("monitors[%d] (%q): %w", i+1, spec.Name, err)
		}
		if seen[m.Name] {
			return fmt.Errorf("monitors[%d]: two monitors are named %q", i+1, m.Name)
		}
		seen[m.Name] = true
		cur, ok := managed[m.Name]
		switch {
		case !ok:
			if _, err := s.create(ctx, orgID, spec, "config"); err != nil {
				return fmt.Errorf("monitors[%d] (%q): %w", i+1, spec.Name, err)
			}
			created++
		case !sameMonitor(cur, m):
			if _, err := s.update(ctx, cur, spec); err != nil {
				return fmt.Errorf("monitors[%d] (%q): %w", i+1, spec.Name, err)
			}
			updated++
		}
	}
	for name, m := range managed {
		if !seen[name] {
			if err := s.delete(ctx, m); err != nil {
				return err
			}
			deleted++
		}
	}
	if created+updated+deleted > 0 {
		s.log.Info("monitors from the configuration file applied", "created", created, "updated", updated, "deleted", deleted)
	}
	return nil
}

// sameMonitor compares what a config block controls.
func sameMonitor(cur, want monitor.Monitor) bool {
	a, b := monitor.SpecOf(cur), monitor.SpecOf(want)
	ja, errA := specJSON(a)
	jb, errB := specJSON(b)
	return errA == nil && errB == nil && ja == jb
}

// OrganizationStore deletes organizations; *store.Store satisfies it.
type OrganizationStore interface {
	DeleteOrganization(ctx context.Context, orgID int64) error
}

// DeleteOrganization deletes an organization with everything it owns: its monitors leave
// the scheduler first, and the heartbeat ping index and the status pages follow.
func (s *Service) DeleteOrganization(ctx context.Context, orgID int64) error {
	os, ok := s.store.(OrganizationStore)
	if !ok {
		return errors.New("monitoring: the store deletes no organizations")
	}
	monitors, err := s.store.Monitors(ctx, orgID)
	if err != nil {
		return err
	}
	for _, m := range monitors {
		if err := s.sched.Unschedule(m.ID); err != nil {
			return err
		}
	}
	if err := os.DeleteOrganization(ctx, orgID); err != nil {
		// Still there: run its monitors again.
		for _, m := range monitors {
			if !m.Paused && m.Type.Active() {
				_ = s.sched.Schedule(m)
			}
		}
		return err
	}
	s.reloadIndex(ctx)
	s.pagesChanged(orgID)
	s.log.Info("organization deleted", "org_id", orgID, "monitors", len(monitors))
	return nil
}
