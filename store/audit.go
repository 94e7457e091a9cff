package store

import (
	"context"
	"fmt"

	"statusthing/app/audit"
)

// AddAuditEntry records a change in its organization's audit log.
func (s *Store) AddAuditEntry(ctx context.Context, e audit.Entry) error {
	return s.exec(ctx, "audit entry", `INSERT INTO audit_log (org_id, at, actor, action, target, via, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.OrgID, millis(e.At), e.Actor, e.Action, e.Target, e.Via, e.IP)
}

// AuditEntries lists the audit log of orgID, newest first, with ids below beforeID (0: from
// the newest), at most limit (<= 0 means 100).
func (s *Store) AuditEntries(ctx context.Context, orgID, beforeID int64, limit int) ([]audit.Entry, error) {
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, org_id, at, actor, action, target, via, ip FROM audit_log
		WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, orgID, beforeID, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: audit entries: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		var e audit.Entry
		var at int64
		if err := rows.Scan(&e.ID, &e.OrgID, &at, &e.Actor, &e.Action, &e.Target, &e.Via, &e.IP); err != nil {
			return nil, fmt.Errorf("store: audit entries: %w", err)
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
