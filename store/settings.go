package store

import (
	"context"
	"database/sql"
	"fmt"
)

// EnsureSetting stores value under key unless the key exists, and returns the stored value.
func (s *Store) EnsureSetting(ctx context.Context, key string, value []byte) ([]byte, error) {
	var stored []byte
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("store: ensure setting %s: %w", key, err)
	}
	return stored, nil
}
