package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"statusthing/app/auth"
)

// UpdateUserProfile stores a user's name, e-mail, language and time zone; auth.ErrEmailTaken
// when another user has the e-mail (compared case-insensitively, like logins).
func (s *Store) UpdateUserProfile(ctx context.Context, userID int64, p auth.Profile, now time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = ? AND id <> ?`, p.Email, userID).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return auth.ErrEmailTaken
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, locale = ?, time_zone = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Email, p.Locale, p.TimeZone, millis(now), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	switch {
	case errors.Is(err, auth.ErrEmailTaken), errors.Is(err, ErrNotFound):
		return err
	case err != nil:
		return fmt.Errorf("store: update profile: %w", err)
	}
	return nil
}

// ReplacePassword stores a new password hash and ends the user's sessions but keepSessionID,
// in one transaction: no session opened with the old password outlives the change.
func (s *Store) ReplacePassword(ctx context.Context, userID int64, hash string, keepSessionID int64, now time.Time) (int64, error) {
	var ended int64
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, millis(now), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepSessionID)
		if err != nil {
			return err
		}
		ended, err = res.RowsAffected()
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("store: replace password: %w", err)
	}
	return ended, nil
}

// CountUserSessions counts a user's sessions (expired ones not yet pruned included).
func (s *Store) CountUserSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count sessions: %w", err)
	}
	return n, nil
}

// DeleteOtherSessions ends every session of a user but keepSessionID and returns how many.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID, keepSessionID int64) (int64, error) {
	var n int64
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepSessionID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete other sessions: %w", err)
	}
	return n, nil
}

// TOTP reads a user's two-factor state, secret included: callers verify codes with it and
// never show or log it.
func (s *Store) TOTP(ctx context.Context, userID int64) (auth.TOTPState, error) {
	var st auth.TOTPState
	var enabled sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = ?`, userID).
		Scan(&st.Secret, &enabled, &st.LastStep)
	if err != nil {
		return auth.TOTPState{}, notFoundOr(err, "totp")
	}
	st.EnabledAt = fromNullMillis(enabled)
	return st, nil
}

// SetPendingTOTP stores the secret of a new enrolment; auth.ErrTOTPEnabled while one is on.
func (s *Store) SetPendingTOTP(ctx context.Context, userID int64, secret []byte, now time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var enabled sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT totp_enabled_at FROM users WHERE id = ?`, userID).Scan(&enabled); err != nil {
			return err
		}
		if enabled.Valid {
			return auth.ErrTOTPEnabled
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = ?, updated_at = ? WHERE id = ?`, secret, millis(now), userID)
		return err
	})
	switch {
	case errors.Is(err, auth.ErrTOTPEnabled):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("store: set pending totp: %w", err)
	}
	return nil
}

// EnableTOTP turns on the pending enrolment with this secret (auth.ErrNoTOTPSetup when it
// was replaced, cancelled or is on already), records step as used and replaces the
// user's recovery codes, in one transaction.
func (s *Store) EnableTOTP(ctx context.Context, userID int64, secret []byte, step int64, codeHashes [][]byte, now time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var stored []byte
		var enabled sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT totp_secret, totp_enabled_at FROM users WHERE id = ?`, userID).Scan(&stored, &enabled); err != nil {
			return err
		}
		if enabled.Valid || len(stored) == 0 || !bytes.Equal(stored, secret) {
			return auth.ErrNoTOTPSetup
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled_at = ?, totp_last_step = max(totp_last_step, ?), updated_at = ?
			WHERE id = ?`, millis(now), step, millis(now), userID); err != nil {
			return err
		}
		return setRecoveryCodes(ctx, tx, userID, codeHashes, now)
	})
	switch {
	case errors.Is(err, auth.ErrNoTOTPSetup):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("store: enable totp: %w", err)
	}
	return nil
}

// DisableTOTP forgets a user's TOTP secret (pending or on) and recovery codes. The last used
// step stays: steps only grow, so it refuses nothing a new secret would make.
func (s *Store) DisableTOTP(ctx context.Context, userID int64, now time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, updated_at = ? WHERE id = ?`,
			millis(now), userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: disable totp: %w", err)
	}
	return nil
}

// UseTOTPStep records step as a user's last used one unless it is not later than the one
// recorded: the single UPDATE tells two racing uses of one code apart.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	var used bool
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		used = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: use totp step: %w", err)
	}
	return used, nil
}

// UseRecoveryCode spends a user's unused recovery code with this hash; false when there is
// none (wrong, or used already).
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash []byte, now time.Time) (bool, error) {
	var used bool
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE id = (
			SELECT id FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at IS NULL LIMIT 1)`,
			millis(now), userID, hash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		used = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	return used, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: recovery codes left: %w", err)
	}
	return n, nil
}

// The store keeps profiles and two-factor state for the auth service.
var _ auth.ProfileStore = (*Store)(nil)

// ReplaceRecoveryCodes replaces the recovery codes of a user whose TOTP is on
// (auth.ErrNoTOTPSetup otherwise), in one transaction.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID int64, codeHashes [][]byte, now time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var enabled sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT totp_enabled_at FROM users WHERE id = ?`, userID).Scan(&enabled); err != nil {
			return err
		}
		if !enabled.Valid {
			return auth.ErrNoTOTPSetup
		}
		return setRecoveryCodes(ctx, tx, userID, codeHashes, now)
	})
	switch {
	case errors.Is(err, auth.ErrNoTOTPSetup):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("store: replace recovery codes: %w", err)
	}
	return nil
}

// setRecoveryCodes makes codeHashes a user's only recovery codes, in tx.
func setRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, codeHashes [][]byte, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range codeHashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`,
			userID, h, millis(now)); err != nil {
			return err
		}
	}
	return nil
}
