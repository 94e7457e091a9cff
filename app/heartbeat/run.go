package heartbeat

import (
	"slices"
	"time"

	"statusthing/app/monitor"
)

// Limits on open runs, so that jobs that crash between start and end do not pile up.
const (
	// MaxRunAge is how long a run may stay open: as in Healthchecks, a start and an end more
	// than 24 hours apart are taken as unrelated, and Apply forgets older open runs.
	MaxRunAge = 24 * time.Hour
	// MaxRunning is how many runs of one monitor may be open at once; Apply forgets the
	// oldest beyond it.
	MaxRunning = 50
)

// RunningRun is a run of a job that has started (a /start ping) and not finished yet.
// The run lifecycle is a typestate: a RunningRun can only become a FinishedRun (Finish), and
// a FinishedRun has no transition at all, so finishing a run twice or finishing a run that
// never started does not compile. The fields are exported so that the store can load open
// runs back.
type RunningRun struct {
	RID       string // run id (?rid=) of the start ping; "" if it had none
	StartedAt time.Time
}

// FinishedRun is a run that has ended, with its outcome.
type FinishedRun struct {
	RID        string
	StartedAt  time.Time
	FinishedAt time.Time
	Duration   time.Duration
	Failed     bool
	ExitStatus int // 0 for a success, the reported status for /{exit}, -1 for /fail
}

// Start opens a run at `at`, with the run id of its start ping ("" if none).
func Start(rid string, at time.Time) RunningRun { return RunningRun{RID: rid, StartedAt: at} }

// Finish closes r at `at` with its outcome. The duration is never negative, even if the
// clock of the ping's arrival went backwards.
func Finish(r RunningRun, at time.Time, failed bool, exit int) FinishedRun {
	return FinishedRun{
		RID:        r.RID,
		StartedAt:  r.StartedAt,
		FinishedAt: at,
		Duration:   max(at.Sub(r.StartedAt), 0),
		Failed:     failed,
		ExitStatus: exit,
	}
}

// Pair returns the index in running of the run that an ending ping with run id rid closes,
// or -1 if none. With a rid, it is the run started with the same rid (the latest, should
// there be several). Without, as in Healthchecks, it is the latest run started without a
// rid: a run with a rid is only closed by its own rid, so overlapping runs that use rids
// are never mixed up with each other or with rid-less ones.
func Pair(running []RunningRun, rid string) int {
	found := -1
	for i, r := range running {
		if r.RID == rid && (found < 0 || !r.StartedAt.Before(running[found].StartedAt)) {
			found = i
		}
	}
	return found
}

// OldestStart returns the start of the oldest open run, zero if none (State.LastStart).
func OldestStart(running []RunningRun) time.Time {
	var oldest time.Time
	for _, r := range running {
		if oldest.IsZero() || r.StartedAt.Before(oldest) {
			oldest = r.StartedAt
		}
	}
	return oldest
}

// TooLong reports whether r, still open at now, has been running for longer than its
// expected duration plus grace: the "running too long" warning. The expected duration is
// the median of recent durations of finished runs; with none there is no verdict (false).
func TooLong(r RunningRun, recent []time.Duration, grace time.Duration, now time.Time) bool {
	if len(recent) == 0 {
		return false
	}
	return now.Sub(r.StartedAt) > Median(recent)+grace
}

// Median returns the median of ds (the mean of the two middle values for an even count),
// 0 for none. ds is not modified.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return s[mid-1] + (s[mid]-s[mid-1])/2
}

// Ping is one received ping, as the ingest handler parsed it.
type Ping struct {
	Kind Kind
	Exit int    // exit status for KindExit
	RID  string // run id (?rid=), "" if none
	At   time.Time
}

// Applied is everything one ping changes: the monitor's state, its open runs, the run it
// finished (if it closed one) and the flip (if the status changed).
type Applied struct {
	State    State
	Running  []RunningRun
	Finished *FinishedRun
	Flip     *monitor.Flip
}

// Apply is OnPing plus run tracking, the whole effect of one ping on a monitor with the
// open runs `running` (which is not modified, nor shared with Applied.Running):
//
//   - start opens a run; an open run with the same rid (or, for a rid-less start, the
//     previous rid-less run: the latest start pairs with the next end) is replaced;
//   - success, fail and exit close the run Pair finds, if any, into Finished;
//   - log changes nothing.
//
// Runs open for longer than MaxRunAge, and the oldest beyond MaxRunning, are forgotten.
// State.LastStart is the start of the oldest run left open.
func Apply(prev State, running []RunningRun, p Ping) Applied {
	if p.Kind == KindLog {
		// A copy all the same: Running never shares memory with the input.
		return Applied{State: prev, Running: slices.Clone(running)}
	}
	open := slices.DeleteFunc(slices.Clone(running), func(r RunningRun) bool {
		return p.At.Sub(r.StartedAt) > MaxRunAge
	})
	var finished *FinishedRun
	switch {
	case p.Kind == KindStart:
		open = slices.DeleteFunc(open, func(r RunningRun) bool { return r.RID == p.RID })
		open = append(open, Start(p.RID, p.At))
		if len(open) > MaxRunning {
			slices.SortStableFunc(open, func(a, b RunningRun) int { return a.StartedAt.Compare(b.StartedAt) })
			open = open[len(open)-MaxRunning:]
		}
	case Finishes(p.Kind):
		if i := Pair(open, p.RID); i >= 0 {
			exit := p.Exit
			switch p.Kind {
			case KindSuccess:
				exit = 0
			case KindFail:
				exit = -1
			}
			f := Finish(open[i], p.At, Failed(p.Kind, p.Exit), exit)
			finished = &f
			open = slices.Delete(open, i, i+1)
		}
	}
	st, flip := OnPing(prev, p.Kind, p.Exit, p.At)
	st.LastStart = OldestStart(open)
	if len(open) == 0 {
		open = nil
	}
	return Applied{State: st, Running: open, Finished: finished, Flip: flip}
}
