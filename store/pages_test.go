package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// TestResultsPageKeyset pages through results split between results and failed_results,
// with equal start times, while new results arrive.
func TestResultsPageKeyset(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "a"))
	add := func(at time.Time, outcome monitor.Outcome) {
		r := monitor.Result{MonitorID: m.ID, StartedAt: at, Outcome: outcome}
		if outcome != monitor.OutcomeUp {
			r.Message = "x"
		}
		record(t, s, r)
	}
	// Old failures (archived to failed_results by pruning), then recent results, two of
	// each pair at the same millisecond.
	for i := range 4 {
		add(t0.Add(time.Duration(i/2)*time.Minute), monitor.OutcomeDown)
	}
	now := t0.Add(30 * 24 * time.Hour)
	if st, err := s.Prune(ctx, now, Retention{}); err != nil || st.Archived != 4 {
		t.Fatalf("prune: %+v %v", st, err)
	}
	for i := range 4 {
		add(now.Add(time.Duration(i/2)*time.Minute), monitor.OutcomeUp)
	}
	// Order: ids 7,8 (now+1m), 5,6 (now), 3,4 (t0+1m), 1,2 (t0), each time newest id first.
	want := []int64{8, 7, 6, 5, 4, 3, 2, 1}
	var got []int64
	var at time.Time
	var id int64
	for range 10 { // bounded: 4 pages are expected
		page, err := s.ResultsPage(ctx, org, m.ID, "", time.Time{}, time.Time{}, at, id, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			got = append(got, r.ID)
		}
		last := page[len(page)-1]
		at, id = last.StartedAt, last.ID
		add(now.Add(time.Hour), monitor.OutcomeUp) // newer rows never show up behind a cursor
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages gave %v, want %v", got, want)
	}

	for _, c := range []struct {
		name     string
		outcome  monitor.Outcome
		from, to time.Time
		want     string
	}{
		{"down only", monitor.OutcomeDown, time.Time{}, time.Time{}, "[4 3 2 1]"},
		{"from", "", now.Add(time.Minute), now.Add(time.Hour), "[8 7]"},
		{"to", "", time.Time{}, t0.Add(time.Minute), "[2 1]"},
	} {
		rs, err := s.ResultsPage(ctx, org, m.ID, c.outcome, c.from, c.to, time.Time{}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != c.want {
			t.Errorf("%s: %v, want %s", c.name, ids, c.want)
		}
	}
	other := testOrg(t, s, "b")
	if _, err := s.ResultsPage(ctx, other, m.ID, "", time.Time{}, time.Time{}, time.Time{}, 0, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organization's monitor: %v", err)
	}
	if _, err := s.ResultsPage(ctx, org, m.ID, "sideways", time.Time{}, time.Time{}, time.Time{}, 0, 10); err == nil {
		t.Error("unknown outcome accepted")
	}
}

func TestMonitorsFlipsPingsPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	other := testOrg(t, s, "b")
	a := createMonitor(t, s, httpMonitor(org, "a"))
	createMonitor(t, s, httpMonitor(other, "theirs"))
	hb := createMonitor(t, s, heartbeatMonitor(org, "job"))
	c := createMonitor(t, s, httpMonitor(org, "c"))

	ms, err := s.MonitorsPage(ctx, org, 0, "", "", time.Time{}, time.Time{}, 2)
	if err != nil || len(ms) != 2 || ms[0].ID != a.ID || ms[1].ID != hb.ID {
		t.Fatalf("first page: %v %v", ms, err)
	}
	ms, err = s.MonitorsPage(ctx, org, hb.ID, "", "", time.Time{}, time.Time{}, 2)
	if err != nil || len(ms) != 1 || ms[0].ID != c.ID {
		t.Fatalf("second page: %v %v", ms, err)
	}
	if ms, _ := s.MonitorsPage(ctx, org, 0, monitor.StatusNew, monitor.TypeHeartbeat, time.Time{}, time.Time{}, 10); len(ms) != 1 || ms[0].ID != hb.ID {
		t.Errorf("heartbeats: %v", ms)
	}
	if ms, _ := s.MonitorsPage(ctx, org, 0, "", "", t0.Add(time.Second), time.Time{}, 10); len(ms) != 0 {
		t.Errorf("created after t0: %v", ms)
	}
	uuids, err := s.HeartbeatUUIDs(ctx, org, []int64{a.ID, hb.ID})
	if err != nil || len(uuids) != 1 || len(uuids[hb.ID]) != 36 {
		t.Errorf("uuids: %v %v", uuids, err)
	}
	if uuids, _ := s.HeartbeatUUIDs(ctx, other, []int64{hb.ID}); len(uuids) != 0 {
		t.Errorf("another organization's uuids: %v", uuids)
	}

	// Flips: pending -> up -> down -> up, a minute apart.
	for i, o := range []monitor.Outcome{monitor.OutcomeUp, monitor.OutcomeDown, monitor.OutcomeDown, monitor.OutcomeUp} {
		record(t, s, monitor.Result{MonitorID: a.ID, StartedAt: t0.Add(time.Duration(i) * time.Minute), Outcome: o, Message: "m"})
	}
	fs, err := s.FlipsPage(ctx, org, a.ID, time.Time{}, time.Time{}, time.Time{}, 0, 2)
	if err != nil || len(fs) != 2 || fs[0].To != monitor.StatusUp || fs[1].To != monitor.StatusDown {
		t.Fatalf("flips: %+v %v", fs, err)
	}
	rest, err := s.FlipsPage(ctx, org, a.ID, time.Time{}, time.Time{}, fs[1].At, fs[1].ID, 2)
	if err != nil || len(rest) != 1 || rest[0].From != monitor.StatusPending {
		t.Fatalf("flips page 2: %+v %v", rest, err)
	}
	if fs, _ := s.FlipsPage(ctx, org, a.ID, t0.Add(time.Minute), t0.Add(3*time.Minute), time.Time{}, 0, 9); len(fs) != 1 {
		t.Errorf("flips from/to: %+v", fs)
	}

	// Pings, by id.
	for i := range 3 {
		ping(t, s, hb.ID, heartbeat.KindSuccess, 0, "", t0.Add(time.Duration(i)*time.Minute))
	}
	ps, err := s.PingsPage(ctx, org, hb.ID, time.Time{}, time.Time{}, 0, 2)
	if err != nil || len(ps) != 2 || ps[0].ID <= ps[1].ID {
		t.Fatalf("pings: %+v %v", ps, err)
	}
	ps, err = s.PingsPage(ctx, org, hb.ID, time.Time{}, t0.Add(time.Minute), 0, 9)
	if err != nil || len(ps) != 1 || !ps[0].At.Equal(t0) {
		t.Fatalf("pings before t0+1m: %+v %v", ps, err)
	}
	if _, err := s.PingsPage(ctx, other, hb.ID, time.Time{}, time.Time{}, 0, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organization's pings: %v", err)
	}
}

func TestResultTrend(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	m := createMonitor(t, s, httpMonitor(org, "a"))
	// Minute 0: 1..10 ms, one of them (5) down. Minute 2: one degraded at 40 ms.
	for i := 1; i <= 10; i++ {
		o := monitor.OutcomeUp
		if i == 5 {
			o = monitor.OutcomeDown
		}
		record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(time.Duration(i) * time.Second),
			Duration: time.Duration(i) * time.Millisecond, Outcome: o, Message: "m"})
	}
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(2*time.Minute + time.Second), Duration: 40 * time.Millisecond,
		Outcome: monitor.OutcomeDegraded, Message: "slow"})
	bs, err := s.ResultTrend(ctx, org, m.ID, t0, t0.Add(time.Hour), time.Minute)
	if err != nil || len(bs) != 2 {
		t.Fatalf("trend: %+v %v", bs, err)
	}
	b := bs[0]
	// 9 successes: 1,2,3,4,6,7,8,9,10 -> average 50/9, p95 the 9th of 9 (ceil(8.55)) = 10.
	if !b.Start.Equal(t0) || b.Checks != 10 || b.Ups != 9 || b.Downs != 1 || b.MaxLatency != 10*time.Millisecond ||
		b.P95Latency != 10*time.Millisecond || b.AvgLatency.Round(time.Microsecond) != 5556*time.Microsecond {
		t.Errorf("minute 0: %+v", b)
	}
	if b := bs[1]; !b.Start.Equal(t0.Add(2*time.Minute)) || b.Checks != 1 || b.Ups != 1 || b.Degraded != 1 || b.P95Latency != 40*time.Millisecond {
		t.Errorf("minute 2: %+v", b)
	}
	if bs, _ := s.ResultTrend(ctx, org, m.ID, t0.Add(time.Minute), t0.Add(time.Hour), time.Minute); len(bs) != 1 {
		t.Errorf("from minute 1: %+v", bs)
	}
	if _, err := s.ResultTrend(ctx, testOrg(t, s, "b"), m.ID, t0, t0.Add(time.Hour), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organization: %v", err)
	}
}

func TestAPITokensListAndRevoke(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	other := testOrg(t, s, "b")
	var ids []int64
	for i, o := range []int64{org, other, org, org} {
		tok, err := s.CreateAPIToken(ctx, auth.APIToken{OrgID: o, Name: fmt.Sprint("t", i), Prefix: "st_x",
			TokenHash: []byte{byte(i)}, Scope: auth.ScopeRead, Role: auth.RoleViewer, CreatedAt: t0.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tok.ID)
	}
	toks, err := s.APITokens(ctx, org, 0, time.Time{}, time.Time{}, 2)
	if err != nil || len(toks) != 2 || toks[0].ID != ids[0] || toks[1].ID != ids[2] {
		t.Fatalf("page 1: %+v %v", toks, err)
	}
	toks, err = s.APITokens(ctx, org, ids[2], time.Time{}, time.Time{}, 2)
	if err != nil || len(toks) != 1 || toks[0].ID != ids[3] {
		t.Fatalf("page 2: %+v %v", toks, err)
	}
	if toks, _ := s.APITokens(ctx, org, 0, t0.Add(time.Hour), t0.Add(3*time.Hour), 9); len(toks) != 1 || toks[0].ID != ids[2] {
		t.Errorf("from/to: %+v", toks)
	}
	tok, err := s.RevokeAPIToken(ctx, org, ids[0], t0.Add(time.Minute))
	if err != nil || !tok.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("revoke: %+v %v", tok, err)
	}
	if tok, _ := s.RevokeAPIToken(ctx, org, ids[0], t0.Add(time.Hour)); !tok.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("second revoke moved the time: %v", tok.RevokedAt)
	}
	if _, err := s.RevokeAPIToken(ctx, org, ids[1], t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking another organization's token: %v", err)
	}
	if got, _, _ := s.APITokenByHash(ctx, []byte{1}); !got.RevokedAt.IsZero() {
		t.Errorf("the other organization's token was revoked")
	}
}
