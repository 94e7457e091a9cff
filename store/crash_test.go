package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashDBEnv carries the database path to the child process of TestCrashLosesNoAckedWrite.
const crashDBEnv = "STATUSTHING_STORE_CRASH_DB"

// TestCrashHelper is the child of TestCrashLosesNoAckedWrite: it writes as fast as it can and
// prints "ack <id>" the moment a Write returns nil, until it is killed.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("helper process for TestCrashLosesNoAckedWrite")
	}
	s, err := Open(context.Background(), Options{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex // one write(2) per line, lines never interleave
	ack := func(id int) {
		mu.Lock()
		defer mu.Unlock()
		if _, err := os.Stdout.WriteString("ack " + strconv.Itoa(id) + "\n"); err != nil {
			os.Exit(3) // parent gone
		}
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := g*10_000_000 + i
				err := s.Write(context.Background(), func(tx *sql.Tx) error {
					_, err := tx.Exec(`INSERT INTO crash (id, payload) VALUES (?, randomblob(200))`, id)
					return err
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "write:", err)
					os.Exit(4)
				}
				ack(id)
			}
		})
	}
	wg.Wait() // never returns: the parent kills this process
}

func TestCrashLosesNoAckedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	const wantAcks = 400
	path := filepath.Join(t.TempDir(), "crash.db")
	s := openTest(t, Options{Path: path})
	createTable(t, s, `CREATE TABLE crash (id INTEGER PRIMARY KEY, payload BLOB)`)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	r := bufio.NewReader(stdout)
	var acked []int
	killed := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			// EOF after the kill (a line cut by it has no newline and was not an ack), or
			// the child died on its own.
			if err != io.EOF {
				t.Errorf("read: %v", err)
			}
			break
		}
		if idStr, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "ack "); ok {
			id, err := strconv.Atoi(idStr)
			if err != nil {
				t.Fatalf("bad line %q", line)
			}
			acked = append(acked, id)
		}
		if !killed && len(acked) >= wantAcks {
			// SIGKILL: no deferred code, no Close, writes in flight are cut off.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child exited after %d acks before being killed (ctx: %v); stderr:\n%s", len(acked), ctx.Err(), stderr.String())
	}

	// First an offline backup of the crashed database, as an operator might take before
	// restarting (it reads the WAL left behind); then reopen like a restarting server.
	backupPath := filepath.Join(t.TempDir(), "after-crash.db")
	if err := Backup(context.Background(), path, backupPath); err != nil {
		t.Fatalf("backup after crash: %v", err)
	}
	s2 := openTest(t, Options{Path: path})
	for name, db := range map[string]*sql.DB{"reopened": s2.read, "backup": rawDB(t, backupPath)} {
		t.Run(name, func(t *testing.T) {
			var integrity string
			if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil {
				t.Fatal(err)
			}
			if integrity != "ok" {
				t.Errorf("integrity_check = %q", integrity)
			}
			missing := 0
			for _, id := range acked {
				if count(t, db, `SELECT count(*) FROM crash WHERE id = ?`, id) != 1 {
					missing++
				}
			}
			if missing > 0 {
				t.Errorf("%d of %d acknowledged writes lost", missing, len(acked))
			}
			t.Logf("acked %d, rows present %d", len(acked), count(t, db, `SELECT count(*) FROM crash`))
		})
	}
}
