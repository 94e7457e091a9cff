package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
)

func TestMaintenanceCRUD(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	a, b := testOrg(t, s, "a"), testOrg(t, s, "b")
	m := createMonitor(t, s, httpMonitor(a, "Shop"))
	theirs := createMonitor(t, s, httpMonitor(b, "Theirs"))

	if _, err := s.CreateMaintenance(ctx, incident.Maintenance{OrgID: a}, t0); !errors.As(err, new(*incident.MaintenanceError)) {
		t.Errorf("invalid window: %v", err)
	}
	var me *incident.MaintenanceError
	if _, err := s.CreateMaintenance(ctx, incident.Maintenance{OrgID: a, Title: "x", Start: t0, End: t0.Add(time.Hour),
		MonitorIDs: []int64{theirs.ID}}, t0); !errors.As(err, &me) || me.For("monitors") == "" {
		t.Errorf("other org's monitor: %v", err)
	}
	w, err := s.CreateMaintenance(ctx, incident.Maintenance{OrgID: a, Title: "upgrade", Start: t0, End: t0.Add(time.Hour), MonitorIDs: []int64{m.ID}}, t0)
	if err != nil || w.ID == 0 || w.Title != "upgrade" || !w.Start.Equal(t0) || len(w.MonitorIDs) != 1 || w.MonitorIDs[0] != m.ID {
		t.Fatalf("created %+v, %v", w, err)
	}
	if _, err := s.Maintenance(ctx, b, w.ID); err != ErrNotFound {
		t.Errorf("other org: %v", err)
	}
	w.Start, w.End, w.Cron, w.Duration, w.TimeZone, w.MonitorIDs = time.Time{}, time.Time{}, "0 3 * * *", 2*time.Hour, "Europe/Paris", nil
	if err := s.UpdateMaintenance(ctx, w, t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.Maintenance(ctx, a, w.ID)
	if err != nil || got.Cron != "0 3 * * *" || got.Duration != 2*time.Hour || !got.Start.IsZero() || len(got.MonitorIDs) != 0 || got.TimeZone != "Europe/Paris" {
		t.Errorf("updated %+v, %v", got, err)
	}
	w.OrgID = b
	if err := s.UpdateMaintenance(ctx, w, t0); err != ErrNotFound {
		t.Errorf("update across orgs: %v", err)
	}
	if err := s.DeleteMaintenance(ctx, b, w.ID); err != ErrNotFound {
		t.Errorf("delete across orgs: %v", err)
	}
	if err := s.DeleteMaintenance(ctx, a, w.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Maintenances(ctx, a); err != nil || len(list) != 0 {
		t.Errorf("after delete: %+v, %v", list, err)
	}
}

func TestMaintenanceSuppressesThenAlerts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Retries = 0
	m := createMonitor(t, s, hm)
	other := createMonitor(t, s, func() monitor.Monitor { o := httpMonitor(org, "Other"); o.Retries = 0; return o }())
	ch := createChannel(t, s, org, "ops", true, true)

	start := t0.Add(10 * time.Minute)
	if _, err := s.CreateMaintenance(ctx, incident.Maintenance{OrgID: org, Title: "upgrade", Start: start, End: start.Add(time.Hour),
		MonitorIDs: []int64{m.ID}}, t0); err != nil {
		t.Fatal(err)
	}
	if until, ok, err := s.MonitorMaintenance(ctx, org, m.ID, start.Add(time.Minute)); err != nil || !ok || !until.Equal(start.Add(time.Hour)) {
		t.Errorf("MonitorMaintenance: %s %v %v", until, ok, err)
	}

	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeUp})
	record(t, s, failed(m.ID, start.Add(time.Minute))) // down inside the window
	record(t, s, failed(other.ID, start.Add(time.Minute)))
	if n := countRows(t, s, "incidents", "monitor_id = ?", m.ID); n != 0 {
		t.Fatalf("%d incidents opened during maintenance", n)
	}
	if n := countRows(t, s, "flips", "monitor_id = ? AND to_status = 'down'", m.ID); n != 1 {
		t.Errorf("flip not recorded: %d", n)
	}
	if n := countRows(t, s, "incidents", "monitor_id = ?", other.ID); n != 1 {
		t.Errorf("uncovered monitor: %d incidents", n)
	}
	if n := countRows(t, s, "outbox", "1 = 1"); n != 1 {
		t.Errorf("outbox rows during maintenance: %d, want 1 (the uncovered monitor)", n)
	}

	// Still inside the window: the task opens nothing.
	if n, err := s.OpenIncidentsAfterMaintenance(ctx, start.Add(30*time.Minute)); err != nil || n != 0 {
		t.Fatalf("during the window: %d, %v", n, err)
	}
	// After it, the monitor still down: incident and alert now.
	after := start.Add(time.Hour + time.Second)
	if n, err := s.OpenIncidentsAfterMaintenance(ctx, after); err != nil || n != 1 {
		t.Fatalf("after the window: %d, %v", n, err)
	}
	list, err := s.Incidents(ctx, org, incident.Filter{MonitorID: m.ID}, 0, 10)
	if err != nil || len(list) != 1 || list[0].Message != MessageAfterMaintenance || !list[0].OpenedAt.Equal(after.Truncate(time.Millisecond)) ||
		list[0].Cause != monitor.ClassRefused {
		t.Fatalf("incident after maintenance: %+v, %v", list, err)
	}
	if got := outboxChannels(t, s, "json_extract(event, '$.monitor.id') = ?", m.ID); len(got) != 1 || got[0] != ch.ID {
		t.Errorf("alerts after maintenance: %v", got)
	}
	// Idempotent: one open incident, nothing more.
	if n, err := s.OpenIncidentsAfterMaintenance(ctx, after.Add(time.Minute)); err != nil || n != 0 {
		t.Errorf("second run: %d, %v", n, err)
	}
	// Resolved by hand while still down: the task does not reopen it.
	if err := s.ResolveIncident(ctx, org, list[0].ID, "ops@example.com", after.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.OpenIncidentsAfterMaintenance(ctx, after.Add(3*time.Minute)); err != nil || n != 0 {
		t.Errorf("after a manual resolve: %d, %v", n, err)
	}
	// Nor the uncovered monitor's incident, resolved by hand too.
	others, _ := s.Incidents(ctx, org, incident.Filter{MonitorID: other.ID}, 0, 10)
	if err := s.ResolveIncident(ctx, org, others[0].ID, "ops@example.com", after); err != nil {
		t.Fatal(err)
	}
	if n, err := s.OpenIncidentsAfterMaintenance(ctx, after.Add(4*time.Minute)); err != nil || n != 0 {
		t.Errorf("uncovered monitor resolved by hand: %d, %v", n, err)
	}
	// Recovery: up again.
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: after.Add(2 * time.Minute), Outcome: monitor.OutcomeUp})
	if list, _ := s.Incidents(ctx, org, incident.Filter{MonitorID: m.ID}, 0, 10); len(list) != 1 || list[0].Open() {
		t.Errorf("not resolved: %+v", list)
	}
	if n, err := s.OpenIncidentsAfterMaintenance(ctx, after.Add(5*time.Minute)); err != nil || n != 0 {
		t.Errorf("after recovery: %d, %v", n, err)
	}
}
