// Package runner schedules the work of a running statusthing with gocron: one singleton job
// per probed monitor, and periodic housekeeping (retention, maintenance). A job reloads its
// monitor, probes it under a global concurrency limit, records the result (state, rollups and
// flip in one transaction) and publishes the change for live views.
package runner

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"statusthing/app/monitor"
)

// Store is what the runner reads and writes; *store.Store satisfies it.
type Store interface {
	ScheduledMonitors(ctx context.Context) ([]monitor.Monitor, error)
	MonitorForProbe(ctx context.Context, id int64) (monitor.Monitor, error)
	RecordResult(ctx context.Context, r monitor.Result) (monitor.State, *monitor.Flip, error)
}

// Prober runs one check.
type Prober interface {
	Probe(ctx context.Context, m monitor.Monitor) monitor.Result
}

// Publisher receives monitor events for live views.
type Publisher interface {
	Publish(monitor.Event)
}

// Observer is told how checks go, for metrics; *metrics.Metrics satisfies it. Its methods
// run on the check's goroutine: they must be quick and must not block.
type Observer interface {
	// CheckFinished follows every probe that reached a verdict (not one cut short by
	// shutdown), scheduled or "Check now".
	CheckFinished(m monitor.Monitor, res monitor.Result)
	// ResultRecorded follows the commit of a result.
	ResultRecorded(m monitor.Monitor, res monitor.Result)
}

// noObserver stands in for a nil Options.Observer.
type noObserver struct{}

func (noObserver) CheckFinished(monitor.Monitor, monitor.Result)  {}
func (noObserver) ResultRecorded(monitor.Monitor, monitor.Result) {}

// Task is a periodic housekeeping job.
type Task struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Options are the runner's dependencies.
type Options struct {
	Store       Store
	Prober      Prober
	Publisher   Publisher
	Concurrency int // probes in flight at once
	Tasks       []Task
	Logger      *slog.Logger
	Now         func() time.Time
	IsNotFound  func(error) bool
	Observer    Observer // optional (metrics)
}

// Runner owns the scheduler.
type Runner struct {
	store      Store
	prober     Prober
	pub        Publisher
	tasks      []Task
	log        *slog.Logger
	now        func() time.Time
	isNotFound func(error) bool
	obs        Observer
	sem        chan struct{}
	sched      gocron.Scheduler

	mu        sync.Mutex
	intervals map[int64]time.Duration // current job interval per monitor
	running   map[int64]bool          // monitors whose check is in flight
	stopped   bool
}

// New creates a stopped runner.
func New(opts Options) (*Runner, error) {
	if opts.Concurrency < 1 {
		opts.Concurrency = 64
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IsNotFound == nil {
		opts.IsNotFound = func(error) bool { return false }
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	sched, err := gocron.NewScheduler(gocron.WithLocation(time.UTC), gocron.WithStopTimeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("runner: scheduler: %w", err)
	}
	return &Runner{
		store: opts.Store, prober: opts.Prober, pub: opts.Publisher, tasks: opts.Tasks,
		log: opts.Logger, now: opts.Now, isNotFound: opts.IsNotFound, obs: opts.Observer,
		sem:       make(chan struct{}, opts.Concurrency),
		sched:     sched,
		intervals: map[int64]time.Duration{},
		running:   map[int64]bool{},
	}, nil
}

// Start schedules every enabled monitor (resuming from its stored state) and the
// housekeeping tasks, and starts the scheduler.
func (r *Runner) Start(ctx context.Context) error {
	monitors, err := r.store.ScheduledMonitors(ctx)
	if err != nil {
		return fmt.Errorf("runner: load monitors: %w", err)
	}
	for _, m := range monitors {
		if err := r.Schedule(m); err != nil {
			return err
		}
	}
	for _, t := range r.tasks {
		task := t
		_, err := r.sched.NewJob(gocron.DurationJob(task.Every), gocron.NewTask(func(ctx context.Context) {
			start := r.now()
			if err := task.Run(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("housekeeping failed", "task", task.Name, "err", err)
				return
			}
			r.log.Debug("housekeeping done", "task", task.Name, "duration_ms", r.now().Sub(start).Milliseconds())
		}), gocron.WithName(task.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithStartAt(gocron.WithStartImmediately()))
		if err != nil {
			return fmt.Errorf("runner: schedule %s: %w", task.Name, err)
		}
	}
	r.sched.Start()
	r.log.Info("scheduler started", "monitors", len(monitors))
	return nil
}

// Stop stops scheduling and waits for running checks to finish (gocron cancels their
// contexts).
func (r *Runner) Stop() error {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	return r.sched.Shutdown()
}

// jobID is stable per monitor, so Update and RemoveJob find the job again.
func jobID(monitorID int64) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("statusthing/monitor/"+strconv.FormatInt(monitorID, 10)))
}

// spread is where in its interval a monitor's first check falls: a hash of its id, so 1,000
// monitors added at once do not fire in the same second, and a restart keeps the spread.
func spread(monitorID int64, interval time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatInt(monitorID, 10)))
	return time.Duration(h.Sum64()%uint64(interval/time.Millisecond)) * time.Millisecond
}

// Schedule adds or replaces m's job (or removes it when m is paused or not probed).
// It takes effect at once: the first check comes within one interval.
func (r *Runner) Schedule(m monitor.Monitor) error {
	if m.Paused || !m.Type.Active() {
		return r.Unschedule(m.ID)
	}
	first := r.now().Add(spread(m.ID, m.NextInterval()) + 10*time.Millisecond)
	return r.setJob(m.ID, m.NextInterval(), gocron.WithStartDateTime(first))
}

// setJob creates or updates the job of a monitor with interval, first running at start.
func (r *Runner) setJob(id int64, interval time.Duration, start gocron.StartAtOption) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	// No gocron singleton mode: it keeps a goroutine and a 1,000-slot channel (~17 KB) per
	// job, 85 MB for 5,000 monitors. check skips a run while the previous one is in flight.
	opts := []gocron.JobOption{
		gocron.WithIdentifier(jobID(id)),
		gocron.WithName("monitor " + strconv.FormatInt(id, 10)),
		gocron.WithStartAt(start),
	}
	def := gocron.DurationJob(interval)
	task := gocron.NewTask(r.check, id)
	var err error
	if _, ok := r.intervals[id]; ok {
		_, err = r.sched.Update(jobID(id), def, task, opts...)
	} else {
		_, err = r.sched.NewJob(def, task, opts...)
	}
	if err != nil {
		return fmt.Errorf("runner: schedule monitor %d: %w", id, err)
	}
	r.intervals[id] = interval
	return nil
}

// Unschedule removes a monitor's job; a missing job is not an error.
func (r *Runner) Unschedule(id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.intervals[id]; !ok {
		return nil
	}
	delete(r.intervals, id)
	if err := r.sched.RemoveJob(jobID(id)); err != nil && !errors.Is(err, gocron.ErrJobNotFound) {
		return fmt.Errorf("runner: unschedule monitor %d: %w", id, err)
	}
	return nil
}

// begin marks a monitor's check as running; false when one is already in flight (a run
// never overlaps the previous one of the same monitor).
func (r *Runner) begin(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[id] {
		return false
	}
	r.running[id] = true
	return true
}

func (r *Runner) end(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, id)
}

// check is the job of one monitor.
func (r *Runner) check(ctx context.Context, id int64) {
	if !r.begin(id) {
		r.log.Debug("check skipped: the previous one is still running", "monitor_id", id)
		return
	}
	defer r.end(id)
	m, err := r.store.MonitorForProbe(ctx, id)
	if err != nil {
		if r.isNotFound(err) {
			_ = r.Unschedule(id) // deleted meanwhile
			return
		}
		if ctx.Err() == nil {
			r.log.Error("load monitor for check", "monitor_id", id, "err", err)
		}
		return
	}
	if m.Paused {
		_ = r.Unschedule(id)
		return
	}
	_, state, _, err := r.run(ctx, m)
	if err != nil {
		return
	}
	m.State = state
	// Switch between the normal and the retry interval while a failure is confirmed.
	r.mu.Lock()
	current, scheduled := r.intervals[id]
	r.mu.Unlock()
	if next := m.NextInterval(); scheduled && next != current {
		// Not from inside this job's own goroutine: Update cancels the job being replaced.
		go func() {
			if err := r.setJob(id, next, gocron.WithStartDateTime(r.now().Add(next))); err != nil {
				r.log.Error("reschedule monitor", "monitor_id", id, "err", err)
			}
		}()
	}
}

// RunNow checks m at once, outside its schedule, and records the result like a scheduled
// check ("Check now").
func (r *Runner) RunNow(ctx context.Context, m monitor.Monitor) (monitor.Result, monitor.State, *monitor.Flip, error) {
	return r.run(ctx, m)
}

// run probes m under the concurrency limit, records and publishes the result.
func (r *Runner) run(ctx context.Context, m monitor.Monitor) (monitor.Result, monitor.State, *monitor.Flip, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return monitor.Result{}, monitor.State{}, nil, ctx.Err()
	}
	res := r.prober.Probe(ctx, m)
	<-r.sem
	if ctx.Err() != nil {
		return res, monitor.State{}, nil, ctx.Err() // shutting down: an interrupted probe is no verdict
	}
	r.obs.CheckFinished(m, res)
	// Recording must not be cut short by a job being rescheduled or the client leaving.
	state, flip, err := r.store.RecordResult(context.WithoutCancel(ctx), res)
	if err != nil {
		if !r.isNotFound(err) {
			r.log.Error("record result", "monitor_id", m.ID, "err", err)
		}
		return res, state, nil, err
	}
	r.obs.ResultRecorded(m, res)
	if flip != nil {
		r.log.Info("monitor status changed", "monitor_id", m.ID, "monitor", m.Name,
			"from", flip.From, "to", flip.To, "reason", flip.Reason)
	}
	if r.pub != nil {
		r.pub.Publish(monitor.Event{MonitorID: m.ID, OrgID: m.OrgID, State: state, Flip: flip, Result: &res})
	}
	return res, state, flip, nil
}
