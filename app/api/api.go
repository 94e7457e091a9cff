// Package api serves the machine side of statusthing: heartbeat pings (Healthchecks URL
// shapes and Uptime Kuma's push) and the JSON API under /api/v1/. Handlers decode, call the
// service layer (the same one the admin UI calls) and encode; no domain logic lives here.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"statusthing/app/audit"
	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
	"statusthing/app/monitoring"
)

// Store is what the API reads beyond the services: keyset pages of lists and trends from
// raw results. Every method is scoped to an organization. *store.Store satisfies it.
type Store interface {
	MonitorsPage(ctx context.Context, orgID, afterID int64, status monitor.Status, typ monitor.Type,
		from, to time.Time, limit int) ([]monitor.Monitor, error)
	ResultsPage(ctx context.Context, orgID, monitorID int64, outcome monitor.Outcome, from, to time.Time,
		beforeAt time.Time, beforeID int64, limit int) ([]monitor.Result, error)
	FlipsPage(ctx context.Context, orgID, monitorID int64, from, to time.Time,
		beforeAt time.Time, beforeID int64, limit int) ([]monitor.Flip, error)
	PingsPage(ctx context.Context, orgID, monitorID int64, from, to time.Time, beforeID int64,
		limit int) ([]heartbeat.Record, error)
	HeartbeatUUIDs(ctx context.Context, orgID int64, ids []int64) (map[int64]string, error)
	ResultTrend(ctx context.Context, orgID, monitorID int64, from, to time.Time,
		step time.Duration) ([]monitor.RollupBucket, error)
}

// Options are the handler's dependencies.
type Options struct {
	Monitors *monitoring.Service
	Auth     *auth.Service
	Store    Store
	Logger   *slog.Logger
	// BaseURL is the public address of statusthing (server.base_url), for ping URLs and the
	// OpenAPI document's server.
	BaseURL string
	// ResultsRetention is how long raw results are kept (retention.results_days): minute
	// trends are only offered within it. 0: no bound.
	ResultsRetention time.Duration
	// ClientIP is the client's address as the web layer resolved it (trusted proxies).
	ClientIP      func(*http.Request) string
	PingBodyLimit int // bytes of a ping's body kept as its log (heartbeat.max_body_bytes)
	Now           func() time.Time
	// Audit keeps the organizations' audit logs; nil records nothing.
	Audit audit.Log
}

// Handler serves /ping/, /api/push/ and /api/v1/.
type Handler struct {
	monitors  *monitoring.Service
	auth      *auth.Service
	store     Store
	log       *slog.Logger
	baseURL   string
	retention time.Duration
	clientIP  func(*http.Request) string
	pingLimit int
	now       func() time.Time
	mux       *http.ServeMux
	audit     audit.Log

	// registered lists the API patterns given to mux ("GET /api/v1/monitors"), so a test
	// can hold them against the OpenAPI document.
	registered []string
	openapi    []byte // the OpenAPI document, built once from the route table
}

// New builds the handler and its routes.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ClientIP == nil {
		opts.ClientIP = func(r *http.Request) string { return r.RemoteAddr }
	}
	h := &Handler{
		monitors:  opts.Monitors,
		auth:      opts.Auth,
		store:     opts.Store,
		log:       opts.Logger,
		baseURL:   strings.TrimRight(opts.BaseURL, "/"),
		retention: max(opts.ResultsRetention, 0),
		clientIP:  opts.ClientIP,
		pingLimit: max(opts.PingBodyLimit, 0),
		now:       opts.Now,
		mux:       http.NewServeMux(),
		audit:     opts.Audit,
	}
	h.routes()
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) routes() {
	m := h.mux
	// Pings: every method reaches the handler, which answers CORS preflights and 405s.
	m.HandleFunc("/ping/{a}", h.ping)
	m.HandleFunc("/ping/{a}/{b}", h.ping)
	m.HandleFunc("/ping/{a}/{b}/{c}", h.ping)
	m.HandleFunc("/api/push/{token}", h.push)
	h.apiRoutes()
}
