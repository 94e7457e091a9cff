package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"statusthing/app/alert"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// outboxAlerts returns the alerts in the outbox, in the order they were written.
func outboxAlerts(t *testing.T, s *Store) []alert.Alert {
	t.Helper()
	rows, err := s.read.Query(`SELECT event, idempotency_key FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []alert.Alert
	for rows.Next() {
		var payload, key string
		if err := rows.Scan(&payload, &key); err != nil {
			t.Fatal(err)
		}
		var a alert.Alert
		if err := json.Unmarshal([]byte(payload), &a); err != nil {
			t.Fatal(err)
		}
		if a.IdempotencyKey != key {
			t.Errorf("payload key %q, row key %q", a.IdempotencyKey, key)
		}
		out = append(out, a)
	}
	return out
}

func events(as []alert.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, string(a.Event))
	}
	return out
}

func sameEvents(t *testing.T, what string, got []alert.Alert, want ...string) {
	t.Helper()
	g := events(got)
	if len(g) != len(want) {
		t.Fatalf("%s: alerts %v, want %v", what, g, want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("%s: alerts %v, want %v", what, g, want)
		}
	}
}

func up(id int64, at time.Time) monitor.Result {
	return monitor.Result{MonitorID: id, StartedAt: at, Outcome: monitor.OutcomeUp}
}

func tick(t *testing.T, s *Store, now time.Time) int {
	t.Helper()
	n, err := s.AlertTick(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFlapGuard: the third change within the window sends one "flapping" alert instead of
// its own (naming the incident that change opened); the changes after it send nothing (incidents still open and resolve); once the
// monitor has not changed for the window, AlertTick sends its status (down, with its open
// incident) once; after that, changes alert normally again.
func TestFlapGuard(t *testing.T) {
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Retries = 0
	hm.Alerts = monitor.AlertOptions{FlapChanges: 3, FlapWindow: 30 * time.Minute}
	m := createMonitor(t, s, hm)
	createChannel(t, s, org, "ops", true, true)
	min := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

	record(t, s, up(m.ID, min(0)))
	record(t, s, failed(m.ID, min(1)))
	record(t, s, up(m.ID, min(2)))
	sameEvents(t, "two changes", outboxAlerts(t, s), "down", "up")
	record(t, s, failed(m.ID, min(3)))
	all := outboxAlerts(t, s)
	sameEvents(t, "third change", all, "down", "up", "flapping")
	if f := all[2]; f.Status != "down" || f.Incident.ID == 0 || !f.Incident.ResolvedAt.IsZero() || f.Reason == "" {
		t.Errorf("flapping alert %+v", f)
	}
	record(t, s, up(m.ID, min(4)))
	record(t, s, failed(m.ID, min(5)))
	sameEvents(t, "while flapping", outboxAlerts(t, s), "down", "up", "flapping")
	if n := countRows(t, s, "incidents", ""); n != 3 {
		t.Errorf("%d incidents, want 3: flapping keeps them, silently", n)
	}

	if n := tick(t, s, min(5+29)); n != 0 {
		t.Errorf("settled after 29 of 30 minutes: %d", n)
	}
	if n := tick(t, s, min(5+30)); n != 1 {
		t.Fatalf("not settled after 30 minutes: %d", n)
	}
	if n := tick(t, s, min(5+31)); n != 0 {
		t.Errorf("settled twice: %d", n)
	}
	all = outboxAlerts(t, s)
	sameEvents(t, "settled", all, "down", "up", "flapping", "down")
	if a := all[3]; a.Status != "down" || a.Incident.ID == 0 || !a.Incident.ResolvedAt.IsZero() || !a.Time.Equal(min(35)) {
		t.Errorf("settling alert %+v", a)
	}
	if n := countRows(t, s, "monitor_state", "flapping_since IS NOT NULL"); n != 0 {
		t.Errorf("still flapping")
	}
	record(t, s, up(m.ID, min(40)))
	sameEvents(t, "after settling", outboxAlerts(t, s), "down", "up", "flapping", "down", "up")
}

// TestDegradedAndLateAlerts: degraded and late alert (with their "up" when they end) only
// when the monitor asks for them; each once per change.
func TestDegradedAndLateAlerts(t *testing.T) {
	tests := []struct {
		name string
		opts monitor.AlertOptions
		want []string
	}{
		{"off", monitor.AlertOptions{}, nil},
		{"degraded", monitor.AlertOptions{Degraded: true}, []string{"degraded", "up"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{})
			org := testOrg(t, s, "a")
			hm := httpMonitor(org, "Shop")
			hm.Alerts = tt.opts
			m := createMonitor(t, s, hm)
			createChannel(t, s, org, "ops", true, true)
			record(t, s, up(m.ID, t0))
			slow := up(m.ID, t0.Add(time.Minute))
			slow.Outcome, slow.ErrorClass, slow.Message = monitor.OutcomeDegraded, monitor.ClassLatency, "slow: 3s"
			record(t, s, slow)
			slow.StartedAt = t0.Add(2 * time.Minute)
			record(t, s, slow)
			record(t, s, up(m.ID, t0.Add(3*time.Minute)))
			got := outboxAlerts(t, s)
			sameEvents(t, "degraded then up", got, tt.want...)
			if len(got) > 0 && (got[0].Reason != "slow: 3s" || got[0].Status != "degraded" || got[0].Incident.ID != 0) {
				t.Errorf("degraded alert %+v", got[0])
			}
		})
	}

	t.Run("late", func(t *testing.T) {
		s := openTest(t, Options{})
		org := testOrg(t, s, "a")
		for _, late := range []bool{false, true} {
			hm := heartbeatMonitor(org, "job "+map[bool]string{false: "quiet", true: "loud"}[late])
			hm.Alerts.Late = late
			m := createMonitor(t, s, hm)
			c := createChannel(t, s, org, "c"+m.Name[4:], false, true)
			if err := s.AttachChannel(context.Background(), org, m.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0)
		}
		if _, err := s.SweepHeartbeats(context.Background(), t0.Add(61*time.Minute)); err != nil {
			t.Fatal(err)
		}
		sameEvents(t, "late", outboxAlerts(t, s), "late")
		ping(t, s, 2, heartbeat.KindSuccess, 0, "", t0.Add(62*time.Minute))
		ping(t, s, 1, heartbeat.KindSuccess, 0, "", t0.Add(62*time.Minute))
		got := outboxAlerts(t, s)
		sameEvents(t, "late then up", got, "late", "up")
		if got[0].Monitor.Name != "job loud" || got[1].Monitor.Name != "job loud" {
			t.Errorf("alerts of %q and %q, want the loud job's", got[0].Monitor.Name, got[1].Monitor.Name)
		}
	})
}

// TestReminders: a monitor still down gets one reminder per period of remind_every from
// its incident's opening, each once (AlertTick may run any number of times), only the
// latest when several are due, none once the incident is acknowledged or resolved.
func TestReminders(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Retries = 0
	hm.Alerts.RemindEvery = 30 * time.Minute
	m := createMonitor(t, s, hm)
	quiet := createMonitor(t, s, func() monitor.Monitor { q := httpMonitor(org, "Quiet"); q.Retries = 0; return q }())
	createChannel(t, s, org, "ops", true, true)
	record(t, s, failed(m.ID, t0))
	record(t, s, failed(quiet.ID, t0))
	min := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

	steps := []struct {
		at   time.Time
		sent int
	}{{min(29), 0}, {min(30), 1}, {min(30), 0}, {min(59), 0}, {min(95), 1}, {min(96), 0}}
	for _, st := range steps {
		if n := tick(t, s, st.at); n != st.sent {
			t.Errorf("AlertTick at %s: %d, want %d", st.at.Sub(t0), n, st.sent)
		}
	}
	got := outboxAlerts(t, s)
	sameEvents(t, "reminders", got, "down", "down", "reminder", "reminder")
	r1, r3 := got[2], got[3]
	if r1.Reminder != 1 || r3.Reminder != 3 || r1.Monitor.ID != m.ID || r1.Incident.ID == 0 || r1.Status != "down" ||
		r1.Reason != "still down after 30m: connection refused" || r3.Reason != "still down after 1h30m: connection refused" {
		t.Errorf("reminders %+v\n%+v", r1, r3)
	}
	if r1.IdempotencyKey == r3.IdempotencyKey {
		t.Error("two reminders share a key")
	}

	if err := s.AcknowledgeIncident(ctx, org, r1.Incident.ID, "ops@example.com", true, min(100)); err != nil {
		t.Fatal(err)
	}
	if n := tick(t, s, min(200)); n != 0 {
		t.Errorf("reminded of an acknowledged incident: %d", n)
	}
	if err := s.AcknowledgeIncident(ctx, org, r1.Incident.ID, "ops@example.com", false, min(201)); err != nil {
		t.Fatal(err)
	}
	record(t, s, up(m.ID, min(202)))
	if n := tick(t, s, min(300)); n != 0 {
		t.Errorf("reminded of a resolved incident: %d", n)
	}
}

// TestCertificateAlert: a result whose certificate expires within cert_alert_days alerts
// once for that certificate; a renewed certificate that is also close alerts again.
func TestCertificateAlert(t *testing.T) {
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Alerts.CertExpiryDays = 14
	m := createMonitor(t, s, hm)
	off := createMonitor(t, s, httpMonitor(org, "Off"))
	createChannel(t, s, org, "ops", true, true)
	day := 24 * time.Hour
	withCert := func(id int64, at, expiry time.Time) monitor.Result {
		r := up(id, at)
		r.Details.CertExpiry = expiry
		return r
	}
	record(t, s, withCert(m.ID, t0, t0.Add(30*day)))
	record(t, s, withCert(off.ID, t0, t0.Add(3*day)))
	record(t, s, withCert(m.ID, t0.Add(time.Minute), t0.Add(10*day)))
	record(t, s, withCert(m.ID, t0.Add(2*time.Minute), t0.Add(10*day)))
	record(t, s, withCert(m.ID, t0.Add(3*time.Minute), t0.Add(12*day)))
	got := outboxAlerts(t, s)
	sameEvents(t, "certificates", got, "certificate_expiring", "certificate_expiring")
	if a := got[0]; !a.CertExpiry.Equal(t0.Add(10*day)) || a.Status != "up" || a.Monitor.ID != m.ID ||
		a.Reason != "the certificate expires on 2025-03-11 00:00 UTC, in 9 days" {
		t.Errorf("certificate alert %+v", a)
	}
	if !got[1].CertExpiry.Equal(t0.Add(12 * day)) {
		t.Errorf("second certificate alert %+v", got[1])
	}
}

// TestAlertOptionsStored: a monitor's alert options are stored, updated and read back.
func TestAlertOptionsStored(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Alerts = monitor.AlertOptions{Degraded: true, CertExpiryDays: 21, RemindEvery: time.Hour, FlapChanges: 4, FlapWindow: 20 * time.Minute}
	m := createMonitor(t, s, hm)
	if got, err := s.Monitor(ctx, org, m.ID); err != nil || got.Alerts != hm.Alerts {
		t.Fatalf("created: %+v, %v", got.Alerts, err)
	}
	m.Alerts = monitor.AlertOptions{Late: false, FlapWindow: time.Minute}
	if _, err := s.UpdateMonitor(ctx, m, t0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Monitor(ctx, org, m.ID); err != nil || got.Alerts != m.Alerts {
		t.Fatalf("updated: %+v, %v", got.Alerts, err)
	}
}

// TestSetMonitorChannels: a monitor's channels are replaced as a whole, only with channels
// of its organization; a refused list changes nothing.
func TestSetMonitorChannels(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	a, b := testOrg(t, s, "a"), testOrg(t, s, "b")
	m := createMonitor(t, s, httpMonitor(a, "Shop"))
	c1, c2 := createChannel(t, s, a, "one", false, true), createChannel(t, s, a, "two", false, true)
	theirs := createChannel(t, s, b, "theirs", false, true)
	ids := func() []int64 {
		list, err := s.MonitorChannels(ctx, a, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name    string
		org     int64
		set     []int64
		wantErr error
		want    []int64
	}{
		{"two", a, []int64{c2.ID, c1.ID, c1.ID}, nil, []int64{c1.ID, c2.ID}},
		{"another org's channel", a, []int64{c1.ID, theirs.ID}, ErrUnknownChannel, []int64{c1.ID, c2.ID}},
		{"another org's monitor", b, []int64{theirs.ID}, ErrNotFound, []int64{c1.ID, c2.ID}},
		{"one", a, []int64{c2.ID}, nil, []int64{c2.ID}},
		{"none", a, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetMonitorChannels(ctx, tt.org, m.ID, tt.set)
			if (tt.wantErr == nil) != (err == nil) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := ids(); !slices.Equal(got, tt.want) {
				t.Errorf("attached %v, want %v", got, tt.want)
			}
		})
	}
}
