package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// createTable creates a test table through the writer.
func createTable(t testing.TB, s *Store, ddl string) {
	t.Helper()
	err := s.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(ddl)
		return err
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
}

func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// holdWriter parks the writer goroutine inside a write until release is called, so that
// writes submitted meanwhile queue up and are committed as one batch.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, unblock := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- s.Write(context.Background(), func(*sql.Tx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(unblock)
			if err := <-errc; err != nil {
				t.Errorf("held write: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued waits until n writes wait in the writer's queue.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.writer.reqs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", len(s.writer.reqs), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func insert(id int) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (id) VALUES (?)`, id)
		return err
	}
}

func TestWriteConcurrent(t *testing.T) {
	const submitters, perSubmitter = 50, 40
	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER NOT NULL)`)

	var wg sync.WaitGroup
	errs := make(chan error, submitters*perSubmitter)
	for g := range submitters {
		wg.Go(func() {
			for i := range perSubmitter {
				id := g*1000 + i
				err := s.Write(context.Background(), func(tx *sql.Tx) error {
					_, err := tx.Exec(`INSERT INTO t (id, g) VALUES (?, ?)`, id, g)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("write %d: %w", id, err)
					return
				}
				// Acknowledged means committed: visible to a fresh read right now.
				if n := count(t, s.read, `SELECT count(*) FROM t WHERE id = ?`, id); n != 1 {
					errs <- fmt.Errorf("acked row %d not visible", id)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, s.read, `SELECT count(*) FROM t`); n != submitters*perSubmitter {
		t.Errorf("rows = %d, want %d", n, submitters*perSubmitter)
	}
	if n := count(t, s.read, `SELECT count(DISTINCT g) FROM t`); n != submitters {
		t.Errorf("submitters seen = %d, want %d", n, submitters)
	}
	t.Logf("commits %d, writes %d, largest batch %d",
		s.writer.stats.commits.Load(), s.writer.stats.committed.Load(), s.writer.stats.maxBatch.Load())
}

func TestWriteBatchIsolatesFailures(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		fn      func(*sql.Tx) error
		wantErr string // "" = success
		wantIn  []int  // ids that must be committed
		wantOut []int  // ids that must not be
	}{
		{name: "plain insert", fn: insert(1), wantIn: []int{1}},
		{
			name: "error after a write rolls the write back",
			fn: func(tx *sql.Tx) error {
				if err := insert(2)(tx); err != nil {
					return err
				}
				return errBoom
			},
			wantErr: "boom",
			wantOut: []int{2},
		},
		{
			name: "panic after a write becomes an error",
			fn: func(tx *sql.Tx) error {
				if err := insert(3)(tx); err != nil {
					return err
				}
				panic("kaboom")
			},
			wantErr: "panic: kaboom",
			wantOut: []int{3},
		},
		{
			name: "constraint violation",
			fn: func(tx *sql.Tx) error {
				if err := insert(4)(tx); err != nil {
					return err
				}
				return insert(1)(tx) // duplicate of "plain insert"
			},
			wantErr: "UNIQUE constraint failed",
			wantOut: []int{4},
		},
		{
			name: "several statements",
			fn: func(tx *sql.Tx) error {
				for id := 5; id <= 7; id++ {
					if err := insert(id)(tx); err != nil {
						return err
					}
				}
				return nil
			},
			wantIn: []int{5, 6, 7},
		},
		{
			name: "fn's own savepoint rolled back inside",
			fn: func(tx *sql.Tx) error {
				for _, q := range []string{`SAVEPOINT mine`, `INSERT INTO t (id) VALUES (8)`, `ROLLBACK TO mine`, `RELEASE mine`} {
					if _, err := tx.Exec(q); err != nil {
						return err
					}
				}
				return insert(9)(tx)
			},
			wantIn:  []int{9},
			wantOut: []int{8},
		},
		{
			name: "panic with rows left open",
			fn: func(tx *sql.Tx) error {
				rows, err := tx.Query(`SELECT id FROM t`)
				if err != nil {
					return err
				}
				rows.Next()
				if err := insert(11)(tx); err != nil {
					return err
				}
				panic("leaky")
			},
			wantErr: "panic: leaky",
			wantOut: []int{11},
		},
		{
			name: "rows left open",
			fn: func(tx *sql.Tx) error {
				rows, err := tx.Query(`SELECT id FROM t`)
				if err != nil {
					return err
				}
				rows.Next()
				return insert(12)(tx)
			},
			wantIn: []int{12},
		},
		{name: "last insert", fn: insert(10), wantIn: []int{10}},
	}

	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	release := holdWriter(t, s)
	commitsBefore := s.writer.stats.commits.Load()

	// Queue every case behind the held write, in order, so they all share one transaction.
	results := make([]chan error, len(tests))
	for i, tt := range tests {
		results[i] = make(chan error, 1)
		go func() { results[i] <- s.Write(context.Background(), tt.fn) }()
		waitQueued(t, s, i+1)
	}
	release()

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := <-results[i]
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			for _, id := range tt.wantIn {
				if count(t, s.read, `SELECT count(*) FROM t WHERE id = ?`, id) != 1 {
					t.Errorf("id %d missing", id)
				}
			}
			for _, id := range tt.wantOut {
				if count(t, s.read, `SELECT count(*) FROM t WHERE id = ?`, id) != 0 {
					t.Errorf("id %d committed", id)
				}
			}
		})
	}
	if got := s.writer.stats.commits.Load() - commitsBefore; got != 2 {
		t.Errorf("commits = %d, want 2 (the held write, then one batch)", got)
	}
	if got := s.writer.stats.maxBatch.Load(); got < 2 {
		t.Errorf("largest batch = %d, want > 1", got)
	}
	t.Run("error is returned unwrapped", func(t *testing.T) {
		err := s.Write(context.Background(), func(*sql.Tx) error { return errBoom })
		if err != errBoom {
			t.Errorf("err = %v, want errBoom itself", err)
		}
	})
}

func TestWriteBatchSurvivesAbortedTransaction(t *testing.T) {
	tests := []struct {
		name string
		// culprit loses the whole transaction; it gets the cancel func of its own context.
		culprit func(ctx context.Context, cancel context.CancelFunc) func(*sql.Tx) error
		wantErr string
	}{
		{
			name: "fn runs ROLLBACK",
			culprit: func(context.Context, context.CancelFunc) func(*sql.Tx) error {
				return func(tx *sql.Tx) error {
					_, err := tx.Exec(`ROLLBACK`)
					return err
				}
			},
			wantErr: "transaction aborted",
		},
		{
			// SQLite rolls back the whole transaction when a write statement is
			// interrupted, which modernc does when the statement's context ends.
			name: "write statement interrupted by its context",
			culprit: func(ctx context.Context, cancel context.CancelFunc) func(*sql.Tx) error {
				return func(tx *sql.Tx) error {
					time.AfterFunc(100*time.Millisecond, cancel) // long enough for the INSERT to be running
					_, err := tx.ExecContext(ctx, `INSERT INTO t (id)
						WITH RECURSIVE c(x) AS (SELECT 1000 UNION ALL SELECT x + 1 FROM c)
						SELECT x FROM c LIMIT 100000000`)
					return err
				}
			},
			wantErr: "context canceled", // Write stops waiting when its context ends
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{})
			createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
			release := holdWriter(t, s)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			fns := []func(*sql.Tx) error{insert(1), insert(2), tt.culprit(ctx, cancel), insert(3)}
			results := make([]chan error, len(fns))
			for i, fn := range fns {
				results[i] = make(chan error, 1)
				wctx := context.Background()
				if i == 2 {
					wctx = ctx
				}
				go func() { results[i] <- s.Write(wctx, fn) }()
				waitQueued(t, s, i+1)
			}
			release()

			for i, want := range []string{"", "", tt.wantErr, ""} {
				err := <-results[i]
				if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
					t.Errorf("write %d: err = %v, want %q", i, err, want)
				}
			}
			if n := count(t, s.read, `SELECT count(*) FROM t`); n != 3 {
				t.Errorf("rows = %d, want 3", n)
			}
			if n := s.writer.stats.aborts.Load(); n != 1 {
				t.Errorf("aborts = %d, want 1", n)
			}
			// The writer is still healthy.
			if err := s.Write(context.Background(), insert(4)); err != nil {
				t.Errorf("later write: %v", err)
			}
		})
	}
}

func TestWriteContext(t *testing.T) {
	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)

	t.Run("already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := s.Write(ctx, func(*sql.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("err = %v, ran = %v; want Canceled and not run", err, ran)
		}
	})
	t.Run("done while queued is skipped", func(t *testing.T) {
		release := holdWriter(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		ran := false
		errc := make(chan error, 1)
		go func() {
			errc <- s.Write(ctx, func(tx *sql.Tx) error {
				mu.Lock()
				ran = true
				mu.Unlock()
				return insert(1)(tx)
			})
		}()
		waitQueued(t, s, 1)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want Canceled", err)
		}
		release()
		// A write queued after it has been through the writer, so the skipped one has too.
		if err := s.Write(context.Background(), insert(2)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if ran || count(t, s.read, `SELECT count(*) FROM t WHERE id = 1`) != 0 {
			t.Errorf("cancelled write ran")
		}
	})
	t.Run("nil fn", func(t *testing.T) {
		if err := s.Write(context.Background(), nil); err == nil {
			t.Error("nil fn accepted")
		}
	})
}

func TestCloseCommitsQueued(t *testing.T) {
	const n = 20
	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	path := s.Path()
	release := holdWriter(t, s)

	results := make(chan error, n)
	for i := range n {
		go func() { results <- s.Write(context.Background(), insert(i)) }()
	}
	waitQueued(t, s, n)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()

	// Close must refuse new writes at once while it waits for the queued ones.
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.writer.mu.RLock()
		closed := s.writer.closed
		s.writer.mu.RUnlock()
		if closed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Close did not close the queue")
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Write(context.Background(), insert(1000)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write during Close = %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before queued writes were committed", err)
	case <-time.After(20 * time.Millisecond):
	}
	release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range n {
		if err := <-results; err != nil {
			t.Errorf("queued write: %v", err)
		}
	}
	if got := count(t, rawDB(t, path), `SELECT count(*) FROM t`); got != n {
		t.Errorf("rows after Close = %d, want %d", got, n)
	}
}

func TestCloseRacesWrites(t *testing.T) {
	const submitters = 16
	s := openTest(t, Options{})
	createTable(t, s, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	path := s.Path()

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked []int
	)
	for g := range submitters {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := g*1_000_000 + i
				err := s.Write(context.Background(), insert(id))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("write: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	db := rawDB(t, path)
	if len(acked) == 0 {
		t.Fatal("no write acknowledged")
	}
	for _, id := range acked {
		if count(t, db, `SELECT count(*) FROM t WHERE id = ?`, id) != 1 {
			t.Fatalf("acknowledged id %d missing", id)
		}
	}
}
