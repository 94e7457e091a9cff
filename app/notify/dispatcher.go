package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"statusthing/app/alert"
)

// Store is what the Dispatcher needs of the database (*store.Store satisfies it).
type Store interface {
	// DueAlerts returns pending outbox rows due at now, at most perChannel per channel
	// and limit in all, oldest due first.
	DueAlerts(ctx context.Context, now time.Time, perChannel, limit int) ([]alert.Delivery, error)
	// RecordAttempt records an attempt at delivering row id; a zero next on failure gives up.
	RecordAttempt(ctx context.Context, id int64, a alert.Attempt, next time.Time) error
}

// Dispatcher defaults, for DispatcherOptions fields left at zero.
const (
	DefaultPerChannel   = 2
	DefaultConcurrency  = 16
	DefaultPollInterval = 5 * time.Second
	DefaultSendTimeout  = 30 * time.Second
	DefaultBackoffBase  = 30 * time.Second
	DefaultBackoffMax   = time.Hour
	DefaultMaxAttempts  = 8
	// DefaultMaxRetryAfter caps the wait a receiver's Retry-After may impose.
	DefaultMaxRetryAfter = time.Hour
)

// maxErrorText caps an attempt's recorded error.
const maxErrorText = 1000

// DispatcherOptions configures NewDispatcher.
type DispatcherOptions struct {
	Store    Store
	Notifier Notifier
	// Logger receives one line per failed or given-up delivery; nil discards.
	Logger *slog.Logger
	// Now is the clock that dates attempts and schedules retries; nil means time.Now.
	Now func() time.Time
	// Jitter returns a number in [0, 1) that spreads retries; nil means math/rand/v2.
	Jitter func() float64
	// BaseURL is the server's public base URL, for the incident links in alerts.
	BaseURL string
	// Wake, when it receives, makes the dispatcher poll at once (store.AlertsQueued).
	Wake <-chan struct{}
	// PerChannel is the most sends in flight to one channel; 0 means 2.
	PerChannel int
	// Concurrency is the most sends in flight in all; 0 means 16.
	Concurrency int
	// PollInterval is how often the outbox is polled for due rows besides Wake; 0 means 5 s.
	PollInterval time.Duration
	// SendTimeout bounds one send; 0 means 30 s.
	SendTimeout time.Duration
	// Backoff is the retry policy; zero fields mean 30 s base, 1 h max, 8 attempts.
	Backoff alert.Backoff
	// MaxRetryAfter caps the Retry-After a receiver answers with a 429 or 503: the next
	// attempt is not before min(Retry-After, MaxRetryAfter), nor before the backoff's
	// delay; 0 means 1 h.
	MaxRetryAfter time.Duration
}

// Dispatcher delivers the outbox: it polls the store for due alerts (and polls at once
// when woken), sends them concurrently — at most PerChannel in flight per channel, so a
// slow or dead channel does not hold back the others — and records every attempt:
// delivered, retried after an exponential backoff with jitter, or given up after a
// permanent error or MaxAttempts attempts. Delivery is at least once: a row stays due
// until an attempt is recorded, so a crash mid-send sends it again after a restart.
//
// The same machinery delivers the subscriber notices of status pages
// (NewSubscriberDispatcher): only the queue differs.
type Dispatcher struct {
	opts  DispatcherOptions
	log   *slog.Logger
	q     queue
	names logNames

	loopCtx    context.Context // polls; cancelled by Stop
	stopLoop   context.CancelFunc
	sendCtx    context.Context // sends; cancelled when Stop's bound expires
	cancelSend context.CancelFunc
	done       chan int64 // finished deliveries, back to the loop
	loopDone   chan struct{}
	wg         sync.WaitGroup // deliveries in flight

	startOnce, stopOnce sync.Once
}

// job is one queued delivery, whatever its queue: the alert of one channel, the notice of
// one subscriber.
type job struct {
	id       int64
	lane     int64 // deliveries of one lane (a channel, a subscriber) are limited to PerChannel in flight
	attempts int   // before this one
	who      slog.Attr
	send     func(ctx context.Context) error
}

// queue is where a Dispatcher takes its due jobs and records their attempts.
type queue interface {
	due(ctx context.Context, now time.Time, perLane, limit int) ([]job, error)
	record(ctx context.Context, id int64, a alert.Attempt, next time.Time) error
}

// logNames are the messages of a dispatcher's log lines.
type logNames struct{ poll, record, givenUp, failed string }

// alertQueue is the outbox of alerts: DispatcherOptions.Store and .Notifier.
type alertQueue struct{ d *Dispatcher }

func (q alertQueue) due(ctx context.Context, now time.Time, perLane, limit int) ([]job, error) {
	rows, err := q.d.opts.Store.DueAlerts(ctx, now, perLane, limit)
	if err != nil {
		return nil, err
	}
	jobs := make([]job, len(rows))
	for i, del := range rows {
		jobs[i] = job{id: del.ID, lane: del.Channel.ID, attempts: del.Attempts, who: slog.Any("channel", del.Channel),
			send: func(ctx context.Context) error {
				a := del.Alert
				a.Incident.URL = q.d.IncidentURL(a.Incident.ID)
				a.Monitor.URL = q.d.MonitorURL(a.Monitor.ID)
				if !del.Channel.Enabled {
					return permanent(errors.New("channel disabled"))
				}
				return q.d.opts.Notifier.Send(ctx, del.Channel, a)
			}}
	}
	return jobs, nil
}

func (q alertQueue) record(ctx context.Context, id int64, a alert.Attempt, next time.Time) error {
	return q.d.opts.Store.RecordAttempt(ctx, id, a, next)
}

// NewDispatcher returns a Dispatcher of the alerts outbox (o.Store, o.Notifier); Start
// starts it.
func NewDispatcher(o DispatcherOptions) *Dispatcher {
	d := newDispatcher(o, logNames{poll: "poll outbox", record: "record alert attempt", givenUp: "alert given up",
		failed: "alert delivery failed"})
	d.q = alertQueue{d}
	return d
}

// newDispatcher returns a Dispatcher without its queue, o's defaults applied.
func newDispatcher(o DispatcherOptions, names logNames) *Dispatcher {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	o.PerChannel = cmpOr(o.PerChannel, DefaultPerChannel)
	o.Concurrency = cmpOr(o.Concurrency, DefaultConcurrency)
	o.PollInterval = cmpOr(o.PollInterval, DefaultPollInterval)
	o.SendTimeout = cmpOr(o.SendTimeout, DefaultSendTimeout)
	o.Backoff.Base = cmpOr(o.Backoff.Base, DefaultBackoffBase)
	o.Backoff.Max = cmpOr(o.Backoff.Max, DefaultBackoffMax)
	o.Backoff.MaxAttempts = cmpOr(o.Backoff.MaxAttempts, DefaultMaxAttempts)
	o.MaxRetryAfter = cmpOr(o.MaxRetryAfter, DefaultMaxRetryAfter)
	d := &Dispatcher{opts: o, log: o.Logger, names: names, done: make(chan int64, o.Concurrency), loopDone: make(chan struct{})}
	d.loopCtx, d.stopLoop = context.WithCancel(context.Background())
	d.sendCtx, d.cancelSend = context.WithCancel(context.Background())
	return d
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Start starts polling and delivering, until Stop.
func (d *Dispatcher) Start() {
	d.startOnce.Do(func() {
		go d.loop()
	})
}

// Stop stops taking due alerts and waits for the sends in flight to finish and be
// recorded. When ctx ends first, it cancels them (each is then recorded as a failed,
// retryable attempt) and returns ctx.Err() once they have returned. Call it before
// closing the store.
func (d *Dispatcher) Stop(ctx context.Context) error {
	var err error
	d.stopOnce.Do(func() {
		d.stopLoop()
		d.startOnce.Do(func() { close(d.loopDone) }) // never started
		<-d.loopDone
		idle := make(chan struct{})
		go func() { d.wg.Wait(); close(idle) }()
		select {
		case <-idle:
		case <-ctx.Done():
			d.cancelSend()
			<-idle
			err = ctx.Err()
		}
		d.cancelSend()
	})
	return err
}

func (d *Dispatcher) loop() {
	defer close(d.loopDone)
	o := d.opts
	inflight := map[int64]int64{} // outbox id -> channel id
	perChannel := map[int64]int{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	finish := func(id int64) {
		if ch, ok := inflight[id]; ok {
			delete(inflight, id)
			if perChannel[ch]--; perChannel[ch] <= 0 {
				delete(perChannel, ch)
			}
		}
	}
	for {
		select {
		case <-d.loopCtx.Done():
			return
		case <-timer.C:
		case <-o.Wake:
		case id := <-d.done:
			finish(id)
		}
		// Take every finished delivery first: their rows' new state is committed, so the
		// poll below sees them as they are now (no resend of a row just delivered).
		for drained := false; !drained; {
			select {
			case id := <-d.done:
				finish(id)
			default:
				drained = true
			}
		}
		if len(inflight) < o.Concurrency {
			d.poll(inflight, perChannel)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(o.PollInterval)
	}
}

// poll starts the deliveries of the due rows that fit in the limits.
func (d *Dispatcher) poll(inflight map[int64]int64, perChannel map[int64]int) {
	o := d.opts
	// In-flight rows are still due and count in the store's per-channel cap: ask for
	// enough rows to fill the free slots anyway.
	due, err := d.q.due(d.loopCtx, o.Now(), o.PerChannel, o.Concurrency+len(inflight))
	if err != nil {
		if d.loopCtx.Err() == nil {
			d.log.Error(d.names.poll, "err", err)
		}
		return
	}
	for _, j := range due {
		if len(inflight) >= o.Concurrency {
			return
		}
		if _, busy := inflight[j.id]; busy || perChannel[j.lane] >= o.PerChannel {
			continue
		}
		inflight[j.id] = j.lane
		perChannel[j.lane]++
		d.wg.Add(1)
		go d.deliver(j)
	}
}

// IncidentURL is the admin page of incident id ("" for 0: an alert about no incident).
func (d *Dispatcher) IncidentURL(id int64) string {
	if d.opts.BaseURL == "" || id == 0 {
		return ""
	}
	return d.opts.BaseURL + "/admin/incidents/" + strconv.FormatInt(id, 10)
}

// MonitorURL is the admin page of monitor id ("" for 0: a test alert).
func (d *Dispatcher) MonitorURL(id int64) string {
	if d.opts.BaseURL == "" || id == 0 {
		return ""
	}
	return d.opts.BaseURL + "/admin/monitors/" + strconv.FormatInt(id, 10)
}

// deliver sends one row and records the attempt.
func (d *Dispatcher) deliver(j job) {
	defer d.wg.Done()
	defer func() { d.done <- j.id }() // buffered for Concurrency: never blocks
	o := d.opts
	err := d.send(j)
	now := o.Now()
	att := alert.Attempt{At: now, OK: err == nil, StatusCode: StatusCode(err)}
	var next time.Time
	if err != nil {
		att.Error = truncate(err.Error(), maxErrorText)
		next = o.Backoff.Next(now, j.attempts+1, Permanent(err), o.Jitter())
		if wait, ok := RetryAfter(err, now); ok && !next.IsZero() {
			att.RetryAfter = min(wait, o.MaxRetryAfter)
			if at := now.Add(att.RetryAfter); at.After(next) {
				next = at
			}
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(d.sendCtx), 10*time.Second)
	defer cancel()
	if rerr := d.q.record(rctx, j.id, att, next); rerr != nil {
		// The row stays due: it is sent again (at least once).
		d.log.Error(d.names.record, "outbox_id", j.id, j.who, "err", rerr)
		return
	}
	switch {
	case err == nil:
	case next.IsZero():
		d.log.Warn(d.names.givenUp, "outbox_id", j.id, j.who, "attempts", j.attempts+1, "err", att.Error)
	default:
		d.log.Info(d.names.failed, "outbox_id", j.id, j.who, "attempts", j.attempts+1,
			"retry_at", next, "err", att.Error)
	}
}

// send runs the job with the send timeout; a panic becomes a (retryable) error.
func (d *Dispatcher) send(j job) (err error) {
	ctx, cancel := context.WithTimeout(d.sendCtx, d.opts.SendTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("notifier panicked: %v", r)
		}
	}()
	return j.send(ctx)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
