package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"statusthing/app/api"
	"statusthing/app/auth"
	"statusthing/app/monitor"
	"statusthing/app/monitoring"
	"statusthing/store"
)

// clock is a settable time source shared by the services under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// scheduler stands in for the runner: nothing is scheduled, and "check now" records a
// canned result of 42 ms.
type scheduler struct {
	st  *store.Store
	clk *clock
}

func (s *scheduler) Schedule(monitor.Monitor) error { return nil }
func (s *scheduler) Unschedule(int64) error         { return nil }
func (s *scheduler) RunNow(ctx context.Context, m monitor.Monitor) (monitor.Result, monitor.State, *monitor.Flip, error) {
	res := monitor.Result{MonitorID: m.ID, StartedAt: s.clk.Now(), Duration: 42 * time.Millisecond,
		Outcome: monitor.OutcomeUp, Details: monitor.Details{StatusCode: 200}}
	st, flip, err := s.st.RecordResult(ctx, res)
	return res, st, flip, err
}

const baseURL = "https://status.example.com"

// env is the API on a real, migrated SQLite file, with one organization and a write and a
// read token.
type env struct {
	t        *testing.T
	st       *store.Store
	auth     *auth.Service
	monitors *monitoring.Service
	clk      *clock
	srv      *httptest.Server
	write    string // token secrets
	read     string
	org      int64
	dbPath   string
}

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "api.db")
	st, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{now: t0}
	as, err := auth.New(ctx, st, auth.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	u, err := as.Setup(ctx, auth.SetupInput{Email: "owner@example.com", Password: "a long enough password", OrgName: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	_ = u
	ms := monitoring.New(monitoring.Options{Store: st, Scheduler: &scheduler{st: st, clk: clk}, Now: clk.Now})
	if err := ms.StartHeartbeats(ctx); err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Options{Monitors: ms, Auth: as, Store: st, BaseURL: baseURL, Now: clk.Now, Audit: st,
		ResultsRetention: 7 * 24 * time.Hour, PingBodyLimit: 1000})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, auth: as, monitors: ms, clk: clk, srv: srv, dbPath: path}
	var tok auth.APIToken
	e.write, tok, err = as.CreateAPIToken(ctx, auth.CreateAPITokenInput{Name: "writer", Scope: auth.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	e.org = tok.OrgID
	if e.read, _, err = as.CreateAPIToken(ctx, auth.CreateAPITokenInput{Name: "reader", Scope: auth.ScopeRead}); err != nil {
		t.Fatal(err)
	}
	return e
}

// answer is a response as the tests look at it.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

// errorBody is the JSON of an error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

// do sends a request with token as bearer ("" for none) and a JSON body ("" for none).
func (e *env) do(method, path, token, body string, header ...string) answer {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// json does a request that must answer want, and decodes its body into out (if not nil).
func (e *env) json(method, path, token, body string, want int, out any) answer {
	e.t.Helper()
	a := e.do(method, path, token, body)
	if a.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, a.Status, want, a.Body)
	}
	if out != nil {
		reflect.ValueOf(out).Elem().SetZero() // decode into a fresh value: absent keys stay zero
		if err := json.Unmarshal([]byte(a.Body), out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, a.Body, err)
		}
	}
	return a
}

// fails does a request that must fail with status and code (and field, if not "").
func (e *env) fails(method, path, token, body string, status int, code, field string) errorBody {
	e.t.Helper()
	a := e.do(method, path, token, body)
	var eb errorBody
	if err := json.Unmarshal([]byte(a.Body), &eb); err != nil {
		e.t.Fatalf("%s %s: error answer %q is not JSON: %v", method, path, a.Body, err)
	}
	if a.Status != status || eb.Error.Code != code || (field != "" && eb.Error.Field != field) || eb.Error.Message == "" {
		e.t.Errorf("%s %s: %d %s field %q, want %d %s field %q; body %s", method, path, a.Status, eb.Error.Code,
			eb.Error.Field, status, code, field, a.Body)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return eb
}

// monitorView is the subset of a monitor's JSON the tests read.
type monitorView struct {
	ID            int64             `json:"id"`
	Name          string            `json:"name"`
	Type          string            `json:"type"`
	URL           string            `json:"url"`
	Interval      string            `json:"interval"`
	Timeout       string            `json:"timeout"`
	Retries       *int              `json:"retries"`
	Paused        bool              `json:"paused"`
	AuthUser      string            `json:"auth_user"`
	AuthPassword  string            `json:"auth_password"`
	BearerToken   string            `json:"bearer_token"`
	Headers       map[string]string `json:"headers"`
	Period        string            `json:"period"`
	Grace         string            `json:"grace"`
	Status        string            `json:"status"`
	StatusSince   *time.Time        `json:"status_since"`
	LastCheckedAt *time.Time        `json:"last_checked_at"`
	PingURL       string            `json:"ping_url"`
}

type pageOf[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// createMonitor creates a monitor through the API.
func (e *env) createMonitor(body string) monitorView {
	e.t.Helper()
	var m monitorView
	e.json("POST", "/api/v1/monitors", e.write, body, http.StatusCreated, &m)
	return m
}

func httpMonitor(name string) string {
	return `{"name": "` + name + `", "type": "http", "url": "https://example.com/` + name + `"}`
}

// record stores a result of monitor id at at.
func (e *env) record(id int64, at time.Time, d time.Duration, outcome monitor.Outcome) {
	e.t.Helper()
	r := monitor.Result{MonitorID: id, StartedAt: at, Duration: d, Outcome: outcome}
	if outcome != monitor.OutcomeUp {
		r.ErrorClass, r.Message = monitor.ClassTimeout, "boom"
	}
	if _, _, err := e.st.RecordResult(context.Background(), r); err != nil {
		e.t.Fatal(err)
	}
}

// rawDB opens the database for what the API cannot do (a second organization).
func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	err := e.st.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
