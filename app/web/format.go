package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
	"statusthing/views"
)

// formatter turns values into the text of one page: language, clock and catalog.
type formatter struct {
	lang string
	t    func(string, ...any) string
	now  time.Time
	loc  *time.Location // the user's time zone for stamps; nil: UTC
}

// percent formats an uptime ratio: 99.95% (en), 99,95 % (fr); "–" when there is no data.
// Two decimals, never rounded up to 100% while anything failed.
func (f formatter) percent(ratio float64) string {
	if ratio < 0 || math.IsNaN(ratio) {
		return "–"
	}
	v := math.Floor(ratio*10000) / 100
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
	if f.lang == "fr" {
		return strings.ReplaceAll(s, ".", ",") + "\u00a0%"
	}
	return s + "%"
}

// duration formats a latency: 87 ms, 1.24 s, 12 s.
// checkDuration formats how long a check took: results are stored in whole milliseconds,
// so 0 is a check faster than one, not a missing value.
func (f formatter) checkDuration(d time.Duration) string {
	if d < time.Millisecond {
		return "<1 ms"
	}
	return f.duration(d)
}

func (f formatter) duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Second:
		return strconv.FormatInt(max(d.Milliseconds(), 1), 10) + " ms"
	case d < 10*time.Second:
		return f.decimal(d.Seconds(), 2) + " s"
	default:
		return strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10) + " s"
	}
}

func (f formatter) decimal(v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	if f.lang == "fr" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}

// ago is a relative time: "just now", "5 min ago", "3 h ago", "2 d ago".
func (f formatter) ago(t time.Time) string {
	if t.IsZero() {
		return f.t("time.never")
	}
	d := f.now.Sub(t)
	switch {
	case d < 10*time.Second:
		return f.t("time.just_now")
	case d < time.Minute:
		return f.t("time.seconds_ago", int(d/time.Second))
	case d < time.Hour:
		return f.t("time.minutes_ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return f.t("time.hours_ago", int(d/time.Hour))
	default:
		return f.t("time.days_ago", int(d/(24*time.Hour)))
	}
}

// stamp is an absolute time in the user's time zone (UTC when none is set).
func (f formatter) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if f.loc != nil {
		return t.In(f.loc).Format("2006-01-02 15:04:05 MST")
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// span is a period like "3 h 12 min".
func (f formatter) span(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return f.t("time.under_a_minute")
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", d/time.Hour, (d%time.Hour)/time.Minute)
	default:
		return fmt.Sprintf("%d d %d h", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	}
}

// badge is a status with its translated label.
func (f formatter) badge(s monitor.Status) views.StatusBadge {
	if s == "" {
		s = monitor.StatusPending
	}
	return views.StatusBadge{Status: string(s), Label: f.t("status." + string(s))}
}

// outcome is a result's verdict as a badge.
func (f formatter) outcome(o monitor.Outcome) views.StatusBadge {
	return views.StatusBadge{Status: string(o), Label: f.t("status." + string(o))}
}

// target is what a monitor watches, in one line.
func target(m monitor.Monitor) string {
	switch s := m.Settings.(type) {
	case monitor.HTTPSettings:
		if s.Method != "GET" {
			return s.Method + " " + s.URL
		}
		return s.URL
	case monitor.TCPSettings:
		return s.Address
	case monitor.DNSSettings:
		return s.RecordType + " " + s.Hostname
	case monitor.TLSSettings:
		return s.Address
	case monitor.BrowserSettings:
		return s.URL
	case monitor.HeartbeatSettings:
		if s.Cron != "" {
			return s.Cron + " " + zoneName(s.TimeZone)
		}
		return shortDuration(s.Period)
	}
	return ""
}

// sparkline draws latency points (oldest first) into a w x h box; negative values are gaps
// that are skipped.
func sparkline(values []time.Duration, w, h int, label string) views.Sparkline {
	var maxV time.Duration
	n := 0
	for _, v := range values {
		if v >= 0 {
			n++
			maxV = max(maxV, v)
		}
	}
	sp := views.Sparkline{Width: w, Height: h, Label: label}
	if n < 2 {
		return sp
	}
	var pts []string
	step := float64(w-2) / float64(len(values)-1)
	for i, v := range values {
		if v < 0 {
			continue
		}
		x := 1 + step*float64(i)
		y := float64(h-2) + 1
		if maxV > 0 {
			y -= float64(v) / float64(maxV) * float64(h-4)
		}
		pts = append(pts, strconv.FormatFloat(x, 'f', 1, 64)+","+strconv.FormatFloat(y, 'f', 1, 64))
	}
	sp.Points = strings.Join(pts, " ")
	return sp
}

// Chart geometry: plot area inside the SVG's viewBox, leaving room for axis labels.
const (
	chartWidth  = 720
	chartHeight = 220
	chartLeft   = 56
	chartRight  = 8
	chartTop    = 10
	chartBottom = 26
)

// latencyChart draws average and p95 latency of rollup buckets (oldest first) between from
// and to.
func (f formatter) latencyChart(buckets []monitor.RollupBucket, from, to time.Time, tickEvery time.Duration, tickFormat string) views.Chart {
	c := views.Chart{Width: chartWidth, Height: chartHeight, AvgLabel: f.t("chart.avg"), P95Label: f.t("chart.p95")}
	var maxV time.Duration
	var avgSum time.Duration
	var n, checks int
	for _, b := range buckets {
		checks += int(b.Checks)
		// Latencies are those of successful checks: a bucket of failures has none to draw
		// (its zero is no response time).
		if hasLatency(b) {
			maxV = max(maxV, b.P95Latency, b.AvgLatency)
			avgSum += b.AvgLatency
			n++
		}
	}
	if n == 0 {
		c.Empty = true
		c.Summary = f.t("chart.empty")
		if checks > 0 {
			c.Summary = f.t("chart.no_success")
		}
		return c
	}
	top := niceCeil(maxV)
	plotW := float64(chartWidth - chartLeft - chartRight)
	plotH := float64(chartHeight - chartTop - chartBottom)
	span := to.Sub(from)
	x := func(t time.Time) float64 { return chartLeft + plotW*float64(t.Sub(from))/float64(span) }
	y := func(d time.Duration) float64 { return chartTop + plotH - plotH*float64(d)/float64(top) }
	var avg, p95 []string
	for _, b := range buckets {
		if !hasLatency(b) {
			continue
		}
		// A bucket is drawn at its middle.
		mid := b.Start.Add(tickEvery / 2)
		if tickEvery >= 24*time.Hour {
			mid = b.Start.Add(12 * time.Hour)
		}
		xs := strconv.FormatFloat(min(max(x(mid), chartLeft), chartWidth-chartRight), 'f', 1, 64)
		avg = append(avg, xs+","+strconv.FormatFloat(y(b.AvgLatency), 'f', 1, 64))
		p95 = append(p95, xs+","+strconv.FormatFloat(y(max(b.P95Latency, b.AvgLatency)), 'f', 1, 64))
	}
	if len(avg) == 1 { // a lone point: draw a short flat line so it is visible
		avg = append(avg, avg[0])
		p95 = append(p95, p95[0])
	}
	c.AvgPath, c.P95Path = strings.Join(avg, " "), strings.Join(p95, " ")
	for i := 0; i <= 4; i++ {
		v := top * time.Duration(i) / 4
		c.YTicks = append(c.YTicks, views.ChartPoint{X: chartLeft, Y: y(v), Label: f.duration(v)})
	}
	c.YTicks[0].Label = "0"
	for t := from.Truncate(tickEvery).Add(tickEvery); t.Before(to); t = t.Add(tickEvery) {
		c.XTicks = append(c.XTicks, views.ChartPoint{X: x(t), Y: chartHeight - 8, Label: t.UTC().Format(tickFormat)})
	}
	c.Summary = f.t("chart.summary", f.duration(avgSum/time.Duration(n)), f.duration(maxV))
	return c
}

// hasLatency tells whether a bucket holds successful checks, whose latency it averages.
func hasLatency(b monitor.RollupBucket) bool { return b.Ups+b.Degraded > 0 }

// niceCeil rounds a latency up to a round axis maximum (1, 2, 2.5 or 5 times a power of ten ms).
func niceCeil(d time.Duration) time.Duration {
	ms := float64(d) / float64(time.Millisecond)
	if ms <= 1 {
		return time.Millisecond
	}
	p := math.Pow(10, math.Floor(math.Log10(ms)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if ms <= m*p {
			return time.Duration(m * p * float64(time.Millisecond))
		}
	}
	return d
}

// human is a duration in at most two units, largest first: "1 d 2 h", "5 min", "45 s";
// under a second it is a latency ("87 ms").
func (f formatter) human(d time.Duration) string {
	if d < time.Second {
		return f.duration(d)
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		size time.Duration
		key  string
	}{{24 * time.Hour, "unit.d"}, {time.Hour, "unit.h"}, {time.Minute, "unit.min"}, {time.Second, "unit.s"}} {
		n := d / u.size
		if n == 0 {
			if len(parts) > 0 {
				break // "1 d 0 h 5 min" reads better as "1 d"
			}
			continue
		}
		parts = append(parts, strconv.FormatInt(int64(n), 10)+" "+f.t(u.key))
		d -= n * u.size
		if len(parts) == 2 {
			break
		}
	}
	return strings.Join(parts, " ")
}

// runTime is how long a job ran: "87 ms", "4.20 s", "3 min 12 s".
func (f formatter) runTime(d time.Duration) string {
	if d < time.Minute {
		return f.duration(d)
	}
	return f.human(d)
}

// zoned is a time in its own location, to the minute, with the weekday (cron schedules
// are about weekdays): "Sun 2026-03-29 03:00 CEST".
func (f formatter) zoned(t time.Time) string {
	return f.t("weekday."+strconv.Itoa(int(t.Weekday()))) + " " + t.Format("2006-01-02 15:04 MST")
}

// relative is how far t is from now: "in 5 h 2 min", "3 min ago".
func (f formatter) relative(t time.Time) string {
	d := t.Sub(f.now)
	round := func(d time.Duration) time.Duration {
		if d >= time.Minute {
			return d.Round(time.Minute)
		}
		return d.Round(time.Second)
	}
	switch {
	case d >= time.Second:
		return f.t("time.in", f.human(round(d)))
	case d > -time.Second:
		return f.t("time.just_now")
	default:
		return f.t("time.ago", f.human(round(-d)))
	}
}

// bytes is a size: "512 B", "1.5 KB".
func (f formatter) bytes(n int) string {
	if n < 1000 {
		return strconv.Itoa(n) + " B"
	}
	return f.decimal(float64(n)/1000, 1) + " KB"
}

// size is an amount of transferred data: "512 B", "48.2 KB", "1.3 MB".
func (f formatter) size(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return f.decimal(float64(n)/1000, 1) + " KB"
	default:
		return f.decimal(float64(n)/(1000*1000), 1) + " MB"
	}
}

// schedule describes a heartbeat schedule: "Every 1 d", "Cron 0 2 * * * (Europe/Paris)".
func (f formatter) schedule(h monitor.HeartbeatSettings) string {
	if h.Cron != "" {
		return f.t("heartbeat.cron_in", h.Cron, zoneName(h.TimeZone))
	}
	return f.t("heartbeat.every", f.human(h.Period))
}

// target is what a monitor watches, translated where it needs words (heartbeats).
func (f formatter) target(m monitor.Monitor) string {
	if h, ok := m.Settings.(monitor.HeartbeatSettings); ok {
		return f.schedule(h)
	}
	return target(m)
}

// runChart draws the durations of finished runs (oldest first) as bars, failed runs apart.
func (f formatter) runChart(runs []heartbeat.Record) views.RunChart {
	// Narrower than the latency chart: it shares its row with the status changes.
	const width = 560
	c := views.RunChart{Width: width, Height: chartHeight, OKLabel: f.t("runs.ok"), FailedLabel: f.t("runs.failed")}
	if len(runs) == 0 {
		c.Empty, c.Summary = true, f.t("runs.empty")
		return c
	}
	var longest time.Duration
	durations := make([]time.Duration, len(runs))
	failed := 0
	for i, r := range runs {
		durations[i] = r.RunTime
		longest = max(longest, r.RunTime)
		if heartbeat.Failed(r.Kind, r.Exit) {
			failed++
		}
	}
	step := durationStep(longest)
	top := 4 * step
	plotW := float64(width - chartLeft - chartRight)
	plotH := float64(chartHeight - chartTop - chartBottom)
	slot := plotW / float64(max(len(runs), 12)) // few runs stay narrow bars on the left
	barW := slot * 0.7
	y := func(d time.Duration) float64 { return chartTop + plotH - plotH*float64(d)/float64(top) }
	for i, r := range runs {
		h := max(plotH*float64(r.RunTime)/float64(top), 1.5)
		bar := views.RunBar{X: chartLeft + slot*float64(i) + (slot-barW)/2, Y: chartTop + plotH - h, W: barW, H: h,
			Failed: heartbeat.Failed(r.Kind, r.Exit)}
		bar.Title = f.stamp(r.At) + " · " + f.runTime(r.RunTime)
		if bar.Failed {
			bar.Title += " · " + f.t("runs.failed")
		}
		c.Bars = append(c.Bars, bar)
	}
	for i := 0; i <= 4; i++ {
		v := step * time.Duration(i)
		c.YTicks = append(c.YTicks, views.ChartPoint{X: chartLeft, Y: y(v), Label: f.human(v)})
	}
	c.YTicks[0].Label = "0"
	// Dates under the first and last bars, and the middle one when there is room.
	ticks := []int{0}
	if n := len(runs); n > 1 && slot*float64(n-1) >= 90 {
		if n >= 5 {
			ticks = append(ticks, n/2)
		}
		ticks = append(ticks, n-1)
	}
	for _, i := range ticks {
		c.XTicks = append(c.XTicks, views.ChartPoint{X: chartLeft + slot*float64(i) + slot/2, Y: chartHeight - 8,
			Label: runs[i].At.UTC().Format("01-02 15:04")})
	}
	if len(runs) == 1 {
		c.Summary = f.t("runs.summary_one", f.runTime(longest), failed)
	} else {
		c.Summary = f.t("runs.summary", len(runs), f.runTime(heartbeat.Median(durations)), f.runTime(longest), failed)
	}
	return c
}

// durationSteps are the round tick steps of duration axes.
var durationSteps = [...]time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// durationStep is the smallest round step of which four cover d.
func durationStep(d time.Duration) time.Duration {
	for _, s := range durationSteps {
		if 4*s >= d {
			return s
		}
	}
	day := 24 * time.Hour
	return (d/4 + day - 1) / day * day
}
