package heartbeat

import (
	"fmt"
	"time"

	"statusthing/app/monitor"
)

// State is a heartbeat monitor's current status and the times the state machine needs. It
// has only plain fields so the store can keep it in columns.
//
//	new    -> up on a success, -> down on a failure (never late: nothing is expected yet)
//	up     -> late when the expected ping is missing, -> down when the grace is over too
//	late   -> down when the grace is over, -> up on a success
//	down   -> up on a success (only a ping ends down)
//	any    -> down at once on a fail ping or a non-zero exit status
//	paused -> up or down on the next success or failure ("resumed by a ping")
//
// Start and log pings never change the status.
type State struct {
	Status    monitor.Status // new, up, late, down or paused ("" reads as new)
	Since     time.Time      // when Status was entered
	LastPing  time.Time      // last success (or exit status 0); zero if never
	LastFail  time.Time      // last failure (fail or non-zero exit status); zero if never
	LastStart time.Time      // start of the oldest unfinished run; zero if none
	// HoldUntil is set by Recover after statusthing itself was not running: until then
	// Evaluate does not make the status worse, giving the job a fresh grace period to get
	// a ping through. Zero when there is nothing to hold.
	HoldUntil time.Time
}

// NewState is the state of a heartbeat monitor created at t: new, never pinged.
func NewState(t time.Time) State { return State{Status: monitor.StatusNew, Since: t} }

// status returns st.Status with the zero value read as new.
func (st State) status() monitor.Status {
	if st.Status == "" {
		return monitor.StatusNew
	}
	return st.Status
}

// severity orders the statuses Evaluate moves between.
func severity(s monitor.Status) int {
	switch s {
	case monitor.StatusUp:
		return 0
	case monitor.StatusLate:
		return 1
	case monitor.StatusDown:
		return 2
	}
	return -1
}

// OnPing applies one ping received at `at` and returns the new state and, if the status
// changed, the flip to record:
//
//   - success or exit status 0: up (from new, late, down and paused);
//   - fail or a non-zero exit status: down at once (from every status, paused included);
//   - start: no status change (a paused monitor stays paused, as in Healthchecks); the start
//     is remembered in LastStart if no run was open;
//   - log: nothing at all.
//
// A finishing ping clears LastStart: without run ids the latest start pairs with the next
// end. Callers tracking overlapping runs (with rids) use Apply, which sets LastStart to the
// oldest run still open.
func OnPing(prev State, kind Kind, exit int, at time.Time) (State, *monitor.Flip) {
	from := prev.status()
	next := prev
	next.Status = from
	var to monitor.Status
	var reason string
	switch {
	case kind == KindStart:
		if next.LastStart.IsZero() {
			next.LastStart = at
		}
		return next, nil
	case Succeeded(kind, exit):
		next.LastPing = at
		to, reason = monitor.StatusUp, "ping received"
		if kind == KindExit {
			reason = "ping received (exit status 0)"
		}
	case Failed(kind, exit):
		next.LastFail = at
		to, reason = monitor.StatusDown, "job reported failure"
		if kind == KindExit {
			reason = fmt.Sprintf("job reported failure (exit status %d)", exit)
		}
	default: // log, or a kind this version does not know: no state change
		return prev, nil
	}
	next.LastStart = time.Time{}
	next.HoldUntil = time.Time{}
	if to == from {
		return next, nil
	}
	if from == monitor.StatusPaused {
		if to == monitor.StatusUp {
			reason = "resumed by a ping"
		} else {
			reason = "resumed by a ping: " + reason
		}
	}
	next.Status, next.Since = to, at
	return next, &monitor.Flip{At: at, From: from, To: to, Reason: reason}
}

// Pause returns the state of a monitor paused at t, and its flip. Open runs are forgotten:
// a paused monitor expects nothing.
func Pause(prev State, t time.Time) (State, *monitor.Flip) {
	from := prev.status()
	if from == monitor.StatusPaused {
		return prev, nil
	}
	next := prev
	next.Status, next.Since = monitor.StatusPaused, t
	next.LastStart, next.HoldUntil = time.Time{}, time.Time{}
	return next, &monitor.Flip{At: t, From: from, To: monitor.StatusPaused, Reason: "paused"}
}

// Evaluate is the periodic sweep of an up or late monitor: from the schedule and the last
// success it computes the status at now — up before the expected time, late from the
// expected time until the grace is over, down after — and returns the new state and, if the
// status changed, the flip.
//
// new, paused and down are never changed (only pings change them), nor is a state without
// a last success or with an invalid schedule (which Validate refuses on save). While
// HoldUntil is ahead (see Recover) the status may improve but does not get worse.
//
// The flip is dated when the status really changed (the expected time for late, the end
// of the grace for down), not when the sweep noticed, so downtime statistics do not depend
// on the sweep interval; it is never before the previous change, HoldUntil or after now.
// Evaluate does not look at open runs: see TooLong for "running too long".
func Evaluate(prev State, s Schedule, now time.Time) (State, *monitor.Flip) {
	from := prev.status()
	// Only up and late: a sweep must not lift a down (e.g. a fail ping just after a
	// success, with the next ping not due yet) to up or late.
	if (from != monitor.StatusUp && from != monitor.StatusLate) || prev.LastPing.IsZero() {
		return prev, nil
	}
	due, err := s.Next(prev.LastPing)
	if err != nil {
		return prev, nil
	}
	downAt := due.Add(s.Grace)
	var to monitor.Status
	var at time.Time
	var reason string
	switch {
	case !now.Before(downAt):
		to, at = monitor.StatusDown, downAt
		reason = fmt.Sprintf("no ping since %s; the grace period ended at %s", stamp(prev.LastPing), stamp(downAt))
	case !now.Before(due):
		to, at = monitor.StatusLate, due
		reason = fmt.Sprintf("no ping since %s; one was expected at %s", stamp(prev.LastPing), stamp(due))
	default:
		to, at = monitor.StatusUp, now
		reason = fmt.Sprintf("next ping not expected before %s", stamp(due))
	}
	if to == from {
		return prev, nil
	}
	worse := severity(to) > severity(from)
	if worse && now.Before(prev.HoldUntil) {
		return prev, nil
	}
	if worse && at.Before(prev.HoldUntil) {
		at = prev.HoldUntil
	}
	if at.Before(prev.Since) {
		at = prev.Since
	}
	if at.After(now) {
		at = now
	}
	next := prev
	next.Status, next.Since, next.HoldUntil = to, at, time.Time{}
	return next, &monitor.Flip{At: at, From: from, To: to, Reason: reason}
}

// Recover is called once at start, with the time statusthing (re)started, for each
// heartbeat monitor. Pings sent while statusthing was not running were lost, so a monitor
// whose state went stale meanwhile — it is stored as up but its ping fell due, or stored as
// late but its grace ran out — gets a fresh grace period from startedAt: HoldUntil is set
// to startedAt + grace, and until then Evaluate does not make its status worse. If no
// ping arrives by then, the normal rules apply (usually down at once, since the real
// deadline has long passed). A monitor that was already down stays down; new and paused
// ones, and monitors whose next deadline is still ahead, are returned unchanged.
//
// Recover returns no flip: it never changes the status itself.
func Recover(prev State, s Schedule, startedAt time.Time) State {
	from := prev.status()
	if from != monitor.StatusUp && from != monitor.StatusLate {
		return prev
	}
	probe := prev
	probe.HoldUntil = time.Time{}
	if _, flip := Evaluate(probe, s, startedAt); flip == nil || severity(flip.To) <= severity(from) {
		return prev // nothing went stale while statusthing was not running
	}
	if hold := startedAt.Add(s.Grace); hold.After(prev.HoldUntil) {
		prev.HoldUntil = hold
	}
	return prev
}

// Expected returns when the next ping is expected after the last success (due) and when the
// monitor turns down without it (downAt: due + grace, or later while Recover's hold runs),
// for the UI: "next ping expected in 5 min". The monitor is late from due to downAt. Both
// are zero when nothing is expected: new and paused monitors, or no success yet.
func Expected(st State, s Schedule) (due, downAt time.Time, err error) {
	switch st.status() {
	case monitor.StatusNew, monitor.StatusPaused:
		return time.Time{}, time.Time{}, nil
	}
	if st.LastPing.IsZero() {
		return time.Time{}, time.Time{}, nil
	}
	due, err = s.Next(st.LastPing)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	downAt = due.Add(s.Grace)
	if st.HoldUntil.After(downAt) {
		downAt = st.HoldUntil.In(due.Location())
	}
	return due, downAt, nil
}

// stamp formats a time for flip reasons: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
