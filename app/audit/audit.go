// Package audit is the audit log of an organization: who created, changed or deleted what,
// and when. Entries are written for every successful change made through the admin or the
// JSON API, named from the route that made it, so a new route is audited the day it is
// added. It is pure: the store keeps the entries.
package audit

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Entry is one change.
type Entry struct {
	ID     int64
	OrgID  int64
	At     time.Time
	Actor  string // the user's e-mail, or "token:<name>" for an API token
	Action string // "monitors.create", "incidents.acknowledge", ...
	Target string // "monitors 12"; "" when the change names no resource
	Via    string // "admin" or "api"
	IP     string
}

// Action names the change a route makes from its literal path segments (after the prefix,
// settings/ skipped): ending on a literal, they name it (an action or a sub-collection);
// ending on an id, the method adds update or delete; a bare collection gets create.
//
//	POST   /admin/monitors                      monitors.create
//	POST   /admin/monitors/{id}                 monitors.update
//	POST   /admin/monitors/{id}/pause           monitors.pause
//	DELETE /api/v1/pages/{id}/components/{cid}  pages.components.delete
//	POST   /admin/settings/members/invite       members.invite
func Action(method, pattern string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(pattern, "/admin"), "/api/v1")
	path = strings.TrimPrefix(path, "/settings")
	var segs []string
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		return strings.ToLower(method)
	}
	var lits []string
	for _, seg := range segs {
		if !strings.HasPrefix(seg, "{") {
			lits = append(lits, seg)
		}
	}
	last := segs[len(segs)-1]
	switch {
	case !strings.HasPrefix(last, "{") && len(segs) > 1:
		return strings.Join(lits, ".") // an action or a sub-collection: pause, comments
	case method == "DELETE":
		return strings.Join(lits, ".") + ".delete"
	case len(segs) == 1 && method == "POST":
		return lits[0] + ".create"
	}
	return strings.Join(lits, ".") + ".update"
}

// Target names the resource a change addressed: the first {id} of the pattern filled from
// path, else the id at the end of location (a creation's redirect or Location header).
func Target(pattern, path, location string) string {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	vs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && i < len(vs) && i > 0 {
			return ps[i-1] + " " + vs[i]
		}
	}
	if location == "" {
		return ""
	}
	if i := strings.IndexAny(location, "?#"); i >= 0 {
		location = location[:i]
	}
	segs := strings.Split(strings.Trim(location, "/"), "/")
	for i := len(segs) - 1; i > 0; i-- {
		if _, err := strconv.ParseInt(segs[i], 10, 64); err == nil {
			return segs[i-1] + " " + segs[i]
		}
	}
	return ""
}

// Log keeps the entries; *store.Store satisfies it.
type Log interface {
	AddAuditEntry(ctx context.Context, e Entry) error
	AuditEntries(ctx context.Context, orgID, beforeID int64, limit int) ([]Entry, error)
}
