package api

import (
	"net/http"
	"time"

	"statusthing/app/audit"
)

// auditJSON is one entry of the audit log.
type auditJSON struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Via    string    `json:"via"`
	IP     string    `json:"ip"`
}

func auditOut(e audit.Entry) auditJSON {
	return auditJSON{ID: e.ID, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Target: e.Target, Via: e.Via, IP: e.IP}
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "audit")
	if err != nil {
		return err
	}
	rows := []audit.Entry{}
	if h.audit != nil {
		if rows, err = h.audit.AuditEntries(r.Context(), c.org, lq.cursor.id, lq.limit+1); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit, func(e audit.Entry) cursor { return cursor{list: "audit", id: e.ID} }, auditOut))
	return nil
}
