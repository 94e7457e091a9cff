package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
)

// maintenanceBusyMs is how long Maintain waits for locks: well under the writer's
// busy_timeout (5 s), so that a checkpoint waiting for readers gives up before a write
// stalled behind it would fail.
const maintenanceBusyMs = 1000

// Maintain keeps the database file and the query planner in shape; call it periodically
// (every few minutes) while the store is in use. It checkpoints the WAL into the database
// file and truncates it (so the WAL stays small whatever the write rate and however long
// readers held old snapshots), then runs PRAGMA optimize (ANALYZE where the statistics are
// stale, bounded by analysis_limit).
//
// The checkpoint uses a connection of its own: its long part (PASSIVE) runs beside writes;
// only the final TRUNCATE holds writes back, briefly, and gives up after maintenanceBusyMs
// if readers keep old snapshots open (the next run finishes it; journal_size_limit bounds
// the WAL meanwhile). PRAGMA optimize writes statistics, so it goes through the writer like
// any write, rather than waiting for a write lock the writer hardly ever releases.
func (s *Store) Maintain(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if err := s.checkpoint(ctx); err != nil {
		return fmt.Errorf("store: maintain: %w", err)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "PRAGMA analysis_limit = 1000"); err != nil {
			return err
		}
		// 0x10002: look at every table, not only those this connection queried lately.
		_, err := tx.ExecContext(ctx, "PRAGMA optimize(0x10002)")
		return err
	})
	if err != nil {
		return fmt.Errorf("store: maintain: optimize: %w", err)
	}
	return nil
}

// checkpoint copies the WAL into the database file and truncates it.
func (s *Store) checkpoint(ctx context.Context) error {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", maintenanceBusyMs))
	db, err := openDB(ctx, s.path, fileURI(s.path, q), 1)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, mode := range []string{"PASSIVE", "TRUNCATE"} {
		var busy, walFrames, checkpointed int64
		if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &walFrames, &checkpointed); err != nil {
			return fmt.Errorf("checkpoint %s: %w", mode, err)
		}
		if busy != 0 && mode == "TRUNCATE" {
			s.logger.Info("wal checkpoint incomplete", "wal_frames", walFrames, "checkpointed_frames", checkpointed)
		}
	}
	return nil
}
