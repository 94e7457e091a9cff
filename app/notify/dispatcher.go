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
type Dispatcher struct {
	opts DispatcherOptions
	log  *slog.Logger

	loopCtx    context.Context // polls; cancelled by Stop
	stopLoop   context.CancelFunc
	sendCtx    context.Context // sends; cancelled when Stop's bound expires
	cancelSend context.CancelFunc
	done       chan int64 // finished deliveries, back to the loop
	loopDone   chan struct{}
	wg         sync.WaitGroup // deliveries in flight

	startOnce, stopOnce sync.Once
}

// NewDispatcher returns a Dispatcher; Start starts it.
func NewDispatcher(o DispatcherOptions) *Dispatcher {
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
	d := &Dispatcher{opts: o, log: o.Logger, done: make(chan int64, o.Concurrency), loopDone: make(chan struct{})}
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
	due, err := o.Store.DueAlerts(d.loopCtx, o.Now(), o.PerChannel, o.Concurrency+len(inflight))
	if err != nil {
		if d.loopCtx.Err() == nil {
			d.log.Error("poll outbox", "err", err)
		}
		return
	}
	for _, del := range due {
		if len(inflight) >= o.Concurrency {
			return
		}
		ch := del.Channel.ID
		if _, busy := inflight[del.ID]; busy || perChannel[ch] >= o.PerChannel {
			continue
		}
		inflight[del.ID] = ch
		perChannel[ch]++
		d.wg.Add(1)
		go d.deliver(del)
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
func (d *Dispatcher) deliver(del alert.Delivery) {
	defer d.wg.Done()
	defer func() { d.done <- del.ID }() // buffered for Concurrency: never blocks
	o := d.opts
	a := del.Alert
	a.Incident.URL = d.IncidentURL(a.Incident.ID)
	a.Monitor.URL = d.MonitorURL(a.Monitor.ID)
	var err error
	if !del.Channel.Enabled {
		err = permanent(errors.New("channel disabled"))
	} else {
		err = d.send(del.Channel, a)
	}
	now := o.Now()
	att := alert.Attempt{At: now, OK: err == nil, StatusCode: StatusCode(err)}
	var next time.Time
	if err != nil {
		att.Error = truncate(err.Error(), maxErrorText)
		next = o.Backoff.Next(now, del.Attempts+1, Permanent(err), o.Jitter())
		if wait, ok := RetryAfter(err, now); ok && !next.IsZero() {
			att.RetryAfter = min(wait, o.MaxRetryAfter)
			if at := now.Add(att.RetryAfter); at.After(next) {
				next = at
			}
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(d.sendCtx), 10*time.Second)
	defer cancel()
	if rerr := o.Store.RecordAttempt(rctx, del.ID, att, next); rerr != nil {
		// The row stays due: it is sent again (at least once).
		d.log.Error("record alert attempt", "outbox_id", del.ID, "channel", del.Channel, "err", rerr)
		return
	}
	switch {
	case err == nil:
	case next.IsZero():
		d.log.Warn("alert given up", "outbox_id", del.ID, "channel", del.Channel, "attempts", del.Attempts+1, "err", att.Error)
	default:
		d.log.Info("alert delivery failed", "outbox_id", del.ID, "channel", del.Channel, "attempts", del.Attempts+1,
			"retry_at", next, "err", att.Error)
	}
}

// send runs the notifier with the send timeout; a panic becomes a (retryable) error.
func (d *Dispatcher) send(ch Channel, a Alert) (err error) {
	ctx, cancel := context.WithTimeout(d.sendCtx, d.opts.SendTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("notifier panicked: %v", r)
		}
	}()
	return d.opts.Notifier.Send(ctx, ch, a)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
