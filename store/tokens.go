package store

import (
	"context"
	"database/sql"
	"errors"
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
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (org_id, name, prefix, token_hash, scope, created_by, created_at, expires_at, role)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.OrgID, t.Name, t.Prefix, t.TokenHash, string(t.Scope), createdBy,
			millis(t.CreatedAt), nullMillis(t.ExpiresAt), string(t.Role))
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

// APITokenByHash finds a token by the hash of its secret, revoked or not, with its
// creator's current role in the token's organization ("" when the creator is no member).
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (auth.APIToken, auth.Role, error) {
	var creatorRole sql.NullString
	t, err := scanAPIToken(s.read.QueryRowContext(ctx, `SELECT `+apiTokenColumns+`,
		(SELECT m.role FROM memberships m WHERE m.org_id = api_tokens.org_id AND m.user_id = api_tokens.created_by)
		FROM api_tokens WHERE token_hash = ?`, hash), &creatorRole)
	if err != nil {
		return t, "", notFoundOr(err, "api token")
	}
	return t, auth.Role(creatorRole.String), nil
}

// TouchAPIToken records that a token was used.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, now time.Time) error {
	return s.exec(ctx, "touch api token", `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, millis(now), id)
}

// apiTokenColumns are read by scanAPIToken.
const apiTokenColumns = `id, org_id, name, prefix, token_hash, scope, created_by, created_at, expires_at, last_used_at, revoked_at, role`

// scanAPIToken reads apiTokenColumns, then extra columns into extra.
func scanAPIToken(row interface{ Scan(...any) error }, extra ...any) (auth.APIToken, error) {
	var t auth.APIToken
	var createdBy, expires, used, revoked sql.NullInt64
	var created int64
	if err := row.Scan(append([]any{&t.ID, &t.OrgID, &t.Name, &t.Prefix, &t.TokenHash, &t.Scope, &createdBy, &created, &expires,
		&used, &revoked, &t.Role}, extra...)...); err != nil {
		return t, err
	}
	t.CreatedBy = createdBy.Int64
	t.CreatedAt = fromMillis(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromNullMillis(expires), fromNullMillis(used), fromNullMillis(revoked)
	return t, nil
}

// APITokens lists the API tokens of orgID (revoked and expired ones too) with an id above
// afterID, by id, created in [from, to) (zero: unbounded), at most limit (<= 0 means 100).
func (s *Store) APITokens(ctx context.Context, orgID, afterID int64, from, to time.Time, limit int) ([]auth.APIToken, error) {
	lo, hi := timeBounds(from, to)
	rows, err := s.read.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens
		WHERE org_id = ? AND id > ? AND created_at >= ? AND created_at < ? ORDER BY id LIMIT ?`,
		orgID, afterID, lo, hi, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: api tokens: %w", err)
	}
	defer rows.Close()
	out := []auth.APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: api tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: api tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes token id of orgID at now and returns it; revoking a revoked token
// keeps its first revocation time. ErrNotFound when orgID has no such token.
func (s *Store) RevokeAPIToken(ctx context.Context, orgID, id int64, now time.Time) (auth.APIToken, error) {
	var t auth.APIToken
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ifnull(revoked_at, ?) WHERE id = ? AND org_id = ?`,
			millis(now), id, orgID); err != nil {
			return err
		}
		var err error
		t, err = scanAPIToken(tx.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE id = ? AND org_id = ?`, id, orgID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return auth.APIToken{}, ErrNotFound
	}
	if err != nil {
		return auth.APIToken{}, fmt.Errorf("store: revoke api token: %w", err)
	}
	return t, nil
}
