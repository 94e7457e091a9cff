package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// heartbeatMonitor is a heartbeat of org expecting a ping every hour, 10 min of grace.
func heartbeatMonitor(org int64, name string) monitor.Monitor {
	return monitor.Monitor{OrgID: org, Name: name, Type: monitor.TypeHeartbeat, Recoveries: 1,
		Settings: monitor.HeartbeatSettings{Period: time.Hour, Grace: 10 * time.Minute}}
}

func ping(t *testing.T, s *Store, id int64, kind heartbeat.Kind, exit int, rid string, at time.Time) monitor.Event {
	t.Helper()
	r, err := s.RecordPing(context.Background(), heartbeat.Record{MonitorID: id, Ping: heartbeat.Ping{Kind: kind, Exit: exit, RID: rid, At: at},
		Method: "POST", RemoteIP: "192.0.2.7", UserAgent: "curl/8", Body: "log " + string(kind)}, 1000)
	if err != nil {
		t.Fatalf("RecordPing(%s at %s): %v", kind, at, err)
	}
	return r
}

func flipString(f *monitor.Flip) string {
	if f == nil {
		return ""
	}
	return string(f.From) + ">" + string(f.To)
}

func TestHeartbeatPingsAndSweep(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, heartbeatMonitor(org, "Nightly DB backup"))
	if m.State.Status != monitor.StatusNew {
		t.Fatalf("new heartbeat status %s, want new", m.State.Status)
	}
	info, err := s.Heartbeat(ctx, org, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(info.UUID) {
		t.Errorf("uuid %q is not a v4 uuid", info.UUID)
	}
	if info.Slug != "nightly-db-backup" {
		t.Errorf("slug %q", info.Slug)
	}

	// A run: start, then success 90 s later: up, with the run's duration on the ping.
	ping(t, s, m.ID, heartbeat.KindStart, 0, "", t0)
	r := ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0.Add(90*time.Second))
	if r.State.Status != monitor.StatusUp || flipString(r.Flip) != "new>up" || r.OrgID != org {
		t.Fatalf("after success: %+v flip %s", r, flipString(r.Flip))
	}
	pings, err := s.Pings(ctx, org, m.ID, 0, 10)
	if err != nil || len(pings) != 2 {
		t.Fatalf("pings = %v, %v", pings, err)
	}
	if p := pings[0]; p.Kind != heartbeat.KindSuccess || p.RunTime != 90*time.Second || p.Method != "POST" ||
		p.RemoteIP != "192.0.2.7" || p.UserAgent != "curl/8" || p.Body != "log success" {
		t.Errorf("newest ping %+v", p)
	}

	// The sweep: nothing before the due time, late at due, down at due + grace; the flips
	// are dated when the status really changed, not when the sweep ran.
	last := t0.Add(90 * time.Second)
	due, downAt := last.Add(time.Hour), last.Add(70*time.Minute)
	for _, step := range []struct {
		at   time.Time
		want string
		when time.Time
	}{
		{at: due.Add(-time.Second), want: ""},
		{at: due.Add(30 * time.Second), want: "up>late", when: due},
		{at: due.Add(5 * time.Minute), want: ""},
		{at: downAt.Add(2 * time.Minute), want: "late>down", when: downAt},
		{at: downAt.Add(time.Hour), want: ""},
	} {
		evs, err := s.SweepHeartbeats(ctx, step.at)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(evs) == 1 {
			got = flipString(evs[0].Flip)
			if !evs[0].Flip.At.Equal(step.when) || evs[0].OrgID != org || evs[0].MonitorID != m.ID {
				t.Errorf("sweep at %s: event %+v, flip at %s want %s", step.at, evs[0], evs[0].Flip.At, step.when)
			}
		} else if len(evs) > 1 {
			t.Fatalf("sweep at %s: %d events", step.at, len(evs))
		}
		if got != step.want {
			t.Errorf("sweep at %s: flip %q, want %q", step.at, got, step.want)
		}
	}
	if n := countRows(t, s, "flips", "monitor_id = ?", m.ID); n != 3 {
		t.Errorf("%d flips stored, want 3", n)
	}
	// Back up on the next success; a non-zero exit status takes it down at once.
	if r := ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", downAt.Add(2*time.Hour)); flipString(r.Flip) != "down>up" {
		t.Errorf("success after down: flip %s", flipString(r.Flip))
	}
	r = ping(t, s, m.ID, heartbeat.KindExit, 3, "", downAt.Add(3*time.Hour))
	if flipString(r.Flip) != "up>down" || r.State.LastMessage != "exit status 3" {
		t.Errorf("exit 3: %+v flip %s", r.State, flipString(r.Flip))
	}
	got, _ := s.Monitor(ctx, org, m.ID)
	if got.State.Status != monitor.StatusDown || got.State.LastMessage != "exit status 3" {
		t.Errorf("stored state %+v", got.State)
	}
	// Unknown monitors, and probed monitors, are not heartbeats.
	httpM := createMonitor(t, s, httpMonitor(org, "site"))
	for _, id := range []int64{m.ID + 1000, httpM.ID} {
		if _, err := s.RecordPing(ctx, heartbeat.Record{MonitorID: id, Ping: heartbeat.Ping{Kind: heartbeat.KindSuccess, At: t0}, Method: "GET"}, 10); !errors.Is(err, ErrNotFound) {
			t.Errorf("ping of monitor %d: %v, want ErrNotFound", id, err)
		}
	}
}

func TestHeartbeatOverlappingRuns(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, heartbeatMonitor(org, "job"))
	ping(t, s, m.ID, heartbeat.KindStart, 0, "run-a", t0)
	ping(t, s, m.ID, heartbeat.KindStart, 0, "run-b", t0.Add(time.Minute))
	ping(t, s, m.ID, heartbeat.KindExit, 0, "run-b", t0.Add(3*time.Minute))
	ping(t, s, m.ID, heartbeat.KindFail, 0, "run-a", t0.Add(10*time.Minute))
	pings, err := s.Pings(ctx, org, m.ID, 0, 10)
	if err != nil || len(pings) != 4 {
		t.Fatalf("pings = %v, %v", pings, err)
	}
	if pings[0].RID != "run-a" || pings[0].RunTime != 10*time.Minute || pings[1].RID != "run-b" || pings[1].RunTime != 2*time.Minute {
		t.Errorf("run durations: a %s (%s), b %s (%s)", pings[0].RunTime, pings[0].RID, pings[1].RunTime, pings[1].RID)
	}
	info, _ := s.Heartbeat(ctx, org, m.ID)
	if len(info.Running) != 0 || info.State.Status != monitor.StatusDown {
		t.Errorf("after both runs: running %v, status %s", info.Running, info.State.Status)
	}
}

func TestHeartbeatKeepPings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, heartbeatMonitor(org, "job"))
	other := createMonitor(t, s, heartbeatMonitor(org, "other"))
	ping(t, s, other.ID, heartbeat.KindSuccess, 0, "", t0)
	const keep = 20
	for i := range 95 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if _, err := s.RecordPing(ctx, heartbeat.Record{MonitorID: m.ID, Ping: heartbeat.Ping{Kind: heartbeat.KindLog, At: at}, Method: "GET"}, keep); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "pings", "monitor_id = ?", m.ID); n > keep+keep/10 {
			t.Fatalf("after %d pings %d are kept, want at most %d", i+1, n, keep+keep/10)
		}
	}
	pings, _ := s.Pings(ctx, org, m.ID, 0, 100)
	if len(pings) < keep || !pings[0].At.Equal(t0.Add(94*time.Minute)) {
		t.Errorf("%d pings kept, newest at %s", len(pings), pings[0].At)
	}
	if n := countRows(t, s, "pings", "monitor_id = ?", other.ID); n != 1 {
		t.Errorf("the other monitor's pings were trimmed: %d left", n)
	}
}

func TestHeartbeatPauseResumeAndRecover(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, heartbeatMonitor(org, "job"))
	ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0)

	got, flip, err := s.SetPaused(ctx, org, m.ID, true, t0.Add(time.Minute))
	if err != nil || flipString(flip) != "up>paused" || !got.Paused {
		t.Fatalf("pause: %+v %s %v", got.State, flipString(flip), err)
	}
	if evs, _ := s.SweepHeartbeats(ctx, t0.Add(48*time.Hour)); len(evs) != 0 {
		t.Errorf("a paused heartbeat was swept: %+v", evs)
	}
	// A ping resumes it.
	r := ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0.Add(2*time.Hour))
	if flipString(r.Flip) != "paused>up" {
		t.Errorf("ping while paused: flip %s", flipString(r.Flip))
	}
	if got, _ := s.Monitor(ctx, org, m.ID); got.Paused {
		t.Error("still marked paused after a ping resumed it")
	}
	// Pause then resume by hand: new, nothing expected until the next ping.
	if _, _, err := s.SetPaused(ctx, org, m.ID, true, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, flip, err = s.SetPaused(ctx, org, m.ID, false, t0.Add(4*time.Hour))
	if err != nil || flipString(flip) != "paused>new" || got.State.Status != monitor.StatusNew || got.Paused {
		t.Fatalf("resume: %+v %s %v", got.State, flipString(flip), err)
	}

	// Restart: the last ping fell due while statusthing was not running. Recover gives it a
	// fresh grace from the restart: no alarm before, down after.
	ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0.Add(5*time.Hour))
	restart := t0.Add(9 * time.Hour) // due at 6h, down at 6h10
	if err := s.RecoverHeartbeats(ctx, restart); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.SweepHeartbeats(ctx, restart.Add(5*time.Minute)); len(evs) != 0 {
		t.Errorf("false alarm inside the fresh grace: %+v", evs[0].Flip)
	}
	evs, err := s.SweepHeartbeats(ctx, restart.Add(11*time.Minute))
	if err != nil || len(evs) != 1 || flipString(evs[0].Flip) != "up>down" {
		t.Fatalf("after the fresh grace: %+v %v", evs, err)
	}
}

func TestHeartbeatTypeCannotChange(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, heartbeatMonitor(org, "job"))
	h := httpMonitor(org, "job")
	h.ID = m.ID
	if _, err := s.UpdateMonitor(ctx, h, t0); !errors.Is(err, ErrTypeChange) {
		t.Errorf("heartbeat -> http: %v, want ErrTypeChange", err)
	}
	// Renaming changes the slug; a shorter period is applied to the next sweep.
	ping(t, s, m.ID, heartbeat.KindSuccess, 0, "", t0)
	m.Name = "Renamed job"
	m.Settings = monitor.HeartbeatSettings{Period: 10 * time.Minute, Grace: time.Minute}
	if _, err := s.UpdateMonitor(ctx, m, t0); err != nil {
		t.Fatal(err)
	}
	info, _ := s.Heartbeat(ctx, org, m.ID)
	if info.Slug != "renamed-job" {
		t.Errorf("slug %q after rename", info.Slug)
	}
	if evs, _ := s.SweepHeartbeats(ctx, t0.Add(15*time.Minute)); len(evs) != 1 || evs[0].Flip.To != monitor.StatusDown {
		t.Errorf("sweep with the new schedule: %+v", evs)
	}
}

func TestPingKey(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	a, b := testOrg(t, s, "a"), testOrg(t, s, "b")
	ka, err := s.PingKey(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.PingKey(ctx, a)
	kb, _ := s.PingKey(ctx, b)
	if ka == "" || ka != again || ka == kb || regexp.MustCompile(`[^0-9a-f]`).MatchString(ka) {
		t.Errorf("keys %q %q %q", ka, again, kb)
	}
	keys, err := s.PingKeys(ctx)
	if err != nil || keys[ka] != a || keys[kb] != b {
		t.Errorf("PingKeys = %v, %v", keys, err)
	}
}

// BenchmarkRecordPing records b.N pings from 64 concurrent submitters over 100 heartbeats,
// keeping the default 1,000 pings each (so trimming runs), and reports pings/s.
func BenchmarkRecordPing(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, Options{})
	org := testOrg(b, s, "bench")
	ids := make([]int64, 100)
	for i := range ids {
		ids[i] = createMonitor(b, s, heartbeatMonitor(org, fmt.Sprintf("job %d", i))).ID
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchSubmitters {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				rec := heartbeat.Record{MonitorID: ids[i%int64(len(ids))], Method: "GET", RemoteIP: "127.0.0.1", UserAgent: "curl/8.5.0",
					Ping: heartbeat.Ping{Kind: heartbeat.KindSuccess, At: t0.Add(time.Duration(i) * time.Millisecond)}}
				if _, err := s.RecordPing(ctx, rec, benchKeep); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pings/s")
}

var benchKeep = 1000
