package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// hits records when each monitor's path was requested.
type hits struct {
	mu    sync.Mutex
	times map[int][]time.Time
}

func (h *hits) add(id int, t time.Time) {
	h.mu.Lock()
	h.times[id] = append(h.times[id], t)
	h.mu.Unlock()
}

// checks runs the scheduler scenario: n HTTP monitors every interval against a local
// target; it reports checks/s, schedule drift, CPU and RSS of statusthing.
func checks(n int, interval, warmup, duration time.Duration, keep bool) error {
	dir, bin, err := workdir("statusthing-loadtest-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}

	h := &hits{times: map[int][]time.Time{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	target := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/m/")); err == nil {
			h.add(id, time.Now())
		}
		w.Write([]byte("ok"))
	}), ReadHeaderTimeout: 5 * time.Second}
	go target.Serve(ln)
	defer target.Close()

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[server]\nlisten = \"127.0.0.1:0\"\n[database]\npath = %q\n[log]\nlevel = \"warn\"\n", filepath.Join(dir, "st.db"))
	for i := range n {
		fmt.Fprintf(&cfg, "\n[[monitors]]\nname = \"load %d\"\ntype = \"http\"\ninterval = %q\ntimeout = \"5s\"\nurl = \"http://%s/m/%d\"\n",
			i, interval.String(), ln.Addr(), i)
	}
	cfgPath := filepath.Join(dir, "statusthing.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), duration+time.Minute)
	defer cancel()
	cmd, err := serve(ctx, bin, cfgPath)
	if err != nil {
		return err
	}
	pid := cmd.Process.Pid
	start := time.Now()
	fmt.Printf("%d monitors every %s for %s (pid %d)\n", n, interval, duration, pid)

	// Warm-up: the first interval spreads the first checks; measure after it.
	time.Sleep(warmup)
	cpu0, err := cpuTime(pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	var peakRSS int64
	for time.Since(start) < duration {
		time.Sleep(time.Second)
		if rss, err := rssKB(pid); err == nil {
			peakRSS = max(peakRSS, rss)
		}
	}
	cpu1, err := cpuTime(pid)
	if err != nil {
		return err
	}
	window := time.Since(t0)
	hwm, _ := hwmKB(pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()

	// Drift: how far each gap between two checks of one monitor is from the interval.
	h.mu.Lock()
	defer h.mu.Unlock()
	var drifts []float64
	checks := 0
	missing := 0
	for id := range n {
		ts := h.times[id]
		if len(ts) == 0 {
			missing++
		}
		for i := 1; i < len(ts); i++ {
			if ts[i].After(t0) {
				checks++
				drifts = append(drifts, math.Abs(ts[i].Sub(ts[i-1]).Seconds()-interval.Seconds()))
			}
		}
	}
	slices.Sort(drifts)
	pct := func(p float64) float64 {
		if len(drifts) == 0 {
			return math.NaN()
		}
		return drifts[min(len(drifts)-1, int(p*float64(len(drifts))))]
	}
	expected := float64(n) / interval.Seconds()
	fmt.Printf("checks/s: %.0f (expected %.0f) over %s after warm-up\n", float64(checks)/window.Seconds(), expected, window.Round(time.Second))
	fmt.Printf("schedule drift |gap - interval|: p50 %.3fs p99 %.3fs max %.3fs (%d gaps)\n", pct(0.5), pct(0.99), pct(1), len(drifts))
	fmt.Printf("monitors never checked: %d\n", missing)
	fmt.Printf("CPU: %.1f%% of one core\n", 100*(cpu1-cpu0).Seconds()/window.Seconds())
	fmt.Printf("RSS: peak %.0f MB (sampled), VmHWM %.0f MB\n", float64(peakRSS)/1024, float64(hwm)/1024)
	return nil
}

// cpuTime is user+system CPU time of a process from /proc/<pid>/stat.
