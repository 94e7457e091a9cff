package web

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"statusthing/app/feed"
	"statusthing/app/incident"
	"statusthing/app/statuspage"
	"statusthing/views"
)

// statusModel formats a page's view for its template.
func (h *Handler) statusModel(f formatter, v statuspage.View) views.StatusPage {
	p := v.Page
	m := views.StatusPage{
		Lang: f.lang, T: f.t, Title: p.Title, Description: p.Description,
		CSSURL: h.assets.URL("status.css"), JSURL: h.assets.URL("status.js"), IconURL: h.assets.URL("logo.svg"),
		HomeURL: statusURL(p.Slug, ""), FeedURL: statusURL(p.Slug, "/feed.atom"), SummaryURL: statusURL(p.Slug, "/summary.json"),
		EventsURL: statusURL(p.Slug, "/events"), HistoryURL: statusURL(p.Slug, "/history"),
		Banner:    views.StatusBanner{Class: string(v.Indicator), Text: f.t("indicator." + string(v.Indicator))},
		UpdatedAt: f.stamp(v.Now), UpdatedISO: v.Now.UTC().Format(time.RFC3339),
		SubscribeURL: h.subscribeURL(p),
	}
	if p.HasLogo() {
		m.LogoURL = statusURL(p.Slug, "/logo?v="+strconv.FormatInt(p.UpdatedAt.UnixMilli(), 10))
	}
	for _, g := range v.Groups {
		sg := views.StatusGroup{Name: g.Name, Open: !g.Collapsed, Class: string(g.Status), StatusText: f.t("component." + string(g.Status))}
		for _, c := range g.Components {
			sg.Components = append(sg.Components, componentModel(f, c))
		}
		m.Groups = append(m.Groups, sg)
	}
	names := componentNames(p)
	for _, inc := range v.Active {
		m.Active = append(m.Active, publicIncident(f, inc, names))
	}
	for _, inc := range v.History {
		m.History = append(m.History, publicIncident(f, inc, names))
	}
	for _, mw := range v.Maintenances {
		m.Maintenance = append(m.Maintenance, views.PublicMaintenance{
			Title: mw.Title, Active: mw.Active, Components: strings.Join(mw.Components, ", "),
			When: f.stamp(mw.Start) + " – " + f.stamp(mw.End),
		})
	}
	return m
}

// componentModel formats one component and folds its bar into cells.
func componentModel(f formatter, c statuspage.ComponentView) views.StatusComponent {
	sc := views.StatusComponent{
		ID: c.ID, Name: c.Name, Description: c.Description, Class: string(c.Status),
		StatusText: f.t("component." + string(c.Status)),
		BarStart:   f.t("public.days_ago", statuspage.BarDays), BarEnd: f.t("public.today"),
		Bar: barCells(f, c.Days, c.Measured),
	}
	if c.Measured && !math.IsNaN(c.Uptime) {
		sc.UptimeText = f.t("public.uptime", f.percent(c.Uptime/100))
		sc.BarLabel = f.t("public.bar_label", statuspage.BarDays, f.percent(c.Uptime/100))
	} else {
		sc.BarLabel = f.t("public.bar_label_manual", statuspage.BarDays)
	}
	if len(c.Responses) > 0 {
		values := make([]time.Duration, len(c.Responses))
		for i, b := range c.Responses {
			values[i] = -1
			if hasLatency(b) {
				values[i] = b.AvgLatency
			}
		}
		sp := sparkline(values, 300, 48, f.t("public.response_label"))
		sc.Chart = &sp
		var maxV time.Duration
		for _, v := range values {
			maxV = max(maxV, v)
		}
		sc.ChartLabel = f.t("public.response_caption", f.duration(maxV))
	}
	return sc
}

// barCells folds a bar's days: consecutive clean days (up all day, no incident, or no
// data) become one cell spanning them, each day with something to tell is its own cell.
// A 50-component page stays small while every troubled day keeps its own text.
func barCells(f formatter, days []statuspage.Day, measured bool) []views.BarCell {
	var cells []views.BarCell
	for i := 0; i < len(days); {
		d := days[i]
		if !clean(d) {
			cells = append(cells, views.BarCell{Span: "s1", Level: string(d.Level), Text: dayText(f, d, measured)})
			i++
			continue
		}
		j := i + 1
		for j < len(days) && clean(days[j]) && days[j].Level == d.Level {
			j++
		}
		text := f.day(d.Date)
		if j-i > 1 {
			text += " – " + f.day(days[j-1].Date)
		}
		if d.Level == statuspage.LevelNoData {
			text += ": " + f.t("public.no_data")
		} else if measured {
			text += ": " + f.t("public.no_downtime")
		} else {
			text += ": " + f.t("public.no_incident")
		}
		cells = append(cells, views.BarCell{Span: "s" + strconv.Itoa(j-i), Level: string(d.Level), Text: text})
		i = j
	}
	return cells
}

func clean(d statuspage.Day) bool {
	return (d.Level == statuspage.LevelOK || d.Level == statuspage.LevelNoData) && len(d.Incidents) == 0 && d.Down == 0 &&
		(math.IsNaN(d.Uptime) || d.Uptime >= 100)
}

// dayText tells one day: date, uptime, downtime, incidents.
func dayText(f formatter, d statuspage.Day, measured bool) string {
	parts := []string{f.day(d.Date)}
	if measured && !math.IsNaN(d.Uptime) {
		parts = append(parts, f.t("public.uptime", f.percent(d.Uptime/100)))
	}
	if d.Down > 0 {
		parts = append(parts, f.t("public.down_for", f.span(d.Down)))
	}
	for _, inc := range d.Incidents {
		parts = append(parts, f.t("public.incident", inc.Title))
	}
	if len(parts) == 1 {
		parts = append(parts, f.t("public.no_data"))
	}
	return strings.Join(parts, " · ")
}

// day is a calendar date: "Nov 25, 2026" / "25 nov. 2026".
func (f formatter) day(t time.Time) string {
	t = t.UTC()
	return f.t("date.day", t.Day(), f.t("month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// publicIncident formats an incident for visitors: never its monitor's name, error or
// internal timeline, only its title, impact, components and public updates.
func publicIncident(f formatter, inc incident.Public, names map[int64]string) views.PublicIncident {
	pi := views.PublicIncident{
		ID: inc.ID, Title: inc.Title, ImpactClass: string(inc.Impact), ImpactText: impactText(f, inc.Impact),
		StatusText: f.t("update." + string(inc.PublicStatus())),
	}
	var comps []string
	for _, id := range inc.ComponentIDs {
		if n, ok := names[id]; ok {
			comps = append(comps, n)
		}
	}
	pi.Components = strings.Join(comps, ", ")
	if inc.Open() {
		pi.When = f.t("public.since", f.stamp(inc.OpenedAt))
	} else {
		pi.When = f.stamp(inc.OpenedAt) + " – " + f.stamp(inc.ResolvedAt) + " (" + f.span(inc.Duration(f.now)) + ")"
	}
	for _, u := range inc.Updates {
		pi.Updates = append(pi.Updates, views.PublicUpdate{
			Status: f.t("update." + string(u.Status)), Message: u.Message, At: f.stamp(u.At), ISO: u.At.UTC().Format(time.RFC3339),
		})
	}
	return pi
}

// Statuspage-compatible summary (https://metastatuspage.com/api#summary): what status
// aggregators and scripts already read.
type summaryDoc struct {
	Page                  summaryPage         `json:"page"`
	Status                summaryStatus       `json:"status"`
	Components            []summaryComponent  `json:"components"`
	Incidents             []summaryIncident   `json:"incidents"`
	ScheduledMaintenances []summaryMaintenace `json:"scheduled_maintenances"`
}

type summaryPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

type summaryStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type summaryComponent struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             string   `json:"status"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"`
}

type summaryIncident struct {
	ID              string                  `json:"id"`
	Name            string                  `json:"name"`
	Status          string                  `json:"status"`
	CreatedAt       string                  `json:"created_at"`
	UpdatedAt       string                  `json:"updated_at"`
	MonitoringAt    *string                 `json:"monitoring_at"`
	ResolvedAt      *string                 `json:"resolved_at"`
	Impact          string                  `json:"impact"`
	Shortlink       string                  `json:"shortlink"`
	StartedAt       string                  `json:"started_at"`
	PageID          string                  `json:"page_id"`
	IncidentUpdates []summaryIncidentUpdate `json:"incident_updates"`
	Components      []summaryComponent      `json:"components"`
}

type summaryIncidentUpdate struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Body       string `json:"body"`
	IncidentID string `json:"incident_id"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	DisplayAt  string `json:"display_at"`
}

type summaryMaintenace struct {
	ID             string             `json:"id"`
	Name           string             `json:"name"`
	Status         string             `json:"status"` // scheduled | in_progress
	ScheduledFor   string             `json:"scheduled_for"`
	ScheduledUntil string             `json:"scheduled_until"`
	Impact         string             `json:"impact"`
	PageID         string             `json:"page_id"`
	Components     []summaryComponent `json:"components"`
}

func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// summaryJSON builds the Statuspage summary of a page's view. Ids are strings as there.
func summaryJSON(pageURL string, v statuspage.View) ([]byte, error) {
	p := v.Page
	pageID := p.Slug
	doc := summaryDoc{
		Page:                  summaryPage{ID: pageID, Name: p.Title, URL: pageURL, TimeZone: "Etc/UTC", UpdatedAt: rfc3339(v.Now)},
		Status:                summaryStatus{Indicator: summaryIndicator(v.Indicator), Description: indicatorDescription[v.Indicator]},
		Components:            []summaryComponent{},
		Incidents:             []summaryIncident{},
		ScheduledMaintenances: []summaryMaintenace{},
	}
	byID := map[int64]summaryComponent{}
	byName := map[string]summaryComponent{}
	pos := 0
	for _, g := range v.Groups {
		var groupID *string
		gi := -1
		if g.Name != "" {
			pos++
			id := "group-" + strconv.Itoa(pos)
			groupID, gi = &id, len(doc.Components)
			doc.Components = append(doc.Components, summaryComponent{ID: id, Name: g.Name, Status: summaryComponentStatus(g.Status),
				Position: pos, PageID: pageID, Group: true, CreatedAt: rfc3339(p.CreatedAt), UpdatedAt: rfc3339(p.UpdatedAt),
				Components: []string{}})
		}
		for _, c := range g.Components {
			pos++
			sc := summaryComponent{ID: strconv.FormatInt(c.ID, 10), Name: c.Name, Status: summaryComponentStatus(c.Status),
				CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(v.Now), Position: pos, Showcase: true, GroupID: groupID, PageID: pageID}
			if c.Description != "" {
				d := c.Description
				sc.Description = &d
			}
			if gi >= 0 {
				doc.Components[gi].Components = append(doc.Components[gi].Components, sc.ID)
			}
			doc.Components = append(doc.Components, sc)
			byID[c.ID] = sc
			byName[c.Name] = sc
		}
	}
	for _, inc := range v.Active {
		si := summaryIncident{ID: strconv.FormatInt(inc.ID, 10), Name: inc.Title, Status: string(inc.PublicStatus()),
			CreatedAt: rfc3339(inc.OpenedAt), UpdatedAt: rfc3339(inc.OpenedAt), Impact: string(inc.Impact),
			Shortlink: strings.TrimSuffix(pageURL, "/") + "/history#incident-" + strconv.FormatInt(inc.ID, 10),
			StartedAt: rfc3339(inc.OpenedAt), PageID: pageID, IncidentUpdates: []summaryIncidentUpdate{}, Components: []summaryComponent{}}
		if si.Impact == "" {
			si.Impact = string(incident.ImpactNone)
		}
		for _, u := range inc.Updates {
			si.IncidentUpdates = append(si.IncidentUpdates, summaryIncidentUpdate{ID: strconv.FormatInt(u.ID, 10), Status: string(u.Status),
				Body: u.Message, IncidentID: si.ID, CreatedAt: rfc3339(u.At), UpdatedAt: rfc3339(u.At), DisplayAt: rfc3339(u.At)})
			if u.At.After(inc.OpenedAt) && rfc3339(u.At) > si.UpdatedAt {
				si.UpdatedAt = rfc3339(u.At)
			}
			if u.Status == incident.UpdateMonitoring && si.MonitoringAt == nil {
				at := rfc3339(u.At)
				si.MonitoringAt = &at
			}
		}
		for _, id := range inc.ComponentIDs {
			if c, ok := byID[id]; ok {
				si.Components = append(si.Components, c)
			}
		}
		doc.Incidents = append(doc.Incidents, si)
	}
	for i, mw := range v.Maintenances {
		sm := summaryMaintenace{ID: "maintenance-" + strconv.Itoa(i+1), Name: mw.Title, Status: "scheduled",
			ScheduledFor: rfc3339(mw.Start), ScheduledUntil: rfc3339(mw.End), Impact: "maintenance", PageID: pageID,
			Components: []summaryComponent{}}
		if mw.Active {
			sm.Status = "in_progress"
		}
		for _, n := range mw.Components {
			if c, ok := byName[n]; ok {
				sm.Components = append(sm.Components, c)
			}
		}
		doc.ScheduledMaintenances = append(doc.ScheduledMaintenances, sm)
	}
	return json.Marshal(doc)
}

// summaryIndicator maps our indicator to Statuspage's (which has no "maintenance" there).
func summaryIndicator(i statuspage.Indicator) string {
	if i == statuspage.IndicatorMaintenance {
		return "none"
	}
	return string(i)
}

// summaryComponentStatus is Statuspage's component status (it says "under_maintenance" too).
func summaryComponentStatus(s statuspage.Status) string { return string(s) }

var indicatorDescription = map[statuspage.Indicator]string{
	statuspage.IndicatorNone:        "All Systems Operational",
	statuspage.IndicatorMaintenance: "Service Under Maintenance",
	statuspage.IndicatorMinor:       "Minor Service Outage",
	statuspage.IndicatorMajor:       "Partial System Outage",
	statuspage.IndicatorCritical:    "Major System Outage",
}

// atomFeed lists a page's latest incidents, each with its public updates.
func (h *Handler) atomFeed(f formatter, p statuspage.Page, now time.Time, incidents []incident.Public) ([]byte, error) {
	pageURL := h.absolute(statusURL(p.Slug, ""))
	fd := feed.Feed{ID: pageURL, Title: p.Title, Subtitle: f.t("public.feed_subtitle", p.Title), Link: pageURL,
		Self: h.absolute(statusURL(p.Slug, "/feed.atom")), Updated: now, Author: p.Title}
	names := componentNames(p)
	var newest time.Time
	for _, inc := range incidents {
		link := h.absolute(statusURL(p.Slug, "/history")) + "#incident-" + strconv.FormatInt(inc.ID, 10)
		updated := inc.OpenedAt
		var body strings.Builder
		pi := publicIncident(f, inc, names)
		for _, u := range inc.Updates {
			if u.At.After(updated) {
				updated = u.At
			}
		}
		for _, u := range pi.Updates {
			body.WriteString(u.At + " — " + u.Status + ": " + u.Message + "\n")
		}
		if pi.Components != "" {
			body.WriteString(f.t("public.affected") + " " + pi.Components + "\n")
		}
		if updated.After(newest) {
			newest = updated
		}
		title := inc.Title + " (" + pi.StatusText + ")"
		fd.Entries = append(fd.Entries, feed.Entry{ID: link, Title: title, Link: link, Published: inc.OpenedAt, Updated: updated,
			Summary: pi.When, Content: body.String(), Categories: []string{string(inc.PublicStatus())}})
	}
	if !newest.IsZero() {
		fd.Updated = newest
	}
	var buf bytes.Buffer
	if _, err := fd.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
