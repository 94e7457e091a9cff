package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"statusthing/app/auth"
)

// CreateAPIToken stores a token (its hash, never its secret).
func (s *Store) CreateAPIToken(ctx context.Context, t auth.APIToken) (auth.APIToken, error) {
	var createdBy sql.NullInt64
	if t.CreatedBy != 0 {
		createdBy = sql.NullInt64{Int64: t.CreatedBy, Valid: true}
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (org_id, name, prefix, token_hash, scope, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.OrgID, t.Name, t.Prefix, t.TokenHash, string(t.Scope), createdBy,
			millis(t.CreatedAt), nullMillis(t.ExpiresAt))
		if err != nil {
			return err
		}
		t.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return auth.APIToken{}, fmt.Errorf("store: create api token: %w", err)
	}
	return t, nil
}

// APITokenByHash finds a token by the hash of its secret, revoked or not.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (auth.APIToken, error) {
	var t auth.APIToken
	var createdBy, expires, used, revoked sql.NullInt64
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT id, org_id, name, prefix, token_hash, scope, created_by, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = ?`, hash).Scan(&t.ID, &t.OrgID, &t.Name, &t.Prefix, &t.TokenHash, &t.Scope,
		&createdBy, &created, &expires, &used, &revoked)
	if err != nil {
		return t, notFoundOr(err, "api token")
	}
	t.CreatedBy = createdBy.Int64
	t.CreatedAt = fromMillis(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromNullMillis(expires), fromNullMillis(used), fromNullMillis(revoked)
	return t, nil
}

// TouchAPIToken records that a token was used.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, now time.Time) error {
	return s.exec(ctx, "touch api token", `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, millis(now), id)
}
