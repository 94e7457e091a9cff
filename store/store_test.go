package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openTest opens a migrated store on a fresh file in a directory that does not exist yet.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "data", "test.db")
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// rawDB opens path with no pragmas or migrations, for inspecting and tampering in tests.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func latestVersion(t testing.TB) uint {
	t.Helper()
	vs, err := embeddedVersions()
	if err != nil {
		t.Fatal(err)
	}
	return vs[len(vs)-1]
}

func tables(t testing.TB, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) []string {
	t.Helper()
	rows, err := q.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestOpenPragmas(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{ReadConns: 4})

	want := map[string]string{
		"journal_mode":       "wal",
		"synchronous":        "2", // FULL
		"foreign_keys":       "1",
		"busy_timeout":       "5000",
		"journal_size_limit": "67108864",
	}
	check := func(t *testing.T, c *sql.Conn, queryOnly string) {
		t.Helper()
		for p, v := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", p, err)
			}
			if got != v {
				t.Errorf("PRAGMA %s = %q, want %q", p, got, v)
			}
		}
		var qo string
		if err := c.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil {
			t.Fatal(err)
		}
		if qo != queryOnly {
			t.Errorf("PRAGMA query_only = %q, want %q", qo, queryOnly)
		}
	}

	t.Run("read pool", func(t *testing.T) {
		// Hold every pooled connection at once so each one is a distinct connection.
		var conns []*sql.Conn
		for range 4 {
			c, err := s.read.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			check(t, c, "1")
		}
		for _, c := range conns {
			if _, err := c.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('k', 'v')`); err == nil {
				t.Error("read connection accepted an INSERT")
			}
			c.Close()
		}
	})
	t.Run("write connection", func(t *testing.T) {
		c, err := s.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		check(t, c, "0")
	})
	t.Run("write pool has one connection", func(t *testing.T) {
		if n := s.write.Stats().MaxOpenConnections; n != 1 {
			t.Errorf("write MaxOpenConnections = %d, want 1", n)
		}
	})
}

func TestOpenPath(t *testing.T) {
	tests := []struct {
		name string
		rel  string
	}{
		{name: "missing parent directories", rel: filepath.Join("a", "b", "c.db")},
		{name: "URI metacharacters", rel: filepath.Join("dir with space?#%", "file name?x=1#y%20.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.rel)
			s, err := Open(context.Background(), Options{Path: path})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if s.Path() != path {
				t.Errorf("Path() = %q, want %q", s.Path(), path)
			}
			if err := s.Ping(context.Background()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("database not at %q: %v", path, err)
			}
			// The exact file holds the schema (not some file at a truncated name).
			if got := tables(t, rawDB(t, path)); !strings.Contains(strings.Join(got, ","), "organizations") {
				t.Errorf("tables = %v", got)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	latest := latestVersion(t)

	// migrated returns the path of a database at the latest version, then tampered with.
	migrated := func(t *testing.T, tamper string, args ...any) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "x.db")
		s, err := Open(ctx, Options{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if tamper != "" {
			if _, err := rawDB(t, path).Exec(tamper, args...); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}

	tests := []struct {
		name    string
		path    func(t *testing.T) string
		wantErr string
	}{
		{
			name:    "empty path",
			path:    func(*testing.T) string { return "" },
			wantErr: "empty path",
		},
		{
			name: "schema newer than binary",
			path: func(t *testing.T) string {
				return migrated(t, `UPDATE schema_migrations SET version = ?`, latest+1)
			},
			wantErr: "newer than this binary",
		},
		{
			name: "dirty",
			path: func(t *testing.T) string {
				return migrated(t, `UPDATE schema_migrations SET dirty = 1`)
			},
			wantErr: "dirty",
		},
		{
			name: "not a database",
			path: func(t *testing.T) string {
				p := filepath.Join(t.TempDir(), "junk.db")
				if err := os.WriteFile(p, []byte(strings.Repeat("not sqlite ", 1000)), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			},
			wantErr: "not a database",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, Options{Path: tt.path(t)})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "store: open: ") {
				t.Errorf("err = %q, want it to start with %q and contain %q", err, "store: open: ", tt.wantErr)
			}
		})
	}
}

func TestMigrator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m", "mig.db")
	m, err := OpenMigrator(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}()
	db := rawDB(t, path)
	latest := latestVersion(t)
	schema0001 := []string{"api_tokens", "memberships", "organizations", "sessions", "settings", "users"}

	wantVersion := func(t *testing.T, want uint) {
		t.Helper()
		v, dirty, err := m.Version()
		if err != nil || dirty || v != want {
			t.Fatalf("Version() = %d, %v, %v; want %d, false, nil", v, dirty, err, want)
		}
	}
	wantTables := func(t *testing.T, present bool) {
		t.Helper()
		got := "," + strings.Join(tables(t, db), ",") + ","
		for _, name := range schema0001 {
			if strings.Contains(got, ","+name+",") != present {
				t.Errorf("table %s present = %v, want %v (tables %s)", name, !present, present, got)
			}
		}
	}

	wantVersion(t, 0)
	steps := []struct {
		name    string
		run     func() error
		version uint
		tables  bool
		wantErr string
	}{
		{name: "up", run: m.Up, version: latest, tables: true},
		{name: "up again is no change", run: m.Up, version: latest, tables: true},
		{name: "down zero steps", run: func() error { return m.Down(0) }, version: latest, tables: true, wantErr: "steps must be >= 1"},
		{name: "down too many", run: func() error { return m.Down(int(latest) + 1) }, version: latest, tables: true, wantErr: "requested but only"},
		{name: "down all", run: m.DownAll, version: 0, tables: false},
		{name: "down all on empty", run: m.DownAll, version: 0, tables: false},
		{name: "down on empty", run: func() error { return m.Down(1) }, version: 0, tables: false, wantErr: "only 0"},
		{name: "up from zero", run: m.Up, version: latest, tables: true},
		{name: "down one by one", run: func() error {
			vs, err := embeddedVersions() // numbers may have gaps (reserved ones)
			if err != nil {
				return err
			}
			for range vs {
				if err := m.Down(1); err != nil {
					return err
				}
			}
			return nil
		}, version: 0, tables: false},
		{name: "up for good", run: m.Up, version: latest, tables: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := st.run()
			switch {
			case st.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case st.wantErr != "" && (err == nil || !strings.Contains(err.Error(), st.wantErr)):
				t.Fatalf("err = %v, want %q", err, st.wantErr)
			}
			wantVersion(t, st.version)
			wantTables(t, st.tables)
		})
	}
	t.Run("down leaves only the migrations table", func(t *testing.T) {
		if err := m.DownAll(); err != nil {
			t.Fatal(err)
		}
		if got := tables(t, db); len(got) != 1 || got[0] != "schema_migrations" {
			t.Errorf("tables after DownAll = %v", got)
		}
	})
}

func TestMigratorRefusesNewerAndDirty(t *testing.T) {
	latest := latestVersion(t)
	tests := []struct {
		name    string
		tamper  string
		args    []any
		wantErr string
	}{
		{name: "newer", tamper: `UPDATE schema_migrations SET version = ?`, args: []any{latest + 5}, wantErr: "newer than this binary"},
		{name: "dirty", tamper: `UPDATE schema_migrations SET dirty = 1`, wantErr: "dirty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			m, err := OpenMigrator(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if err := m.Up(); err != nil {
				t.Fatal(err)
			}
			if _, err := rawDB(t, path).Exec(tt.tamper, tt.args...); err != nil {
				t.Fatal(err)
			}
			for name, op := range map[string]func() error{
				"up":       m.Up,
				"down":     func() error { return m.Down(1) },
				"down all": m.DownAll,
			} {
				if err := op(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s: err = %v, want %q", name, err, tt.wantErr)
				}
			}
			// The refused operations changed nothing.
			if got := tables(t, rawDB(t, path)); len(got) < 2 {
				t.Errorf("tables = %v", got)
			}
		})
	}
}

func TestClosedStore(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	tests := []struct {
		name string
		op   func() error
	}{
		{"Write", func() error { return s.Write(ctx, func(*sql.Tx) error { return nil }) }},
		{"Ping", func() error { return s.Ping(ctx) }},
		{"Backup", func() error { return s.Backup(ctx, filepath.Join(t.TempDir(), "b.db")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(); !errors.Is(err, ErrClosed) {
				t.Errorf("err = %v, want ErrClosed", err)
			}
		})
	}
}
