package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkBackup opens a backup file and checks it is a complete, migrated database.
func checkBackup(t *testing.T, path string) (rows int) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("backup mode %v, want owner-only", perm)
	}
	db := rawDB(t, path)
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil {
		t.Fatal(err)
	}
	if integrity != "ok" {
		t.Errorf("integrity_check = %q", integrity)
	}
	var v uint
	var dirty bool
	if err := db.QueryRow(`SELECT version, dirty FROM schema_migrations`).Scan(&v, &dirty); err != nil {
		t.Fatal(err)
	}
	if v != latestVersion(t) || dirty {
		t.Errorf("backup schema version %d dirty %v, want %d clean", v, dirty, latestVersion(t))
	}
	if got := strings.Join(tables(t, db), ","); !strings.Contains(got, "organizations") || !strings.Contains(got, "users") {
		t.Errorf("backup tables = %s", got)
	}
	return count(t, db, `SELECT count(*) FROM t`)
}

// noTempFiles fails if a backup left a temporary file behind in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestBackupWhileWriting(t *testing.T) {
	tests := []struct {
		name   string
		backup func(ctx context.Context, s *Store, dest string) error
	}{
		{"Store.Backup", func(ctx context.Context, s *Store, dest string) error { return s.Backup(ctx, dest) }},
		{"Backup", func(ctx context.Context, s *Store, dest string) error { return Backup(ctx, s.Path(), dest) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t, Options{})
			createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)`)

			var (
				stop    atomic.Bool
				written atomic.Int64
				wg      sync.WaitGroup
			)
			for range 8 {
				wg.Go(func() {
					for !stop.Load() {
						err := s.Write(ctx, func(tx *sql.Tx) error {
							_, err := tx.Exec(`INSERT INTO t (payload) VALUES (randomblob(512))`)
							return err
						})
						if err != nil {
							t.Errorf("write: %v", err)
							return
						}
						written.Add(1)
					}
				})
			}
			for written.Load() < 200 { // the backup must have something to copy
				time.Sleep(time.Millisecond)
			}

			dir := t.TempDir()
			dests := []string{filepath.Join(dir, "one.db"), filepath.Join(dir, "sub dir?#", "two.db")}
			if err := os.Mkdir(filepath.Dir(dests[1]), 0o700); err != nil {
				t.Fatal(err)
			}
			for _, dest := range dests {
				if err := tt.backup(ctx, s, dest); err != nil {
					t.Fatalf("backup to %s: %v", dest, err)
				}
			}
			stop.Store(true)
			wg.Wait()

			for _, dest := range dests {
				rows := checkBackup(t, dest)
				if rows == 0 || int64(rows) > written.Load() {
					t.Errorf("backup holds %d rows, %d were written", rows, written.Load())
				}
				noTempFiles(t, filepath.Dir(dest))
			}
		})
	}
}

func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)

	existing := filepath.Join(t.TempDir(), "existing.db")
	const keep = "not to be overwritten"
	if err := os.WriteFile(existing, []byte(keep), 0o600); err != nil {
		t.Fatal(err)
	}
	missingSrc := filepath.Join(t.TempDir(), "nope.db")

	tests := []struct {
		name    string
		run     func() error
		wantErr string
	}{
		{"Store.Backup to existing file", func() error { return s.Backup(ctx, existing) }, "already exists"},
		{"Backup to existing file", func() error { return Backup(ctx, s.Path(), existing) }, "already exists"},
		{"Store.Backup to existing directory", func() error { return s.Backup(ctx, t.TempDir()) }, "already exists"},
		{"Store.Backup to missing directory", func() error {
			return s.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "b.db"))
		}, "no such file"},
		{"Store.Backup to empty path", func() error { return s.Backup(ctx, "") }, "empty destination"},
		{"Backup of missing database", func() error {
			return Backup(ctx, missingSrc, filepath.Join(t.TempDir(), "b.db"))
		}, "no such file"},
		{"Backup of a directory", func() error {
			return Backup(ctx, t.TempDir(), filepath.Join(t.TempDir(), "b.db"))
		}, "not a regular file"},
		{"cancelled context", func() error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			return s.Backup(cctx, filepath.Join(t.TempDir(), "b.db"))
		}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "store: backup: ") {
				t.Errorf("err = %v, want \"store: backup: ...%s...\"", err, tt.wantErr)
			}
		})
	}

	if got, err := os.ReadFile(existing); err != nil || string(got) != keep {
		t.Errorf("existing file changed: %q, %v", got, err)
	}
	noTempFiles(t, filepath.Dir(existing))
	if _, err := os.Stat(missingSrc); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Backup created the missing source database: %v", err)
	}
}

func TestBackupOffline(t *testing.T) {
	// The CLI may back up a database no server has open.
	ctx := context.Background()
	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	for i := range 10 {
		if err := s.Write(ctx, insert(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "offline.db")
	if err := Backup(ctx, s.Path(), dest); err != nil {
		t.Fatal(err)
	}
	if rows := checkBackup(t, dest); rows != 10 {
		t.Errorf("backup rows = %d, want 10", rows)
	}
}
