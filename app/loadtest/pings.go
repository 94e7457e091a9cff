package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

type pingOptions struct {
	heartbeats, clients, body int
	duration, soak            time.Duration
	wrk                       bool // drive the load with wrk instead of Go clients
}

// phase is what the clients of one measured phase saw.
type phase struct {
	ok, other int
	latencies []time.Duration
	elapsed   time.Duration
	cpu       time.Duration // of statusthing
}

func (p phase) pct(q float64) time.Duration {
	if len(p.latencies) == 0 {
		return 0
	}
	return p.latencies[min(len(p.latencies)-1, int(q*float64(len(p.latencies))))]
}

func (p phase) report(name string, want int) {
	fmt.Printf("%-8s %7.0f answers %d/s (%d, %d other) | latency p50 %s p99 %s max %s | statusthing CPU %.0f%% of one core\n",
		name, float64(p.ok)/p.elapsed.Seconds(), want, p.ok, p.other,
		p.pct(0.5).Round(10*time.Microsecond), p.pct(0.99).Round(10*time.Microsecond), p.pct(1).Round(10*time.Microsecond),
		100*p.cpu.Seconds()/p.elapsed.Seconds())
}

func pings(o pingOptions) error {
	dir, bin, err := workdir("statusthing-pingload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	dbPath := filepath.Join(dir, "st.db")
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[server]\nlisten = %q\n[database]\npath = %q\n[log]\nlevel = \"warn\"\n", addr, dbPath)
	for i := range o.heartbeats {
		fmt.Fprintf(&cfg, "\n[[monitors]]\nname = \"job %d\"\ntype = \"heartbeat\"\nperiod = \"1h\"\n", i)
	}
	cfgPath := filepath.Join(dir, "statusthing.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd, err := serve(ctx, bin, cfgPath)
	if err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	base := "http://" + addr
	if err := waitHealthy(base); err != nil {
		return err
	}
	uuids, err := heartbeatUUIDs(dbPath)
	if err != nil {
		return err
	}
	pid := cmd.Process.Pid
	fmt.Printf("%d heartbeats, %d clients, %s phases, body %d bytes (pid %d)\n", len(uuids), o.clients, o.duration, o.body, pid)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients}}
	known := func(i int) string { return base + "/ping/" + uuids[i%len(uuids)] }
	unknown := func(i int) string { return base + "/ping/" + randomUUID() }

	run(client, pid, o, known, 2*time.Second) // warm-up: connections, statement cache
	if o.wrk {
		// wrk (C, epoll) leaves more of the 2 cores to statusthing than Go clients do.
		unknowns := make([]string, 1000)
		for i := range unknowns {
			unknowns[i] = randomUUID()
		}
		for _, ph := range []struct {
			name  string
			uuids []string
		}{{"known", uuids}, {"unknown", unknowns}} {
			fmt.Printf("--- %s uuids (wrk, %d connections, %s)\n", ph.name, o.clients, o.duration)
			cpu0, _ := cpuTime(pid)
			t0 := time.Now()
			if err := runWrk(dir, base, ph.uuids, o); err != nil {
				return err
			}
			cpu1, _ := cpuTime(pid)
			fmt.Printf("statusthing CPU: %.0f%% of one core\n", 100*(cpu1-cpu0).Seconds()/time.Since(t0).Seconds())
		}
		return soak(client, pid, o, known)
	}
	before, err := countPings(dbPath)
	if err != nil {
		return err
	}
	k := run(client, pid, o, known, o.duration)
	after, err := countPings(dbPath)
	if err != nil {
		return err
	}
	k.report("known", 10000)
	// Pings are trimmed to keep_pings per heartbeat, so the table count is a lower bound
	// only while no trim happened; it is printed to show the answers were writes.
	fmt.Printf("         pings table: %d rows before, %d after (keep_pings trims each heartbeat to ~1000)\n", before, after)
	u := run(client, pid, o, unknown, o.duration)
	u.report("unknown", 30000)
	return soak(client, pid, o, known)
}

// soak pings known uuids for o.soak and prints statusthing's RSS every 5 s: memory must
// stay flat.
func soak(client *http.Client, pid int, o pingOptions, known func(int) string) error {
	if o.soak > 0 {
		fmt.Printf("memory over a %s run of known pings (RSS, MB):", o.soak)
		done := make(chan phase)
		go func() { done <- run(client, pid, o, known, o.soak) }()
		for t := time.Duration(0); t < o.soak; t += 5 * time.Second {
			time.Sleep(5 * time.Second)
			rss, _ := rssKB(pid)
			fmt.Printf(" %.0f", float64(rss)/1024)
		}
		s := <-done
		hwm, _ := hwmKB(pid)
		fmt.Printf("\n         %.0f pings/s over the run; VmHWM %.0f MB\n", float64(s.ok)/s.elapsed.Seconds(), float64(hwm)/1024)
	}
	return nil
}

// run has o.clients clients request url(i) back to back for d.
func run(client *http.Client, pid int, o pingOptions, url func(i int) string, d time.Duration) phase {
	cpu0, _ := cpuTime(pid)
	start := time.Now()
	deadline := start.Add(d)
	results := make([]phase, o.clients)
	body := strings.Repeat("x", o.body)
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Go(func() {
			res := &results[c]
			for i := c; time.Now().Before(deadline); i += o.clients {
				t := time.Now()
				var resp *http.Response
				var err error
				if o.body > 0 {
					resp, err = client.Post(url(i), "text/plain", strings.NewReader(body))
				} else {
					resp, err = client.Get(url(i))
				}
				if err != nil {
					res.other++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				res.latencies = append(res.latencies, time.Since(t))
				if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotFound {
					res.ok++
				} else {
					res.other++
				}
			}
		})
	}
	wg.Wait()
	var all phase
	for _, r := range results {
		all.ok += r.ok
		all.other += r.other
		all.latencies = append(all.latencies, r.latencies...)
	}
	all.elapsed = time.Since(start)
	cpu1, _ := cpuTime(pid)
	all.cpu = cpu1 - cpu0
	slices.Sort(all.latencies)
	return all
}

// runWrk runs wrk against /ping/<uuid> for uuids in turn and prints its report.
func runWrk(dir, base string, uuids []string, o pingOptions) error {
	var lua strings.Builder
	lua.WriteString("paths = {")
	for _, u := range uuids {
		fmt.Fprintf(&lua, "%q,", "/ping/"+u)
	}
	method, body := "GET", ""
	if o.body > 0 {
		method, body = "POST", strings.Repeat("x", o.body)
	}
	fmt.Fprintf(&lua, "}\ni = math.random(#paths)\nrequest = function()\n  i = i %% #paths + 1\n  return wrk.format(%q, paths[i], nil, %q)\nend\n", method, body)
	script := filepath.Join(dir, "pings.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o600); err != nil {
		return err
	}
	cmd := exec.Command("wrk", "-t2", fmt.Sprintf("-c%d", o.clients), "-d"+o.duration.String(), "--latency", "-s", script, base)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

func waitHealthy(base string) error {
	for range 200 {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("statusthing did not become healthy in 20 s")
}

func openDB(path string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
}

func heartbeatUUIDs(path string) ([]string, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT uuid FROM heartbeats ORDER BY monitor_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func countPings(path string) (int64, error) {
	db, err := openDB(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRow(`SELECT count(*) FROM pings`).Scan(&n)
	return n, err
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-4%x-8%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])[:36]
}
