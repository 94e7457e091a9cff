package monitor

import (
	"fmt"
	"time"
)

// Policy is how many results confirm a change.
type Policy struct {
	Retries    int // extra consecutive failures before down (0: the first failure is down)
	Recoveries int // consecutive successes before down ends (at least 1)
}

// Evaluate is the state machine of probed monitors: it applies one result to the previous
// state and returns the new state and, if the status changed, the flip to record.
//
//	pending  -> up | degraded on a success, -> down after Retries+1 consecutive failures
//	up       -> degraded on a degraded result, -> down after Retries+1 consecutive failures
//	degraded -> up on an up result, -> down after Retries+1 consecutive failures
//	down     -> up | degraded after Recoveries consecutive successes
//	paused   -> paused: results of a paused monitor change nothing
func Evaluate(prev State, r Result, p Policy) (State, *Flip) {
	next := prev
	next.LastCheckedAt = r.StartedAt
	next.LastDuration = r.Duration
	next.LastMessage = r.Message
	if prev.Status == StatusPaused {
		return prev, nil
	}
	if prev.Status == "" {
		prev.Status = StatusPending
		next.Status = StatusPending
	}
	recoveries := max(p.Recoveries, 1)

	var to Status
	var reason string
	if r.Outcome.Success() {
		next.ConsecutiveFailures = 0
		next.ConsecutiveSuccesses++
		to = StatusUp
		if r.Outcome == OutcomeDegraded {
			to = StatusDegraded
		}
		reason = r.Message
		if reason == "" {
			reason = "check succeeded"
		}
		if prev.Status == StatusDown {
			if next.ConsecutiveSuccesses < recoveries {
				return next, nil // recovery not confirmed yet
			}
			if recoveries > 1 {
				reason = fmt.Sprintf("%d consecutive successful checks", recoveries)
			}
		}
	} else {
		next.ConsecutiveSuccesses = 0
		next.ConsecutiveFailures++
		if prev.Status == StatusDown || next.ConsecutiveFailures <= p.Retries {
			return next, nil // already down, or failure not confirmed yet
		}
		to = StatusDown
		reason = r.Message
		if p.Retries > 0 {
			reason = fmt.Sprintf("%s (%d consecutive failures)", r.Message, next.ConsecutiveFailures)
		}
	}
	if to == prev.Status {
		return next, nil
	}
	next.Status = to
	next.Since = r.StartedAt.Add(r.Duration)
	return next, &Flip{At: next.Since, From: prev.Status, To: to, Reason: reason}
}

// Pause returns the state of a monitor being paused at t, and its flip.
func Pause(prev State, t time.Time) (State, *Flip) {
	if prev.Status == StatusPaused {
		return prev, nil
	}
	next := prev
	next.Status, next.Since = StatusPaused, t
	next.ConsecutiveFailures, next.ConsecutiveSuccesses = 0, 0
	return next, &Flip{At: t, From: orPending(prev.Status), To: StatusPaused, Reason: "paused"}
}

// Resume returns the state of a paused monitor resumed at t: pending until its next result.
func Resume(prev State, t time.Time) (State, *Flip) {
	if prev.Status != StatusPaused {
		return prev, nil
	}
	next := prev
	next.Status, next.Since = StatusPending, t
	return next, &Flip{At: t, From: StatusPaused, To: StatusPending, Reason: "resumed"}
}

func orPending(s Status) Status {
	if s == "" {
		return StatusPending
	}
	return s
}
