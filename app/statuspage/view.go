package statuspage

import (
	"slices"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
)

// Windows of what a page shows.
const (
	HistoryDays     = 14                       // resolved incidents listed on the page; older ones in the archive
	UpcomingWindow  = 7 * 24 * time.Hour       // maintenance announced this far ahead
	ResponseWindow  = 24 * time.Hour           // response-time chart
	IncidentHorizon = BarDays * time.Hour * 24 // incidents read for the bars
)

// Input is everything a page's view is built from, read by the service.
type Input struct {
	Page         Page
	Now          time.Time
	Monitors     map[int64]monitor.Monitor // the monitors bound to the page's components
	Maintenances []incident.Maintenance    // the organization's windows
	Daily        map[int64][]monitor.RollupBucket
	Hourly       map[int64][]monitor.RollupBucket // for components showing response times
	Flips        map[int64][]monitor.Flip         // since the first day of the bars
	Incidents    []incident.Public                // public incidents of the page: open, or opened in the bars' days
}

// View is a status page as its visitors see it, before formatting.
type View struct {
	Page         Page
	Now          time.Time
	Indicator    Indicator
	Groups       []GroupView
	Active       []incident.Public // open incidents, newest first
	Maintenances []MaintenanceView // ongoing, then upcoming, by start
	History      []incident.Public // resolved in the last HistoryDays days, newest first
}

// GroupView is a group of components with its worst status.
type GroupView struct {
	Name       string
	Collapsed  bool
	Status     Status
	Components []ComponentView
}

// ComponentView is a component with its current status and history.
type ComponentView struct {
	Component
	Status    Status
	Measured  bool    // bound to a monitor: its bar has uptime figures
	Uptime    float64 // percent over the bar; NaN without checks
	Days      []Day
	Responses []monitor.RollupBucket // hourly, last ResponseWindow; nil unless ShowResponseTime
}

// MaintenanceView is a maintenance window shown on a page: ongoing or upcoming.
type MaintenanceView struct {
	Title      string
	Start, End time.Time
	Active     bool
	Components []string // names of the page's components it covers
}

// Build makes the view of in.Page.
func Build(in Input) View {
	v := View{Page: in.Page, Now: in.Now}
	var statuses []Status
	incidentsOf := map[int64][]incident.Incident{}
	for _, p := range in.Incidents {
		for _, cid := range p.ComponentIDs {
			incidentsOf[cid] = append(incidentsOf[cid], p.Incident)
		}
	}
	barStart := in.Now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(BarDays - 1))
	for _, g := range Groups(in.Page.Components) {
		gv := GroupView{Name: g.Name, Collapsed: g.Name != "" && slices.Contains(in.Page.CollapsedGroups, g.Name)}
		var groupStatuses []Status
		for _, c := range g.Components {
			cv := ComponentView{Component: c, Status: c.Status}
			bar := BarInput{Today: in.Now, Since: c.CreatedAt, Incidents: incidentsOf[c.ID]}
			if m, ok := in.Monitors[c.MonitorID]; ok && c.MonitorID > 0 {
				_, maint := incident.Suppressed(in.Maintenances, m.ID, in.Now)
				cv.Status = FromMonitor(m.State.Status, maint)
				cv.Measured = true
				bar.Measured, bar.Since, bar.Rollups = true, m.CreatedAt, in.Daily[m.ID]
				bar.Down = DownIntervals(in.Flips[m.ID], m.State.Status, barStart, in.Now)
				if c.ShowResponseTime {
					cv.Responses = in.Hourly[m.ID]
				}
			}
			cv.Days = Bar(bar)
			cv.Uptime = BarUptime(cv.Days)
			gv.Components = append(gv.Components, cv)
			groupStatuses = append(groupStatuses, cv.Status)
		}
		gv.Status = Worst(groupStatuses)
		statuses = append(statuses, groupStatuses...)
		v.Groups = append(v.Groups, gv)
	}
	var impacts []string
	historyFrom := in.Now.Add(-HistoryDays * 24 * time.Hour)
	for _, p := range in.Incidents {
		switch {
		case p.Open():
			v.Active = append(v.Active, p)
			impacts = append(impacts, string(p.Impact))
		case !p.OpenedAt.Before(historyFrom) || !p.ResolvedAt.Before(historyFrom):
			v.History = append(v.History, p)
		}
	}
	byNewest := func(a, b incident.Public) int { return b.OpenedAt.Compare(a.OpenedAt) }
	slices.SortFunc(v.Active, byNewest)
	slices.SortFunc(v.History, byNewest)
	v.Indicator = Overall(statuses, impacts)
	v.Maintenances = maintenances(in)
	return v
}

// maintenances lists the windows covering a monitor of the page that are ongoing or start
// within UpcomingWindow.
func maintenances(in Input) []MaintenanceView {
	var out []MaintenanceView
	for _, m := range in.Maintenances {
		var names []string
		for _, c := range in.Page.Components {
			if c.MonitorID > 0 && m.Covers(c.MonitorID) {
				names = append(names, c.Name)
			}
		}
		if len(names) == 0 {
			continue
		}
		if start, end, ok := m.Window(in.Now); ok {
			out = append(out, MaintenanceView{Title: m.Title, Start: start, End: end, Active: true, Components: names})
			continue
		}
		if start, end, ok := m.NextWindow(in.Now); ok && start.Sub(in.Now) <= UpcomingWindow {
			out = append(out, MaintenanceView{Title: m.Title, Start: start, End: end, Components: names})
		}
	}
	slices.SortStableFunc(out, func(a, b MaintenanceView) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		return a.Start.Compare(b.Start)
	})
	return out
}

// MonitorIDs are the monitors bound to p's components.
func (p Page) MonitorIDs() []int64 {
	var ids []int64
	for _, c := range p.Components {
		if c.MonitorID > 0 && !slices.Contains(ids, c.MonitorID) {
			ids = append(ids, c.MonitorID)
		}
	}
	return ids
}

// ComponentIDs are the ids of p's components.
func (p Page) ComponentIDs() []int64 {
	ids := make([]int64, len(p.Components))
	for i, c := range p.Components {
		ids[i] = c.ID
	}
	return ids
}
