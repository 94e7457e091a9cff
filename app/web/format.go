package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"statusthing/app/monitor"
	"statusthing/views"
)

// formatter turns values into the text of one page: language, clock and catalog.
type formatter struct {
	lang string
	t    func(string, ...any) string
	now  time.Time
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

// stamp is an absolute time in UTC.
func (f formatter) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
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
	var n int
	for _, b := range buckets {
		if b.Checks > 0 {
			maxV = max(maxV, b.P95Latency, b.AvgLatency)
			avgSum += b.AvgLatency
			n++
		}
	}
	if n == 0 {
		c.Empty = true
		c.Summary = f.t("chart.empty")
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
		if b.Checks == 0 {
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
