package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/statuspage"
)

const statusPageColumns = `p.id, p.org_id, p.slug, p.title, p.description, ifnull(p.custom_domain, ''), p.locale, p.is_default,
	p.public, p.collapsed_groups, p.logo_type, p.created_at, p.updated_at`

func scanStatusPage(row interface{ Scan(...any) error }) (statuspage.Page, error) {
	var p statuspage.Page
	var collapsed string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.OrgID, &p.Slug, &p.Title, &p.Description, &p.CustomDomain, &p.Locale, &p.Default,
		&p.Public, &collapsed, &p.LogoType, &created, &updated); err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	if err := json.Unmarshal([]byte(collapsed), &p.CollapsedGroups); err != nil {
		return p, fmt.Errorf("collapsed groups: %w", err)
	}
	return p, nil
}

// statusPages reads the pages matching where with their components, by id.
func (s *Store) statusPages(ctx context.Context, what, where string, args ...any) ([]statuspage.Page, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+statusPageColumns+` FROM status_pages p WHERE `+where+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []statuspage.Page{}
	at := map[int64]int{}
	for rows.Next() {
		p, err := scanStatusPage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		at[p.ID] = len(out)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	crows, err := s.read.QueryContext(ctx, `SELECT c.id, c.page_id, c.group_name, c.name, c.description, ifnull(c.monitor_id, 0),
		c.status, c.show_response_time, c.created_at FROM page_components c JOIN status_pages p ON p.id = c.page_id
		WHERE `+where+` ORDER BY c.page_id, c.position, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s components: %w", what, err)
	}
	defer crows.Close()
	for crows.Next() {
		var c statuspage.Component
		var created int64
		if err := crows.Scan(&c.ID, &c.PageID, &c.Group, &c.Name, &c.Description, &c.MonitorID, &c.Status, &c.ShowResponseTime, &created); err != nil {
			return nil, fmt.Errorf("store: %s components: %w", what, err)
		}
		c.CreatedAt = fromMillis(created)
		p := &out[at[c.PageID]]
		p.Components = append(p.Components, c)
	}
	if err := crows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s components: %w", what, err)
	}
	return out, nil
}

func (s *Store) oneStatusPage(ctx context.Context, what, where string, args ...any) (statuspage.Page, error) {
	ps, err := s.statusPages(ctx, what, where, args...)
	if err != nil {
		return statuspage.Page{}, err
	}
	if len(ps) == 0 {
		return statuspage.Page{}, ErrNotFound
	}
	return ps[0], nil
}

// StatusPages lists the status pages of orgID with their components, by id.
func (s *Store) StatusPages(ctx context.Context, orgID int64) ([]statuspage.Page, error) {
	return s.statusPages(ctx, "status pages", `p.org_id = ?`, orgID)
}

// StatusPage returns a status page of orgID with its components.
func (s *Store) StatusPage(ctx context.Context, orgID, id int64) (statuspage.Page, error) {
	return s.oneStatusPage(ctx, "status page", `p.org_id = ? AND p.id = ?`, orgID, id)
}

// StatusPageBySlug returns the page served at /status/{slug}, whatever its organization:
// slugs are one namespace for the instance and the page is what its visitors asked for.
func (s *Store) StatusPageBySlug(ctx context.Context, slug string) (statuspage.Page, error) {
	return s.oneStatusPage(ctx, "status page by slug", `p.slug = ?`, strings.ToLower(slug))
}

// StatusPageByDomain returns the page whose custom domain is host (lower-case, no port).
func (s *Store) StatusPageByDomain(ctx context.Context, host string) (statuspage.Page, error) {
	return s.oneStatusPage(ctx, "status page by domain", `p.custom_domain = ?`, strings.ToLower(host))
}

// DefaultStatusPage returns the page served at "/" of the instance.
func (s *Store) DefaultStatusPage(ctx context.Context) (statuspage.Page, error) {
	return s.oneStatusPage(ctx, "default status page", `p.is_default = 1`)
}

// StatusPageRoutes returns the slug of every page with its custom domain and whether it is
// the default: the public router's table, read once per change.
func (s *Store) StatusPageRoutes(ctx context.Context) ([]statuspage.Page, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, org_id, slug, ifnull(custom_domain, ''), is_default FROM status_pages`)
	if err != nil {
		return nil, fmt.Errorf("store: status page routes: %w", err)
	}
	defer rows.Close()
	var out []statuspage.Page
	for rows.Next() {
		var p statuspage.Page
		if err := rows.Scan(&p.ID, &p.OrgID, &p.Slug, &p.CustomDomain, &p.Default); err != nil {
			return nil, fmt.Errorf("store: status page routes: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreateStatusPage validates and stores a page with its components (ids ignored).
// Refusals are *statuspage.Error (wrapped): invalid values, a slug or custom domain
// already used, a monitor that is not the organization's.
func (s *Store) CreateStatusPage(ctx context.Context, p statuspage.Page, now time.Time) (statuspage.Page, error) {
	if err := p.Validate(); err != nil {
		return statuspage.Page{}, fmt.Errorf("store: create status page: %w", err)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if err := checkPageUnique(ctx, tx, p); err != nil {
			return err
		}
		if p.Default {
			if _, err := tx.ExecContext(ctx, `UPDATE status_pages SET is_default = 0 WHERE is_default = 1`); err != nil {
				return err
			}
		}
		collapsed, _ := json.Marshal(nonNil(p.CollapsedGroups))
		if err := tx.QueryRowContext(ctx, `INSERT INTO status_pages (org_id, slug, title, description, custom_domain, locale,
			is_default, public, collapsed_groups, created_at, updated_at) VALUES (?, ?, ?, ?, nullif(?, ''), ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.OrgID, p.Slug, p.Title, p.Description, p.CustomDomain, p.Locale, p.Default, p.Public, string(collapsed),
			millis(now), millis(now)).Scan(&p.ID); err != nil {
			return err
		}
		return saveComponents(ctx, tx, p, now)
	})
	if err != nil {
		return statuspage.Page{}, fmt.Errorf("store: create status page: %w", err)
	}
	return s.StatusPage(ctx, p.OrgID, p.ID)
}

// UpdateStatusPage replaces a page of p.OrgID and its components: components with the id
// of one of its components keep it (and their incidents), those with id 0 are added, the
// missing ones are deleted. The logo is kept. ErrNotFound when the page is not the
// organization's; refusals as CreateStatusPage.
func (s *Store) UpdateStatusPage(ctx context.Context, p statuspage.Page, now time.Time) (statuspage.Page, error) {
	if err := p.Validate(); err != nil {
		return statuspage.Page{}, fmt.Errorf("store: update status page: %w", err)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		if err := checkPageUnique(ctx, tx, p); err != nil {
			return err
		}
		if p.Default {
			if _, err := tx.ExecContext(ctx, `UPDATE status_pages SET is_default = 0 WHERE is_default = 1 AND id <> ?`, p.ID); err != nil {
				return err
			}
		}
		collapsed, _ := json.Marshal(nonNil(p.CollapsedGroups))
		res, err := tx.ExecContext(ctx, `UPDATE status_pages SET slug = ?, title = ?, description = ?, custom_domain = nullif(?, ''),
			locale = ?, is_default = ?, public = ?, collapsed_groups = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			p.Slug, p.Title, p.Description, p.CustomDomain, p.Locale, p.Default, p.Public, string(collapsed), millis(now), p.ID, p.OrgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return saveComponents(ctx, tx, p, now)
	})
	if errors.Is(err, ErrNotFound) {
		return statuspage.Page{}, ErrNotFound
	}
	if err != nil {
		return statuspage.Page{}, fmt.Errorf("store: update status page: %w", err)
	}
	return s.StatusPage(ctx, p.OrgID, p.ID)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkPageUnique refuses a slug or custom domain another page already has, naming the
// field (the unique indexes would only say "constraint failed").
func checkPageUnique(ctx context.Context, tx *sql.Tx, p statuspage.Page) error {
	var fields []monitor.FieldError
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM status_pages WHERE slug = ? AND id <> ?`, p.Slug, p.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		fields = append(fields, monitor.FieldError{Field: "slug", Message: "another status page has this slug"})
	}
	if p.CustomDomain != "" {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM status_pages WHERE custom_domain = ? AND id <> ?`, p.CustomDomain, p.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			fields = append(fields, monitor.FieldError{Field: "custom_domain", Message: "another status page has this domain"})
		}
	}
	if len(fields) > 0 {
		return &statuspage.Error{Fields: fields}
	}
	return nil
}

// saveComponents makes p's components the page's, in order.
func saveComponents(ctx context.Context, tx *sql.Tx, p statuspage.Page, now time.Time) error {
	keep := []string{}
	for i, c := range p.Components {
		if c.MonitorID > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM monitors WHERE id = ? AND org_id = ?`, c.MonitorID, p.OrgID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return &statuspage.Error{Fields: []monitor.FieldError{{Field: "components[" + strconv.Itoa(i) + "].monitor_id",
					Message: fmt.Sprintf("unknown monitor %d", c.MonitorID)}}}
			}
		}
		monitorID := sql.NullInt64{Int64: c.MonitorID, Valid: c.MonitorID > 0}
		if c.ID > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE page_components SET group_name = ?, name = ?, description = ?, position = ?,
				monitor_id = ?, status = ?, show_response_time = ? WHERE id = ? AND page_id = ?`,
				c.Group, c.Name, c.Description, i, monitorID, string(c.Status), c.ShowResponseTime, c.ID, p.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				keep = append(keep, strconv.FormatInt(c.ID, 10))
				continue
			}
			return &statuspage.Error{Fields: []monitor.FieldError{{Field: "components[" + strconv.Itoa(i) + "].id",
				Message: fmt.Sprintf("unknown component %d of this page", c.ID)}}}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO page_components (page_id, group_name, name, description, position, monitor_id,
			status, show_response_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.ID, c.Group, c.Name, c.Description, i, monitorID, string(c.Status), c.ShowResponseTime, millis(now)).Scan(&id); err != nil {
			return err
		}
		keep = append(keep, strconv.FormatInt(id, 10))
	}
	// The ids are integers formatted here, not user text.
	q := `DELETE FROM page_components WHERE page_id = ?`
	if len(keep) > 0 {
		q += ` AND id NOT IN (` + strings.Join(keep, ",") + `)`
	}
	_, err := tx.ExecContext(ctx, q, p.ID)
	return err
}

// DeleteStatusPage deletes a page of orgID with its components.
func (s *Store) DeleteStatusPage(ctx context.Context, orgID, id int64) error {
	return s.updateOne(ctx, "delete status page", `DELETE FROM status_pages WHERE id = ? AND org_id = ?`, id, orgID)
}

// SetStatusPageLogo replaces (or, with empty data, removes) the logo of a page of orgID.
func (s *Store) SetStatusPageLogo(ctx context.Context, orgID, id int64, data []byte, mediaType string, now time.Time) error {
	var blob any
	if len(data) > 0 {
		blob = data
	} else {
		mediaType = ""
	}
	return s.updateOne(ctx, "status page logo", `UPDATE status_pages SET logo = ?, logo_type = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
		blob, mediaType, millis(now), id, orgID)
}

// StatusPageLogo returns the logo of a page and its media type; ErrNotFound without one.
func (s *Store) StatusPageLogo(ctx context.Context, id int64) ([]byte, string, error) {
	var data []byte
	var mediaType string
	err := s.read.QueryRowContext(ctx, `SELECT logo, logo_type FROM status_pages WHERE id = ? AND logo IS NOT NULL`, id).Scan(&data, &mediaType)
	if err != nil {
		return nil, "", notFoundOr(err, "status page logo")
	}
	return data, mediaType, nil
}

// inList formats ids for an IN (...) list: integers only, never user text.
func inList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// RollupsOf returns the daily (or hourly) buckets of several monitors of orgID from the
// bucket holding from on, oldest first per monitor: one query for a whole status page.
func (s *Store) RollupsOf(ctx context.Context, orgID int64, monitorIDs []int64, hourly bool, from time.Time) (map[int64][]monitor.RollupBucket, error) {
	out := map[int64][]monitor.RollupBucket{}
	if len(monitorIDs) == 0 {
		return out, nil
	}
	t, size := rollupDaily, dayMs
	if hourly {
		t, size = rollupHourly, hourMs
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.monitor_id, r.bucket_start, `+rollupColumns+` FROM `+rollupTables[t]+` r
		JOIN monitors m ON m.id = r.monitor_id AND m.org_id = ?
		WHERE r.monitor_id IN (`+inList(monitorIDs)+`) AND r.bucket_start >= ? ORDER BY r.monitor_id, r.bucket_start`,
		orgID, truncMs(millis(from), size))
	if err != nil {
		return nil, fmt.Errorf("store: rollups of: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, start int64
		var c counts
		if err := rows.Scan(append([]any{&id, &start}, c.dest()...)...); err != nil {
			return nil, fmt.Errorf("store: rollups of: %w", err)
		}
		out[id] = append(out[id], monitor.RollupBucket{
			Start: fromMillis(start), Checks: c.checks, Ups: c.ups, Downs: c.downs, Degraded: c.degraded,
			AvgLatency: c.avg(), MaxLatency: msDuration(c.maxMs), P95Latency: c.p95(),
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rollups of: %w", err)
	}
	return out, nil
}

// FlipsOf returns the flips of several monitors of orgID at or after from, oldest first
// per monitor (the first one's From tells the status the window starts in).
func (s *Store) FlipsOf(ctx context.Context, orgID int64, monitorIDs []int64, from time.Time) (map[int64][]monitor.Flip, error) {
	out := map[int64][]monitor.Flip{}
	if len(monitorIDs) == 0 {
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT f.id, f.monitor_id, f.at, f.from_status, f.to_status, f.reason FROM flips f
		JOIN monitors m ON m.id = f.monitor_id AND m.org_id = ?
		WHERE f.monitor_id IN (`+inList(monitorIDs)+`) AND f.at >= ? ORDER BY f.monitor_id, f.at, f.id`, orgID, millis(from))
	if err != nil {
		return nil, fmt.Errorf("store: flips of: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f monitor.Flip
		var ms int64
		if err := rows.Scan(&f.ID, &f.MonitorID, &ms, &f.From, &f.To, &f.Reason); err != nil {
			return nil, fmt.Errorf("store: flips of: %w", err)
		}
		f.At = fromMillis(ms)
		out[f.MonitorID] = append(out[f.MonitorID], f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: flips of: %w", err)
	}
	return out, nil
}

// PublicComponent returns the name and organization of the first component bound to a
// monitor on a public page: badges show only monitors their owners made public, under
// their public name. ErrNotFound otherwise.
func (s *Store) PublicComponent(ctx context.Context, monitorID int64) (name string, orgID int64, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT c.name, p.org_id FROM page_components c JOIN status_pages p ON p.id = c.page_id
		WHERE c.monitor_id = ? AND p.public = 1 ORDER BY p.id, c.position LIMIT 1`, monitorID).Scan(&name, &orgID)
	if err != nil {
		return "", 0, notFoundOr(err, "public component")
	}
	return name, orgID, nil
}
