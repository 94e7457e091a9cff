package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// notFound is the type of ErrNotFound. Packages that must not import store recognise it by
// its NotFound method (see auth.IsNotFound).
type notFound struct{}

func (notFound) Error() string  { return "store: not found" }
func (notFound) NotFound() bool { return true }

// notFoundOr maps sql.ErrNoRows to ErrNotFound and wraps anything else.
func notFoundOr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// exec runs one statement through the writer.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// updateOne runs an UPDATE through the writer and returns ErrNotFound when it matched no row.
func (s *Store) updateOne(ctx context.Context, what, query string, args ...any) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound error = notFound{}

// ErrTypeChange refuses to turn a heartbeat into a probed monitor or back: they keep
// different histories (pings, results).
var ErrTypeChange = errors.New("a heartbeat monitor cannot become a probed monitor or the reverse: create a new monitor")
