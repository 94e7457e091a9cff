// Command statusthing is a self-hosted status page and monitor in one binary.
//
// main is the only place that knows every concrete type: it parses the command line, loads
// the configuration, opens the store and wires the services together.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"statusthing/app/api"
	"statusthing/app/auth"
	"statusthing/app/config"
	"statusthing/app/metrics"
	"statusthing/app/monitoring"
	"statusthing/app/notify"
	"statusthing/app/probe"
	"statusthing/app/runner"
	"statusthing/app/web"
	"statusthing/assets"
	"statusthing/store"
	"statusthing/views/i18n"
)

// Set at build time: go build -ldflags "-X main.version=1.2.3 -X main.commit=abc -X main.date=2026-11-25".
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// cli is one invocation: its streams and environment, so tests run commands in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            []string
}

type command struct {
	name, args, help string
	run              func(c *cli, ctx context.Context, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "[--config FILE]", "start the server (admin UI, checks, pings, status pages)", (*cli).serve},
		{"migrate", "[--config FILE] up | down N | version", "apply, revert or show database migrations", (*cli).migrate},
		{"user", "create --email E [--password-stdin] [--org SLUG] [--role ROLE] | passwd --email E [--password-stdin]", "create a user or change a password", (*cli).user},
		{"token", "create --name N [--org SLUG] [--scope read|write] [--expires 720h]", "create an API token (printed once)", (*cli).token},
		{"backup", "[--config FILE] FILE", "write a consistent copy of the database, also while the server runs", (*cli).backup},
		{"config", "check [FILE]", "validate a configuration file and the STATUSTHING_* environment", (*cli).config},
		{"version", "", "print version, commit and build date", (*cli).version},
		{"help", "", "show this help", (*cli).help},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		c.usage(stdout)
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			return cmd.run(c, ctx, args[1:])
		}
	}
	fmt.Fprintf(stderr, "statusthing: unknown command %q\n\n", args[0])
	c.usage(stderr)
	return exitUsage
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: statusthing <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.help)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "statusthing <command> -h" for a command's arguments.`)
	fmt.Fprintln(w, "Every config key can be set with STATUSTHING_<SECTION>_<KEY>; see statusthing.example.toml.")
}

func (c *cli) help(_ context.Context, args []string) int {
	if code, ok := parse(c.flags("help"), args); !ok {
		return code
	}
	c.usage(c.stdout)
	return exitOK
}

// flags makes a command's flag set; errors and -h go to stderr.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("statusthing "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	for _, cmd := range commands() {
		if cmd.name == name {
			fs.Usage = func() {
				fmt.Fprintf(c.stderr, "Usage: statusthing %s %s\n\n%s\n", name, cmd.args, cmd.help)
				if hasFlags(fs) {
					fmt.Fprintln(c.stderr, "\nFlags:")
					fs.PrintDefaults()
				}
			}
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses flags; ok is false when the command must end with code.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return exitOK, true
}

func (c *cli) fail(err error) int {
	fmt.Fprintf(c.stderr, "statusthing: %v\n", err)
	return exitError
}

func (c *cli) usageError(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "statusthing: "+format+"\n", args...)
	fs.Usage()
	return exitUsage
}

// getenv reads the command's environment (not the process's, so tests stay isolated).
func (c *cli) getenv(key string) string {
	for i := len(c.env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(c.env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// loadConfig loads the file named by --config or STATUSTHING_CONFIG, or the defaults.
func (c *cli) loadConfig(path string) (config.Config, error) {
	if path == "" {
		path = c.getenv(config.EnvConfigFile)
	}
	return config.Load(path, c.env)
}

func newLogger(w io.Writer, cfg config.Log) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens (creating and migrating) the database of cfg.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	return store.Open(ctx, store.Options{Path: cfg.Database.Path, Logger: log})
}

func newAuth(ctx context.Context, st *store.Store, cfg config.Config, log *slog.Logger) (*auth.Service, error) {
	return auth.New(ctx, st, auth.Options{
		SessionIdleTimeout: cfg.Auth.SessionIdleTimeout.Duration,
		SessionLifetime:    cfg.Auth.SessionLifetime.Duration,
		Logger:             log,
	})
}

// --- serve ---

func (c *cli) serve(ctx context.Context, args []string) int {
	fs := c.flags("serve")
	cfgPath := fs.String("config", "", "configuration file (default: $STATUSTHING_CONFIG, else built-in defaults)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.usageError(fs, "serve takes no arguments, got %q", fs.Args())
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return c.fail(err)
	}
	log := newLogger(c.stderr, cfg.Log)
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		log.Error("listen failed", "addr", cfg.Server.Listen, "err", err)
		return exitError
	}
	// With port 0 the kernel picks the port; links must carry the real one.
	if host, port, _ := net.SplitHostPort(cfg.Server.Listen); port == "0" {
		_, real, _ := net.SplitHostPort(ln.Addr().String())
		cfg.Server.Listen = net.JoinHostPort(host, real)
	}
	srv, err := newServer(ctx, cfg, c.env, log)
	if err != nil {
		ln.Close()
		log.Error("start failed", "err", err)
		return exitError
	}
	if err := srv.serve(ctx, ln); err != nil {
		log.Error("server stopped with an error", "err", err)
		return exitError
	}
	return exitOK
}

// server is the running application: store, services and HTTP server.
type server struct {
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	auth     *auth.Service
	runner   *runner.Runner
	prober   *probe.Prober
	alerts   *notify.Dispatcher
	notices  *notify.Dispatcher // status page subscribers' notices
	monitors *monitoring.Service
	hub      *web.Hub
	http     *http.Server
}

// shutdownTimeout bounds a graceful stop: in-flight requests drain, then the store closes.
const shutdownTimeout = 10 * time.Second

func newServer(ctx context.Context, cfg config.Config, env []string, log *slog.Logger) (*server, error) {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, log: log, store: st}
	fail := func(err error) (*server, error) {
		_ = st.Close()
		return nil, err
	}
	if s.auth, err = newAuth(ctx, st, cfg, log); err != nil {
		return fail(err)
	}
	setupToken, err := s.bootstrapAdmin(ctx, env)
	if err != nil {
		return fail(err)
	}
	catalogs, err := i18n.Load()
	if err != nil {
		return fail(err)
	}
	assetSet, err := assets.Load()
	if err != nil {
		return fail(err)
	}
	prober := probe.New(probe.Options{UserAgent: "statusthing/" + versionString(),
		BrowserPath: cfg.Browser.Path, BrowserConcurrency: cfg.Browser.MaxConcurrency})
	s.prober = prober
	s.hub = web.NewHub()
	statusPages := web.NewStatusCache()
	v, rev, _ := buildInfo()
	met := metrics.New(metrics.Options{Store: st, Token: cfg.Metrics.Token, Version: v, Commit: rev, Logger: log})
	s.runner, err = runner.New(runner.Options{
		Store:       st,
		Prober:      prober,
		Publisher:   s.hub,
		Concurrency: cfg.Probe.Concurrency,
		Tasks:       s.housekeeping(),
		Logger:      log,
		IsNotFound:  auth.IsNotFound,
		Observer:    met,
	})
	if err != nil {
		return fail(err)
	}
	smtp := notify.SMTPDefaults(cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.Username, cfg.SMTP.Password, cfg.SMTP.From, cfg.SMTP.TLS)
	notifiers, err := notify.New(notify.Options{SMTP: smtp})
	if err != nil {
		return fail(err)
	}
	monitors := monitoring.New(monitoring.Options{Store: st, Scheduler: s.runner, Prober: prober, Publisher: s.hub,
		Logger: log, KeepPings: cfg.Heartbeat.KeepPings, Observer: met,
		Notifier: notifiers, ValidateSettings: notify.Validator(smtp), Pages: statusPages})
	s.monitors = monitors
	s.alerts = notify.NewDispatcher(notify.DispatcherOptions{Store: st, Notifier: notifiers,
		Logger: log.With("component", "alerts"), BaseURL: cfg.BaseURL(), Wake: st.AlertsQueued()})
	// Subscriber mails go through the [smtp] relay; without one, visitors cannot subscribe
	// by e-mail (webhook subscribers still work).
	subscriberMail, err := notify.NewEmail(0)
	if err != nil {
		return fail(err)
	}
	subscriberMail.Defaults = smtp
	subscriberSender, err := notify.NewSubscriberSender(subscriberMail, nil, catalogs.Translator, cfg.BaseURL(), st, nil)
	if err != nil {
		return fail(err)
	}
	s.notices = notify.NewSubscriberDispatcher(notify.DispatcherOptions{Logger: log.With("component", "subscribers"),
		Wake: st.SubscribersQueued()}, subscriberSender)
	if err := s.applyConfigMonitors(ctx, monitors); err != nil {
		return fail(err)
	}
	if err := monitors.StartHeartbeats(ctx); err != nil {
		return fail(err)
	}
	handler := web.New(web.Options{
		Auth:           s.auth,
		Monitors:       monitors,
		Hub:            s.hub,
		StatusCache:    statusPages,
		Instance:       st,
		Audit:          st,
		Notes:          invitationMail(subscriberMail),
		Health:         st,
		Catalogs:       catalogs,
		Assets:         assetSet,
		Logger:         log,
		TrustedProxies: cfg.Server.TrustedProxyPrefixes(),
		API: api.New(api.Options{Monitors: monitors, Auth: s.auth, Store: st, Logger: log, ClientIP: web.ClientIP,
			PingBodyLimit: cfg.Heartbeat.MaxBodyBytes, BaseURL: cfg.BaseURL(), Audit: st,
			ResultsRetention: time.Duration(cfg.Retention.ResultsDays) * 24 * time.Hour}),
		TLS:          cfg.Server.TLSEnabled(),
		SetupToken:   setupToken,
		BaseURL:      cfg.BaseURL(),
		Version:      versionString(),
		DatabasePath: cfg.Database.Path,

		EmailSubscriptions: smtp.Host != "",
	})
	s.http = &http.Server{
		Handler:           withMetrics(met, handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.http.RegisterOnShutdown(s.hub.Close) // end SSE streams so Shutdown does not wait for them
	if setupToken != "" {
		log.Info("no account yet: open the setup link to create the first admin",
			"url", cfg.BaseURL()+"/setup?token="+setupToken)
	}
	return s, nil
}

// withMetrics serves /metrics (Prometheus: its own bearer token, no session, no page
// middleware) beside the site, which gets every other request untouched.
func withMetrics(scrape, site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			scrape.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}

// bootstrapAdmin creates the first admin from STATUSTHING_ADMIN_EMAIL/PASSWORD when no user
// exists (containers), or returns a one-time setup token for the browser.
func (s *server) bootstrapAdmin(ctx context.Context, env []string) (string, error) {
	needed, err := s.auth.NeedsSetup(ctx)
	if err != nil || !needed {
		return "", err
	}
	c := &cli{env: env}
	email, password := c.getenv(config.EnvAdminEmail), c.getenv(config.EnvAdminPassword)
	switch {
	case email != "" && password != "":
		u, err := s.auth.Setup(ctx, auth.SetupInput{Email: email, Password: password})
		if err != nil {
			return "", fmt.Errorf("create admin from %s/%s: %w", config.EnvAdminEmail, config.EnvAdminPassword, err)
		}
		s.log.Info("admin account created from the environment", "user_id", u.ID)
		return "", nil
	case email != "" || password != "":
		return "", fmt.Errorf("set both %s and %s to create the first admin, or neither", config.EnvAdminEmail, config.EnvAdminPassword)
	}
	return auth.NewSecret(), nil
}

// serve answers on ln until ctx ends, then stops gracefully within shutdownTimeout.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	if s.cfg.Server.TLSEnabled() {
		cert, err := tls.LoadX509KeyPair(s.cfg.Server.TLSCert, s.cfg.Server.TLSKey)
		if err != nil {
			_ = s.close()
			return fmt.Errorf("tls: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}})
	}
	if err := s.runner.Start(context.WithoutCancel(ctx)); err != nil {
		_ = s.close()
		return err
	}
	s.alerts.Start()
	s.notices.Start()
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	s.log.Info("listening", "url", s.cfg.BaseURL(), "addr", ln.Addr().String(), "version", versionString())

	var serveErr error
	select {
	case err := <-errc:
		serveErr = err
	case <-ctx.Done():
		s.log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("requests still running at shutdown", "err", err)
	}
	if err := s.runner.Stop(); err != nil {
		s.log.Warn("scheduler stop", "err", err)
	}
	if err := s.prober.Close(); err != nil { // after the runner: no check runs any more
		s.log.Warn("browser stop", "err", err)
	}
	// Alerts in flight finish (or are recorded as to retry) before the store closes.
	if err := s.alerts.Stop(shutdownCtx); err != nil {
		s.log.Warn("alert delivery stop", "err", err)
	}
	if err := s.notices.Stop(shutdownCtx); err != nil {
		s.log.Warn("subscriber delivery stop", "err", err)
	}
	if err := s.close(); err != nil {
		return err
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	s.log.Info("stopped")
	return serveErr
}

func (s *server) close() error { return s.store.Close() }

// housekeeping is the periodic work of a running server.
func (s *server) housekeeping() []runner.Task {
	days := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	r := s.cfg.Retention
	retention := store.Retention{
		Results:     days(r.ResultsDays),
		Failures:    days(r.FailuresDays),
		Rollups:     days(r.RollupsDays),
		Screenshots: days(r.ScreenshotsDays),
		// HourlyRollups: the store's default (they feed the charts of the last weeks).
	}
	return []runner.Task{
		{Name: "prune old data", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := s.store.Prune(ctx, time.Now(), retention)
			return err
		}},
		{Name: "database maintenance", Every: 10 * time.Minute, Run: s.store.Maintain},
		// Grace periods are whole minutes: a sweep every 10 s notices a late job in time.
		{Name: "heartbeat sweep", Every: 10 * time.Second, Run: func(ctx context.Context) error {
			return s.monitors.SweepHeartbeats(ctx)
		}},
		// A monitor that went down during a maintenance window alerts when the window ends.
		{Name: "incidents after maintenance", Every: 30 * time.Second, Run: func(ctx context.Context) error {
			_, err := s.store.OpenIncidentsAfterMaintenance(ctx, time.Now())
			return err
		}},
		// Reminders of monitors still down, and the alert that ends a monitor's flapping.
		{Name: "alert reminders", Every: 30 * time.Second, Run: func(ctx context.Context) error {
			_, err := s.store.AlertTick(ctx, time.Now())
			return err
		}},
		{Name: "prune sessions", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := s.auth.PruneSessions(ctx)
			return err
		}},
	}
}

// applyConfigMonitors creates, updates and removes the monitors declared in the config file.
// They belong to the first organization, created if nobody has signed up yet.
func (s *server) applyConfigMonitors(ctx context.Context, monitors *monitoring.Service) error {
	if len(s.cfg.Monitors) == 0 {
		orgs, err := s.store.Organizations(ctx)
		if err != nil || len(orgs) == 0 {
			return err // nothing declared, nothing to remove
		}
		return monitors.SyncConfig(ctx, orgs[0].ID, nil)
	}
	org, err := s.store.DefaultOrganization(ctx, "Default", "default", time.Now())
	if err != nil {
		return err
	}
	if err := monitors.SyncConfig(ctx, org.ID, s.cfg.Monitors); err != nil {
		return fmt.Errorf("config monitors: %w", err)
	}
	return nil
}

// --- migrate ---

func (c *cli) migrate(_ context.Context, args []string) int {
	fs := c.flags("migrate")
	cfgPath := fs.String("config", "", "configuration file")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return c.usageError(fs, "migrate needs up, down N or version")
	}
	steps := 0
	switch rest[0] {
	case "up", "version":
		if len(rest) != 1 {
			return c.usageError(fs, "migrate %s takes no argument", rest[0])
		}
	case "down":
		if len(rest) != 2 {
			return c.usageError(fs, "migrate down needs the number of steps, e.g. migrate down 1")
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil || n < 1 {
			return c.usageError(fs, "migrate down: %q is not a positive number of steps", rest[1])
		}
		steps = n
	default:
		return c.usageError(fs, "unknown migrate action %q", rest[0])
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return c.fail(err)
	}
	m, err := store.OpenMigrator(cfg.Database.Path)
	if err != nil {
		return c.fail(err)
	}
	defer m.Close()
	switch rest[0] {
	case "up":
		err = m.Up()
	case "down":
		err = m.Down(steps)
	}
	if err != nil {
		return c.fail(err)
	}
	v, dirty, err := m.Version()
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "database %s at version %d", cfg.Database.Path, v)
	if dirty {
		fmt.Fprint(c.stdout, " (dirty: a migration failed halfway; fix it and force the version)")
	}
	fmt.Fprintln(c.stdout)
	return exitOK
}

// --- user ---

func (c *cli) user(ctx context.Context, args []string) int {
	fs := c.flags("user")
	if len(args) == 0 || (args[0] != "create" && args[0] != "passwd") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fs.Usage()
			return exitOK
		}
		return c.usageError(fs, "user needs create or passwd")
	}
	action := args[0]
	fs = c.flags("user")
	cfgPath := fs.String("config", "", "configuration file")
	email := fs.String("email", "", "the user's e-mail address (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	var org, role *string
	if action == "create" {
		org = fs.String("org", "", "organization slug (default: the first organization)")
		role = fs.String("role", "owner", "role in the organization: owner, admin, editor or viewer")
	}
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if *email == "" {
		return c.usageError(fs, "user %s: --email is required", action)
	}
	if fs.NArg() > 0 {
		return c.usageError(fs, "user %s: unexpected arguments %q", action, fs.Args())
	}
	password, err := c.readPassword(*fromStdin)
	if err != nil {
		return c.fail(err)
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return c.fail(err)
	}
	log := newLogger(io.Discard, cfg.Log)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return c.fail(err)
	}
	defer st.Close()
	svc, err := newAuth(ctx, st, cfg, log)
	if err != nil {
		return c.fail(err)
	}
	if action == "passwd" {
		if err := svc.SetPassword(ctx, *email, password); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.stdout, "password changed for %s; their sessions were logged out\n", *email)
		return exitOK
	}
	u, err := svc.CreateUser(ctx, auth.CreateUserInput{Email: *email, Password: password, OrgSlug: *org, Role: auth.Role(*role)})
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "user %s created (id %d)\n", u.Email, u.ID)
	return exitOK
}

// readPassword reads a new password from stdin's first line, or asks twice on a terminal.
func (c *cli) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("no terminal to ask for the password: use --password-stdin")
	}
	fmt.Fprint(c.stderr, "Password: ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(c.stderr, "Repeat password: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the passwords do not match")
	}
	return string(first), nil
}

// --- token ---

func (c *cli) token(ctx context.Context, args []string) int {
	fs := c.flags("token")
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fs.Usage()
			return exitOK
		}
		return c.usageError(fs, "token needs create")
	}
	cfgPath := fs.String("config", "", "configuration file")
	name := fs.String("name", "", "a name that says what the token is for (required)")
	org := fs.String("org", "", "organization slug (default: the first organization)")
	scope := fs.String("scope", "write", "read or write")
	role := fs.String("role", "owner", "what the token may do: owner, admin, editor or viewer")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: never expires)")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if *name == "" {
		return c.usageError(fs, "token create: --name is required")
	}
	if *expires < 0 {
		return c.usageError(fs, "token create: --expires must be positive")
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return c.fail(err)
	}
	log := newLogger(io.Discard, cfg.Log)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return c.fail(err)
	}
	defer st.Close()
	svc, err := newAuth(ctx, st, cfg, log)
	if err != nil {
		return c.fail(err)
	}
	in := auth.CreateAPITokenInput{OrgSlug: *org, Name: *name, Scope: auth.Scope(*scope), Role: auth.Role(*role)}
	if *expires > 0 {
		in.ExpiresAt = time.Now().Add(*expires)
	}
	secret, t, err := svc.CreateAPIToken(ctx, in)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stderr, "token %q created (id %d, scope %s, role %s); it is shown only this once:\n", t.Name, t.ID, t.Scope, t.Role)
	fmt.Fprintln(c.stdout, secret)
	return exitOK
}

// --- backup ---

func (c *cli) backup(ctx context.Context, args []string) int {
	fs := c.flags("backup")
	cfgPath := fs.String("config", "", "configuration file")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return c.usageError(fs, "backup needs exactly one destination FILE")
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return c.fail(err)
	}
	dest := fs.Arg(0)
	start := time.Now()
	if err := store.Backup(ctx, cfg.Database.Path, dest); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "backup of %s written to %s in %s\n", cfg.Database.Path, dest, time.Since(start).Round(time.Millisecond))
	return exitOK
}

// --- config ---

func (c *cli) config(_ context.Context, args []string) int {
	fs := c.flags("config")
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fs.Usage()
			return exitOK
		}
		return c.usageError(fs, "config needs check")
	}
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 1 {
		return c.usageError(fs, "config check takes at most one FILE")
	}
	path := fs.Arg(0)
	if _, err := c.loadConfig(path); err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitError
	}
	if path == "" {
		path = c.getenv(config.EnvConfigFile)
	}
	if path == "" {
		fmt.Fprintln(c.stdout, "configuration ok (built-in defaults and environment)")
	} else {
		fmt.Fprintf(c.stdout, "configuration ok: %s\n", path)
	}
	return exitOK
}

// --- version ---

func (c *cli) version(_ context.Context, args []string) int {
	fs := c.flags("version")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	fmt.Fprintln(c.stdout, "statusthing "+versionString())
	return exitOK
}

// versionString is "version (commit, date)" from -ldflags, else from the module build info.
func versionString() string {
	v, rev, when := buildInfo()
	return fmt.Sprintf("%s (%s, %s)", v, rev, when)
}

// buildInfo returns the version, short commit and date from -ldflags, else from the module
// build info ("dev", "unknown commit", "unknown date" when neither has them).
func buildInfo() (v, rev, when string) {
	v, rev, when = version, commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && rev == "":
				rev = s.Value
			case s.Key == "vcs.time" && when == "":
				when = s.Value
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		rev = "unknown commit"
	}
	if when == "" {
		when = "unknown date"
	}
	return v, rev, when
}

// invitationMail is what mails invitations: the [smtp] relay when one is configured, else
// nothing (the members page shows the link to pass on).
func invitationMail(e *notify.Email) web.Notes {
	if e.Defaults.Host == "" {
		return nil
	}
	return e
}
