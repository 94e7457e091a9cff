package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"statusthing/app/monitor"
	"statusthing/store"
)

// pageOptions are the knobs of the status page scenario.
type pageOptions struct {
	components int
	clients    int
	duration   time.Duration
	days       int
}

// statusPage serves one status page of o.components components, each bound to a monitor
// with o.days of hourly history (a few bad hours here and there), and drives GET
// /status/{slug} with wrk: plain (as wrk asks) and gzipped (as browsers ask).
func statusPage(o pageOptions) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("the page scenario needs wrk (apt-get install wrk)")
	}
	dir, bin, err := workdir("statusthing-pageload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	base := "http://" + addr
	dbPath := filepath.Join(dir, "st.db")
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[server]\nlisten = %q\nbase_url = %q\n[database]\npath = %q\n[log]\nlevel = \"warn\"\n", addr, base, dbPath)
	for i := range o.components {
		// Paused by a long interval: the history is what the page shows.
		fmt.Fprintf(&cfg, "\n[[monitors]]\nname = \"service %02d\"\ntype = \"tcp\"\naddress = \"127.0.0.1:9\"\ninterval = \"24h\"\n", i)
	}
	cfgPath := filepath.Join(dir, "statusthing.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		return err
	}

	// First start: the account and the monitors. Then the history, written while stopped.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd, err := serve(ctx, bin, cfgPath)
	if err != nil {
		return err
	}
	if err := waitHealthy(base); err != nil {
		return err
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	ids, err := seedHistory(dbPath, o.days)
	if err != nil {
		return err
	}
	if cmd, err = serve(ctx, bin, cfgPath); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	if err := waitHealthy(base); err != nil {
		return err
	}
	if err := createLoadPage(base, ids); err != nil {
		return err
	}
	pageURL := base + "/status/load"
	res, err := http.Get(pageURL)
	if err != nil {
		return err
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.Count(string(html), `data-testid="component"`) != o.components {
		return fmt.Errorf("the page answers %d with %d components", res.StatusCode, strings.Count(string(html), `data-testid="component"`))
	}
	var assetBytes int
	for _, m := range regexp.MustCompile(`(?:href|src)="(/assets/[^"]+\.(?:css|js))"`).FindAllStringSubmatch(string(html), -1) {
		r, err := http.Get(base + m[1])
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		assetBytes += len(b)
	}
	fmt.Printf("page of %d components, %d days of history: HTML %d bytes + CSS/JS %d bytes = %d bytes uncompressed\n",
		o.components, o.days, len(html), assetBytes, len(html)+assetBytes)
	pid := cmd.Process.Pid
	for _, ph := range []struct{ name, header string }{{"plain", ""}, {"gzip", "Accept-Encoding: gzip"}} {
		fmt.Printf("--- GET /status/load, %s (wrk, %d connections, %s)\n", ph.name, o.clients, o.duration)
		args := []string{"-t2", fmt.Sprintf("-c%d", o.clients), "-d" + o.duration.String(), "--latency"}
		if ph.header != "" {
			args = append(args, "-H", ph.header)
		}
		cpu0, _ := cpuTime(pid)
		t0 := time.Now()
		w := exec.Command("wrk", append(args, pageURL)...)
		w.Stdout, w.Stderr = os.Stdout, os.Stderr
		if err := w.Run(); err != nil {
			return err
		}
		cpu1, _ := cpuTime(pid)
		rss, _ := rssKB(pid)
		fmt.Printf("statusthing CPU: %.0f%% of one core, RSS %d MB\n", 100*(cpu1-cpu0).Seconds()/time.Since(t0).Seconds(), rss/1024)
	}
	return nil
}

// seedHistory records hourly checks over the last days for every monitor: mostly up, a
// bad hour every few weeks, a day without data. It returns the monitors' ids.
func seedHistory(dbPath string, days int) ([]int64, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: dbPath})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ms, err := st.AllMonitors(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	start := now.Truncate(24*time.Hour).AddDate(0, 0, -(days - 1))
	var ids []int64
	for i, m := range ms {
		ids = append(ids, m.ID)
		for at := start; at.Before(now); at = at.Add(time.Hour) {
			day := int(at.Sub(start) / (24 * time.Hour))
			if day == 30+i%7 {
				continue // statusthing was off
			}
			r := monitor.Result{MonitorID: m.ID, StartedAt: at, Outcome: monitor.OutcomeUp, Duration: time.Duration(20+i) * time.Millisecond}
			if (day+i)%17 == 0 && at.Hour() == 3 {
				r.Outcome, r.ErrorClass, r.Message = monitor.OutcomeDown, monitor.ClassRefused, "connection refused"
			}
			if _, _, err := st.RecordResult(ctx, r); err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}

// createLoadPage logs in as the load test's admin and creates the page with the editor's
// form, a component per monitor in groups of ten.
func createLoadPage(base string, ids []int64) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	postForm := func(pagePath, action string, form url.Values) (*http.Response, error) {
		res, err := c.Get(base + pagePath)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrf.FindSubmatch(b)
		if m == nil {
			return nil, fmt.Errorf("no CSRF token on %s (%d)", pagePath, res.StatusCode)
		}
		form.Set("csrf_token", string(m[1]))
		return c.PostForm(base+action, form)
	}
	res, err := postForm("/login", "/login", url.Values{"email": {"load@example.com"}, "password": {"load test password"}})
	if err != nil {
		return err
	}
	res.Body.Close()
	form := url.Values{"title": {"Load test status"}, "slug": {"load"}, "locale": {"en"}, "public": {"1"},
		"description": {"Every service of the load test."}, "rows": {strconv.Itoa(len(ids))}}
	for i, id := range ids {
		k := "c" + strconv.Itoa(i) + "."
		form.Set(k+"name", fmt.Sprintf("Service %02d", i))
		form.Set(k+"group", fmt.Sprintf("Region %d", i/10+1))
		form.Set(k+"monitor", strconv.FormatInt(id, 10))
		form.Set(k+"position", strconv.Itoa(i+1))
	}
	if res, err = postForm("/admin/pages/new", "/admin/pages", form); err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("creating the page: %d", res.StatusCode)
	}
	return nil
}
