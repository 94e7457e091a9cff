// Command loadtest measures statusthing under load, running the real binary (built from
// this tree) on loopback with a generated config file, or the prober in-process. Three scenarios:
//
//	go run ./app/loadtest checks -monitors 5000 -interval 30s -duration 150s
//	go run ./app/loadtest pings -heartbeats 100 -clients 64 -duration 10s -soak 60s [-wrk=false]
//	go run ./app/loadtest browser -checks 500 -concurrency 2
//	go run ./app/loadtest page -components 50 -clients 64 -duration 10s
//
// checks: N HTTP monitors against a local target server; reports checks/s, schedule drift,
// CPU and peak RSS. pings: concurrent clients pinging known heartbeat uuids, then unknown
// ones; reports committed pings/s, latency percentiles, CPU, and RSS over a longer run.
// browser: browser checks (a page with a script, a stylesheet and an image; 4 steps) through
// the prober and one Chromium; reports checks/s, latency and Chromium's RSS/PSS during and
// after the run. page: a status page of N components with 90 days of history, driven with
// wrk plain and gzipped; reports its size, requests/s, latency and CPU.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadtest checks|pings|browser|page [flags]")
		os.Exit(2)
	}
	var err error
	switch scenario, args := os.Args[1], os.Args[2:]; scenario {
	case "checks":
		fs := flag.NewFlagSet("checks", flag.ExitOnError)
		monitors := fs.Int("monitors", 5000, "number of HTTP monitors")
		interval := fs.Duration("interval", 30*time.Second, "check interval of every monitor")
		duration := fs.Duration("duration", 150*time.Second, "how long to run (the first interval is warm-up)")
		warmup := fs.Duration("warmup", 0, "time before measuring (default: one interval, while first checks spread)")
		keep := fs.Bool("keep", false, "keep the temporary directory")
		_ = fs.Parse(args)
		if *warmup == 0 {
			*warmup = *interval
		}
		err = checks(*monitors, *interval, *warmup, *duration, *keep)
	case "pings":
		fs := flag.NewFlagSet("pings", flag.ExitOnError)
		o := pingOptions{}
		fs.IntVar(&o.heartbeats, "heartbeats", 100, "number of heartbeat monitors")
		fs.IntVar(&o.clients, "clients", 64, "concurrent clients (keep-alive connections)")
		fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured phase")
		fs.DurationVar(&o.soak, "soak", 60*time.Second, "length of the memory run (0: none)")
		fs.IntVar(&o.body, "body", 0, "bytes of POST body per ping (0: GET)")
		_, err := exec.LookPath("wrk")
		fs.BoolVar(&o.wrk, "wrk", err == nil, "drive the load with wrk (apt-get install wrk) instead of Go clients")
		_ = fs.Parse(args)
		err = pings(o)
	case "browser":
		fs := flag.NewFlagSet("browser", flag.ExitOnError)
		o := browserOptions{}
		fs.IntVar(&o.checks, "checks", 500, "number of browser checks")
		fs.IntVar(&o.concurrency, "concurrency", 2, "checks at once ([browser] max_concurrency)")
		fs.DurationVar(&o.timeout, "timeout", 15*time.Second, "timeout of each check")
		fs.StringVar(&o.path, "chromium", "", "Chromium binary (default: auto-detect)")
		_ = fs.Parse(args)
		err = browserLoad(o)
	case "page":
		fs := flag.NewFlagSet("page", flag.ExitOnError)
		o := pageOptions{}
		fs.IntVar(&o.components, "components", 50, "components on the page, each bound to a monitor")
		fs.IntVar(&o.clients, "clients", 64, "concurrent keep-alive connections")
		fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured phase")
		fs.IntVar(&o.days, "days", 90, "days of hourly history per monitor")
		_ = fs.Parse(args)
		err = statusPage(o)
	default:
		err = fmt.Errorf("unknown scenario %q: use checks, pings, browser or page", scenario)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// workdir makes a temporary directory (the caller removes it) with statusthing built in it.
func workdir(prefix string) (dir, bin string, err error) {
	if dir, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", err
	}
	if bin, err = build(dir); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return dir, bin, nil
}

// freeAddr returns a loopback address with a port free for statusthing to listen on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// build compiles statusthing from this tree into dir.
func build(dir string) (string, error) {
	bin := filepath.Join(dir, "statusthing")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build: %w", err)
	}
	return bin, nil
}

// serve starts `statusthing serve` with cfgPath; its log goes to stderr, prefixed.
func serve(ctx context.Context, bin, cfgPath string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, bin, "serve", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "STATUSTHING_ADMIN_EMAIL=load@example.com", "STATUSTHING_ADMIN_PASSWORD=load test password")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(os.Stderr, "statusthing:", sc.Text())
		}
	}()
	return cmd, nil
}

// cpuTime is the CPU time (user + system) process pid has used.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

func statusField(pid int, name string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s", name)
}

func rssKB(pid int) (int64, error) { return statusField(pid, "VmRSS") }
func hwmKB(pid int) (int64, error) { return statusField(pid, "VmHWM") }
