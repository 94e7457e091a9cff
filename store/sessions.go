package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"statusthing/app/auth"
)

// CreateSession inserts a session and deletes the one it replaces, in one transaction.
func (s *Store) CreateSession(ctx context.Context, sess auth.Session, replaces []byte) (auth.Session, error) {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if len(replaces) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, replaces); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, org_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sess.TokenHash, sess.UserID, sess.OrgID, millis(sess.CreatedAt),
			millis(sess.LastSeenAt), millis(sess.ExpiresAt), sess.IP, sess.UserAgent)
		if err != nil {
			return err
		}
		sess.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return auth.Session{}, fmt.Errorf("store: create session: %w", err)
	}
	return sess, nil
}

// SessionByTokenHash finds a session by the hash of its token.
func (s *Store) SessionByTokenHash(ctx context.Context, hash []byte) (auth.Session, error) {
	var sess auth.Session
	var created, seen, expires int64
	err := s.read.QueryRowContext(ctx, `SELECT id, token_hash, user_id, org_id, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE token_hash = ?`, hash).Scan(&sess.ID, &sess.TokenHash, &sess.UserID, &sess.OrgID,
		&created, &seen, &expires, &sess.IP, &sess.UserAgent)
	if err != nil {
		return sess, notFoundOr(err, "session")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	return sess, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, id int64, now time.Time) error {
	return s.exec(ctx, "touch session", `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, millis(now), id)
}

// DeleteSessionByTokenHash ends a session; a missing session is not an error.
func (s *Store) DeleteSessionByTokenHash(ctx context.Context, hash []byte) error {
	return s.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = ?`, hash)
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.exec(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int64, error) {
	var n int64
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR expires_at <= ?`, millis(idleBefore), millis(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}
