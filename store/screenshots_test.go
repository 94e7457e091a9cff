package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"statusthing/app/monitor"
)

func browserMonitor(org int64, name string) monitor.Monitor {
	return monitor.Monitor{OrgID: org, Name: name, Type: monitor.TypeBrowser, Interval: time.Minute, Timeout: 30 * time.Second,
		Retries: 0, Recoveries: 1, RetryInterval: 20 * time.Second,
		Settings: monitor.BrowserSettings{URL: "https://example.com/", Viewport: monitor.DefaultViewport(),
			Steps: []monitor.BrowserStep{{Action: monitor.StepClick, Selector: "#go"}}}}
}

func TestScreenshotsStoredScopedAndPruned(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org, other := testOrg(t, s, "a"), testOrg(t, s, "b")
	m := createMonitor(t, s, browserMonitor(org, "login"))
	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1000)
	failed := monitor.Result{MonitorID: m.ID, StartedAt: t0, Duration: 2 * time.Second, Outcome: monitor.OutcomeDown,
		ErrorClass: monitor.ClassStep, Message: `step 1 (click #go): no element matches #go`,
		Details: monitor.Details{Browser: &monitor.BrowserDetails{FailedStep: 1, Step: "click #go", Requests: 12, Bytes: 34567,
			ConsoleErrors: []string{"TypeError: x is undefined"}}},
		Screenshot: &monitor.Screenshot{Format: "png", Data: png, Width: 1280, Height: 800}}
	record(t, s, failed)
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(time.Minute), Duration: time.Second, Outcome: monitor.OutcomeUp})

	rs, err := s.Results(ctx, org, m.ID, time.Time{}, 10)
	if err != nil || len(rs) != 2 {
		t.Fatalf("results: %v, %v", rs, err)
	}
	got := rs[1]
	if got.ScreenshotID == 0 || rs[0].ScreenshotID != 0 {
		t.Fatalf("screenshot ids: failed %d, success %d", got.ScreenshotID, rs[0].ScreenshotID)
	}
	if b := got.Details.Browser; b == nil || b.FailedStep != 1 || b.Step != "click #go" || b.Requests != 12 || b.Bytes != 34567 ||
		len(b.ConsoleErrors) != 1 {
		t.Errorf("browser details: %+v", got.Details.Browser)
	}
	sh, err := s.Screenshot(ctx, org, m.ID, got.ID)
	if err != nil || sh.Format != "png" || sh.Width != 1280 || sh.Height != 800 || !bytes.Equal(sh.Data, png) {
		t.Fatalf("screenshot: %s %dx%d %d bytes, %v", sh.Format, sh.Width, sh.Height, len(sh.Data), err)
	}
	if _, err := s.Screenshot(ctx, other, m.ID, got.ID); err != ErrNotFound {
		t.Errorf("another organization's screenshot: %v, want ErrNotFound", err)
	}
	bad := failed
	bad.Screenshot = &monitor.Screenshot{Format: "gif", Data: []byte("x")}
	if _, _, err := s.RecordResult(ctx, bad); err == nil {
		t.Error("a gif screenshot was accepted")
	}

	// Pruning moves the failed result to failed_results: its screenshot still resolves,
	// until the screenshots' own retention is over.
	if _, err := s.Prune(ctx, t0.Add(10*24*time.Hour), Retention{Screenshots: 14 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	rs, _ = s.Results(ctx, org, m.ID, time.Time{}, 10)
	if len(rs) != 1 || rs[0].ScreenshotID != got.ScreenshotID {
		t.Fatalf("after pruning results: %+v", rs)
	}
	st, err := s.Prune(ctx, t0.Add(15*24*time.Hour), Retention{Screenshots: 14 * 24 * time.Hour})
	if err != nil || st.Screenshots != 1 {
		t.Fatalf("prune screenshots: %+v, %v", st, err)
	}
	if _, err := s.Screenshot(ctx, org, m.ID, got.ID); err != ErrNotFound {
		t.Errorf("pruned screenshot: %v", err)
	}
}
