package heartbeat

import (
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

// Fixed clock: every test time is t0 plus an offset.
var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

const (
	sNew    = monitor.StatusNew
	sUp     = monitor.StatusUp
	sLate   = monitor.StatusLate
	sDown   = monitor.StatusDown
	sPaused = monitor.StatusPaused
)

// hourly is a simple schedule: a ping every hour, down 10 minutes after a missed one.
var hourly = Schedule{Period: time.Hour, Grace: 10 * time.Minute}

// wantFlip checks a flip; to == "" means no flip.
func wantFlip(t *testing.T, flip *monitor.Flip, from, to monitor.Status, when time.Time, reason string) {
	t.Helper()
	if to == "" {
		if flip != nil {
			t.Errorf("unexpected flip %+v", *flip)
		}
		return
	}
	if flip == nil {
		t.Errorf("no flip, want %s -> %s at %s", from, to, when)
		return
	}
	if flip.From != from || flip.To != to || !flip.At.Equal(when) {
		t.Errorf("flip %s -> %s at %s, want %s -> %s at %s", flip.From, flip.To, flip.At, from, to, when)
	}
	if !strings.Contains(flip.Reason, reason) {
		t.Errorf("flip reason %q, want it to contain %q", flip.Reason, reason)
	}
}

func TestNewState(t *testing.T) {
	st := NewState(t0)
	if st != (State{Status: sNew, Since: t0}) {
		t.Errorf("NewState = %+v", st)
	}
}

func TestOnPing(t *testing.T) {
	pingAt := at(time.Hour)
	tests := []struct {
		name   string
		from   monitor.Status
		kind   Kind
		exit   int
		to     monitor.Status // status after the ping
		flip   bool
		reason string
	}{
		{"new, success", sNew, KindSuccess, 0, sUp, true, "ping received"},
		{"zero status reads as new", "", KindSuccess, 0, sUp, true, "ping received"},
		{"up, success", sUp, KindSuccess, 0, sUp, false, ""},
		{"late, success", sLate, KindSuccess, 0, sUp, true, "ping received"},
		{"down, success", sDown, KindSuccess, 0, sUp, true, "ping received"},
		{"paused, success", sPaused, KindSuccess, 0, sUp, true, "resumed by a ping"},
		{"new, exit 0", sNew, KindExit, 0, sUp, true, "ping received (exit status 0)"},
		{"down, exit 0", sDown, KindExit, 0, sUp, true, "ping received (exit status 0)"},

		{"new, fail", sNew, KindFail, 0, sDown, true, "job reported failure"},
		{"zero status, fail", "", KindFail, 0, sDown, true, "job reported failure"},
		{"up, fail", sUp, KindFail, 0, sDown, true, "job reported failure"},
		{"late, fail", sLate, KindFail, 0, sDown, true, "job reported failure"},
		{"down, fail", sDown, KindFail, 0, sDown, false, ""},
		{"paused, fail", sPaused, KindFail, 0, sDown, true, "resumed by a ping: job reported failure"},
		{"up, exit 3", sUp, KindExit, 3, sDown, true, "job reported failure (exit status 3)"},
		{"paused, exit 255", sPaused, KindExit, 255, sDown, true, "resumed by a ping: job reported failure (exit status 255)"},

		{"new, start", sNew, KindStart, 0, sNew, false, ""},
		{"up, start", sUp, KindStart, 0, sUp, false, ""},
		{"late, start", sLate, KindStart, 0, sLate, false, ""},
		{"down, start", sDown, KindStart, 0, sDown, false, ""},
		{"paused, start", sPaused, KindStart, 0, sPaused, false, ""},
		{"up, log", sUp, KindLog, 0, sUp, false, ""},
		{"late, log", sLate, KindLog, 0, sLate, false, ""},
		{"paused, log", sPaused, KindLog, 0, sPaused, false, ""},
		{"up, unknown kind", sUp, Kind("bogus"), 0, sUp, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := State{
				Status:   tt.from,
				Since:    t0,
				LastPing: at(-time.Hour),
				LastFail: at(-2 * time.Hour),
				// An open run and a hold, to see what clears them.
				LastStart: at(30 * time.Minute),
				HoldUntil: at(2 * time.Hour),
			}
			next, flip := OnPing(prev, tt.kind, tt.exit, pingAt)
			wantStatus := tt.to
			if next.Status != wantStatus {
				t.Errorf("status %q, want %q", next.Status, wantStatus)
			}
			from := tt.from
			if from == "" {
				from = sNew
			}
			if tt.flip {
				wantFlip(t, flip, from, tt.to, pingAt, tt.reason)
				if !next.Since.Equal(pingAt) {
					t.Errorf("Since = %s, want the ping time", next.Since)
				}
			} else {
				wantFlip(t, flip, "", "", time.Time{}, "")
				if !next.Since.Equal(t0) {
					t.Errorf("Since = %s, want it unchanged", next.Since)
				}
			}
			succeeded, failed := Succeeded(tt.kind, tt.exit), Failed(tt.kind, tt.exit)
			if got, want := next.LastPing, prev.LastPing; succeeded {
				if !got.Equal(pingAt) {
					t.Errorf("LastPing = %s, want the ping time", got)
				}
			} else if !got.Equal(want) {
				t.Errorf("LastPing = %s, want it unchanged", got)
			}
			if got, want := next.LastFail, prev.LastFail; failed {
				if !got.Equal(pingAt) {
					t.Errorf("LastFail = %s, want the ping time", got)
				}
			} else if !got.Equal(want) {
				t.Errorf("LastFail = %s, want it unchanged", got)
			}
			// A finishing ping closes the run and ends Recover's hold; others leave both.
			if succeeded || failed {
				if !next.LastStart.IsZero() || !next.HoldUntil.IsZero() {
					t.Errorf("LastStart %s, HoldUntil %s: want both cleared", next.LastStart, next.HoldUntil)
				}
			} else if !next.LastStart.Equal(prev.LastStart) || !next.HoldUntil.Equal(prev.HoldUntil) {
				t.Errorf("LastStart %s, HoldUntil %s: want both unchanged", next.LastStart, next.HoldUntil)
			}
		})
	}
}

func TestOnPingStartRemembersFirstStart(t *testing.T) {
	st, flip := OnPing(State{Status: sUp, Since: t0}, KindStart, 0, at(time.Minute))
	if flip != nil || !st.LastStart.Equal(at(time.Minute)) {
		t.Fatalf("first start: LastStart %s, flip %v", st.LastStart, flip)
	}
	// A second start while the first is open keeps the older one (the run still going).
	st, _ = OnPing(st, KindStart, 0, at(2*time.Minute))
	if !st.LastStart.Equal(at(time.Minute)) {
		t.Errorf("second start: LastStart %s, want the first start", st.LastStart)
	}
	st, _ = OnPing(st, KindSuccess, 0, at(3*time.Minute))
	if !st.LastStart.IsZero() {
		t.Errorf("after success: LastStart %s, want zero", st.LastStart)
	}
}

func TestOnPingLogIsANoOp(t *testing.T) {
	prev := State{Status: "", Since: t0, LastStart: at(time.Minute)}
	if next, flip := OnPing(prev, KindLog, 0, at(time.Hour)); next != prev || flip != nil {
		t.Errorf("log ping changed %+v into %+v, %v", prev, next, flip)
	}
}

func TestPause(t *testing.T) {
	for _, from := range []monitor.Status{"", sNew, sUp, sLate, sDown} {
		prev := State{Status: from, Since: t0, LastPing: at(-time.Minute), LastStart: at(-time.Second), HoldUntil: at(time.Hour)}
		next, flip := Pause(prev, at(time.Minute))
		want := from
		if want == "" {
			want = sNew
		}
		wantFlip(t, flip, want, sPaused, at(time.Minute), "paused")
		if next.Status != sPaused || !next.Since.Equal(at(time.Minute)) {
			t.Errorf("Pause from %q: %s since %s", from, next.Status, next.Since)
		}
		if !next.LastStart.IsZero() || !next.HoldUntil.IsZero() || !next.LastPing.Equal(prev.LastPing) {
			t.Errorf("Pause from %q: %+v; want open run and hold forgotten, last ping kept", from, next)
		}
	}
	prev := State{Status: sPaused, Since: t0, LastStart: at(time.Second)}
	if next, flip := Pause(prev, at(time.Hour)); next != prev || flip != nil {
		t.Errorf("pausing a paused monitor: %+v, %v; want no change", next, flip)
	}
}

func TestEvaluateSimple(t *testing.T) {
	// Last ping at t0: due at t0+1h, down at t0+1h10m.
	due, downAt := at(time.Hour), at(70*time.Minute)
	tests := []struct {
		name  string
		from  monitor.Status
		since time.Time
		now   time.Time
		to    monitor.Status // "" = unchanged
		flip  time.Time
		why   string
	}{
		{"up before due", sUp, t0, at(59 * time.Minute), "", time.Time{}, ""},
		{"up a nanosecond before due", sUp, t0, due.Add(-1), "", time.Time{}, ""},
		{"up at due", sUp, t0, due, sLate, due, "one was expected at 2026-06-01T13:00:00Z"},
		// Flips are dated by the real change, not by the sweep that noticed it.
		{"up, sweep after due", sUp, t0, at(65 * time.Minute), sLate, due, "no ping since 2026-06-01T12:00:00Z"},
		{"late within grace", sLate, due, at(69 * time.Minute), "", time.Time{}, ""},
		{"late at the end of the grace", sLate, due, downAt, sDown, downAt, "the grace period ended at 2026-06-01T13:10:00Z"},
		{"late, sweep long after", sLate, due, at(5 * time.Hour), sDown, downAt, "grace period ended"},
		{"up, sweep missed the late window", sUp, t0, at(3 * time.Hour), sDown, downAt, "grace period ended"},
		// Never before the previous change: late since after the grace ended (a sweep
		// long delayed, or a clock change) flips at Since.
		{"flip not before Since", sLate, at(80 * time.Minute), at(90 * time.Minute), sDown, at(80 * time.Minute), ""},
		// Late but the ping is not due (the schedule was made longer): back up at once.
		{"late, not due", sLate, t0, at(30 * time.Minute), sUp, at(30 * time.Minute), "next ping not expected before 2026-06-01T13:00:00Z"},
		// Only pings change these.
		{"new", sNew, t0, at(5 * time.Hour), "", time.Time{}, ""},
		{"zero status", "", t0, at(5 * time.Hour), "", time.Time{}, ""},
		{"paused", sPaused, t0, at(5 * time.Hour), "", time.Time{}, ""},
		{"paused, not due", sPaused, t0, at(time.Minute), "", time.Time{}, ""},
		{"down after grace", sDown, t0, at(5 * time.Hour), "", time.Time{}, ""},
		{"down within grace", sDown, at(time.Minute), at(65 * time.Minute), "", time.Time{}, ""},
		{"down, not due", sDown, at(time.Minute), at(2 * time.Minute), "", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := State{Status: tt.from, Since: tt.since, LastPing: t0}
			next, flip := Evaluate(prev, hourly, tt.now)
			if tt.to == "" {
				if next != prev || flip != nil {
					t.Errorf("Evaluate changed %+v into %+v (flip %v)", prev, next, flip)
				}
				return
			}
			wantFlip(t, flip, tt.from, tt.to, tt.flip, tt.why)
			if next.Status != tt.to || !next.Since.Equal(tt.flip) {
				t.Errorf("state %s since %s, want %s since %s", next.Status, next.Since, tt.to, tt.flip)
			}
			if !next.LastPing.Equal(prev.LastPing) {
				t.Errorf("LastPing changed to %s", next.LastPing)
			}
		})
	}
}

func TestEvaluateNothingToCompute(t *testing.T) {
	// Up without a success (not reachable through pings) or with an invalid schedule: no
	// verdict rather than a guess.
	prev := State{Status: sUp, Since: t0}
	if next, flip := Evaluate(prev, hourly, at(100*time.Hour)); next != prev || flip != nil {
		t.Errorf("no last ping: %+v, %v", next, flip)
	}
	prev.LastPing = t0
	if next, flip := Evaluate(prev, Schedule{Period: time.Hour}, at(100*time.Hour)); next != prev || flip != nil {
		t.Errorf("invalid schedule: %+v, %v", next, flip)
	}
}

func TestEvaluateCron(t *testing.T) {
	// A nightly job at 02:00 Paris time with 30 minutes of grace; the last run pinged at
	// 02:00:40 on 2026-03-27.
	s := Schedule{Cron: "0 2 * * *", TimeZone: "Europe/Paris", Grace: 30 * time.Minute}
	last := mustTime(t, "2026-03-27T02:00:40+01:00")
	prev := State{Status: sUp, Since: last, LastPing: last}
	due := mustTime(t, "2026-03-28T02:00:00+01:00")

	if next, flip := Evaluate(prev, s, due.Add(-time.Second)); next != prev || flip != nil {
		t.Errorf("before 02:00: %+v, %v", next, flip)
	}
	late, flip := Evaluate(prev, s, due.Add(10*time.Minute))
	wantFlip(t, flip, sUp, sLate, due, "one was expected at 2026-03-28T01:00:00Z")
	down, flip := Evaluate(late, s, due.Add(31*time.Minute))
	wantFlip(t, flip, sLate, sDown, due.Add(30*time.Minute), "grace period ended at 2026-03-28T01:30:00Z")
	if down.Status != sDown {
		t.Errorf("status %s, want down", down.Status)
	}

	// On the night of the spring change, "30 2" is expected at 03:00 CEST, not an hour
	// before or after.
	s.Cron = "30 2 * * *"
	prev = State{Status: sUp, Since: due, LastPing: mustTime(t, "2026-03-28T02:31:00+01:00")}
	gap := mustTime(t, "2026-03-29T03:00:00+02:00")
	if _, flip := Evaluate(prev, s, gap.Add(-time.Second)); flip != nil {
		t.Errorf("before 03:00 CEST: flip %+v", *flip)
	}
	_, flip = Evaluate(prev, s, gap.Add(time.Minute))
	wantFlip(t, flip, sUp, sLate, gap, "")
}

func TestEvaluateFlipsAtRealTimes(t *testing.T) {
	// With any sweep interval, the flips are the same: late at due, down at due+grace.
	for _, every := range []time.Duration{time.Second, 7 * time.Second, time.Minute, 3 * time.Minute} {
		st := State{Status: sUp, Since: t0, LastPing: t0}
		var flips []monitor.Flip
		for now := t0; now.Before(at(2 * time.Hour)); now = now.Add(every) {
			var flip *monitor.Flip
			if st, flip = Evaluate(st, hourly, now); flip != nil {
				flips = append(flips, *flip)
			}
		}
		if len(flips) != 2 ||
			flips[0].To != sLate || !flips[0].At.Equal(at(time.Hour)) ||
			flips[1].To != sDown || !flips[1].At.Equal(at(70*time.Minute)) {
			t.Errorf("sweep every %s: flips %+v", every, flips)
		}
	}
}

func TestLifecycle(t *testing.T) {
	// One monitor through its whole life, as the ingest handler and the sweeper drive it.
	type step struct {
		name string
		do   func(State) (State, *monitor.Flip)
		to   monitor.Status
		flip bool // a flip to `to` is expected, dated `when`
		when time.Time
	}
	ping := func(k Kind, exit int, d time.Duration) func(State) (State, *monitor.Flip) {
		return func(st State) (State, *monitor.Flip) { return OnPing(st, k, exit, at(d)) }
	}
	sweep := func(d time.Duration) func(State) (State, *monitor.Flip) {
		return func(st State) (State, *monitor.Flip) { return Evaluate(st, hourly, at(d)) }
	}
	pause := func(d time.Duration) func(State) (State, *monitor.Flip) {
		return func(st State) (State, *monitor.Flip) { return Pause(st, at(d)) }
	}
	steps := []step{
		{"new is never late", sweep(10 * time.Hour), sNew, false, time.Time{}},
		{"first ping", ping(KindSuccess, 0, 10*time.Hour), sUp, true, at(10 * time.Hour)},
		{"start changes nothing", ping(KindStart, 0, 10*time.Hour+50*time.Minute), sUp, false, time.Time{}},
		{"log changes nothing", ping(KindLog, 0, 10*time.Hour+55*time.Minute), sUp, false, time.Time{}},
		// The start does not postpone the deadline: 11:00 still counts from the last success.
		{"late at due", sweep(11*time.Hour + 2*time.Minute), sLate, true, at(11 * time.Hour)},
		{"ping while late", ping(KindSuccess, 0, 11*time.Hour+5*time.Minute), sUp, true, at(11*time.Hour + 5*time.Minute)},
		{"not due yet", sweep(12 * time.Hour), sUp, false, time.Time{}},
		{"late again", sweep(12*time.Hour + 6*time.Minute), sLate, true, at(12*time.Hour + 5*time.Minute)},
		{"down after grace", sweep(12*time.Hour + 20*time.Minute), sDown, true, at(12*time.Hour + 15*time.Minute)},
		{"down stays down", sweep(20 * time.Hour), sDown, false, time.Time{}},
		{"success ends down", ping(KindExit, 0, 21*time.Hour), sUp, true, at(21 * time.Hour)},
		// Right after a success nothing is due: only a ping may end the down.
		{"fail is down at once", ping(KindFail, 0, 21*time.Hour+time.Minute), sDown, true, at(21*time.Hour + time.Minute)},
		{"down is not cleared by a sweep before due", sweep(21*time.Hour + 2*time.Minute), sDown, false, time.Time{}},
		{"exit 0 ends down", ping(KindExit, 0, 21*time.Hour+3*time.Minute), sUp, true, at(21*time.Hour + 3*time.Minute)},
		{"non-zero exit", ping(KindExit, 2, 21*time.Hour+4*time.Minute), sDown, true, at(21*time.Hour + 4*time.Minute)},
		{"pause", pause(22 * time.Hour), sPaused, true, at(22 * time.Hour)},
		{"paused is never late", sweep(40 * time.Hour), sPaused, false, time.Time{}},
		{"start keeps paused", ping(KindStart, 0, 41*time.Hour), sPaused, false, time.Time{}},
		{"success resumes", ping(KindSuccess, 0, 41*time.Hour+time.Minute), sUp, true, at(41*time.Hour + time.Minute)},
		{"pause again", pause(42 * time.Hour), sPaused, true, at(42 * time.Hour)},
		{"failure resumes, down", ping(KindFail, 0, 43*time.Hour), sDown, true, at(43 * time.Hour)},
	}
	st := NewState(t0)
	for _, s := range steps {
		prev := st
		var flip *monitor.Flip
		st, flip = s.do(st)
		if st.Status != s.to {
			t.Fatalf("%s: status %s, want %s", s.name, st.Status, s.to)
		}
		if s.flip {
			wantFlip(t, flip, prev.Status, s.to, s.when, "")
		} else if flip != nil {
			t.Errorf("%s: unexpected flip %+v", s.name, *flip)
		}
	}
}

func TestRecover(t *testing.T) {
	// Last success at t0, hourly with 10 minutes of grace: due t0+1h, down at t0+1h10m.
	tests := []struct {
		name    string
		prev    State
		started time.Time
		hold    time.Time // zero: unchanged
	}{
		{"up, due passed while stopped", State{Status: sUp, Since: t0, LastPing: t0}, at(5 * time.Hour), at(5*time.Hour + 10*time.Minute)},
		{"up, due passed, grace not over", State{Status: sUp, Since: t0, LastPing: t0}, at(65 * time.Minute), at(75 * time.Minute)},
		{"late, grace over while stopped", State{Status: sLate, Since: at(time.Hour), LastPing: t0}, at(3 * time.Hour), at(3*time.Hour + 10*time.Minute)},
		{"later hold kept", State{Status: sUp, Since: t0, LastPing: t0, HoldUntil: at(9 * time.Hour)}, at(5 * time.Hour), at(9 * time.Hour)},
		{"up, deadline ahead", State{Status: sUp, Since: t0, LastPing: t0}, at(30 * time.Minute), time.Time{}},
		{"late, grace not over", State{Status: sLate, Since: at(time.Hour), LastPing: t0}, at(65 * time.Minute), time.Time{}},
		{"down", State{Status: sDown, Since: at(70 * time.Minute), LastPing: t0}, at(5 * time.Hour), time.Time{}},
		{"new", State{Status: sNew, Since: t0}, at(5 * time.Hour), time.Time{}},
		{"paused", State{Status: sPaused, Since: t0, LastPing: t0}, at(5 * time.Hour), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recover(tt.prev, hourly, tt.started)
			want := tt.prev
			if !tt.hold.IsZero() {
				want.HoldUntil = tt.hold
			}
			if got != want {
				t.Errorf("Recover = %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestRecoverThenEvaluate(t *testing.T) {
	// statusthing stopped at t0+30m with the monitor up, restarted at t0+5h: the job's
	// pings in between were lost.
	started := at(5 * time.Hour)
	hold := started.Add(hourly.Grace)
	st := Recover(State{Status: sUp, Since: t0, LastPing: t0}, hourly, started)

	// No false alarm during the hold, at any sweep.
	for now := started; now.Before(hold); now = now.Add(time.Minute) {
		if next, flip := Evaluate(st, hourly, now); next != st || flip != nil {
			t.Fatalf("during the hold, at %s: %+v, %v", now, next, flip)
		}
	}
	if due, downAt, err := Expected(st, hourly); err != nil || !due.Equal(at(time.Hour)) || !downAt.Equal(hold) {
		t.Errorf("Expected during the hold = %s, %s, %v; want %s, %s", due, downAt, err, at(time.Hour), hold)
	}

	// No ping by the end of the hold: down, dated at the end of the hold.
	down, flip := Evaluate(st, hourly, hold.Add(2*time.Minute))
	wantFlip(t, flip, sUp, sDown, hold, "grace period ended")
	if down.Status != sDown || !down.HoldUntil.IsZero() {
		t.Errorf("after the hold: %+v", down)
	}

	// A ping during the hold: up, hold over, next deadline from that ping.
	up, flip := OnPing(st, KindSuccess, 0, started.Add(3*time.Minute))
	if flip != nil || up.Status != sUp || !up.HoldUntil.IsZero() {
		t.Errorf("ping during the hold: %+v, %v", up, flip)
	}
	if next, flip := Evaluate(up, hourly, hold.Add(time.Minute)); next != up || flip != nil {
		t.Errorf("after the hold, with a ping: %+v, %v", next, flip)
	}

	// Stored late: the ping during the hold flips it up.
	st = Recover(State{Status: sLate, Since: at(time.Hour), LastPing: t0}, hourly, started)
	up, flip = OnPing(st, KindSuccess, 0, started.Add(time.Minute))
	wantFlip(t, flip, sLate, sUp, started.Add(time.Minute), "ping received")
	if !up.HoldUntil.IsZero() {
		t.Errorf("hold not cleared: %+v", up)
	}

	// A failure during the hold is reported at once: the hold only covers missing pings.
	st = Recover(State{Status: sUp, Since: t0, LastPing: t0}, hourly, started)
	_, flip = OnPing(st, KindFail, 0, started.Add(time.Minute))
	wantFlip(t, flip, sUp, sDown, started.Add(time.Minute), "job reported failure")
}

func TestRecoverDeadlineAhead(t *testing.T) {
	// Restarted before the due time: nothing held, the normal deadline applies.
	st := Recover(State{Status: sUp, Since: t0, LastPing: t0}, hourly, at(30*time.Minute))
	_, flip := Evaluate(st, hourly, at(61*time.Minute))
	wantFlip(t, flip, sUp, sLate, at(time.Hour), "")
}

func TestExpected(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	tests := []struct {
		name        string
		st          State
		s           Schedule
		due, downAt time.Time
		wantErr     bool
	}{
		{"up", State{Status: sUp, LastPing: t0}, hourly, at(time.Hour), at(70 * time.Minute), false},
		{"late", State{Status: sLate, LastPing: t0}, hourly, at(time.Hour), at(70 * time.Minute), false},
		{"down still shows the missed deadline", State{Status: sDown, LastPing: t0}, hourly, at(time.Hour), at(70 * time.Minute), false},
		{"held", State{Status: sUp, LastPing: t0, HoldUntil: at(3 * time.Hour)}, hourly, at(time.Hour), at(3 * time.Hour), false},
		{"stale hold ignored", State{Status: sUp, LastPing: t0, HoldUntil: at(time.Minute)}, hourly, at(time.Hour), at(70 * time.Minute), false},
		{"new", State{Status: sNew, LastPing: t0}, hourly, time.Time{}, time.Time{}, false},
		{"zero status", State{LastPing: t0}, hourly, time.Time{}, time.Time{}, false},
		{"paused", State{Status: sPaused, LastPing: t0}, hourly, time.Time{}, time.Time{}, false},
		{"down, never succeeded", State{Status: sDown, LastFail: t0}, hourly, time.Time{}, time.Time{}, false},
		{"cron in Paris", State{Status: sUp, LastPing: mustTime(t, "2026-03-28T02:31:00+01:00")},
			Schedule{Cron: "30 2 * * *", TimeZone: "Europe/Paris", Grace: time.Hour},
			time.Date(2026, 3, 29, 3, 0, 0, 0, paris), time.Date(2026, 3, 29, 4, 0, 0, 0, paris), false},
		{"invalid schedule", State{Status: sUp, LastPing: t0}, Schedule{Period: time.Hour}, time.Time{}, time.Time{}, true},
	}
	for _, tt := range tests {
		due, downAt, err := Expected(tt.st, tt.s)
		if (err != nil) != tt.wantErr || !due.Equal(tt.due) || !downAt.Equal(tt.downAt) {
			t.Errorf("%s: Expected = %s, %s, %v; want %s, %s (error %v)", tt.name, due, downAt, err, tt.due, tt.downAt, tt.wantErr)
		}
		if !due.IsZero() && (due.Location() != downAt.Location()) {
			t.Errorf("%s: due in %s, downAt in %s", tt.name, due.Location(), downAt.Location())
		}
	}
}
