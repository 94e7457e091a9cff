package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// t0 is the injected "now" of the monitor tests: a UTC midnight.
var t0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// testOrg creates an organization and returns its id.
func testOrg(t testing.TB, s *Store, slug string) int64 {
	t.Helper()
	ctx := context.Background()
	var org auth.Organization
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var err error
		org, err = insertOrganization(ctx, tx, auth.Organization{Slug: slug, Name: slug, CreatedAt: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return org.ID
}

// httpMonitor is a valid http monitor of org, not yet created.
func httpMonitor(org int64, name string) monitor.Monitor {
	return monitor.Monitor{
		OrgID: org, Name: name, Type: monitor.TypeHTTP,
		Interval: time.Minute, Timeout: 10 * time.Second, Retries: 1, Recoveries: 1, RetryInterval: 20 * time.Second,
		Settings: monitor.HTTPSettings{Method: "GET", URL: "https://example.com/" + name, MaxRedirects: 5,
			ExpectedStatus: monitor.StatusRanges{{Min: 200, Max: 299}}},
	}
}

// createMonitor creates m (made at t0) or fails the test.
func createMonitor(t testing.TB, s *Store, m monitor.Monitor) monitor.Monitor {
	t.Helper()
	created, err := s.CreateMonitor(context.Background(), m, t0)
	if err != nil {
		t.Fatalf("CreateMonitor(%s): %v", m.Name, err)
	}
	return created
}

// countRows counts the rows of table matching where (e.g. "monitor_id = 3").
func countRows(t testing.TB, s *Store, table, where string, args ...any) int64 {
	t.Helper()
	q := `SELECT count(*) FROM ` + table
	if where != "" {
		q += ` WHERE ` + where
	}
	var n int64
	if err := s.read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMonitorCRUD(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "acme")

	want := httpMonitor(org, "Website")
	m := createMonitor(t, s, want)
	if m.ID == 0 {
		t.Fatal("no ID")
	}
	want.ID, want.CreatedAt, want.UpdatedAt = m.ID, t0, t0
	want.State = monitor.State{Status: monitor.StatusPending, Since: t0}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("created\n got %+v\nwant %+v", m, want)
	}
	got, err := s.Monitor(ctx, org, m.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Monitor = %+v, %v\nwant %+v", got, err, want)
	}

	// Update keeps the state (and the paused flag, which belongs to SetPaused).
	later := t0.Add(time.Hour)
	if _, _, err := s.RecordResult(ctx, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(time.Minute), Duration: 80 * time.Millisecond, Outcome: monitor.OutcomeUp}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Monitor(ctx, org, m.ID)
	upd := want
	upd.Name, upd.Interval, upd.Retries, upd.Paused = "Web site", 5*time.Minute, 3, true
	upd.Settings = monitor.HTTPSettings{Method: "HEAD", URL: "https://example.org/", ExpectedStatus: monitor.StatusRanges{{Min: 200, Max: 204}}}
	got, err = s.UpdateMonitor(ctx, upd, later)
	if err != nil {
		t.Fatal(err)
	}
	upd.Paused, upd.UpdatedAt, upd.State = false, later, before.State
	if !reflect.DeepEqual(got, upd) {
		t.Fatalf("updated\n got %+v\nwant %+v", got, upd)
	}
	if got.State.Status != monitor.StatusUp {
		t.Errorf("state after update = %s, want up (kept)", got.State.Status)
	}

	// Monitors are listed by name, case-insensitively.
	for _, name := range []string{"beta", "Alpha", "gamma"} {
		createMonitor(t, s, httpMonitor(org, name))
	}
	list, err := s.Monitors(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range list {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); got != "Alpha,beta,gamma,Web site" {
		t.Errorf("Monitors order = %s", got)
	}

	if err := s.DeleteMonitor(ctx, org, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Monitor(ctx, org, m.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Monitor after delete: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteMonitor(ctx, org, m.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: err = %v, want ErrNotFound", err)
	}
	if _, err := s.UpdateMonitor(ctx, upd, later); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of deleted: err = %v, want ErrNotFound", err)
	}
}

func TestMonitorSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "acme")
	jsonAssert, err := monitor.ParseJSONAssertion(`$.status == "ok"`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		typ      monitor.Type
		settings monitor.Settings
	}{
		{name: "http full", typ: monitor.TypeHTTP, settings: monitor.HTTPSettings{
			Method: "POST", URL: "https://example.com/api", Headers: map[string]string{"X-A": "1"}, Body: `{"q":1}`,
			AuthUser: "u", AuthPassword: "p", BearerToken: "tok", MaxRedirects: 3, IgnoreTLSErrors: true,
			ExpectedStatus: monitor.StatusRanges{{Min: 200, Max: 299}, {Min: 301, Max: 301}},
			BodyContains:   "ok", BodyNotContains: "error", BodyRegex: `^\{`, JSON: []monitor.JSONAssertion{jsonAssert},
			HeaderEquals: map[string]string{"Content-Type": "application/json"}, HeaderContains: map[string]string{"Server": "nginx"},
			DegradedAbove: time.Second, DownAbove: 5 * time.Second, CertDegradedDays: 14, CertDownDays: 2,
		}},
		{name: "http minimal", typ: monitor.TypeHTTP, settings: monitor.HTTPSettings{Method: "GET", URL: "http://x/",
			ExpectedStatus: monitor.StatusRanges{{Min: 200, Max: 399}}}},
		{name: "tcp", typ: monitor.TypeTCP, settings: monitor.TCPSettings{Address: "db:5432", Send: "PING\r\n", Expect: "PONG"}},
		{name: "dns", typ: monitor.TypeDNS, settings: monitor.DNSSettings{Hostname: "example.com", RecordType: "MX",
			Expected: []string{"mx1.example.com.", "mx2.example.com."}, MatchAll: true, Resolver: "1.1.1.1:53"}},
		{name: "tls", typ: monitor.TypeTLS, settings: monitor.TLSSettings{Address: "example.com:443", ServerName: "www.example.com",
			CertDegradedDays: 21, CertDownDays: 3}},
		{name: "browser without settings", typ: monitor.TypeBrowser},
		{name: "heartbeat without settings", typ: monitor.TypeHeartbeat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := httpMonitor(org, tt.name)
			m.Type, m.Settings = tt.typ, tt.settings
			created := createMonitor(t, s, m)
			got, err := s.Monitor(ctx, org, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Settings, tt.settings) {
				t.Errorf("settings\n got %#v\nwant %#v", got.Settings, tt.settings)
			}
			if got.Type != tt.typ {
				t.Errorf("type = %s, want %s", got.Type, tt.typ)
			}
		})
	}
	t.Run("settings of another type are refused", func(t *testing.T) {
		m := httpMonitor(org, "mismatch")
		m.Type = monitor.TypeTCP
		if _, err := s.CreateMonitor(ctx, m, t0); err == nil || !strings.Contains(err.Error(), "store: create monitor") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestMonitorOrgScoping(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	orgA, orgB := testOrg(t, s, "a"), testOrg(t, s, "b")
	m := createMonitor(t, s, httpMonitor(orgA, "A's site"))
	if _, _, err := s.RecordResult(ctx, monitor.Result{MonitorID: m.ID, StartedAt: t0, Duration: time.Millisecond, Outcome: monitor.OutcomeUp}); err != nil {
		t.Fatal(err)
	}

	stolen := m
	stolen.OrgID, stolen.Name = orgB, "mine now"
	tests := []struct {
		name string
		call func() error
	}{
		{name: "Monitor", call: func() error { _, err := s.Monitor(ctx, orgB, m.ID); return err }},
		{name: "UpdateMonitor", call: func() error { _, err := s.UpdateMonitor(ctx, stolen, t0); return err }},
		{name: "DeleteMonitor", call: func() error { return s.DeleteMonitor(ctx, orgB, m.ID) }},
		{name: "SetPaused", call: func() error { _, _, err := s.SetPaused(ctx, orgB, m.ID, true, t0); return err }},
		{name: "Results", call: func() error { _, err := s.Results(ctx, orgB, m.ID, time.Time{}, 10); return err }},
		{name: "Flips", call: func() error { _, err := s.Flips(ctx, orgB, m.ID, 10); return err }},
		{name: "MonitorUptime", call: func() error { _, err := s.MonitorUptime(ctx, orgB, m.ID, t0.Add(-time.Hour)); return err }},
		{name: "Rollups", call: func() error { _, err := s.Rollups(ctx, orgB, m.ID, true, t0.Add(-time.Hour), time.Time{}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
	t.Run("lists", func(t *testing.T) {
		if list, err := s.Monitors(ctx, orgB); err != nil || len(list) != 0 {
			t.Errorf("Monitors(B) = %v, %v", list, err)
		}
		if up, err := s.UptimeSince(ctx, orgB, t0.Add(-time.Hour)); err != nil || len(up) != 0 {
			t.Errorf("UptimeSince(B) = %v, %v", up, err)
		}
	})
	t.Run("A's monitor is untouched", func(t *testing.T) {
		got, err := s.Monitor(ctx, orgA, m.ID)
		if err != nil || got.Name != m.Name || got.Paused || got.State.Status != monitor.StatusUp {
			t.Errorf("Monitor(A) = %+v, %v", got, err)
		}
	})
}

func TestMonitorConfigNamesUnique(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	orgA, orgB := testOrg(t, s, "a"), testOrg(t, s, "b")
	cfg := func(org int64, name string) monitor.Monitor {
		m := httpMonitor(org, name)
		m.ManagedBy = "config"
		return m
	}
	createMonitor(t, s, cfg(orgA, "api"))
	tests := []struct {
		name    string
		m       monitor.Monitor
		wantErr bool
	}{
		{name: "same name from config in the same org", m: cfg(orgA, "api"), wantErr: true},
		{name: "same name from the UI", m: httpMonitor(orgA, "api")},
		{name: "same name from the UI again", m: httpMonitor(orgA, "api")},
		{name: "same name from config in another org", m: cfg(orgB, "api")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateMonitor(ctx, tt.m, t0)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestScheduledMonitors(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	orgA, orgB := testOrg(t, s, "a"), testOrg(t, s, "b")
	var want []string
	for i, org := range []int64{orgA, orgB} {
		for _, typ := range []monitor.Type{monitor.TypeHTTP, monitor.TypeTCP, monitor.TypeHeartbeat, monitor.TypeBrowser} {
			m := httpMonitor(org, fmt.Sprintf("%s-%d", typ, i))
			m.Type, m.Settings = typ, nil
			createMonitor(t, s, m)
			if typ != monitor.TypeHeartbeat {
				want = append(want, m.Name)
			}
		}
		paused := httpMonitor(org, fmt.Sprintf("paused-%d", i))
		paused.Paused = true
		createMonitor(t, s, paused)
	}
	got, err := s.ScheduledMonitors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range got {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("ScheduledMonitors = %v, want %v", names, want)
	}
	if m, err := s.MonitorForProbe(ctx, got[len(got)-1].ID); err != nil || m.OrgID != orgB {
		t.Errorf("MonitorForProbe = %+v, %v", m, err)
	}
	if _, err := s.MonitorForProbe(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("MonitorForProbe(missing): err = %v", err)
	}
}

func TestSetPaused(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "site"))
	if _, _, err := s.RecordResult(ctx, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeUp}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name       string
		paused     bool
		wantStatus monitor.Status
		wantFlip   string // "from>to" or ""
	}{
		{name: "pause", paused: true, wantStatus: monitor.StatusPaused, wantFlip: "up>paused"},
		{name: "pause again changes nothing", paused: true, wantStatus: monitor.StatusPaused},
		{name: "resume", paused: false, wantStatus: monitor.StatusPending, wantFlip: "paused>pending"},
		{name: "resume again changes nothing", paused: false, wantStatus: monitor.StatusPending},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			now := t0.Add(time.Duration(i+1) * time.Hour)
			got, flip, err := s.SetPaused(ctx, org, m.ID, st.paused, now)
			if err != nil {
				t.Fatal(err)
			}
			if got.Paused != st.paused || got.State.Status != st.wantStatus {
				t.Errorf("paused %v status %s, want %v %s", got.Paused, got.State.Status, st.paused, st.wantStatus)
			}
			reread, _ := s.Monitor(ctx, org, m.ID)
			if !reflect.DeepEqual(reread, got) {
				t.Errorf("returned %+v\nstored   %+v", got, reread)
			}
			gotFlip := ""
			if flip != nil {
				gotFlip = string(flip.From) + ">" + string(flip.To)
				if flip.ID == 0 || flip.MonitorID != m.ID || !flip.At.Equal(now) {
					t.Errorf("flip = %+v", flip)
				}
				flips, err := s.Flips(ctx, org, m.ID, 1)
				if err != nil || len(flips) != 1 || flips[0] != *flip {
					t.Errorf("stored flips = %+v, %v; want %+v", flips, err, *flip)
				}
			}
			if gotFlip != st.wantFlip {
				t.Errorf("flip %q, want %q", gotFlip, st.wantFlip)
			}
		})
	}
}

func TestDeleteMonitorCascades(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "doomed"))
	other := createMonitor(t, s, httpMonitor(org, "kept"))
	for _, id := range []int64{m.ID, other.ID} {
		for i, o := range []monitor.Outcome{monitor.OutcomeUp, monitor.OutcomeDown, monitor.OutcomeDown} {
			r := monitor.Result{MonitorID: id, StartedAt: t0.Add(time.Duration(i) * time.Minute), Outcome: o, Message: "x"}
			if _, _, err := s.RecordResult(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Old failures move to failed_results; then more results.
	if _, err := s.Prune(ctx, t0.Add(8*24*time.Hour), Retention{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{m.ID, other.ID} {
		record(t, s, monitor.Result{MonitorID: id, StartedAt: t0.Add(8 * 24 * time.Hour), Outcome: monitor.OutcomeUp})
	}
	tables := []string{"results", "failed_results", "flips", "rollups_hourly", "rollups_daily", "monitor_state"}
	for _, table := range tables {
		if countRows(t, s, table, "monitor_id = ?", m.ID) == 0 {
			t.Fatalf("no %s rows before delete", table)
		}
	}
	if err := s.DeleteMonitor(ctx, org, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		t.Run(table, func(t *testing.T) {
			if n := countRows(t, s, table, "monitor_id = ?", m.ID); n != 0 {
				t.Errorf("%d rows left", n)
			}
			if n := countRows(t, s, table, "monitor_id = ?", other.ID); n == 0 {
				t.Errorf("the other monitor's rows are gone")
			}
		})
	}
}

// TestMigrationsDownWithData rolls the monitors and heartbeats schemas back and forth on a
// database that holds monitors, results, rollups and pings.
func TestMigrationsDownWithData(t *testing.T) {
	path := t.TempDir() + "/m.db"
	s, err := Open(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "m"))
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeDown, Message: "x"})
	bm := createMonitor(t, s, browserMonitor(org, "browser"))
	record(t, s, monitor.Result{MonitorID: bm.ID, StartedAt: t0, Outcome: monitor.OutcomeDown, Message: "x",
		Screenshot: &monitor.Screenshot{Format: "png", Data: []byte("png"), Width: 1, Height: 1}})
	hb := createMonitor(t, s, heartbeatMonitor(org, "hb"))
	ping(t, s, hb.ID, heartbeat.KindSuccess, 0, "", t0)
	if _, err := s.PingKey(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(context.Background(), t0.AddDate(1, 0, 0), Retention{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	mig, err := OpenMigrator(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mig.Close()
	// Each step down removes its migration's tables and leaves the earlier ones.
	steps := []struct {
		migration     string
		gone, present []string
		columns       []string // columns the migration added, gone after its down
	}{
		{"0015", []string{"audit_log"}, []string{"invitations"}, nil},
		{"0014", []string{"recovery_codes"}, []string{"users"}, []string{"users.time_zone", "users.totp_secret",
			"users.totp_enabled_at", "users.totp_last_step"}},
		{"0013", []string{"invitations"}, []string{"api_tokens"}, nil},
		{"0012", nil, []string{"api_tokens"}, []string{"api_tokens.role"}},
		{"0011", []string{"subscribers", "subscriber_tokens", "subscriber_outbox"}, []string{"status_pages", "outbox"}, nil},
		{"0010", nil, []string{"outbox"}, []string{"outbox.incident_id"}},
		{"0009", nil, []string{"maintenances", "status_pages"}, []string{"monitors.flap_changes", "monitor_state.flapping_since",
			"incidents.reminders", "delivery_attempts.retry_after_ms"}},
		{"0008", []string{"status_pages", "page_components", "incident_components", "incident_updates"}, []string{"maintenances", "incidents"}, nil},
		{"0007", []string{"maintenances", "maintenance_monitors"}, []string{"channels", "incidents"}, nil},
		{"0006", []string{"channels", "monitor_channels", "outbox", "delivery_attempts"}, []string{"incidents"}, nil},
		{"0005", []string{"incidents", "incident_events"}, []string{"screenshots"}, nil},
		{"0004", []string{"screenshots"}, []string{"pings"}, nil},
		{"0003", []string{"pings", "heartbeats"}, []string{"monitors"}, nil},
		{"0002", []string{"monitors", "monitor_state", "results", "failed_results", "flips", "rollups_hourly", "rollups_daily"},
			[]string{"organizations"}, nil},
	}
	for _, step := range steps {
		if err := mig.Down(1); err != nil {
			t.Fatalf("down %s: %v", step.migration, err)
		}
		got := "," + strings.Join(tables(t, rawDB(t, path)), ",") + ","
		for _, col := range step.columns {
			table, name, _ := strings.Cut(col, ".")
			var n int
			if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, name).Scan(&n); err != nil || n != 0 {
				t.Errorf("column %s after down %s: %d, %v", col, step.migration, n, err)
			}
		}
		for _, table := range step.gone {
			if strings.Contains(got, ","+table+",") {
				t.Errorf("table %s still there after down %s: %s", table, step.migration, got)
			}
		}
		for _, table := range step.present {
			if !strings.Contains(got, ","+table+",") {
				t.Errorf("table %s gone after down %s: %s", table, step.migration, got)
			}
		}
	}
	if err := mig.Up(); err != nil {
		t.Fatal(err)
	}
	if got := tables(t, rawDB(t, path)); !strings.Contains(strings.Join(got, ","), "rollups_daily") {
		t.Errorf("tables after up again: %v", got)
	}
}
