package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"statusthing/app/auth"
)

// Members lists the members of orgID, owners first, then by e-mail.
func (s *Store) Members(ctx context.Context, orgID int64) ([]auth.Member, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.org_id = ?
		ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'editor' THEN 2 ELSE 3 END, u.email`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	out := []auth.Member{}
	for rows.Next() {
		var m auth.Member
		var joined int64
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &m.Role, &joined); err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		m.JoinedAt = fromMillis(joined)
		out = append(out, m)
	}
	return out, rows.Err()
}

const invitationColumns = `i.id, i.org_id, o.name, i.email, i.role, i.token_hash, ifnull(i.invited_by, 0), i.created_at, i.expires_at,
	i.accepted_at, i.revoked_at`

func scanInvitation(row interface{ Scan(...any) error }) (auth.Invitation, error) {
	var inv auth.Invitation
	var created, expires int64
	var accepted, revoked sql.NullInt64
	err := row.Scan(&inv.ID, &inv.OrgID, &inv.OrgName, &inv.Email, &inv.Role, &inv.TokenHash, &inv.InvitedBy, &created, &expires,
		&accepted, &revoked)
	inv.CreatedAt, inv.ExpiresAt = fromMillis(created), fromMillis(expires)
	inv.AcceptedAt, inv.RevokedAt = fromNullMillis(accepted), fromNullMillis(revoked)
	return inv, err
}

// CreateInvitation stores an invitation (the hash of its token).
func (s *Store) CreateInvitation(ctx context.Context, inv auth.Invitation) (auth.Invitation, error) {
	var invitedBy sql.NullInt64
	if inv.InvitedBy != 0 {
		invitedBy = sql.NullInt64{Int64: inv.InvitedBy, Valid: true}
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO invitations (org_id, email, role, token_hash, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, inv.OrgID, inv.Email, string(inv.Role), inv.TokenHash, invitedBy,
			millis(inv.CreatedAt), millis(inv.ExpiresAt)).Scan(&inv.ID)
	})
	if err != nil {
		return auth.Invitation{}, fmt.Errorf("store: create invitation: %w", err)
	}
	return inv, nil
}

// Invitations lists the invitations of orgID, newest first.
func (s *Store) Invitations(ctx context.Context, orgID int64) ([]auth.Invitation, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+invitationColumns+` FROM invitations i JOIN organizations o ON o.id = i.org_id
		WHERE i.org_id = ? ORDER BY i.id DESC LIMIT 200`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: invitations: %w", err)
	}
	defer rows.Close()
	out := []auth.Invitation{}
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: invitations: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// InvitationByTokenHash finds an invitation by the hash of its token, whatever its state.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash []byte) (auth.Invitation, error) {
	inv, err := scanInvitation(s.read.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations i
		JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = ?`, hash))
	if err != nil {
		return inv, notFoundOr(err, "invitation")
	}
	return inv, nil
}

// RevokeInvitation voids a pending invitation of orgID; ErrNotFound when it has none.
func (s *Store) RevokeInvitation(ctx context.Context, orgID, id int64, now time.Time) error {
	return s.updateOne(ctx, "revoke invitation", `UPDATE invitations SET revoked_at = ifnull(revoked_at, ?)
		WHERE id = ? AND org_id = ?`, millis(now), id, orgID)
}

// AcceptInvitation uses a pending invitation once: the UPDATE that marks it used is the
// single point where two racing acceptances are told apart.
func (s *Store) AcceptInvitation(ctx context.Context, hash []byte, userID int64, newUser auth.User, now time.Time) (auth.User, auth.Invitation, error) {
	var u auth.User
	var inv auth.Invitation
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var err error
		inv, err = scanInvitation(tx.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations i
			JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = ?`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrInvitationInvalid
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL
			AND revoked_at IS NULL AND expires_at > ?`, millis(now), inv.ID, millis(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return auth.ErrInvitationInvalid
		}
		if userID == 0 {
			newUser.Email = inv.Email
			if u, err = insertUser(ctx, tx, newUser, inv.OrgID, inv.Role); err != nil {
				return err
			}
		} else {
			if u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID)); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
				inv.OrgID, userID, string(inv.Role), millis(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return auth.ErrAlreadyMember
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE invitations SET accepted_by = ? WHERE id = ?`, u.ID, inv.ID)
		return err
	})
	for _, known := range []error{auth.ErrInvitationInvalid, auth.ErrAlreadyMember, auth.ErrEmailTaken} {
		if errors.Is(err, known) {
			return auth.User{}, auth.Invitation{}, known
		}
	}
	if err != nil {
		return auth.User{}, auth.Invitation{}, fmt.Errorf("store: accept invitation: %w", err)
	}
	return u, inv, nil
}

// otherOwners counts the owners of orgID besides userID.
func otherOwners(ctx context.Context, tx *sql.Tx, orgID, userID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND role = 'owner' AND user_id <> ?`,
		orgID, userID).Scan(&n)
	return n, err
}

// SetMemberRole changes a member's role in orgID; the last owner stays one (ErrLastOwner).
func (s *Store) SetMemberRole(ctx context.Context, orgID, userID int64, role auth.Role) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if role != auth.RoleOwner {
			n, err := otherOwners(ctx, tx, orgID, userID)
			if err != nil {
				return err
			}
			var cur string
			if err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&cur); err != nil {
				return err
			}
			if cur == string(auth.RoleOwner) && n == 0 {
				return auth.ErrLastOwner
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`, string(role), orgID, userID)
		return err
	})
	if errors.Is(err, auth.ErrLastOwner) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: set member role: %w", err)
	}
	return nil
}

// RemoveMember takes userID out of orgID: the membership, their sessions in it and the
// API tokens they made there go in one transaction. The last owner stays (ErrLastOwner).
func (s *Store) RemoveMember(ctx context.Context, orgID, userID int64, now time.Time) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var role string
		if err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&role); err != nil {
			return err
		}
		if role == string(auth.RoleOwner) {
			n, err := otherOwners(ctx, tx, orgID, userID)
			if err != nil {
				return err
			}
			if n == 0 {
				return auth.ErrLastOwner
			}
		}
		for _, q := range []string{
			`DELETE FROM memberships WHERE org_id = ?1 AND user_id = ?2`,
			`DELETE FROM sessions WHERE org_id = ?1 AND user_id = ?2`,
			`UPDATE api_tokens SET revoked_at = ifnull(revoked_at, ?3) WHERE org_id = ?1 AND created_by = ?2`,
		} {
			if _, err := tx.ExecContext(ctx, q, orgID, userID, millis(now)); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, auth.ErrLastOwner) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	return nil
}

// SetSessionOrg moves a session to another organization (the user's choice in the UI).
func (s *Store) SetSessionOrg(ctx context.Context, sessionID, orgID int64) error {
	return s.updateOne(ctx, "set session organization", `UPDATE sessions SET org_id = ? WHERE id = ?`, orgID, sessionID)
}
