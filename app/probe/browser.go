package probe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/cdp"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/launcher/flags"
	"github.com/go-rod/rod/lib/proto"
	"github.com/go-rod/rod/lib/utils"
)

// DefaultBrowserConcurrency is how many browser checks run at once unless Options say otherwise:
// each one is a Chromium renderer of 50-150 MB.
const DefaultBrowserConcurrency = 2

const (
	// browserLaunchTimeout bounds a Chromium start (0.2-1.2 s normally) within the check's own
	// timeout.
	browserLaunchTimeout = 20 * time.Second
	// launchBackoff: after a failed start, checks fail with the same error for this long instead
	// of each one trying (and waiting) again.
	launchBackoff = 5 * time.Second
	// pingTimeout bounds the liveness check of a browser that a previous check found suspect.
	pingTimeout = 2 * time.Second
	// exitWait bounds the wait for Chromium to exit after it was told to close or killed.
	exitWait = 5 * time.Second
	// recycleAfter is how many checks one Chromium serves before it is replaced (once its
	// running checks end): its browser process grows by some 20 KB per check (measured: 138 MiB
	// PSS after 1 check, 148 after 100, 155 after 500) and a long-lived browser fragments.
	recycleAfter = 1000
	// profilePrefix names the user-data directories, followed by the owning process id so that
	// directories left by a killed statusthing can be recognised and removed.
	profilePrefix = "statusthing-chromium-"
)

// errNoBrowser is the error of checks that find no Chromium to run.
var errNoBrowser = &noBrowserError{}

// noBrowserError says that no Chromium was found, and why when a path was configured.
type noBrowserError struct{ why string }

func (e *noBrowserError) Error() string {
	if e.why == "" {
		return "browser not available: install chromium or set [browser] path"
	}
	return "browser not available: " + e.why + ": install chromium or set [browser] path"
}

// errPoolClosed is returned for checks that start after Close.
var errPoolClosed = errors.New("browser checks are shut down")

// browserPool runs browser checks on one Chromium process, started on the first check and
// restarted when it crashes or stops answering. Each check gets its own DevTools connection and
// incognito context (cookies, cache and storage are not shared), closed after the check.
type browserPool struct {
	path    string        // configured binary; "" auto-detects
	slots   chan struct{} // one per running check: at most max_concurrency
	recycle int           // checks served by one Chromium before it is replaced

	// mu guards cur and the launch state; a channel so that waiting for a launch by another
	// check honours the waiting check's deadline.
	mu       chan struct{}
	cur      *chromium
	failErr  error     // the last failed launch...
	failedAt time.Time // ...and when it failed
	swept    bool      // stale profile directories removed

	state  sync.Mutex // guards closed and registration in bg
	closed bool
	done   chan struct{}  // closed by close: checks waiting for a slot or a launch give up
	bg     sync.WaitGroup // checks in flight (until their cleanup ends) and retired browsers
}

func newBrowserPool(path string, concurrency int) *browserPool {
	if concurrency <= 0 {
		concurrency = DefaultBrowserConcurrency
	}
	return &browserPool{
		path:    strings.TrimSpace(path),
		slots:   make(chan struct{}, concurrency),
		recycle: recycleAfter,
		mu:      make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
}

// enter registers a check so that close waits for its cleanup; false after close.
func (bp *browserPool) enter() bool {
	bp.state.Lock()
	defer bp.state.Unlock()
	if bp.closed {
		return false
	}
	bp.bg.Add(1)
	return true
}

func (bp *browserPool) isClosed() bool {
	bp.state.Lock()
	defer bp.state.Unlock()
	return bp.closed
}

// lock takes mu unless ctx ends or the pool closes first.
func (bp *browserPool) lock(ctx context.Context) error {
	select {
	case bp.mu <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-bp.done:
		return errPoolClosed
	}
}

func (bp *browserPool) unlock() { <-bp.mu }

// instance returns the running Chromium for one check, which must call release when done with
// it. It starts one when there is none, when the current one died or stopped answering (it is
// killed), or when it has served its share of checks (it is retired after its last check).
func (bp *browserPool) instance(ctx context.Context) (*chromium, error) {
	if err := bp.lock(ctx); err != nil {
		return nil, err
	}
	defer bp.unlock()
	if bp.isClosed() {
		return nil, errPoolClosed
	}
	if c := bp.cur; c != nil {
		switch {
		case !c.usable(ctx):
			bp.cur = nil
			bp.retire(c)
		case c.acquire(bp.recycle):
			return c, nil
		default:
			bp.cur = nil
			if c.drain() {
				bp.retire(c)
			}
		}
	}
	if bp.failErr != nil && time.Since(bp.failedAt) < launchBackoff {
		return nil, bp.failErr
	}
	if !bp.swept {
		bp.swept = true
		removeStaleProfiles()
	}
	c, err := launchChromium(ctx, bp.path, &bp.bg)
	if err != nil {
		var missing *noBrowserError
		if ctx.Err() == nil && !errors.As(err, &missing) {
			bp.failErr, bp.failedAt = err, time.Now()
		}
		return nil, err
	}
	bp.failErr = nil
	bp.cur = c
	c.acquire(bp.recycle)
	return c, nil
}

// release ends a check's use of c; the last check of a drained browser retires it.
func (bp *browserPool) release(c *chromium) {
	if c.leave() {
		bp.retire(c)
	}
}

// retire kills c in the background (the checks still using it fail with "browser crashed").
func (bp *browserPool) retire(c *chromium) {
	bp.bg.Add(1)
	go func() {
		defer bp.bg.Done()
		c.kill()
	}()
}

// close stops Chromium and waits for running checks to clean up. It is idempotent.
func (bp *browserPool) close() error {
	bp.state.Lock()
	if !bp.closed {
		bp.closed = true
		close(bp.done)
	}
	bp.state.Unlock()
	bp.mu <- struct{}{} // a launch in progress ends within its check's deadline
	c := bp.cur
	bp.cur = nil
	bp.unlock()
	if c != nil {
		c.shutdown()
	}
	bp.bg.Wait()
	return nil
}

// suspectCurrent marks the running Chromium suspect: a check gave up waiting for it.
func (bp *browserPool) suspectCurrent() {
	bp.mu <- struct{}{}
	defer bp.unlock()
	if bp.cur != nil {
		bp.cur.suspect.Store(true)
	}
}

// current returns the running Chromium, if any (tests).
func (bp *browserPool) current() *chromium {
	bp.mu <- struct{}{}
	defer bp.unlock()
	return bp.cur
}

// chromium is one running browser process.
type chromium struct {
	l      *launcher.Launcher
	ctrl   *rod.Browser // control connection: liveness, version, close
	cancel context.CancelFunc
	wsURL  string
	pid    int    // the browser process; it leads the process group of all Chromium processes
	dir    string // user-data directory, removed after exit
	exited chan struct{}
	// gone is closed when the control connection ends: Chromium exited, crashed or was killed.
	gone chan struct{}
	// suspect is set when a check timed out or met an unexplained DevTools error: the next
	// check pings the browser before using it.
	suspect atomic.Bool
	killed  sync.Once

	use      sync.Mutex // guards the counts below
	users    int        // checks using this browser now
	served   int        // checks given this browser so far
	draining bool       // replaced: retire when the last user leaves
}

// acquire counts a check in, unless c has served limit checks already.
func (c *chromium) acquire(limit int) bool {
	c.use.Lock()
	defer c.use.Unlock()
	if c.served >= limit {
		return false
	}
	c.served++
	c.users++
	return true
}

// drain marks c replaced; it reports whether no check uses it (retire it now).
func (c *chromium) drain() bool {
	c.use.Lock()
	defer c.use.Unlock()
	c.draining = true
	return c.users == 0
}

// leave counts a check out; it reports whether c was drained and this was its last check.
func (c *chromium) leave() bool {
	c.use.Lock()
	defer c.use.Unlock()
	c.users--
	return c.draining && c.users == 0
}

// findBrowser returns the Chromium binary to run.
func findBrowser(configured string) (string, error) {
	if configured != "" {
		p, err := exec.LookPath(configured)
		if err != nil {
			reason := "not found"
			if fi, serr := os.Stat(configured); serr == nil {
				reason = "not an executable file"
				if fi.IsDir() {
					reason = "a directory"
				}
			}
			return "", &noBrowserError{why: configured + " is " + reason}
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errNoBrowser
}

// browserFlags are the Chromium switches of checks, on top of rod's defaults (no first run,
// no background networking, no sync, no default apps, no popup blocking...). The sandbox is
// off because Chromium refuses to start as root with it, which is the usual case in
// containers; pages are the operator's own sites.
var browserFlags = []string{
	"disable-gpu",
	"disable-component-update",
	"disable-domain-reliability",
	"disable-crash-reporter",
	"disable-notifications",
	"disable-extensions",
	"mute-audio",
	"hide-scrollbars",
	"no-default-browser-check",
	"password-store=basic",
}

// newLauncher returns a launcher that never downloads a browser (Bin is always set) and ignores
// rod's -rod command-line defaults. Chromium's crash handler runs in a session of its own, out
// of the browser's process group; BREAKPAD_DUMP_LOCATION moves its database into the profile
// directory (instead of ~/.config/chromium), so it is found and removed with the profile. (The
// switch that disables it, --disable-crashpad-for-testing, breaks navigation in Chromium 156.)
func newLauncher(ctx context.Context, bin, dir string, leakless bool) *launcher.Launcher {
	l := launcher.New().Context(ctx).Bin(bin).UserDataDir(dir).
		Env(append(os.Environ(), "BREAKPAD_DUMP_LOCATION="+filepath.Join(dir, "crash"))...).
		Headless(true).NoSandbox(true).Leakless(leakless).Devtools(false).
		Set(flags.RemoteDebuggingPort, "0").Delete(flags.ProxyServer).
		Set("window-size", "1280,800")
	for _, f := range browserFlags {
		if name, value, ok := strings.Cut(f, "="); ok {
			l.Set(flags.Flag(name), value)
		} else {
			l.Set(flags.Flag(f))
		}
	}
	return l
}

// launchChromium starts Chromium and connects the control connection. bg tracks the cleanup of
// a launch abandoned when ctx ends.
func launchChromium(ctx context.Context, path string, bg *sync.WaitGroup) (*chromium, error) {
	bin, err := findBrowser(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, browserLaunchTimeout)
	defer cancel()
	c, err := startChromium(ctx, bin, true, bg)
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Path, "leakless") {
		// The guard that kills Chromium when statusthing dies could not run (a noexec temp
		// directory): run without it rather than not at all.
		c, err = startChromium(ctx, bin, false, bg)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("browser did not start (%s): %s", bin, oneLine(err.Error()))
	}
	return c, nil
}

func startChromium(ctx context.Context, bin string, leakless bool, bg *sync.WaitGroup) (*chromium, error) {
	dir, err := os.MkdirTemp("", profilePrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	l := newLauncher(ctx, bin, dir, leakless)
	c := &chromium{l: l, dir: dir, exited: make(chan struct{}), gone: make(chan struct{})}

	// Launch can block past ctx (leakless takes a machine-wide lock): wait for it in the
	// background and clean up whatever it started if ctx ends first.
	type launched struct {
		url string
		err error
	}
	done := make(chan launched, 1)
	go func() {
		defer func() {
			if e := recover(); e != nil {
				done <- launched{err: fmt.Errorf("%v", e)}
			}
		}()
		u, err := l.Launch()
		done <- launched{u, err}
	}()
	var res launched
	select {
	case res = <-done:
	case <-ctx.Done():
		bg.Add(1)
		go func() {
			defer bg.Done()
			<-done
			c.started()
			c.kill()
		}()
		return nil, ctx.Err()
	}
	c.started()
	if res.err != nil {
		c.kill()
		return nil, res.err
	}
	c.wsURL = res.url
	bctx, bcancel := context.WithCancel(context.Background())
	c.ctrl, err = connect(ctx, bctx, c.wsURL)
	if err != nil {
		bcancel()
		c.kill()
		return nil, err
	}
	c.cancel = bcancel
	events := c.ctrl.Event()
	go func() {
		for range events {
			// drained only to notice the end of the connection
		}
		close(c.gone)
	}()
	return c, nil
}

// started records the process Launch started, if any, and watches for its exit.
func (c *chromium) started() {
	c.pid = c.l.PID()
	go func() {
		if c.pid != 0 {
			c.l.Cleanup() // waits for the exit, then removes the user-data directory
		}
		close(c.exited)
	}()
}

// connect opens a DevTools connection to wsURL: dialling and the handshake are bounded by ctx,
// the connection lives until bctx ends.
func connect(ctx, bctx context.Context, wsURL string) (*rod.Browser, error) {
	d := &handshakeDialer{}
	ws := &cdp.WebSocket{Dialer: d}
	err := ws.Connect(ctx, wsURL, nil)
	if d.conn != nil {
		d.stop()
		if err != nil {
			_ = d.conn.Close()
		} else {
			_ = d.conn.SetDeadline(time.Time{})
		}
	}
	if err != nil {
		return nil, err
	}
	context.AfterFunc(bctx, func() { _ = ws.Close() })
	b := rod.New().Context(bctx).ControlURL("").
		Client(cdp.New().Logger(utils.LoggerQuiet).Start(ws)).
		NoDefaultDevice().Trace(false).SlowMotion(0).Monitor("").Logger(utils.LoggerQuiet)
	// Connect has no deadline of its own: closing the socket when ctx ends unblocks it.
	stop := context.AfterFunc(ctx, func() { _ = ws.Close() })
	err = b.Connect()
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		_ = ws.Close()
		return nil, err
	}
	return b, nil
}

// handshakeDialer bounds the WebSocket handshake by the dialling context, which rod's own
// dialer does not: a stopped Chromium accepts the connection but never answers the upgrade.
type handshakeDialer struct {
	conn net.Conn
	stop func() bool
}

func (d *handshakeDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	d.conn = c
	d.stop = context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	return c, nil
}

// dead reports whether the browser is known to be gone.
func (c *chromium) dead() bool {
	select {
	case <-c.gone:
		return true
	default:
		return false
	}
}

// usable reports whether a check can use c: it is alive and, if a previous check found it
// suspect, it answers a ping.
func (c *chromium) usable(ctx context.Context) bool {
	if c.dead() {
		return false
	}
	if !c.suspect.Load() {
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := (proto.BrowserGetVersion{}).Call(c.ctrl.Context(pctx)); err != nil {
		return ctx.Err() != nil // the caller's deadline, not the browser: keep it
	}
	c.suspect.Store(false)
	return true
}

// shutdown asks Chromium to close, then makes sure it is gone.
func (c *chromium) shutdown() {
	if !c.dead() && c.ctrl != nil {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		_ = proto.BrowserClose{}.Call(c.ctrl.Context(ctx))
		cancel()
		select {
		case <-c.exited:
		case <-time.After(exitWait / 2):
		}
	}
	c.kill()
}

// kill ends every Chromium process (the browser leads their process group), waits for the
// exit and removes the user-data directory. Safe to call more than once.
func (c *chromium) kill() {
	c.killed.Do(func() {
		if c.pid > 1 {
			_ = syscall.Kill(-c.pid, syscall.SIGKILL)
			_ = syscall.Kill(c.pid, syscall.SIGKILL)
		}
		if c.cancel != nil {
			c.cancel()
		}
		if c.pid != 0 {
			select {
			case <-c.exited:
			case <-time.After(exitWait):
			}
		}
		killProfileProcesses(c.dir)
		_ = os.RemoveAll(c.dir)
	})
}

// profileProcesses lists the live processes started with dir, or a path under it, as an
// argument: every Chromium process, its crash handler and leakless.
func profileProcesses(dir string) []int {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !usesDir(cmd, dir) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// usesDir reports whether the command line has an argument --flag=dir or --flag=dir/...
// Chromium rewrites the command line of its child processes into one space-separated string,
// so an argument may end with a space as well as a NUL.
func usesDir(cmdline []byte, dir string) bool {
	s, key := string(cmdline), "="+dir
	for i := strings.Index(s, key); i >= 0; {
		end := i + len(key)
		if end == len(s) || s[end] == 0 || s[end] == ' ' || s[end] == '/' {
			return true
		}
		next := strings.Index(s[end:], key)
		if next < 0 {
			break
		}
		i = end + next
	}
	return false
}

// killProfileProcesses kills what survived the process-group kill (nothing, normally).
func killProfileProcesses(dir string) {
	for _, pid := range profileProcesses(dir) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// removeStaleProfiles deletes the user-data directories of statusthing processes that no
// longer run (killed before they could clean up).
func removeStaleProfiles() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), profilePrefix+"*"))
	for _, dir := range matches {
		rest := strings.TrimPrefix(filepath.Base(dir), profilePrefix)
		owner, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(owner)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			continue // the owner still runs (or cannot be told apart): leave it
		}
		killProfileProcesses(dir)
		_ = os.RemoveAll(dir)
	}
}
