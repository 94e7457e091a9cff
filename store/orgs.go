package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"statusthing/app/auth"
)

// insertOrganization inserts org, suffixing its slug (-2, -3...) until it is unique.
func insertOrganization(ctx context.Context, tx *sql.Tx, org auth.Organization) (auth.Organization, error) {
	base := org.Slug
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organizations WHERE slug = ?`, org.Slug).Scan(&n); err != nil {
			return org, err
		}
		if n == 0 {
			break
		}
		org.Slug = base + "-" + strconv.Itoa(i)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO organizations (slug, name, created_at) VALUES (?, ?, ?)`,
		org.Slug, org.Name, millis(org.CreatedAt))
	if err != nil {
		return org, err
	}
	org.ID, err = res.LastInsertId()
	return org, err
}

// Organizations lists every organization, oldest first.
func (s *Store) Organizations(ctx context.Context) ([]auth.Organization, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, slug, name, created_at FROM organizations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: organizations: %w", err)
	}
	defer rows.Close()
	var out []auth.Organization
	for rows.Next() {
		o, err := scanOrganization(rows)
		if err != nil {
			return nil, fmt.Errorf("store: organizations: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: organizations: %w", err)
	}
	return out, nil
}

// OrganizationBySlug finds an organization by slug.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (auth.Organization, error) {
	o, err := scanOrganization(s.read.QueryRowContext(ctx, `SELECT id, slug, name, created_at FROM organizations WHERE slug = ?`, slug))
	if err != nil {
		return o, notFoundOr(err, "organization by slug")
	}
	return o, nil
}

func scanOrganization(row interface{ Scan(...any) error }) (auth.Organization, error) {
	var o auth.Organization
	var created int64
	err := row.Scan(&o.ID, &o.Slug, &o.Name, &created)
	o.CreatedAt = fromMillis(created)
	return o, err
}

func firstOrganization(ctx context.Context, tx *sql.Tx) (auth.Organization, error) {
	return scanOrganization(tx.QueryRowContext(ctx, `SELECT id, slug, name, created_at FROM organizations ORDER BY id LIMIT 1`))
}

// DefaultOrganization returns the first organization, creating it with name if none exists
// (monitors declared in the config file need one before anybody has signed up).
func (s *Store) DefaultOrganization(ctx context.Context, name, slug string, now time.Time) (auth.Organization, error) {
	var org auth.Organization
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var err error
		org, err = firstOrganization(ctx, tx)
		if errors.Is(err, sql.ErrNoRows) {
			org, err = insertOrganization(ctx, tx, auth.Organization{Slug: slug, Name: name, CreatedAt: now})
		}
		return err
	})
	if err != nil {
		return auth.Organization{}, fmt.Errorf("store: default organization: %w", err)
	}
	return org, nil
}

// CreateOrganization creates an organization (its slug suffixed until unique) with
// ownerID as its owner, in one transaction.
func (s *Store) CreateOrganization(ctx context.Context, org auth.Organization, ownerID int64) (auth.Organization, error) {
	var created auth.Organization
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var err error
		if created, err = insertOrganization(ctx, tx, org); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)`,
			created.ID, ownerID, millis(org.CreatedAt))
		return err
	})
	if err != nil {
		return auth.Organization{}, fmt.Errorf("store: create organization: %w", err)
	}
	return created, nil
}

// OrganizationStats counts, per organization, its members, monitors and status pages:
// the instance admins' overview.
func (s *Store) OrganizationStats(ctx context.Context) (map[int64][3]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT o.id,
		(SELECT count(*) FROM memberships m WHERE m.org_id = o.id),
		(SELECT count(*) FROM monitors x WHERE x.org_id = o.id),
		(SELECT count(*) FROM status_pages p WHERE p.org_id = o.id)
		FROM organizations o`)
	if err != nil {
		return nil, fmt.Errorf("store: organization stats: %w", err)
	}
	defer rows.Close()
	out := map[int64][3]int{}
	for rows.Next() {
		var id int64
		var c [3]int
		if err := rows.Scan(&id, &c[0], &c[1], &c[2]); err != nil {
			return nil, fmt.Errorf("store: organization stats: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// DeleteOrganization deletes an organization and, by the foreign keys, everything it owns:
// monitors and their history, incidents, pages, channels, tokens, sessions, memberships.
// The instance keeps at least one organization (ErrLastOrganization).
func (s *Store) DeleteOrganization(ctx context.Context, orgID int64) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organizations WHERE id <> ?`, orgID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrLastOrganization
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM organizations WHERE id = ?`, orgID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return ErrNotFound
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrLastOrganization) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: delete organization: %w", err)
	}
	return nil
}

// ErrLastOrganization refuses to delete the instance's only organization.
var ErrLastOrganization = auth.ErrLastOrganization
