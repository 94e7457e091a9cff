// Package store keeps statusthing's data in one SQLite file. It is the only package that
// imports database/sql: all writes go through one group-commit writer goroutine (see
// Store.Write), reads use a separate pool of query-only connections.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// ErrClosed is returned by Write, Ping and Backup once Close has been called.
var ErrClosed = errors.New("store: closed")

// Defaults for Options fields left at zero.
const (
	defaultReadConns = 4
	defaultMaxBatch  = 1024
)

// Options configures Open.
type Options struct {
	// Path is the SQLite file. Its parent directory is created (0o750) if missing.
	Path string
	// ReadConns is the size of the read pool; 0 means 4.
	ReadConns int
	// MaxBatch caps the writes committed in one group-commit transaction; 0 means 1024.
	MaxBatch int
	// Logger receives the store's logs; nil discards them.
	Logger *slog.Logger
}

// Store is the database: one write connection owned by the group-commit writer goroutine and a
// separate pool of read-only connections. Its methods are safe for concurrent use.
type Store struct {
	read    *sql.DB // query_only connections; the other files of this package query through it
	write   *sql.DB // exactly one connection, used only by the writer goroutine
	writer  *writer
	logger  *slog.Logger
	path    string
	hot     stmtCache // prepared statements of RecordResult, on the write connection
	pingHot stmtCache // and of RecordPing

	alertWake      chan struct{} // see AlertsQueued
	subscriberWake chan struct{} // see SubscribersQueued

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at opts.Path, applies every pending up
// migration and starts the writer. It fails if the database's schema is newer than this
// binary's migrations or was left dirty by a failed migration.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Path == "" {
		return nil, errors.New("store: open: empty path")
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = defaultReadConns
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = defaultMaxBatch
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o750); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}

	// Migrations run on their own short-lived connection (migrate's Close closes the
	// *sql.DB it was given), before the pools exist.
	m, err := openMigrator(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	before, _, _ := m.Version()
	if err := m.up(); err != nil {
		_ = m.close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	after, _, _ := m.Version()
	if err := m.close(); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if after != before {
		logger.Info("schema migrated", "from_version", before, "to_version", after)
	}

	write, err := openDB(ctx, opts.Path, writeDSN(opts.Path), 1)
	if err != nil {
		return nil, fmt.Errorf("store: open: write pool: %w", err)
	}
	read, err := openDB(ctx, opts.Path, readDSN(opts.Path), opts.ReadConns)
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: open: read pool: %w", err)
	}

	s := &Store{
		read:   read,
		write:  write,
		logger: logger,
		path:   opts.Path,

		alertWake:      make(chan struct{}, 1),
		subscriberWake: make(chan struct{}, 1),
	}
	s.writer = newWriter(write, opts.MaxBatch, logger)
	return s, nil
}

// openDB opens a pool of at most conns connections and pings it, because sql.Open is lazy and
// only a connection attempt reports a bad DSN or an unusable file.
func openDB(ctx context.Context, path, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}

// Path returns the database file path given in Options.
func (s *Store) Path() string { return s.path }

// DatabaseSize returns the size in bytes of the database file and of its write-ahead log
// (0 when there is none, e.g. right after a checkpoint that truncated it).
func (s *Store) DatabaseSize() (file, wal int64, err error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, 0, fmt.Errorf("store: database size: %w", err)
	}
	wi, err := os.Stat(s.path + "-wal")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fi.Size(), 0, nil
	case err != nil:
		return 0, 0, fmt.Errorf("store: database size: %w", err)
	}
	return fi.Size(), wi.Size(), nil
}

// Ping checks that the database answers a query on the read pool (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close stops accepting writes (Write then returns ErrClosed), commits and acknowledges every
// write already queued, then closes both pools. It is idempotent and safe to call concurrently
// with Write; every call returns the result of the first.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.writer.close()
		var errs []error
		if err := s.write.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close write pool: %w", err))
		}
		if err := s.read.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close read pool: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// basePragmas returns the pragmas set on every connection. busy_timeout comes first so that
// the others, some of which touch the file (journal_mode), wait for a lock instead of failing
// with SQLITE_BUSY. synchronous=FULL makes a COMMIT durable when it returns; group commit
// amortises the fsync.
func basePragmas() url.Values {
	q := url.Values{}
	for _, p := range []string{
		"busy_timeout(5000)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(1)",
		"journal_size_limit(67108864)",
	} {
		q.Add("_pragma", p)
	}
	return q
}

// writeDSN is the DSN of the write connection: BEGIN takes the write lock at once
// (_txlock=immediate), so a transaction never fails halfway on a lock upgrade.
func writeDSN(path string) string {
	q := basePragmas()
	q.Set("_txlock", "immediate")
	return fileURI(path, q)
}

// readDSN is the DSN of the read pool; query_only makes an accidental write fail loudly.
func readDSN(path string) string {
	q := basePragmas()
	q.Add("_pragma", "query_only(1)")
	return fileURI(path, q)
}

// fileURI builds a "file:" URI so that any byte of path (space, '?', '#', '%') is escaped
// rather than taken for the start of the query string.
func fileURI(path string, q url.Values) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}
