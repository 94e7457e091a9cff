package monitor

import (
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	up := Result{Outcome: OutcomeUp, Duration: 100 * time.Millisecond}
	slow := Result{Outcome: OutcomeDegraded, ErrorClass: ClassLatency, Message: "response took 2s (degraded above 1s)"}
	fail := Result{Outcome: OutcomeDown, ErrorClass: ClassStatus, Message: "expected status 200-299, got 503"}

	type step struct {
		r        Result
		status   Status
		flipTo   Status // "" = no flip
		failures int
	}
	tests := []struct {
		name   string
		start  Status
		policy Policy
		steps  []step
	}{
		{"pending to up on first success", StatusPending, Policy{Retries: 1}, []step{
			{up, StatusUp, StatusUp, 0},
			{up, StatusUp, "", 0},
		}},
		{"empty status counts as pending", "", Policy{Retries: 1}, []step{
			{up, StatusUp, StatusUp, 0},
		}},
		{"one failure is not down with retries=1", StatusUp, Policy{Retries: 1}, []step{
			{fail, StatusUp, "", 1},
			{up, StatusUp, "", 0},
			{fail, StatusUp, "", 1},
			{fail, StatusDown, StatusDown, 2},
			{fail, StatusDown, "", 3},
		}},
		{"retries=0 goes down at once", StatusUp, Policy{}, []step{
			{fail, StatusDown, StatusDown, 1},
			{up, StatusUp, StatusUp, 0},
		}},
		{"pending goes down after confirmation", StatusPending, Policy{Retries: 2}, []step{
			{fail, StatusPending, "", 1},
			{fail, StatusPending, "", 2},
			{fail, StatusDown, StatusDown, 3},
		}},
		{"recoveries=3 needs three successes", StatusDown, Policy{Retries: 1, Recoveries: 3}, []step{
			{up, StatusDown, "", 0},
			{up, StatusDown, "", 0},
			{fail, StatusDown, "", 1},
			{up, StatusDown, "", 0},
			{up, StatusDown, "", 0},
			{up, StatusUp, StatusUp, 0},
		}},
		{"degraded and back", StatusUp, Policy{Retries: 1}, []step{
			{slow, StatusDegraded, StatusDegraded, 0},
			{slow, StatusDegraded, "", 0},
			{up, StatusUp, StatusUp, 0},
		}},
		{"degraded result ends an outage as degraded", StatusDown, Policy{Recoveries: 1}, []step{
			{slow, StatusDegraded, StatusDegraded, 0},
		}},
		{"degraded then down", StatusDegraded, Policy{Retries: 1}, []step{
			{fail, StatusDegraded, "", 1},
			{fail, StatusDown, StatusDown, 2},
		}},
		{"paused ignores results", StatusPaused, Policy{}, []step{
			{fail, StatusPaused, "", 0},
			{up, StatusPaused, "", 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := State{Status: tt.start, Since: t0}
			now := t0
			for i, s := range tt.steps {
				now = now.Add(time.Minute)
				s.r.StartedAt = now
				next, flip := Evaluate(st, s.r, tt.policy)
				if next.Status != s.status {
					t.Fatalf("step %d: status %s, want %s", i, next.Status, s.status)
				}
				if next.ConsecutiveFailures != s.failures {
					t.Errorf("step %d: failures %d, want %d", i, next.ConsecutiveFailures, s.failures)
				}
				switch {
				case s.flipTo == "" && flip != nil:
					t.Errorf("step %d: unexpected flip %+v", i, flip)
				case s.flipTo != "" && (flip == nil || flip.To != s.flipTo || flip.From != orPending(st.Status)):
					t.Errorf("step %d: flip %+v, want %s -> %s", i, flip, st.Status, s.flipTo)
				case flip != nil && (!next.Since.Equal(flip.At) || flip.Reason == ""):
					t.Errorf("step %d: flip at %s since %s reason %q", i, flip.At, next.Since, flip.Reason)
				}
				if flip == nil && !next.Since.Equal(st.Since) {
					t.Errorf("step %d: Since moved without a flip", i)
				}
				if tt.start != StatusPaused && !next.LastCheckedAt.Equal(now) {
					t.Errorf("step %d: LastCheckedAt not updated", i)
				}
				st = next
			}
		})
	}
}

func TestEvaluateDownReasonCountsFailures(t *testing.T) {
	r := Result{Outcome: OutcomeDown, Message: "connection refused"}
	st, _ := Evaluate(State{Status: StatusUp}, r, Policy{Retries: 2})
	st, _ = Evaluate(st, r, Policy{Retries: 2})
	_, flip := Evaluate(st, r, Policy{Retries: 2})
	if flip == nil || flip.Reason != "connection refused (3 consecutive failures)" {
		t.Fatalf("flip %+v", flip)
	}
}

func TestPauseResume(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	st, flip := Pause(State{Status: StatusDown, ConsecutiveFailures: 4}, t0)
	if st.Status != StatusPaused || flip == nil || flip.From != StatusDown || st.ConsecutiveFailures != 0 {
		t.Fatalf("pause: %+v %+v", st, flip)
	}
	if _, again := Pause(st, t0); again != nil {
		t.Error("pausing twice flips twice")
	}
	st, flip = Resume(st, t0.Add(time.Hour))
	if st.Status != StatusPending || flip == nil || flip.To != StatusPending || !st.Since.Equal(t0.Add(time.Hour)) {
		t.Fatalf("resume: %+v %+v", st, flip)
	}
	if _, again := Resume(st, t0); again != nil {
		t.Error("resuming a running monitor flips")
	}
}

func TestNextInterval(t *testing.T) {
	m := Monitor{Interval: time.Minute, RetryInterval: 20 * time.Second}
	tests := []struct {
		name  string
		state State
		want  time.Duration
	}{
		{"healthy", State{Status: StatusUp}, time.Minute},
		{"confirming a failure", State{Status: StatusUp, ConsecutiveFailures: 1}, 20 * time.Second},
		{"down", State{Status: StatusDown, ConsecutiveFailures: 5}, time.Minute},
		{"counting recoveries", State{Status: StatusDown, ConsecutiveSuccesses: 1}, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.State = tt.state
			if got := m.NextInterval(); got != tt.want {
				t.Errorf("NextInterval = %s, want %s", got, tt.want)
			}
		})
	}
}
