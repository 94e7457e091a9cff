package store

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/incident"
	"statusthing/app/monitor"
)

func failed(id int64, at time.Time) monitor.Result {
	return monitor.Result{MonitorID: id, StartedAt: at, Outcome: monitor.OutcomeDown, ErrorClass: monitor.ClassRefused, Message: "connection refused"}
}

func TestIncidentsFollowFlips(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Retries = 0
	m := createMonitor(t, s, hm)

	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeUp})
	record(t, s, failed(m.ID, t0.Add(time.Minute)))
	record(t, s, failed(m.ID, t0.Add(2*time.Minute))) // still down: no second incident
	list, err := s.Incidents(ctx, org, incident.Filter{}, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents after going down: %+v, %v", list, err)
	}
	in := list[0]
	if in.Title != "Shop is down" || in.Status != incident.StatusOpen || in.Cause != monitor.ClassRefused ||
		!in.OpenedAt.Equal(t0.Add(time.Minute)) || in.MonitorID != m.ID || in.MonitorName != "Shop" || !in.Open() {
		t.Errorf("opened incident %+v", in)
	}

	if err := s.AcknowledgeIncident(ctx, org, in.ID, "ops@example.com", true, t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CommentIncident(ctx, org, in.ID, "ops@example.com", "restarting the pod", t0.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(5 * time.Minute), Outcome: monitor.OutcomeUp})
	got, events, err := s.Incident(ctx, org, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != incident.StatusResolved || !got.ResolvedAt.Equal(t0.Add(5*time.Minute)) || got.AcknowledgedBy != "ops@example.com" ||
		got.Duration(t0.Add(time.Hour)) != 4*time.Minute {
		t.Errorf("resolved incident %+v", got)
	}
	var kinds []incident.EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	want := []incident.EventKind{incident.EventOpened, incident.EventAcknowledged, incident.EventComment, incident.EventResolved}
	if len(kinds) != len(want) {
		t.Fatalf("timeline %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("timeline %v, want %v", kinds, want)
		}
	}
	if err := s.AcknowledgeIncident(ctx, org, in.ID, "x", true, t0.Add(6*time.Minute)); err != ErrIncidentResolved {
		t.Errorf("acknowledging a resolved incident: %v", err)
	}

	// Down again: a new incident, which has seen the first one before.
	record(t, s, failed(m.ID, t0.Add(10*time.Minute)))
	list, _ = s.Incidents(ctx, org, incident.Filter{Status: incident.StatusOpen}, 0, 10)
	if len(list) != 1 || list[0].ID == in.ID {
		t.Fatalf("second outage: %+v", list)
	}
	seen, err := s.IncidentHistory(ctx, org, list[0], t0.Add(-30*24*time.Hour))
	if err != nil || len(seen) != 1 || seen[0].ID != in.ID {
		t.Errorf("history: %+v, %v", seen, err)
	}
	// Resolved by hand while still down; the next down flip opens a new one.
	if err := s.ResolveIncident(ctx, org, list[0].ID, "ops@example.com", t0.Add(11*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Incidents(ctx, org, incident.Filter{Status: incident.StatusOpen}, 0, 10); len(open) != 0 {
		t.Errorf("open after resolving by hand: %+v", open)
	}
	// Filters and scoping.
	if all, _ := s.Incidents(ctx, org, incident.Filter{MonitorID: m.ID, From: t0.Add(5 * time.Minute)}, 0, 10); len(all) != 1 {
		t.Errorf("from filter: %+v", all)
	}
	other := testOrg(t, s, "b")
	if _, _, err := s.Incident(ctx, other, in.ID); err != ErrNotFound {
		t.Errorf("another organization's incident: %v", err)
	}
	if err := s.CommentIncident(ctx, other, in.ID, "x", "y", t0); err != ErrNotFound {
		t.Errorf("commenting another organization's incident: %v", err)
	}
}

// Concurrent failures of one monitor open one incident; a second open flip (a monitor
// flapping through paused) is noted, never a second open incident.
func TestOneOpenIncidentPerMonitor(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "api")
	hm.Retries = 0
	m := createMonitor(t, s, hm)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if _, _, err := s.RecordResult(ctx, failed(m.ID, t0.Add(time.Duration(i)*time.Second))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := countRows(t, s, "incidents", "monitor_id = ?", m.ID); n != 1 {
		t.Fatalf("%d incidents, want 1", n)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		return applyIncident(ctx, hotTx{tx: tx}, m.ID, &monitor.Flip{At: t0.Add(time.Hour), From: monitor.StatusPaused, To: monitor.StatusDown, Reason: "again"}, "", true)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "incidents", "monitor_id = ? AND resolved_at IS NULL", m.ID); n != 1 {
		t.Errorf("%d open incidents, want 1", n)
	}
	if n := countRows(t, s, "incident_events", "kind = 'state_change'"); n != 1 {
		t.Errorf("%d notes of the second down, want 1", n)
	}
}

func TestHeartbeatIncidents(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, heartbeatMonitor(org, "backup"))
	ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0)
	ping(t, s, m.ID, heartbeat.KindExit, 2, "", t0.Add(time.Minute))
	ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0.Add(2*time.Minute))
	if _, err := s.SweepHeartbeats(ctx, t0.Add(5*time.Hour)); err != nil { // late, then down
		t.Fatal(err)
	}
	list, err := s.Incidents(ctx, org, incident.Filter{MonitorID: m.ID}, 0, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("incidents: %+v, %v", list, err)
	}
	if list[0].Cause != monitor.ClassMissed || !list[0].Open() || list[1].Cause != monitor.ClassJobFailed || list[1].Open() {
		t.Errorf("incidents %+v", list)
	}
}
