package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"statusthing/app/auth"
	"statusthing/migrations"
	"statusthing/store"
)

// runCLI runs one command in-process with its own environment and streams.
func runCLI(t *testing.T, env []string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, env)
	return code, out.String(), errOut.String()
}

// dbEnv points the commands at a fresh database.
func dbEnv(t *testing.T) (env []string, dbPath string) {
	dbPath = filepath.Join(t.TempDir(), "data", "statusthing.db")
	return []string{"STATUSTHING_DATABASE_PATH=" + dbPath}, dbPath
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "", "help")
	if code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	for _, cmd := range commands() {
		if !strings.Contains(out, "  "+cmd.name+" ") {
			t.Errorf("help does not list %s", cmd.name)
		}
		c, _, errOut := runCLI(t, nil, "", cmd.name, "-h")
		if c != exitOK || !strings.Contains(errOut, "Usage: statusthing "+cmd.name) {
			t.Errorf("%s -h: exit %d, output %q", cmd.name, c, errOut)
		}
	}
	for _, sub := range [][]string{{"user", "create", "-h"}, {"user", "passwd", "-h"}, {"token", "create", "-h"}, {"config", "check", "-h"}} {
		if c, _, errOut := runCLI(t, nil, "", sub...); c != exitOK || !strings.Contains(errOut, "Usage: statusthing "+sub[0]) {
			t.Errorf("%v: exit %d, output %q", sub, c, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "", "frobnicate"); code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, nil, ""); code != exitUsage {
		t.Errorf("no command: exit %d", code)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "", "version")
	if code != exitOK || !strings.HasPrefix(out, "statusthing ") {
		t.Fatalf("version: exit %d %q", code, out)
	}
}

func TestConfigCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(good, []byte("[server]\nlisten = \":9090\"\n"), 0o644)
	os.WriteFile(bad, []byte("[server]\nlisten = \":9090\"\nlisen = \":1\"\n"), 0o644)

	tests := []struct {
		name    string
		args    []string
		env     []string
		code    int
		wantOut string
		wantErr string
	}{
		{"defaults", []string{"config", "check"}, nil, exitOK, "configuration ok", ""},
		{"good file", []string{"config", "check", good}, nil, exitOK, good, ""},
		{"example file", []string{"config", "check", "statusthing.example.toml"}, nil, exitOK, "configuration ok", ""},
		{"file from env", []string{"config", "check"}, []string{"STATUSTHING_CONFIG=" + good}, exitOK, good, ""},
		{"unknown key", []string{"config", "check", bad}, nil, exitError, "", bad + ":3"},
		{"missing file", []string{"config", "check", filepath.Join(dir, "nope.toml")}, nil, exitError, "", "nope.toml"},
		{"bad env value", []string{"config", "check"}, []string{"STATUSTHING_SERVER_LISTEN=nonsense"}, exitError, "", "STATUSTHING_SERVER_LISTEN"},
		{"two files", []string{"config", "check", good, bad}, nil, exitUsage, "", "at most one"},
		{"no action", []string{"config"}, nil, exitUsage, "", "config needs check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, "", tt.args...)
			if code != tt.code || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tt.code, out, tt.wantOut, errOut, tt.wantErr)
			}
		})
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	env, dbPath := dbEnv(t)
	code, out, errOut := runCLI(t, env, "first password 123\n", "user", "create", "--email", "root@example.com", "--password-stdin")
	if code != exitOK || !strings.Contains(out, "user root@example.com created") {
		t.Fatalf("user create: exit %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCLI(t, env, "viewer password 1\n", "user", "create", "--email", "viewer@example.com", "--password-stdin", "--role", "viewer")
	if code != exitOK {
		t.Fatalf("second user: exit %d %q", code, errOut)
	}

	failures := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"duplicate", "another password\n", []string{"user", "create", "--email", "root@example.com", "--password-stdin"}, exitError, "already exists"},
		{"short password", "short\n", []string{"user", "create", "--email", "x@example.com", "--password-stdin"}, exitError, "at least 10"},
		{"bad role", "long enough pw\n", []string{"user", "create", "--email", "x@example.com", "--password-stdin", "--role", "king"}, exitError, "role"},
		{"no email", "", []string{"user", "create", "--password-stdin"}, exitUsage, "--email is required"},
		{"no terminal", "", []string{"user", "create", "--email", "x@example.com"}, exitError, "--password-stdin"},
		{"passwd unknown user", "long enough pw\n", []string{"user", "passwd", "--email", "ghost@example.com", "--password-stdin"}, exitError, "no user"},
		{"token without name", "", []string{"token", "create"}, exitUsage, "--name is required"},
		{"token bad scope", "", []string{"token", "create", "--name", "x", "--scope", "root"}, exitError, "read or write"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errOut, tt.want)
			}
		})
	}

	code, _, errOut = runCLI(t, env, "second password 456\n", "user", "passwd", "--email", "root@example.com", "--password-stdin")
	if code != exitOK {
		t.Fatalf("passwd: exit %d %q", code, errOut)
	}
	code, secret, errOut := runCLI(t, env, "", "token", "create", "--name", "deploy bot", "--scope", "read", "--expires", "24h")
	if code != exitOK || !strings.Contains(errOut, "shown only this once") {
		t.Fatalf("token create: exit %d %q", code, errOut)
	}
	secret = strings.TrimSpace(secret)

	// Check what the commands stored, through the real service.
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := auth.New(ctx, st, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginInput{Email: "root@example.com", Password: "second password 456"}); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	tok, err := svc.VerifyAPIToken(ctx, secret)
	if err != nil || tok.Name != "deploy bot" || tok.Scope != auth.ScopeRead || tok.ExpiresAt.IsZero() {
		t.Errorf("token: %+v %v", tok, err)
	}
	// Only the hash is stored.
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? OR prefix = ?`, secret, secret).Scan(&n); err != nil || n != 0 {
		t.Errorf("token secret stored in clear (%d rows, %v)", n, err)
	}
}

func TestMigrateCommand(t *testing.T) {
	env, _ := dbEnv(t)
	version := func(out string) int {
		t.Helper()
		m := regexp.MustCompile(`at version (\d+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no version in %q", out)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	code, out, _ := runCLI(t, env, "", "migrate", "version")
	if code != exitOK || version(out) != 0 {
		t.Fatalf("fresh database: exit %d %q", code, out)
	}
	code, out, _ = runCLI(t, env, "", "migrate", "up")
	latest := version(out)
	if code != exitOK || latest < 2 {
		t.Fatalf("up: exit %d %q", code, out)
	}
	// Migration numbers may have gaps (numbers reserved by work not merged yet): steps count
	// files, not numbers.
	versions := migrationVersions(t)
	if versions[len(versions)-1] != latest {
		t.Fatalf("up reached %d, the last migration is %d", latest, versions[len(versions)-1])
	}
	count := len(versions)
	steps := []struct {
		args []string
		code int
		want int
	}{
		{[]string{"migrate", "up"}, exitOK, latest},
		{[]string{"migrate", "down", "1"}, exitOK, versions[count-2]},
		{[]string{"migrate", "up"}, exitOK, latest},
		{[]string{"migrate", "down", strconv.Itoa(count)}, exitOK, 0},
		{[]string{"migrate", "up"}, exitOK, latest},
	}
	for _, s := range steps {
		code, out, errOut := runCLI(t, env, "", s.args...)
		if code != s.code || version(out) != s.want {
			t.Fatalf("%v: exit %d (want %d) stdout %q stderr %q", s.args, code, s.code, out, errOut)
		}
	}
	for _, bad := range [][]string{{"migrate", "down"}, {"migrate", "down", "zero"}, {"migrate", "sideways"}, {"migrate"}} {
		if code, _, _ := runCLI(t, env, "", bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
	if code, _, errOut := runCLI(t, env, "", "migrate", "down", strconv.Itoa(count+1)); code != exitError || errOut == "" {
		t.Errorf("down past zero: exit %d %q", code, errOut)
	}
}

func TestBackupWhileServing(t *testing.T) {
	s := startServer(t, nil, nil)
	c := browserClient(t)
	setupAdmin(t, s, c)
	// Keep the server writing (sessions) while the backup runs.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			cl := browserClient(t)
			page, err := cl.Get(s.URL + "/login")
			if err != nil {
				return
			}
			page.Body.Close()
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup.db")
	env := []string{"STATUSTHING_DATABASE_PATH=" + s.DBPath}
	code, out, errOut := runCLI(t, env, "", "backup", dest)
	<-done
	if code != exitOK || !strings.Contains(out, "backup of") {
		t.Fatalf("backup: exit %d %q %q", code, out, errOut)
	}
	db, err := sql.Open("sqlite", dest)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	var users int
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&users); err != nil || users != 1 {
		t.Fatalf("users in backup: %d %v", users, err)
	}
	// Never overwrite an existing file.
	if code, _, errOut := runCLI(t, env, "", "backup", dest); code != exitError || errOut == "" {
		t.Errorf("backup over an existing file: exit %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, env, "", "backup"); code != exitUsage {
		t.Errorf("backup without FILE: exit %d", code)
	}
	if res, err := http.Get(s.URL + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("server unhealthy after backup: %v", err)
	}
}

// migrationVersions lists the numbers of the embedded migrations, in order.
func migrationVersions(t *testing.T) []int {
	t.Helper()
	files, err := migrations.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, f := range files {
		num, rest, ok := strings.Cut(f.Name(), "_")
		if !ok || !strings.HasSuffix(rest, ".up.sql") {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("migration %s: %v", f.Name(), err)
		}
		out = append(out, n)
	}
	return out
}
