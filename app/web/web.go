// Package web serves the HTML side of statusthing: the admin UI, login and first-run setup,
// health checks and static assets. Handlers decode, validate, call a service and render a
// templ view; all routes are in routes.go.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"statusthing/app/audit"
	"statusthing/app/auth"
	"statusthing/app/monitoring"
	"statusthing/assets"
	"statusthing/views/i18n"
)

// Health is what /healthz checks; *store.Store satisfies it.
type Health interface {
	Ping(ctx context.Context) error
}

// Options are the handler's dependencies.
type Options struct {
	Auth     *auth.Service
	Monitors *monitoring.Service
	Hub      *Hub
	// Notes mails invitations through the [smtp] relay; nil: the link is only shown.
	Notes Notes
	// Audit keeps the organizations' audit logs; nil records nothing.
	Audit audit.Log
	// Instance is read by the instance admins' page; nil hides it.
	Instance InstanceStats
	// StatusCache keeps the public status pages rendered; New makes one when nil.
	StatusCache    *StatusCache
	Health         Health
	Catalogs       *i18n.Catalogs
	Assets         *assets.Set
	Logger         *slog.Logger
	TrustedProxies []netip.Prefix
	// API serves /ping/ and /api/ (app/api) behind this handler's middleware.
	API          http.Handler
	TLS          bool   // the server terminates TLS itself
	SetupToken   string // one-time first-run token; "" when an account exists
	BaseURL      string
	Version      string
	DatabasePath string
	Now          func() time.Time
	// EmailSubscriptions lets visitors of public pages subscribe by e-mail: an [smtp]
	// relay is configured to send their mails.
	EmailSubscriptions bool
}

// Notes sends one-off mails (invitations); *notify.Email satisfies it.
type Notes interface {
	SendNote(ctx context.Context, to, subject, text string) error
}

// Handler is the HTTP handler of the whole site.
type Handler struct {
	auth     *auth.Service
	monitors *monitoring.Service
	hub      *Hub
	status   *StatusCache
	instance InstanceStats
	audit    audit.Log
	notes    Notes
	health   Health
	catalogs *i18n.Catalogs
	assets   *assets.Set
	log      *slog.Logger
	proxies  []netip.Prefix
	api      http.Handler
	tls      bool
	setup    string
	baseURL  string
	version  string
	dbPath   string
	now      func() time.Time
	mux      *http.ServeMux
	// adminTable lists the admin routes as registered (AdminRoutes).
	adminTable []AdminRoute
	root       http.Handler
	// emailSubs: see Options.EmailSubscriptions; subLimit rates subscriptions per address.
	emailSubs bool
	subLimit  *rateLimit
}

// New builds the handler and its routes.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{
		auth:     opts.Auth,
		monitors: opts.Monitors,
		hub:      opts.Hub,
		health:   opts.Health,
		catalogs: opts.Catalogs,
		assets:   opts.Assets,
		log:      opts.Logger,
		proxies:  opts.TrustedProxies,
		api:      opts.API,
		tls:      opts.TLS,
		setup:    opts.SetupToken,
		baseURL:  opts.BaseURL,
		version:  opts.Version,
		dbPath:   opts.DatabasePath,
		now:      opts.Now,
		mux:      http.NewServeMux(),

		emailSubs: opts.EmailSubscriptions,
		subLimit:  newRateLimit(subscribeLimit, subscribeWindow, subscribeMaxKeys),
	}
	h.instance = opts.Instance
	h.audit = opts.Audit
	h.notes = opts.Notes
	h.status = opts.StatusCache
	if h.status == nil {
		h.status = NewStatusCache()
	}
	h.status.attach(h.buildStatusPage, h.statusRoutes, h.log, h.now)
	if h.hub != nil {
		go h.status.follow(h.hub)
	}
	h.routes()
	h.root = h.recoverPanics(h.clientInfo(h.logRequests(h.securityHeaders(h.customDomains(h.mux)))))
	return h
}

// ClientIP returns the client's address as resolved by the handler's middleware (trusted
// proxies weighed), for handlers mounted behind it.
func ClientIP(r *http.Request) string { return infoOf(r).ip }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.root.ServeHTTP(w, r)
}
