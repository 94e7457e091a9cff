package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"statusthing/app/auth"
)

const userColumns = `id, email, name, password_hash, locale, time_zone, is_instance_admin, totp_enabled_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var created, updated int64
	var totpEnabled sql.NullInt64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Locale, &u.TimeZone, &u.IsInstanceAdmin, &totpEnabled,
		&created, &updated)
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	u.TOTPEnabledAt = fromNullMillis(totpEnabled)
	return u, err
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// CreateFirstUser creates the first organization and its owner, unless a user exists.
func (s *Store) CreateFirstUser(ctx context.Context, org auth.Organization, u auth.User) (auth.User, auth.Organization, error) {
	u.IsInstanceAdmin = true
	var createdUser auth.User
	var createdOrg auth.Organization
	// The writer may run fn again after a rolled-back batch: it reads only its inputs.
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return auth.ErrSetupDone
		}
		// An organization may exist already (made at start for config-declared monitors):
		// the first user owns it.
		var err error
		if createdOrg, err = firstOrganization(ctx, tx); errors.Is(err, sql.ErrNoRows) {
			createdOrg, err = insertOrganization(ctx, tx, org)
		}
		if err != nil {
			return err
		}
		createdUser, err = insertUser(ctx, tx, u, createdOrg.ID, auth.RoleOwner)
		return err
	})
	if err != nil {
		if errors.Is(err, auth.ErrSetupDone) || errors.Is(err, auth.ErrEmailTaken) {
			return auth.User{}, auth.Organization{}, err
		}
		return auth.User{}, auth.Organization{}, fmt.Errorf("store: create first user: %w", err)
	}
	return createdUser, createdOrg, nil
}

// CreateUser creates a user with a role in an organization.
func (s *Store) CreateUser(ctx context.Context, u auth.User, orgID int64, role auth.Role) (auth.User, error) {
	var created auth.User
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = insertUser(ctx, tx, u, orgID, role)
		return err
	})
	if err != nil {
		if errors.Is(err, auth.ErrEmailTaken) {
			return auth.User{}, err
		}
		return auth.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return created, nil
}

func insertUser(ctx context.Context, tx *sql.Tx, u auth.User, orgID int64, role auth.Role) (auth.User, error) {
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = ?`, u.Email).Scan(&exists); err != nil {
		return u, err
	}
	if exists > 0 {
		return u, auth.ErrEmailTaken
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, password_hash, locale, time_zone, is_instance_admin, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.Email, u.Name, u.PasswordHash, u.Locale, u.TimeZone, u.IsInstanceAdmin, millis(u.CreatedAt), millis(u.UpdatedAt))
	if err != nil {
		return u, err
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return u, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
		orgID, u.ID, string(role), millis(u.CreatedAt))
	return u, err
}

// UserByEmail finds a user by e-mail, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if err != nil {
		return u, notFoundOr(err, "user by email")
	}
	return u, nil
}

// UserByID finds a user by id.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return u, notFoundOr(err, "user by id")
	}
	return u, nil
}

// UpdatePasswordHash replaces a user's password hash.
func (s *Store) UpdatePasswordHash(ctx context.Context, userID int64, hash string, now time.Time) error {
	return s.updateOne(ctx, "update password", `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, millis(now), userID)
}

// UpdateUserLocale sets a user's language ("" follows the browser).
func (s *Store) UpdateUserLocale(ctx context.Context, userID int64, locale string, now time.Time) error {
	return s.updateOne(ctx, "update locale", `UPDATE users SET locale = ?, updated_at = ? WHERE id = ?`, locale, millis(now), userID)
}

// MembershipsOfUser lists the organizations a user belongs to, oldest first.
func (s *Store) MembershipsOfUser(ctx context.Context, userID int64) ([]auth.Membership, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT m.org_id, o.slug, o.name, m.user_id, m.role
		FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY m.org_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	defer rows.Close()
	var out []auth.Membership
	for rows.Next() {
		var m auth.Membership
		if err := rows.Scan(&m.OrgID, &m.OrgSlug, &m.OrgName, &m.UserID, &m.Role); err != nil {
			return nil, fmt.Errorf("store: memberships: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	return out, nil
}
