package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"statusthing/app/alert"
	"statusthing/app/monitor"
)

// Outcome codes of results.outcome: a small int costs one byte (zero, for up, costs none).
const (
	outcomeUp       = 0
	outcomeDegraded = 1
	outcomeDown     = 2
)

func outcomeCode(o monitor.Outcome) (int64, error) {
	switch o {
	case monitor.OutcomeUp:
		return outcomeUp, nil
	case monitor.OutcomeDegraded:
		return outcomeDegraded, nil
	case monitor.OutcomeDown:
		return outcomeDown, nil
	}
	return 0, fmt.Errorf("unknown outcome %q", o)
}

func outcomeOf(code int64) monitor.Outcome {
	switch code {
	case outcomeUp:
		return monitor.OutcomeUp
	case outcomeDegraded:
		return monitor.OutcomeDegraded
	}
	return monitor.OutcomeDown
}

// resultDetails is the part of monitor.Details stored as JSON: the rare, variable-size values.
// The measurements have columns of their own.
type resultDetails struct {
	BodySnippet string                  `json:"body,omitempty"`
	Answers     []string                `json:"answers,omitempty"`
	Browser     *monitor.BrowserDetails `json:"browser,omitempty"`
}

// orNull stores the zero value ("not measured", "none") as NULL: a NULL costs one byte of the
// record header. It returns a plain nil or value rather than a sql.Null* (a driver.Valuer,
// converted once more on every call of the hot path).
func orNull[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// msOrNull stores a time in ms, the zero time ("never", "not measured") as NULL.
func msOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return millis(t)
}

// resultArgs are the values of one results row, computed once outside the transaction.
type resultArgs struct {
	outcome int64
	details any // JSON string or nil
}

func newResultArgs(r monitor.Result) (resultArgs, error) {
	var a resultArgs
	var err error
	if a.outcome, err = outcomeCode(r.Outcome); err != nil {
		return a, err
	}
	if r.Details.BodySnippet != "" || len(r.Details.Answers) > 0 || r.Details.Browser != nil {
		b, err := json.Marshal(resultDetails{BodySnippet: r.Details.BodySnippet, Answers: r.Details.Answers, Browser: r.Details.Browser})
		if err != nil {
			return a, err
		}
		a.details = string(b)
	}
	return a, nil
}

// RecordResult stores a probe result in one write transaction: it reads the monitor's policy
// and current state, applies monitor.Evaluate, inserts the result, upserts the hourly and
// daily rollups, updates the state and, when the status changed, inserts the flip (with its
// ID and MonitorID set). It returns the new state and the flip (nil if none).
//
// A deleted monitor gives ErrNotFound; a paused one discards the result and returns its
// paused state with a nil flip and a nil error (the probe raced with the pause).
func (s *Store) RecordResult(ctx context.Context, r monitor.Result) (monitor.State, *monitor.Flip, error) {
	return s.recordResult(ctx, r, s.hotStmts())
}

// recordResult is RecordResult with the statement cache to use (nil: none).
func (s *Store) recordResult(ctx context.Context, r monitor.Result, cache *stmtCache) (monitor.State, *monitor.Flip, error) {
	args, err := newResultArgs(r)
	if err != nil {
		return monitor.State{}, nil, fmt.Errorf("store: record result: %w", err)
	}
	if err := cache.prepare(ctx, s.write, hotQueries()); err != nil {
		return monitor.State{}, nil, fmt.Errorf("store: record result: %w", err)
	}
	// The statements of fn are short point writes: they are not interrupted when ctx ends
	// (an interrupted statement would roll back the whole shared batch, and watching ctx
	// costs a goroutine per statement). Write still gives up waiting when ctx ends.
	wctx := context.WithoutCancel(ctx)
	var state monitor.State
	var flip *monitor.Flip
	var certAlerted bool
	// fn only reads the database and its inputs, so the writer may run it again safely.
	err = s.Write(ctx, func(tx *sql.Tx) error {
		h := hotTx{tx: tx, cache: cache}
		certAlerted = false
		prev, policy, paused, cw, err := stateForUpdate(wctx, h, r.MonitorID)
		if err != nil {
			return err
		}
		if paused || prev.Status == monitor.StatusPaused {
			m, err := scanMonitor(tx.QueryRowContext(wctx, `SELECT `+monitorColumns+monitorFrom+` WHERE m.id = ?`, r.MonitorID))
			state, flip = m.State, nil
			return err
		}
		next, f := monitor.Evaluate(prev, r, policy)
		id, err := insertResult(wctx, h, r, args)
		if err != nil {
			return err
		}
		if r.Screenshot != nil {
			if err := insertScreenshot(wctx, tx, r, id); err != nil {
				return err
			}
		}
		if err := upsertRollups(wctx, h, r); err != nil {
			return err
		}
		if err := updateState(wctx, h, r.MonitorID, next); err != nil {
			return err
		}
		if f != nil {
			if err := insertFlip(wctx, h, r.MonitorID, f, r.ErrorClass); err != nil {
				return err
			}
		}
		if alert.CertAlertDue(r.Details.CertExpiry, r.StartedAt, cw.days, cw.alerted) {
			if certAlerted, err = certAlert(wctx, tx, r.MonitorID, next.Status, r.Details.CertExpiry, r.StartedAt); err != nil {
				return err
			}
		}
		state, flip = next, f
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return monitor.State{}, nil, ErrNotFound
	}
	if err != nil {
		return monitor.State{}, nil, fmt.Errorf("store: record result: %w", err)
	}
	if flip != nil || certAlerted {
		s.wakeAlerts()
	}
	return state, flip, nil
}

const qStateForUpdate = `SELECT m.paused, m.retries, m.recoveries, st.status, st.since,
	st.consecutive_failures, st.consecutive_successes, m.cert_alert_days, st.cert_alerted_expiry
	FROM monitors m JOIN monitor_state st ON st.monitor_id = m.id WHERE m.id = ?`

// certWatch is what a result needs to tell whether its certificate alerts
// (alert.CertAlertDue): the days ahead and the expiry of the certificate last alerted.
type certWatch struct {
	days    int
	alerted time.Time
}

// stateForUpdate reads, inside a write transaction, what Evaluate needs: the policy and the
// state without the last check's fields, which Evaluate replaces anyway; and the
// certificate alert's state.
func stateForUpdate(ctx context.Context, h hotTx, id int64) (st monitor.State, p monitor.Policy, paused bool, cw certWatch, err error) {
	var since int64
	var alerted sql.NullInt64
	err = h.queryRow(ctx, qStateForUpdate, id).Scan(&paused, &p.Retries, &p.Recoveries, &st.Status, &since,
		&st.ConsecutiveFailures, &st.ConsecutiveSuccesses, &cw.days, &alerted)
	if errors.Is(err, sql.ErrNoRows) {
		return st, p, false, cw, ErrNotFound
	}
	st.Since, cw.alerted = fromMillis(since), fromNullMillis(alerted)
	return st, p, paused, cw, err
}

// qInsertResult gives the result the id SQLite would, max(id)+1, except that an empty results
// table (pruned, or emptied by a monitor's deletion) continues after failed_results: no id
// held by a row of either table is reused, so a result keeps its id when pruning moves it,
// and "id order ~ time order" holds. (AUTOINCREMENT would too, at ~15% of the write throughput.)
const qInsertResult = `INSERT INTO results (id, monitor_id, started_at, duration_ms, outcome, error_class, message,
	status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, cert_expiry, details)
	VALUES (ifnull((SELECT max(id) FROM results), (SELECT ifnull(max(id), 0) FROM failed_results)) + 1,
	?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func insertResult(ctx context.Context, h hotTx, r monitor.Result, a resultArgs) (int64, error) {
	d := r.Details
	var errorClass any
	if r.Outcome != monitor.OutcomeUp {
		errorClass = orNull(string(r.ErrorClass))
	}
	res, err := h.exec(ctx, qInsertResult,
		r.MonitorID, millis(r.StartedAt), durationMs(r.Duration), a.outcome, errorClass,
		orNull(r.Message), orNull(int64(d.StatusCode)), orNull(durationMs(d.DNS)), orNull(durationMs(d.Connect)),
		orNull(durationMs(d.TLS)), orNull(durationMs(d.FirstByte)), msOrNull(d.CertExpiry), a.details)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

const qUpdateState = `UPDATE monitor_state SET status = ?, since = ?, last_checked_at = ?, last_duration_ms = ?,
	last_message = ?, consecutive_failures = ?, consecutive_successes = ? WHERE monitor_id = ?`

// updateState writes a monitor's state row.
func updateState(ctx context.Context, h hotTx, id int64, st monitor.State) error {
	_, err := h.exec(ctx, qUpdateState,
		string(st.Status), millis(st.Since), msOrNull(st.LastCheckedAt), durationMs(st.LastDuration),
		st.LastMessage, st.ConsecutiveFailures, st.ConsecutiveSuccesses, id)
	return err
}

const qInsertFlip = `INSERT INTO flips (monitor_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)`

// insertFlip records f for monitor id, sets f.ID and f.MonitorID, and carries the change
// over to the monitor's incident and alerts (applyFlip; cause: the error class that caused
// it, "" if none).
func insertFlip(ctx context.Context, h hotTx, id int64, f *monitor.Flip, cause monitor.ErrorClass) error {
	res, err := h.exec(ctx, qInsertFlip, id, millis(f.At), string(f.From), string(f.To), f.Reason)
	if err != nil {
		return err
	}
	f.MonitorID = id
	if f.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return applyFlip(ctx, h, id, f, cause)
}

// hotQueries are the statements of RecordResult, worth preparing once.
func hotQueries() []string {
	qs := []string{qStateForUpdate, qInsertResult, qUpdateState, qInsertFlip}
	for _, table := range rollupUpserts {
		qs = append(qs, table[:]...)
	}
	return qs
}

// hotStmts returns the store's cache of prepared statements for RecordResult. Unprepared,
// every statement is parsed and planned again on each call, which takes most of the
// writer's time (BenchmarkRecordResult/parsed against /prepared).
func (s *Store) hotStmts() *stmtCache { return &s.hot }

// stmtCache holds statements prepared once on the write connection, for the writes that run
// thousands of times a second. SQLite parses and plans a statement on every Exec of a query
// string (modernc.org/sqlite has no statement cache); a prepared statement only binds and
// steps. The zero value is ready to use; a nil *stmtCache is a valid empty cache.
type stmtCache struct {
	mu    sync.Mutex // serializes prepare; stmt never takes it (see prepare)
	stmts atomic.Pointer[map[string]*sql.Stmt]
}

// prepare prepares queries on db, once. It must be called outside any write fn: preparing
// on the single write connection waits for the writer to finish its transaction, so it
// would wait for itself from inside one. stmt, which fns call, reads an immutable map
// through an atomic pointer and never waits for prepare.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, queries []string) error {
	if c == nil || c.stmts.Load() != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts.Load() != nil {
		return nil
	}
	m := make(map[string]*sql.Stmt, len(queries))
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			for _, p := range m {
				_ = p.Close()
			}
			return fmt.Errorf("prepare: %w", err)
		}
		m[q] = st
	}
	c.stmts.Store(&m)
	return nil
}

// stmt returns query prepared for tx, or nil if it is not in the cache. database/sql keeps
// the driver statement of each connection, so on the write connection this binds the
// already-prepared statement to tx without parsing anything.
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	m := c.stmts.Load()
	if m == nil {
		return nil
	}
	st, ok := (*m)[query]
	if !ok {
		return nil
	}
	return tx.StmtContext(ctx, st)
}

// hotTx runs statements in a write transaction, prepared ones when its cache has them.
type hotTx struct {
	tx    *sql.Tx
	cache *stmtCache
}

func (h hotTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := h.cache.stmt(ctx, h.tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return h.tx.ExecContext(ctx, query, args...)
}

func (h hotTx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := h.cache.stmt(ctx, h.tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return h.tx.QueryRowContext(ctx, query, args...)
}

// resultColumns are read by scanResult, from table (results or failed_results).
func resultColumns(table string) string {
	return `id, monitor_id, started_at, duration_ms, outcome, error_class, message, status_code,
	dns_ms, connect_ms, tls_ms, ttfb_ms, cert_expiry, details,
	(SELECT s.id FROM screenshots s WHERE s.result_id = ` + table + `.id)`
}

func scanResult(row interface{ Scan(...any) error }) (monitor.Result, error) {
	var r monitor.Result
	var started, duration, outcome int64
	var errorClass, message, details sql.NullString
	var status, dns, connect, tlsMs, ttfb, cert, screenshot sql.NullInt64
	if err := row.Scan(&r.ID, &r.MonitorID, &started, &duration, &outcome, &errorClass, &message, &status,
		&dns, &connect, &tlsMs, &ttfb, &cert, &details, &screenshot); err != nil {
		return r, err
	}
	r.ScreenshotID = screenshot.Int64
	r.StartedAt, r.Duration, r.Outcome = fromMillis(started), msDuration(duration), outcomeOf(outcome)
	r.ErrorClass, r.Message = monitor.ErrorClass(errorClass.String), message.String
	r.Details = monitor.Details{
		StatusCode: int(status.Int64),
		DNS:        msDuration(dns.Int64),
		Connect:    msDuration(connect.Int64),
		TLS:        msDuration(tlsMs.Int64),
		FirstByte:  msDuration(ttfb.Int64),
		CertExpiry: fromNullMillis(cert),
	}
	if details.Valid {
		var d resultDetails
		if err := json.Unmarshal([]byte(details.String), &d); err != nil {
			return r, fmt.Errorf("result %d: details: %w", r.ID, err)
		}
		r.Details.BodySnippet, r.Details.Answers, r.Details.Browser = d.BodySnippet, d.Answers, d.Browser
	}
	return r, nil
}

// Results lists results of a monitor of orgID that started before before (no bound when
// before is zero), newest first, at most limit (<= 0 means 100): the recent ones from
// results, the older failed ones from failed_results. Paging: pass the StartedAt of the last
// result of a page as the next before.
func (s *Store) Results(ctx context.Context, orgID, monitorID int64, before time.Time, limit int) ([]monitor.Result, error) {
	if limit <= 0 {
		limit = defaultListLimit
	}
	upper := int64(math.MaxInt64)
	if !before.IsZero() {
		upper = millis(before)
	}
	if err := s.checkMonitor(ctx, "results", orgID, monitorID); err != nil {
		return nil, err
	}
	// Each arm walks its (monitor_id, started_at) index backwards; SQLite merges them.
	rows, err := s.read.QueryContext(ctx, `SELECT `+resultColumns("results")+` FROM results
			WHERE monitor_id = ?1 AND started_at < ?2
		UNION ALL
		SELECT `+resultColumns("failed_results")+` FROM failed_results
			WHERE monitor_id = ?1 AND started_at < ?2
		ORDER BY started_at DESC, id DESC LIMIT ?3`, monitorID, upper, limit)
	if err != nil {
		return nil, fmt.Errorf("store: results: %w", err)
	}
	defer rows.Close()
	out := []monitor.Result{}
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return nil, fmt.Errorf("store: results: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: results: %w", err)
	}
	return out, nil
}
