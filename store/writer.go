package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// savepoint names the per-write savepoint; distinctive so it cannot clash with one a fn makes.
const savepoint = "statusthing_write"

// Write runs fn in a write transaction and returns nil only after that transaction has
// committed: a nil error means the write is durable.
//
// Writes are group-committed: fn runs on the single writer goroutine, together with whatever
// other writes were queued meanwhile, in one transaction. Each fn runs inside its own
// SAVEPOINT, so when fn returns an error or panics only its own changes are rolled back and
// Write returns that error (a panic becomes an error); the other writes of the batch still
// commit. If the COMMIT fails, every write of the batch that had succeeded gets that error.
//
// fn must not call Write (it would wait for itself forever), must not keep tx or rows
// opened on it after returning, and must not COMMIT, ROLLBACK or RELEASE anything it did not
// start. fn should only do database work and set results in variables it captures: if
// another write aborts the whole transaction (SQLite rolls a transaction back when a
// statement is interrupted because its context ended), the other writes of the batch are run
// again in a new transaction, so fn can be called more than once.
//
// If ctx ends before the write was acknowledged, Write returns ctx.Err(); the write may still
// commit (it is skipped only if the writer had not started it yet). After Close, Write
// returns ErrClosed.
func (s *Store) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.writer.submit(ctx, fn)
}

// writeReq is one queued Write.
type writeReq struct {
	ctx context.Context
	fn  func(*sql.Tx) error
	ack chan error // buffered (1): the writer never blocks on a caller that stopped waiting
}

// writer owns the write connection and commits queued writes in batches.
type writer struct {
	db       *sql.DB
	maxBatch int
	logger   *slog.Logger

	// mu makes "check closed, then send" atomic with respect to close(reqs): senders hold
	// the read lock, so close never races with a send on a closed channel.
	mu     sync.RWMutex
	closed bool
	reqs   chan *writeReq
	done   chan struct{} // closed when the goroutine has acknowledged everything and exited

	stats writerStats
}

// writerStats are counters for tests (and, later, metrics).
type writerStats struct {
	commits   atomic.Int64 // committed transactions
	committed atomic.Int64 // writes acknowledged with nil
	maxBatch  atomic.Int64 // most writes in one committed transaction
	aborts    atomic.Int64 // transactions lost midway and retried
}

func newWriter(db *sql.DB, maxBatch int, logger *slog.Logger) *writer {
	w := &writer{
		db:       db,
		maxBatch: maxBatch,
		logger:   logger,
		reqs:     make(chan *writeReq, maxBatch),
		done:     make(chan struct{}),
	}
	go w.loop()
	return w
}

func (w *writer) submit(ctx context.Context, fn func(*sql.Tx) error) error {
	if fn == nil {
		return errors.New("store: write: nil fn")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{ctx: ctx, fn: fn, ack: make(chan error, 1)}

	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.reqs <- req:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}

	select {
	case err := <-req.ack:
		return err
	case <-ctx.Done():
		// Prefer a result that arrived at the same time: it is the truth.
		select {
		case err := <-req.ack:
			return err
		default:
			return ctx.Err()
		}
	}
}

// close stops new writes and waits until every queued write has been committed and acked.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
}

// loop is leader-style group commit: no timer. It blocks for one request, takes whatever
// else is already queued (up to maxBatch) and commits it all at once; writes that arrive
// during that commit form the next batch, so batches grow with load and fsyncs amortise.
func (w *writer) loop() {
	defer close(w.done)
	batch := make([]*writeReq, 0, w.maxBatch)
	for first := range w.reqs {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < w.maxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		for pending := batch; len(pending) > 0; {
			pending = w.runTx(pending)
		}
		clear(batch) // let finished requests be collected
	}
}

// runTx runs reqs in one transaction and acknowledges each of them. If the transaction is
// lost midway, the request that was running gets the error and runTx returns the requests
// that still deserve a transaction (those that had succeeded and those not yet run); every
// call consumes at least one request, so the caller's retry loop ends.
func (w *writer) runTx(reqs []*writeReq) (retry []*writeReq) {
	// Not the callers' contexts: the transaction is shared, and one caller giving up must
	// not cancel the others' commit.
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		err = fmt.Errorf("store: write: begin: %w", err)
		for _, r := range reqs {
			r.ack <- err
		}
		return nil
	}

	ok := make([]*writeReq, 0, len(reqs))
	for i, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.ack <- err
			continue
		}
		fnErr, txErr := w.runOne(ctx, tx, r.fn)
		if txErr != nil {
			_ = tx.Rollback() // usually "no transaction is active": SQLite already rolled back
			w.stats.aborts.Add(1)
			if fnErr == nil {
				fnErr = fmt.Errorf("store: write: transaction aborted: %w", txErr)
			}
			r.ack <- fnErr
			rest := reqs[i+1:]
			if errors.Is(txErr, sql.ErrTxDone) {
				// fn committed or rolled back tx itself: the writes before it may already
				// be committed, so running them again could apply them twice.
				lost := fmt.Errorf("store: write: transaction ended by another write: %w", txErr)
				for _, o := range ok {
					o.ack <- lost
				}
				ok = ok[:0]
			}
			w.logger.Warn("write transaction aborted",
				"batch_size", len(reqs), "retried", len(ok)+len(rest), "err", txErr)
			return append(ok, rest...)
		}
		if fnErr != nil {
			r.ack <- fnErr // its savepoint is rolled back; the rest of the batch goes on
			continue
		}
		ok = append(ok, r)
	}

	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("store: write: commit: %w", err)
		for _, r := range ok {
			r.ack <- err
		}
		return nil
	}
	w.stats.commits.Add(1)
	w.stats.committed.Add(int64(len(ok)))
	for n := int64(len(ok)); ; {
		cur := w.stats.maxBatch.Load()
		if n <= cur || w.stats.maxBatch.CompareAndSwap(cur, n) {
			break
		}
	}
	for _, r := range ok {
		r.ack <- nil
	}
	return nil
}

// runOne runs fn inside a savepoint. fnErr is fn's own failure (its changes are rolled
// back); txErr means the savepoint could not be managed, so the transaction is unusable.
func (w *writer) runOne(ctx context.Context, tx *sql.Tx, fn func(*sql.Tx) error) (fnErr, txErr error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
		return nil, err
	}
	fnErr = w.call(tx, fn)
	if fnErr == nil {
		_, txErr = tx.ExecContext(ctx, "RELEASE "+savepoint)
		return nil, txErr
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO "+savepoint); err != nil {
		return fnErr, err
	}
	_, txErr = tx.ExecContext(ctx, "RELEASE "+savepoint)
	return fnErr, txErr
}

// call runs fn, turning a panic into an error so that one bad write cannot kill the writer
// goroutine (and with it every later write).
func (w *writer) call(tx *sql.Tx, fn func(*sql.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			// The caller gets the error; only the log can carry the stack.
			w.logger.Error("write panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("store: write: panic: %v", p)
		}
	}()
	return fn(tx)
}
