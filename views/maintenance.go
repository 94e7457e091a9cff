package views

// MaintenancePage lists the maintenance windows.
type MaintenancePage struct {
	Shell
	Rows  []MaintenanceRow
	Flash string
}

// MaintenanceRow is one window of the list.
type MaintenanceRow struct {
	ID      int64
	Title   string
	When    string // "2026-03-01 10:00 – 11:00 (UTC)" or "0 3 * * * · 2h · Europe/Paris"
	Scope   string // "All monitors" or the names
	State   string // "Active until …", "Next: …" or "Over"
	Active  bool
	EditURL string
}

// MaintenanceFormPage creates or edits a window. Errors are keyed by field (title, start,
// end, cron, duration, timezone, monitors).
type MaintenanceFormPage struct {
	Shell
	Heading   string
	Action    string
	Title     string
	Recurring bool
	Start     string // datetime-local, in TimeZone
	End       string
	Cron      string
	Duration  string // "2h", "90m"
	TimeZone  string
	Monitors  []CheckOption
	Errors    map[string]string
	Editing   bool
	DeleteURL string
}
