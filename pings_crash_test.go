package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pingServerEnv carries the config path to the child process of TestPingsSurviveAKill.
const pingServerEnv = "STATUSTHING_TEST_PING_SERVER_CONFIG"

// TestPingServerProcess is the child of TestPingsSurviveAKill: `statusthing serve` in a
// process of its own, so that the parent can SIGKILL it.
func TestPingServerProcess(t *testing.T) {
	cfg := os.Getenv(pingServerEnv)
	if cfg == "" {
		t.Skip("helper process for TestPingsSurviveAKill")
	}
	os.Exit(run(context.Background(), []string{"serve", "--config", cfg}, strings.NewReader(""), os.Stdout, os.Stderr, nil))
}

// TestPingsSurviveAKill sends pings from concurrent clients to a real server process, kills
// it with SIGKILL in the middle, and checks that every ping answered "OK" is in the database.
func TestPingsSurviveAKill(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "statusthing.db")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfgPath := filepath.Join(dir, "statusthing.toml")
	cfg := fmt.Sprintf(`[server]
listen = %q
[database]
path = %q
[heartbeat]
keep_pings = 1000000
[log]
level = "warn"
[[monitors]]
name = "Job"
type = "heartbeat"
period = "1h"
`, addr, dbPath)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPingServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), pingServerEnv+"="+cfgPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	defer func() { _ = cmd.Process.Kill(); <-waited }()

	base := "http://" + addr
	for i := 0; ; i++ {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 200 {
			t.Fatalf("server did not start in 20 s:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	uuid := queryString(t, readDB(t, dbPath), `SELECT uuid FROM heartbeats`)

	const clients, killAfter = 16, 500
	var mu sync.Mutex
	var acked []int
	var next atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for range clients {
		wg.Go(func() {
			for {
				n := int(next.Add(1))
				res, err := client.Post(base+"/ping/"+uuid+"/log", "text/plain", strings.NewReader("ping "+strconv.Itoa(n)))
				if err != nil {
					return // the server is gone
				}
				var body [2]byte
				k, _ := res.Body.Read(body[:])
				res.Body.Close()
				if res.StatusCode != http.StatusOK || string(body[:k]) != "OK" {
					return
				}
				mu.Lock()
				acked = append(acked, n)
				mu.Unlock()
			}
		})
	}
	for i := 0; ; i++ {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= killAfter {
			break
		}
		if i == 300 {
			t.Fatalf("only %d pings acknowledged in 30 s:\n%s", n, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no Close
		t.Fatal(err)
	}
	<-waited
	wg.Wait()

	db := readDB(t, dbPath)
	stored := map[string]bool{}
	rows, err := db.Query(`SELECT body FROM pings`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		stored[b] = true
	}
	rows.Close()
	missing := 0
	for _, n := range acked {
		if !stored["ping "+strconv.Itoa(n)] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged pings are not in the database after the kill", missing, len(acked))
	}
	t.Logf("%d pings acknowledged before the kill, %d stored, none lost", len(acked), len(stored))
}
