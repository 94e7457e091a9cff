package statuspage

import (
	"math"
	"sort"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
)

// BarDays is how many days an uptime bar shows.
const BarDays = 90

// Level is the colour class of a day of an uptime bar, always shown with its text too.
type Level string

// Day levels, from no data to a major outage.
const (
	LevelNoData  Level = "none"
	LevelOK      Level = "ok"
	LevelMinor   Level = "minor"   // some downtime, >= 99% up, or a minor incident
	LevelPartial Level = "partial" // >= 95% up, or a major incident
	LevelMajor   Level = "major"   // below 95%, or a critical incident
)

var levelRank = map[Level]int{LevelNoData: 0, LevelOK: 1, LevelMinor: 2, LevelPartial: 3, LevelMajor: 4}

// Day is one cell of a component's uptime bar: a UTC day.
type Day struct {
	Date      time.Time // midnight UTC
	Checks    int64
	Uptime    float64       // percent of successful checks; NaN without checks
	Down      time.Duration // time the monitor was down during the day
	Incidents []incident.Incident
	Level     Level
}

// Interval is a span of time [From, To).
type Interval struct{ From, To time.Time }

// DownIntervals turns a monitor's flips (oldest first) into the spans it was down in
// [from, now). The status before the first flip is that flip's From; without flips it is
// the current status.
func DownIntervals(flips []monitor.Flip, current monitor.Status, from, now time.Time) []Interval {
	status := current
	if len(flips) > 0 {
		status = flips[0].From
	}
	var out []Interval
	start := from
	for _, f := range flips {
		if f.At.Before(from) {
			status = f.To
			continue
		}
		if status == monitor.StatusDown && f.To != monitor.StatusDown {
			out = append(out, Interval{From: start, To: f.At})
		}
		if status != monitor.StatusDown && f.To == monitor.StatusDown {
			start = f.At
		}
		status = f.To
	}
	if status == monitor.StatusDown && start.Before(now) {
		out = append(out, Interval{From: start, To: now})
	}
	return out
}

// BarInput is what one component's bar is built from.
type BarInput struct {
	Today     time.Time // any time of the last day shown
	Since     time.Time // days before it (the component or monitor did not exist) have no data
	Measured  bool      // bound to a monitor: days without checks have no data
	Rollups   []monitor.RollupBucket
	Down      []Interval
	Incidents []incident.Incident // public incidents of the component
}

// Bar builds the BarDays days ending with in.Today's, oldest first.
func Bar(in BarInput) []Day {
	last := in.Today.UTC().Truncate(24 * time.Hour)
	first := last.AddDate(0, 0, -(BarDays - 1))
	days := make([]Day, BarDays)
	for i := range days {
		days[i] = Day{Date: first.AddDate(0, 0, i), Uptime: math.NaN()}
	}
	index := func(t time.Time) int {
		return int(t.UTC().Truncate(24*time.Hour).Sub(first) / (24 * time.Hour))
	}
	for _, r := range in.Rollups {
		if i := index(r.Start); i >= 0 && i < BarDays && r.Checks > 0 {
			days[i].Checks = r.Checks
			days[i].Uptime = float64(r.Ups) / float64(r.Checks) * 100
		}
	}
	for _, d := range in.Down {
		for i := range days {
			lo, hi := maxTime(d.From, days[i].Date), minTime(d.To, days[i].Date.Add(24*time.Hour))
			if hi.After(lo) {
				days[i].Down += hi.Sub(lo)
			}
		}
	}
	incidents := append([]incident.Incident(nil), in.Incidents...)
	sort.Slice(incidents, func(a, b int) bool { return incidents[a].OpenedAt.Before(incidents[b].OpenedAt) })
	for _, inc := range incidents {
		end := inc.ResolvedAt
		if end.IsZero() {
			end = in.Today
		}
		for i := range days {
			dayEnd := days[i].Date.Add(24 * time.Hour)
			if inc.OpenedAt.Before(dayEnd) && !end.Before(days[i].Date) {
				days[i].Incidents = append(days[i].Incidents, inc)
			}
		}
	}
	since := in.Since.UTC().Truncate(24 * time.Hour)
	for i := range days {
		days[i].Level = dayLevel(days[i], in.Measured, !days[i].Date.Before(since))
	}
	return days
}

func dayLevel(d Day, measured, existed bool) Level {
	level := LevelNoData
	switch {
	case !math.IsNaN(d.Uptime):
		switch {
		case d.Uptime >= 100 && d.Down == 0:
			level = LevelOK
		case d.Uptime >= 99:
			level = LevelMinor
		case d.Uptime >= 95:
			level = LevelPartial
		default:
			level = LevelMajor
		}
	case d.Down > 0:
		level = LevelMinor
	case !measured && existed:
		level = LevelOK
	}
	if d.Down > 0 && levelRank[level] < levelRank[LevelMinor] {
		level = LevelMinor
	}
	for _, inc := range d.Incidents {
		var l Level
		switch inc.Impact {
		case incident.ImpactMinor:
			l = LevelMinor
		case incident.ImpactMajor:
			l = LevelPartial
		case incident.ImpactCritical:
			l = LevelMajor
		default:
			l = LevelOK
		}
		if levelRank[l] > levelRank[level] {
			level = l
		}
	}
	return level
}

// BarUptime is the uptime percent over a bar's days with checks (NaN without any).
func BarUptime(days []Day) float64 {
	var ups, checks float64
	for _, d := range days {
		if d.Checks > 0 {
			ups += d.Uptime / 100 * float64(d.Checks)
			checks += float64(d.Checks)
		}
	}
	if checks == 0 {
		return math.NaN()
	}
	return ups / checks * 100
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
