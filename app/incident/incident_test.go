package incident

import (
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
)

func TestOnFlip(t *testing.T) {
	tests := []struct {
		from, to monitor.Status
		want     Action
	}{
		{monitor.StatusUp, monitor.StatusDown, Open},
		{monitor.StatusPending, monitor.StatusDown, Open},
		{monitor.StatusLate, monitor.StatusDown, Open},
		{monitor.StatusNew, monitor.StatusDown, Open},
		{monitor.StatusDown, monitor.StatusUp, Resolve},
		{monitor.StatusDown, monitor.StatusDegraded, Resolve},
		{monitor.StatusDown, monitor.StatusPaused, Note}, // pausing fixes nothing
		{monitor.StatusUp, monitor.StatusLate, Note},
		{monitor.StatusPaused, monitor.StatusPending, Note},
	}
	for _, tt := range tests {
		if got := OnFlip(monitor.Flip{From: tt.from, To: tt.to}); got != tt.want {
			t.Errorf("%s -> %s: %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestSummariseAndDuration(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	earlier := []Incident{
		{ID: 1, OpenedAt: t0, ResolvedAt: t0.Add(10 * time.Minute)},
		{ID: 3, OpenedAt: t0.Add(48 * time.Hour)}, // still open: no resolve time
		{ID: 2, OpenedAt: t0.Add(24 * time.Hour), ResolvedAt: t0.Add(24*time.Hour + 30*time.Minute)},
	}
	h := Summarise(earlier, 2)
	if h.Count != 3 || h.MeanResolve != 20*time.Minute || len(h.Recent) != 2 || h.Recent[0].ID != 3 || h.Recent[1].ID != 2 {
		t.Errorf("history %+v", h)
	}
	if earlier[0].ID != 1 {
		t.Error("Summarise reordered its input")
	}
	if h := Summarise(nil, 5); h.Count != 0 || h.MeanResolve != 0 || len(h.Recent) != 0 {
		t.Errorf("empty history %+v", h)
	}
	open := Incident{OpenedAt: t0}
	if !open.Open() || open.Duration(t0.Add(time.Hour)) != time.Hour || open.Duration(t0.Add(-time.Hour)) != 0 {
		t.Errorf("open incident: open %v, duration %v", open.Open(), open.Duration(t0.Add(time.Hour)))
	}
	if d := earlier[0].Duration(t0.Add(time.Hour)); d != 10*time.Minute {
		t.Errorf("resolved duration %v", d)
	}
	if Title("Shop") != "Shop is down" {
		t.Errorf("title %q", Title("Shop"))
	}
}

func TestCheckComment(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       error
	}{
		{"text", "on it", nil},
		{"multi-line", "line 1\nline 2", nil},
		{"empty", "", ErrCommentEmpty},
		{"blank", " \n\t ", ErrCommentEmpty},
		{"longest", strings.Repeat("é", MaxComment), nil},
		{"too long", strings.Repeat("é", MaxComment+1), ErrCommentTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckComment(tc.text); got != tc.want {
				t.Errorf("CheckComment: %v, want %v", got, tc.want)
			}
		})
	}
}
