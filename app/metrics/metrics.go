// Package metrics serves /metrics in the Prometheus text format: the status of every monitor
// and the size of the database, read from the store at scrape time (never an in-memory copy
// that could drift from what the pages show), counters and a histogram fed by the runner and
// the ping service as checks and pings happen, build information, and the Go runtime and
// process collectors. An optional bearer token protects the endpoint.
package metrics

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// Store is what a scrape reads; *store.Store satisfies it.
type Store interface {
	// AllMonitors lists the monitors of every organization with their state.
	AllMonitors(ctx context.Context) ([]monitor.Monitor, error)
	// DatabaseSize is the size in bytes of the database file and of its write-ahead log.
	DatabaseSize() (file, wal int64, err error)
	// AlertCounts are the outbox's pending, given-up and delivered alerts, and the open
	// incidents, of every organization.
	AlertCounts(ctx context.Context) (pending, failed, delivered, openIncidents int64, err error)
	// SubscriberNoticeCounts are the status page subscribers' queue: pending, given up and
	// delivered notices.
	SubscriberNoticeCounts(ctx context.Context) (pending, failed, delivered int64, err error)
}

// Options are the endpoint's dependencies and settings.
type Options struct {
	Store Store
	// Token, when set, must be sent as "Authorization: Bearer <token>" ([metrics] token).
	Token string
	// Version and Commit label statusthing_build_info.
	Version, Commit string
	Logger          *slog.Logger
	// ReadTimeout bounds the store reads of one scrape; 0 means 10 s.
	ReadTimeout time.Duration
}

// Metrics is the registry of statusthing's metrics and the /metrics handler. Its observer
// methods (CheckFinished, ResultRecorded, PingRecorded, PingUnknown) are safe for concurrent
// use and never block.
type Metrics struct {
	token   *[sha256.Size]byte // sha256 of the token; nil: no token needed
	handler http.Handler

	checkDuration  *prometheus.HistogramVec
	resultsWritten prometheus.Counter
	pingsReceived  *prometheus.CounterVec
	pingsUnknown   prometheus.Counter
}

// checkBuckets span a probe's duration, from a loopback answer to a slow page at its timeout.
var checkBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// New builds the registry and the handler.
func New(opts Options) *Metrics {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = 10 * time.Second
	}
	m := &Metrics{
		checkDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "statusthing_check_duration_seconds",
			Help:    "Duration of the checks (probes) that reached a verdict, by monitor type and outcome (up, degraded, down).",
			Buckets: checkBuckets,
		}, []string{"type", "outcome"}),
		resultsWritten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusthing_results_written_total",
			Help: "Check results committed to the database.",
		}),
		pingsReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusthing_pings_received_total",
			Help: "Heartbeat pings recorded (answered 200), by kind (success, start, fail, log, exit).",
		}, []string{"kind"}),
		pingsUnknown: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusthing_pings_unknown_total",
			Help: "Pings to an address that matches no heartbeat (answered 404).",
		}),
	}
	// Every series a dashboard may rate() exists from the start, at 0.
	for _, t := range monitor.ProbedTypes() {
		for _, o := range []monitor.Outcome{monitor.OutcomeUp, monitor.OutcomeDegraded, monitor.OutcomeDown} {
			m.checkDuration.WithLabelValues(string(t), string(o))
		}
	}
	for _, k := range []heartbeat.Kind{heartbeat.KindSuccess, heartbeat.KindStart, heartbeat.KindFail, heartbeat.KindLog, heartbeat.KindExit} {
		m.pingsReceived.WithLabelValues(string(k))
	}
	if opts.Token != "" {
		sum := sha256.Sum256([]byte(opts.Token))
		m.token = &sum
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "statusthing_build_info",
			Help:        "Always 1; the labels tell the version and commit of the running binary.",
			ConstLabels: prometheus.Labels{"version": orUnknown(opts.Version), "commit": orUnknown(opts.Commit)},
		}, func() float64 { return 1 }),
		m.checkDuration, m.resultsWritten, m.pingsReceived, m.pingsUnknown,
		newStoreCollector(opts.Store, opts.ReadTimeout),
	)
	m.handler = promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelError),
		// A store that cannot be read fails the scrape (Prometheus then reports up == 0)
		// rather than silently dropping every monitor from it.
		ErrorHandling:       promhttp.HTTPErrorOnError,
		MaxRequestsInFlight: 4,
	}))
	return m
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// ServeHTTP serves /metrics: GET or HEAD, with the bearer token when one is configured.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.token != nil && !m.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="statusthing metrics"`)
		http.Error(w, "unauthorized: send Authorization: Bearer <metrics token>", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	m.handler.ServeHTTP(w, r)
}

// authorized compares the request's bearer token with the configured one in constant time
// (hashes of equal length, so not even the token's length leaks).
func (m *Metrics) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], m.token[:]) == 1
}

// CheckFinished observes the duration of a probe that reached a verdict (runner.Observer).
func (m *Metrics) CheckFinished(mon monitor.Monitor, res monitor.Result) {
	m.checkDuration.WithLabelValues(string(mon.Type), string(res.Outcome)).Observe(res.Duration.Seconds())
}

// ResultRecorded counts a committed result (runner.Observer).
func (m *Metrics) ResultRecorded(monitor.Monitor, monitor.Result) { m.resultsWritten.Inc() }

// PingRecorded counts a committed ping (monitoring.PingObserver).
func (m *Metrics) PingRecorded(kind heartbeat.Kind) {
	m.pingsReceived.WithLabelValues(string(kind)).Inc()
}

// PingUnknown counts a ping to no heartbeat (monitoring.PingObserver).
func (m *Metrics) PingUnknown() { m.pingsUnknown.Inc() }

// storeCollector reads the monitors' statuses and the database size at each scrape.
type storeCollector struct {
	store   Store
	timeout time.Duration

	up, status, lastCheck, dbSize, walSize *prometheus.Desc
	alerts, incidents, notices             *prometheus.Desc
}

func newStoreCollector(st Store, timeout time.Duration) *storeCollector {
	labels := []string{"org_id", "monitor_id", "monitor", "type"}
	return &storeCollector{
		store: st, timeout: timeout,
		up: prometheus.NewDesc("statusthing_monitor_up",
			"1 when the monitor is up or degraded, 0 when it is down or (heartbeats) late; absent while "+
				"it has no verdict (pending, new) or is paused.", labels, nil),
		status: prometheus.NewDesc("statusthing_monitor_status",
			"The monitor's current status: 1 for the series whose status label it has, 0 for the others "+
				"(pending|up|degraded|down|paused, heartbeats new|up|late|down|paused).",
			append(labels, "status"), nil),
		lastCheck: prometheus.NewDesc("statusthing_monitor_last_check_timestamp_seconds",
			"When the monitor was last checked (heartbeats: last pinged), as a Unix time; absent before the first.",
			labels, nil),
		dbSize: prometheus.NewDesc("statusthing_database_size_bytes",
			"Size of the SQLite database: the file plus its write-ahead log.", nil, nil),
		walSize: prometheus.NewDesc("statusthing_database_wal_size_bytes",
			"Size of the SQLite write-ahead log alone (it grows when checkpoints fall behind).", nil, nil),
		alerts: prometheus.NewDesc("statusthing_alerts",
			"Alerts in the outbox by state: pending (outbox depth), failed (delivery given up) and delivered.",
			[]string{"state"}, nil),
		incidents: prometheus.NewDesc("statusthing_incidents_open", "Incidents not resolved yet.", nil, nil),
		notices: prometheus.NewDesc("statusthing_subscriber_notices",
			"Status page subscribers' notices (mails, webhooks, confirmations) by state: pending, failed (given up), delivered.",
			[]string{"state"}, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.status, c.lastCheck, c.dbSize, c.walSize, c.alerts, c.incidents, c.notices} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if monitors, err := c.store.AllMonitors(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.status, err)
	} else {
		for _, m := range monitors {
			c.collectMonitor(ch, m)
		}
	}
	if pending, failed, delivered, open, err := c.store.AlertCounts(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.alerts, err)
	} else {
		for state, v := range map[string]int64{"pending": pending, "failed": failed, "delivered": delivered} {
			ch <- prometheus.MustNewConstMetric(c.alerts, prometheus.GaugeValue, float64(v), state)
		}
		ch <- prometheus.MustNewConstMetric(c.incidents, prometheus.GaugeValue, float64(open))
	}
	if pending, failed, delivered, err := c.store.SubscriberNoticeCounts(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.notices, err)
	} else {
		for state, v := range map[string]int64{"pending": pending, "failed": failed, "delivered": delivered} {
			ch <- prometheus.MustNewConstMetric(c.notices, prometheus.GaugeValue, float64(v), state)
		}
	}
	if file, wal, err := c.store.DatabaseSize(); err != nil {
		ch <- prometheus.NewInvalidMetric(c.dbSize, err)
	} else {
		ch <- prometheus.MustNewConstMetric(c.dbSize, prometheus.GaugeValue, float64(file+wal))
		ch <- prometheus.MustNewConstMetric(c.walSize, prometheus.GaugeValue, float64(wal))
	}
}

func (c *storeCollector) collectMonitor(ch chan<- prometheus.Metric, m monitor.Monitor) {
	labels := []string{strconv.FormatInt(m.OrgID, 10), strconv.FormatInt(m.ID, 10), m.Name, string(m.Type)}
	if up, known := upValue(m.State.Status); known {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, labels...)
	}
	for _, s := range statuses(m.Type, m.State.Status) {
		v := 0.0
		if s == m.State.Status {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.status, prometheus.GaugeValue, v, append(labels, string(s))...)
	}
	if !m.State.LastCheckedAt.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.lastCheck, prometheus.GaugeValue,
			float64(m.State.LastCheckedAt.UnixMilli())/1000, labels...)
	}
}

// upValue maps a status to statusthing_monitor_up; known is false when there is no verdict.
func upValue(s monitor.Status) (v float64, known bool) {
	switch s {
	case monitor.StatusUp, monitor.StatusDegraded:
		return 1, true
	case monitor.StatusDown, monitor.StatusLate:
		return 0, true
	}
	return 0, false
}

// statuses lists the statuses a monitor of type t can have, the series of its one-hot
// statusthing_monitor_status. An unexpected current status is added, so that one series
// always says 1.
func statuses(t monitor.Type, current monitor.Status) []monitor.Status {
	all := []monitor.Status{monitor.StatusPending, monitor.StatusUp, monitor.StatusDegraded, monitor.StatusDown, monitor.StatusPaused}
	if t == monitor.TypeHeartbeat {
		all = []monitor.Status{monitor.StatusNew, monitor.StatusUp, monitor.StatusLate, monitor.StatusDown, monitor.StatusPaused}
	}
	for _, s := range all {
		if s == current {
			return all
		}
	}
	return append(all, current)
}
