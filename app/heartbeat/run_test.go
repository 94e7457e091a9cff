package heartbeat

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"statusthing/app/monitor"
)

func TestStartFinish(t *testing.T) {
	r := Start("r1", t0)
	if r != (RunningRun{RID: "r1", StartedAt: t0}) {
		t.Fatalf("Start = %+v", r)
	}
	got := Finish(r, at(90*time.Second), true, 3)
	want := FinishedRun{RID: "r1", StartedAt: t0, FinishedAt: at(90 * time.Second), Duration: 90 * time.Second, Failed: true, ExitStatus: 3}
	if got != want {
		t.Errorf("Finish = %+v\nwant %+v", got, want)
	}
	// The end arriving "before" the start (clock stepped back) gives 0, not a negative.
	if got := Finish(r, at(-time.Second), false, 0); got.Duration != 0 {
		t.Errorf("duration %s, want 0", got.Duration)
	}
}

func TestPair(t *testing.T) {
	running := []RunningRun{
		{RID: "a", StartedAt: at(1 * time.Minute)},
		{RID: "", StartedAt: at(2 * time.Minute)},
		{RID: "b", StartedAt: at(3 * time.Minute)},
		{RID: "", StartedAt: at(5 * time.Minute)},
		{RID: "", StartedAt: at(4 * time.Minute)}, // not in start order
		{RID: "a", StartedAt: at(0)},
	}
	tests := []struct {
		rid  string
		want int
	}{
		{"a", 0},  // the latest "a"
		{"b", 2},  //
		{"", 3},   // the latest rid-less run, not the last in the slice
		{"c", -1}, // unknown rid
	}
	for _, tt := range tests {
		if got := Pair(running, tt.rid); got != tt.want {
			t.Errorf("Pair(%q) = %d, want %d", tt.rid, got, tt.want)
		}
	}
	if got := Pair(nil, ""); got != -1 {
		t.Errorf("Pair(nil) = %d", got)
	}
	// A rid-less end never closes a run that has a rid.
	if got := Pair([]RunningRun{{RID: "a", StartedAt: t0}}, ""); got != -1 {
		t.Errorf("rid-less end with only rid runs: %d, want -1", got)
	}
}

func TestOldestStart(t *testing.T) {
	if got := OldestStart(nil); !got.IsZero() {
		t.Errorf("OldestStart(nil) = %s", got)
	}
	running := []RunningRun{{StartedAt: at(3 * time.Minute)}, {StartedAt: at(time.Minute)}, {StartedAt: at(2 * time.Minute)}}
	if got := OldestStart(running); !got.Equal(at(time.Minute)) {
		t.Errorf("OldestStart = %s, want t0+1m", got)
	}
}

func TestMedian(t *testing.T) {
	const m = time.Minute
	tests := []struct {
		ds   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{}, 0},
		{[]time.Duration{5 * m}, 5 * m},
		{[]time.Duration{30 * m, 10 * m, 20 * m}, 20 * m},                      // odd: the middle once sorted
		{[]time.Duration{40 * m, 10 * m, 30 * m, 20 * m}, 25 * m},              // even: mean of the two middle ones
		{[]time.Duration{m, m, 100 * m}, m},                                    // an outlier does not move it
		{[]time.Duration{1, 2}, 1},                                             // rounds down to the nanosecond
		{[]time.Duration{math.MaxInt64, math.MaxInt64}, math.MaxInt64},         // no overflow
		{[]time.Duration{math.MaxInt64 - 1, math.MaxInt64}, math.MaxInt64 - 1}, //
	}
	for _, tt := range tests {
		in := slices.Clone(tt.ds)
		if got := Median(tt.ds); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.ds, got, tt.want)
		}
		if !slices.Equal(in, tt.ds) {
			t.Errorf("Median sorted its input: %v", tt.ds)
		}
	}
}

func TestTooLong(t *testing.T) {
	const m = time.Minute
	r := Start("", t0)
	recent := []time.Duration{30 * m, 10 * m, 20 * m} // median 20m
	tests := []struct {
		name   string
		recent []time.Duration
		now    time.Time
		want   bool
	}{
		{"within median", recent, at(15 * m), false},
		{"within median + grace", recent, at(25 * m), false}, // exactly at the limit: not yet
		{"past median + grace", recent, at(25*m + 1), true},
		{"even count", []time.Duration{10 * m, 20 * m}, at(20*m + 1), true}, // median 15m
		{"even count, in time", []time.Duration{10 * m, 20 * m}, at(20 * m), false},
		{"no history, no verdict", nil, at(1000 * time.Hour), false},
	}
	for _, tt := range tests {
		if got := TooLong(r, tt.recent, 5*m, tt.now); got != tt.want {
			t.Errorf("%s: TooLong = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// applyAll feeds pings to Apply in order, checking at each step that Apply does not
// modify its input.
func applyAll(t *testing.T, st State, running []RunningRun, pings ...Ping) (State, []RunningRun, []Applied) {
	t.Helper()
	var out []Applied
	for _, p := range pings {
		before := slices.Clone(running)
		a := Apply(st, running, p)
		if !slices.Equal(before, running) {
			t.Fatalf("Apply(%+v) modified its input: %v, was %v", p, running, before)
		}
		out = append(out, a)
		st, running = a.State, a.Running
	}
	return st, running, out
}

func TestApplyOverlappingRunsWithRID(t *testing.T) {
	// Two runs overlap; they end in the reverse order of their starts.
	st, running, res := applyAll(t, State{Status: sUp, Since: t0, LastPing: t0}, nil,
		Ping{Kind: KindStart, RID: "a", At: at(time.Minute)},
		Ping{Kind: KindStart, RID: "b", At: at(2 * time.Minute)},
		Ping{Kind: KindSuccess, RID: "b", At: at(5 * time.Minute)},
		Ping{Kind: KindExit, Exit: 4, RID: "a", At: at(11 * time.Minute)},
	)
	if res[0].Finished != nil || res[1].Finished != nil {
		t.Errorf("a start finished something: %+v, %+v", res[0].Finished, res[1].Finished)
	}
	if got := res[1].State.LastStart; !got.Equal(at(time.Minute)) {
		t.Errorf("two open runs: LastStart %s, want the oldest (t0+1m)", got)
	}
	b := res[2].Finished
	if b == nil || *b != (FinishedRun{RID: "b", StartedAt: at(2 * time.Minute), FinishedAt: at(5 * time.Minute), Duration: 3 * time.Minute}) {
		t.Errorf("end of b: %+v", b)
	}
	if len(res[2].Running) != 1 || res[2].Running[0].RID != "a" || !res[2].State.LastStart.Equal(at(time.Minute)) {
		t.Errorf("after b: running %v, LastStart %s", res[2].Running, res[2].State.LastStart)
	}
	if res[2].Flip != nil {
		t.Errorf("success while up: flip %+v", *res[2].Flip)
	}
	a := res[3].Finished
	if a == nil || *a != (FinishedRun{RID: "a", StartedAt: at(time.Minute), FinishedAt: at(11 * time.Minute), Duration: 10 * time.Minute, Failed: true, ExitStatus: 4}) {
		t.Errorf("end of a: %+v", a)
	}
	wantFlip(t, res[3].Flip, sUp, sDown, at(11*time.Minute), "exit status 4")
	if running != nil || !st.LastStart.IsZero() || st.Status != sDown {
		t.Errorf("after both: running %v, state %+v", running, st)
	}
}

func TestApplyRIDLessPairing(t *testing.T) {
	_, running, res := applyAll(t, NewState(t0), nil,
		Ping{Kind: KindStart, RID: "x", At: at(0)},
		Ping{Kind: KindStart, At: at(time.Minute)},
		Ping{Kind: KindStart, At: at(5 * time.Minute)}, // replaces the previous rid-less start
		Ping{Kind: KindSuccess, At: at(8 * time.Minute)},
		Ping{Kind: KindSuccess, At: at(9 * time.Minute)}, // no rid-less run left: the "x" run stays open
	)
	if n := len(res[2].Running); n != 2 {
		t.Errorf("after two rid-less starts: %d open runs %v, want 2", n, res[2].Running)
	}
	f := res[3].Finished
	if f == nil || f.RID != "" || !f.StartedAt.Equal(at(5*time.Minute)) || f.Duration != 3*time.Minute || f.Failed || f.ExitStatus != 0 {
		t.Errorf("rid-less end: %+v, want the latest rid-less start, 3m", f)
	}
	wantFlip(t, res[3].Flip, sNew, sUp, at(8*time.Minute), "ping received")
	if res[4].Finished != nil {
		t.Errorf("rid-less end with only a rid run open finished %+v", *res[4].Finished)
	}
	if len(running) != 1 || running[0].RID != "x" || !res[4].State.LastStart.Equal(t0) {
		t.Errorf("open runs %v, LastStart %s; want the x run", running, res[4].State.LastStart)
	}
}

func TestApplySameRIDRestarts(t *testing.T) {
	_, running, res := applyAll(t, NewState(t0), nil,
		Ping{Kind: KindStart, RID: "a", At: at(0)},
		Ping{Kind: KindStart, RID: "a", At: at(5 * time.Minute)},
		Ping{Kind: KindSuccess, RID: "a", At: at(6 * time.Minute)},
	)
	if n := len(res[1].Running); n != 1 || !res[1].State.LastStart.Equal(at(5*time.Minute)) {
		t.Errorf("restart of a: running %v, LastStart %s", res[1].Running, res[1].State.LastStart)
	}
	if f := res[2].Finished; f == nil || f.Duration != time.Minute {
		t.Errorf("end of a: %+v, want 1m from the latest start", f)
	}
	if running != nil {
		t.Errorf("running %v", running)
	}
}

func TestApplyUnknownRID(t *testing.T) {
	// The run is not found, but the job did report a failure.
	running := []RunningRun{{RID: "a", StartedAt: at(time.Minute)}, {RID: "", StartedAt: at(2 * time.Minute)}}
	prev := State{Status: sUp, Since: t0, LastPing: t0, LastStart: at(time.Minute)}
	_, got, res := applyAll(t, prev, running, Ping{Kind: KindFail, RID: "zzz", At: at(3 * time.Minute)})
	if res[0].Finished != nil {
		t.Errorf("finished %+v", *res[0].Finished)
	}
	wantFlip(t, res[0].Flip, sUp, sDown, at(3*time.Minute), "job reported failure")
	if !slices.Equal(got, running) || !res[0].State.LastStart.Equal(at(time.Minute)) || !res[0].State.LastFail.Equal(at(3*time.Minute)) {
		t.Errorf("running %v, state %+v", got, res[0].State)
	}
	// The same with a rid-less success and only rid runs open.
	_, _, res = applyAll(t, NewState(t0), []RunningRun{{RID: "a", StartedAt: t0}}, Ping{Kind: KindSuccess, At: at(time.Minute)})
	if res[0].Finished != nil || res[0].State.Status != sUp {
		t.Errorf("rid-less success: %+v", res[0])
	}
}

func TestApplyOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		p        Ping
		failed   bool
		exit     int
		statusTo monitor.Status
	}{
		{"success", Ping{Kind: KindSuccess, Exit: 9 /* ignored */}, false, 0, sUp},
		{"exit 0", Ping{Kind: KindExit, Exit: 0}, false, 0, sUp},
		{"exit 2", Ping{Kind: KindExit, Exit: 2}, true, 2, sDown},
		{"fail", Ping{Kind: KindFail}, true, -1, sDown},
		{"fail keeps -1 whatever Exit says", Ping{Kind: KindFail, Exit: 5}, true, -1, sDown},
	}
	for _, tt := range tests {
		p := tt.p
		p.RID, p.At = "r", at(time.Minute)
		a := Apply(NewState(t0), []RunningRun{{RID: "r", StartedAt: t0}}, p)
		if a.Finished == nil || a.Finished.Failed != tt.failed || a.Finished.ExitStatus != tt.exit || a.Finished.Duration != time.Minute {
			t.Errorf("%s: finished %+v, want failed=%v exit=%d", tt.name, a.Finished, tt.failed, tt.exit)
		}
		if a.State.Status != tt.statusTo {
			t.Errorf("%s: status %s, want %s", tt.name, a.State.Status, tt.statusTo)
		}
	}
}

func TestApplyLogChangesNothing(t *testing.T) {
	running := []RunningRun{{RID: "a", StartedAt: at(-48 * time.Hour)}} // even a run past MaxRunAge
	prev := State{Status: sLate, Since: t0, LastPing: t0, LastStart: at(-48 * time.Hour)}
	a := Apply(prev, running, Ping{Kind: KindLog, RID: "a", At: at(time.Hour)})
	if a.State != prev || !slices.Equal(a.Running, running) || a.Finished != nil || a.Flip != nil {
		t.Errorf("log ping: %+v", a)
	}
}

func TestApplyStartWhilePaused(t *testing.T) {
	prev := State{Status: sPaused, Since: t0}
	a := Apply(prev, nil, Ping{Kind: KindStart, RID: "a", At: at(time.Minute)})
	if a.State.Status != sPaused || a.Flip != nil || len(a.Running) != 1 || !a.State.LastStart.Equal(at(time.Minute)) {
		t.Errorf("start while paused: %+v", a)
	}
	a = Apply(a.State, a.Running, Ping{Kind: KindSuccess, RID: "a", At: at(2 * time.Minute)})
	wantFlip(t, a.Flip, sPaused, sUp, at(2*time.Minute), "resumed by a ping")
	if a.Finished == nil || a.Finished.Duration != time.Minute {
		t.Errorf("end while paused: %+v", a.Finished)
	}
}

func TestApplyForgetsOldRuns(t *testing.T) {
	running := []RunningRun{{RID: "old", StartedAt: t0}, {RID: "new", StartedAt: at(time.Hour)}}
	// Exactly MaxRunAge apart still pairs...
	a := Apply(NewState(t0), running, Ping{Kind: KindSuccess, RID: "old", At: at(MaxRunAge)})
	if a.Finished == nil || a.Finished.Duration != MaxRunAge {
		t.Errorf("end after exactly MaxRunAge: %+v", a.Finished)
	}
	// ...a nanosecond more does not: the run is forgotten, the ping still counts.
	a = Apply(NewState(t0), running, Ping{Kind: KindSuccess, RID: "old", At: at(MaxRunAge + 1)})
	if a.Finished != nil || len(a.Running) != 1 || a.Running[0].RID != "new" || a.State.Status != sUp {
		t.Errorf("end after MaxRunAge: %+v", a)
	}
	if !a.State.LastStart.Equal(at(time.Hour)) {
		t.Errorf("LastStart %s, want the start of the run left", a.State.LastStart)
	}
	// Any start or end prunes, whatever run it is about.
	a = Apply(NewState(t0), running, Ping{Kind: KindStart, RID: "other", At: at(MaxRunAge + time.Minute)})
	if len(a.Running) != 2 || Pair(a.Running, "old") >= 0 || !a.State.LastStart.Equal(at(time.Hour)) {
		t.Errorf("start after MaxRunAge: running %v, LastStart %s", a.Running, a.State.LastStart)
	}
	a = Apply(NewState(t0), running, Ping{Kind: KindSuccess, RID: "nope", At: at(MaxRunAge + 2*time.Hour)})
	if a.Running != nil || !a.State.LastStart.IsZero() {
		t.Errorf("all runs too old: running %v, LastStart %s", a.Running, a.State.LastStart)
	}
}

func TestApplyMaxRunning(t *testing.T) {
	// MaxRunning open runs, stored in no particular order; one more start drops the oldest.
	var running []RunningRun
	for i := range MaxRunning {
		running = append(running, RunningRun{RID: fmt.Sprintf("r%d", i), StartedAt: at(time.Duration(i) * time.Minute)})
	}
	slices.Reverse(running)
	running[0], running[17] = running[17], running[0]
	before := slices.Clone(running)
	a := Apply(NewState(t0), running, Ping{Kind: KindStart, RID: "last", At: at(time.Hour)})
	if len(a.Running) != MaxRunning {
		t.Fatalf("%d open runs, want %d", len(a.Running), MaxRunning)
	}
	if Pair(a.Running, "r0") >= 0 || Pair(a.Running, "r1") < 0 || Pair(a.Running, "last") < 0 {
		t.Errorf("want r0 dropped, r1 and last kept: %v", a.Running)
	}
	if !a.State.LastStart.Equal(at(time.Minute)) {
		t.Errorf("LastStart %s, want r1's start", a.State.LastStart)
	}
	if !slices.Equal(before, running) {
		t.Error("Apply modified its input")
	}
	// At the cap, a restart of an open rid replaces it and drops nothing.
	a = Apply(NewState(t0), running, Ping{Kind: KindStart, RID: "r0", At: at(time.Hour)})
	if len(a.Running) != MaxRunning || Pair(a.Running, "r1") < 0 {
		t.Errorf("restart at the cap: %d runs", len(a.Running))
	}
}

func TestApplyResultDoesNotAliasInput(t *testing.T) {
	// The caller may keep and change the result without touching what it passed in.
	for _, k := range []Kind{KindStart, KindSuccess, KindFail, KindExit, KindLog} {
		running := []RunningRun{{RID: "a", StartedAt: t0}, {RID: "b", StartedAt: at(time.Minute)}}
		before := slices.Clone(running)
		a := Apply(NewState(t0), running, Ping{Kind: k, RID: "z", At: at(time.Hour)})
		for i := range a.Running {
			a.Running[i].RID = "changed"
		}
		if !slices.Equal(before, running) {
			t.Errorf("%s: changing Applied.Running changed the input: %v", k, running)
		}
	}
}
