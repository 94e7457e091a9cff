package store

import (
	"context"
	"database/sql"
	"fmt"

	"statusthing/app/monitor"
)

// insertScreenshot stores the screenshot of result id (just inserted in tx).
func insertScreenshot(ctx context.Context, tx *sql.Tx, r monitor.Result, resultID int64) error {
	sh := r.Screenshot
	switch sh.Format {
	case "png", "jpeg":
	default:
		return fmt.Errorf("screenshot format %q (png or jpeg)", sh.Format)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO screenshots (monitor_id, result_id, taken_at, format, width, height, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.MonitorID, resultID, millis(r.StartedAt.Add(r.Duration)), sh.Format, sh.Width, sh.Height, sh.Data)
	return err
}

// Screenshot returns the screenshot of result resultID of a monitor of orgID (ErrNotFound
// when there is none: not taken, pruned, or another organization's).
func (s *Store) Screenshot(ctx context.Context, orgID, monitorID, resultID int64) (monitor.Screenshot, error) {
	var sh monitor.Screenshot
	err := s.read.QueryRowContext(ctx, `SELECT s.format, s.width, s.height, s.data FROM screenshots s
		JOIN monitors m ON m.id = s.monitor_id WHERE s.result_id = ? AND s.monitor_id = ? AND m.org_id = ?`,
		resultID, monitorID, orgID).Scan(&sh.Format, &sh.Width, &sh.Height, &sh.Data)
	if err != nil {
		return monitor.Screenshot{}, notFoundOr(err, "screenshot")
	}
	return sh, nil
}
