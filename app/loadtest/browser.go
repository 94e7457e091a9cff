package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// browserOptions configure the browser scenario.
type browserOptions struct {
	checks      int
	concurrency int
	timeout     time.Duration
	path        string // Chromium binary; "" auto-detects
}

// browserPage is the target: some markup, a stylesheet, an image and a script that renders
// the list the check waits for.
const browserPage = `<!doctype html><html><head><title>Load test</title><link rel="stylesheet" href="/style.css"></head>
<body><h1>Status</h1><img src="/logo.png" width="200" height="100" alt="logo"><ul id="list"></ul>
<script>
setTimeout(() => {
  const ul = document.getElementById('list');
  for (let i = 0; i < 20; i++) { const li = document.createElement('li'); li.textContent = 'service ' + i + ' operational'; ul.appendChild(li); }
  document.body.dataset.ready = 'yes';
}, 30);
</script></body></html>`

// browserLoad runs n browser checks through the prober in-process, c at a time, against a
// local page; it reports checks/s, check latency and Chromium's memory during and after the
// run (RSS summed over its processes, which counts shared pages once per process, and PSS,
// which splits them).
func browserLoad(o browserOptions) error {
	logo, err := pngImage(200, 100)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(browserPage))
	})
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Write([]byte("body{font-family:sans-serif;margin:2em} li{color:#060}"))
	})
	mux.HandleFunc("GET /logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(logo)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	target := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go target.Serve(ln)
	defer target.Close()

	var st []monitor.BrowserStep
	for _, line := range []string{`wait "#list li"`, `assert_count "#list li" 20`, "assert_text service 19 operational", "assert_title Load test"} {
		s, err := monitor.ParseStep(line)
		if err != nil {
			return err
		}
		st = append(st, s)
	}
	m := monitor.Monitor{ID: 1, Type: monitor.TypeBrowser, Timeout: o.timeout, Settings: monitor.BrowserSettings{
		URL: "http://" + ln.Addr().String() + "/", Viewport: monitor.DefaultViewport(), Steps: st}}

	p := probe.New(probe.Options{BrowserPath: o.path, BrowserConcurrency: o.concurrency})
	closed := false
	defer func() {
		if !closed {
			_ = p.Close()
		}
	}()
	marker := "statusthing-chromium-" + strconv.Itoa(os.Getpid()) + "-"

	t0 := time.Now()
	first := p.Probe(context.Background(), m)
	fmt.Printf("first check (launches Chromium): %s in %s %s\n", first.Outcome, first.Duration.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	if first.Outcome != monitor.OutcomeUp {
		return fmt.Errorf("first check failed: %s", first.Message)
	}
	// Memory is compared at rest (no check running, contexts disposed of) after 1, 100, n/2
	// and n checks: growth there would be a leak. Peaks are sampled while checks run.
	time.Sleep(idlePause)
	fmt.Printf("Chromium at rest after 1 check:    %s\n  %s\n", sampleMemory(marker), sampleMemory(marker).detail())

	var (
		mu        sync.Mutex
		durations []time.Duration
		failures  = map[string]int{}
		peak      memSample
		stop      = make(chan struct{})
		sampled   sync.WaitGroup
		elapsed   time.Duration
	)
	sampled.Add(1)
	go func() { // memory every 250 ms while the checks run
		defer sampled.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				s := sampleMemory(marker)
				mu.Lock()
				peak = peak.max(s)
				mu.Unlock()
			}
		}
	}()
	done := 1
	for _, upTo := range checkpoints(o.checks) {
		var next atomic.Int64
		next.Store(int64(done))
		start := time.Now()
		var workers sync.WaitGroup
		for range o.concurrency {
			workers.Add(1)
			go func() {
				defer workers.Done()
				for next.Add(1) <= int64(upTo) {
					res := p.Probe(context.Background(), m)
					mu.Lock()
					durations = append(durations, res.Duration)
					if res.Outcome != monitor.OutcomeUp {
						failures[string(res.ErrorClass)+": "+res.Message]++
					}
					mu.Unlock()
				}
			}()
		}
		workers.Wait()
		elapsed += time.Since(start)
		done = upTo
		time.Sleep(idlePause) // the last contexts are disposed of
		at := sampleMemory(marker)
		fmt.Printf("Chromium at rest after %d checks: %s\n  %s\n", upTo, at, at.detail())
	}
	close(stop)
	sampled.Wait()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	slices.Sort(durations)
	pct := func(q float64) time.Duration {
		return durations[min(len(durations)-1, int(q*float64(len(durations))))].Round(time.Millisecond)
	}
	nFailed := 0
	for _, n := range failures {
		nFailed += n
	}
	fmt.Printf("%d checks, concurrency %d: %.1f checks/s over %s, %d failed\n", o.checks, o.concurrency,
		float64(len(durations))/elapsed.Seconds(), elapsed.Round(time.Millisecond), nFailed)
	for msg, n := range failures {
		fmt.Printf("  %d× %s\n", n, msg)
	}
	fmt.Printf("check duration (load + 4 steps): p50 %s p95 %s p99 %s max %s\n", pct(0.5), pct(0.95), pct(0.99), pct(1))
	fmt.Printf("Chromium memory, peak while checks ran: %s\n", peak)
	fmt.Printf("load test process: %d goroutines, Go heap %.1f MiB after GC\n", runtime.NumGoroutine(), float64(ms.HeapAlloc)/(1<<20))

	// What a screenshot of this page weighs (1280x800 viewport).
	withShot := m
	bs := m.Settings.(monitor.BrowserSettings)
	bs.ScreenshotOnSuccess = true
	withShot.Settings = bs
	ok := p.Probe(context.Background(), withShot)
	failing := m
	bs.ScreenshotOnSuccess, bs.Steps = false, append(slices.Clone(st), monitor.BrowserStep{Action: monitor.StepWait, Selector: "#missing"})
	failing.Settings, failing.Timeout = bs, 2*time.Second
	bad := p.Probe(context.Background(), failing)
	if ok.Screenshot != nil && bad.Screenshot != nil {
		fmt.Printf("screenshots: success %s %d KiB, failure %s %d KiB (%dx%d)\n", ok.Screenshot.Format, len(ok.Screenshot.Data)>>10,
			bad.Screenshot.Format, len(bad.Screenshot.Data)>>10, bad.Screenshot.Width, bad.Screenshot.Height)
	}

	closed = true
	t1 := time.Now()
	if err := p.Close(); err != nil {
		return err
	}
	left := sampleMemory(marker)
	fmt.Printf("Close: %s, Chromium processes left: %d\n", time.Since(t1).Round(time.Millisecond), left.procs)
	// Chromium's processes were all waited for by now (renderers by the zygote, the browser by
	// leakless, leakless by us), so their CPU time is in our children's.
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	cpu := func(r syscall.Rusage) float64 {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano()).Seconds()
	}
	total := len(durations) + 3
	fmt.Printf("CPU per check: Chromium %.0f ms, statusthing (prober and target server) %.0f ms, on %d CPUs\n",
		1000*cpu(children)/float64(total), 1000*cpu(self)/float64(total), runtime.NumCPU())
	return nil
}

// idlePause lets the last checks' incognito contexts be disposed of before memory is sampled.
const idlePause = 1500 * time.Millisecond

// checkpoints are the check counts after which memory is sampled at rest.
func checkpoints(n int) []int {
	var out []int
	for _, c := range []int{100, n / 2, n} {
		if c > 1 && c <= n && (len(out) == 0 || c > out[len(out)-1]) {
			out = append(out, c)
		}
	}
	return out
}

// memSample is the memory of Chromium's processes at one moment.
type memSample struct {
	procs    int
	rssKB    int64
	pssKB    int64
	renderer int              // renderer processes
	byType   map[string]int64 // PSS by process type (browser, renderer, gpu-process...)
}

func (s memSample) max(o memSample) memSample {
	return memSample{procs: max(s.procs, o.procs), rssKB: max(s.rssKB, o.rssKB), pssKB: max(s.pssKB, o.pssKB), renderer: max(s.renderer, o.renderer)}
}

func (s memSample) String() string {
	return fmt.Sprintf("%d processes (%d renderers), RSS sum %.0f MiB, PSS sum %.0f MiB", s.procs, s.renderer, float64(s.rssKB)/1024, float64(s.pssKB)/1024)
}

// detail is the PSS of each kind of process.
func (s memSample) detail() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s.byType)) {
		parts = append(parts, fmt.Sprintf("%s %.0f", k, float64(s.byType[k])/1024))
	}
	return "PSS MiB: " + strings.Join(parts, ", ")
}

// sampleMemory sums RSS and PSS over the processes whose command line names the prober's
// Chromium profile (all Chromium processes and its crash handler; leakless is left out).
func sampleMemory(marker string) memSample {
	var s memSample
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmd, []byte(marker)) || strings.Contains(string(cmd), "leakless") {
			continue
		}
		s.procs++
		typ := "browser"
		// Chromium rewrites its children's command line into one space-separated string.
		for _, a := range strings.FieldsFunc(string(cmd), func(r rune) bool { return r == 0 || r == ' ' }) {
			if v, ok := strings.CutPrefix(a, "--type="); ok {
				typ = v
			} else if v, ok := strings.CutPrefix(a, "--utility-sub-type="); ok {
				typ = v
			}
		}
		if exe, _, _ := strings.Cut(string(cmd), "\x00"); strings.Contains(filepath.Base(exe), "crashpad") {
			typ = "crashpad"
		}
		if typ == "renderer" {
			s.renderer++
		}
		if rss, err := statusKB(filepath.Join("/proc", d.Name(), "status"), "VmRSS"); err == nil {
			s.rssKB += rss
		}
		if pss, err := statusKB(filepath.Join("/proc", d.Name(), "smaps_rollup"), "Pss"); err == nil {
			s.pssKB += pss
			if s.byType == nil {
				s.byType = map[string]int64{}
			}
			s.byType[typ] += pss
		}
	}
	return s
}

func statusKB(path, name string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in %s", name, path)
}

func pngImage(w, h int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y * 2), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}
