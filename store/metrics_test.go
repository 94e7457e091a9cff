package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"statusthing/app/monitor"
)

// The reads behind /metrics: every organization's monitors, and the size of the files.

func TestAllMonitorsListsEveryOrganization(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	orgA, orgB := testOrg(t, s, "a"), testOrg(t, s, "b")
	a := createMonitor(t, s, httpMonitor(orgA, "a-site"))
	b := createMonitor(t, s, httpMonitor(orgB, "b-site"))
	if _, _, err := s.SetPaused(ctx, orgB, b.ID, true, t0); err != nil {
		t.Fatal(err)
	}

	all, err := s.AllMonitors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("AllMonitors: %d monitors, want 2", len(all))
	}
	want := []struct {
		id, org int64
		name    string
		status  monitor.Status
	}{{a.ID, orgA, "a-site", monitor.StatusPending}, {b.ID, orgB, "b-site", monitor.StatusPaused}}
	for i, w := range want {
		got := all[i]
		if got.ID != w.id || got.OrgID != w.org || got.Name != w.name || got.Type != monitor.TypeHTTP || got.State.Status != w.status {
			t.Errorf("monitor %d: id %d org %d %q %s %s, want id %d org %d %q http %s",
				i, got.ID, got.OrgID, got.Name, got.Type, got.State.Status, w.id, w.org, w.name, w.status)
		}
	}
}

func TestDatabaseSizeCountsFileAndWAL(t *testing.T) {
	s := openTest(t, Options{})
	createMonitor(t, s, httpMonitor(testOrg(t, s, "a"), "site"))

	file, wal, err := s.DatabaseSize()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if file != fi.Size() || file == 0 {
		t.Errorf("file size %d, want %d (and not 0)", file, fi.Size())
	}
	// The write above went to the WAL: with synchronous=FULL and no checkpoint yet, it is there.
	wi, err := os.Stat(s.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if wal != wi.Size() || wal == 0 {
		t.Errorf("wal size %d, want %d (and not 0)", wal, wi.Size())
	}

	// No WAL file is no error: the log is empty (a plain file stands in for a database).
	plain := filepath.Join(t.TempDir(), "plain.db")
	if err := os.WriteFile(plain, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	if file, wal, err := (&Store{path: plain}).DatabaseSize(); err != nil || file != 4096 || wal != 0 {
		t.Errorf("without a WAL file: %d + %d, err %v; want 4096 + 0, nil", file, wal, err)
	}
	if _, _, err := (&Store{path: filepath.Join(t.TempDir(), "missing.db")}).DatabaseSize(); err == nil {
		t.Error("a missing database file is not reported")
	}
}
