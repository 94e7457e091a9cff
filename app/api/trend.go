package api

import (
	"fmt"
	"net/http"
	"time"

	"statusthing/app/monitor"
)

const day = 24 * time.Hour

// aggregation is a trend bucket size: where its buckets come from and how far one request
// may reach.
type aggregation struct {
	step    time.Duration
	defSpan time.Duration // from's default: to minus this
	maxSpan time.Duration // at most ~1,500 buckets per answer
}

var aggregations = map[string]aggregation{
	"1m": {time.Minute, time.Hour, day}, // raw results
	"1h": {time.Hour, day, 62 * day},    // hourly rollups
	"1d": {day, 30 * day, 400 * day},    // daily rollups
}

// trendJSON is a monitor's trend: one bucket per period with checks.
type trendJSON struct {
	MonitorID   int64        `json:"monitor_id"`
	Aggregation string       `json:"aggregation"`
	From        time.Time    `json:"from"`
	To          time.Time    `json:"to"`
	Buckets     []bucketJSON `json:"buckets"`
}

// bucketJSON is one period. ups counts up and degraded checks; the latencies cover them
// only (a timeout says nothing of speed) and are null when there were none.
type bucketJSON struct {
	Start        time.Time `json:"start"`
	Checks       int64     `json:"checks"`
	Ups          int64     `json:"ups"`
	Degraded     int64     `json:"degraded"`
	Downs        int64     `json:"downs"`
	Uptime       float64   `json:"uptime"`
	AvgLatencyMs *float64  `json:"avg_latency_ms"`
	P95LatencyMs *float64  `json:"p95_latency_ms"`
	MaxLatencyMs *float64  `json:"max_latency_ms"`
}

func ms(d time.Duration) *float64 {
	v := float64(d.Microseconds()) / 1000
	return &v
}

func toBucketJSON(b monitor.RollupBucket) bucketJSON {
	out := bucketJSON{Start: b.Start.UTC(), Checks: b.Checks, Ups: b.Ups, Degraded: b.Degraded, Downs: b.Downs}
	if b.Checks > 0 {
		out.Uptime = float64(b.Ups) / float64(b.Checks)
	}
	if b.Ups > 0 {
		out.AvgLatencyMs, out.P95LatencyMs, out.MaxLatencyMs = ms(b.AvgLatency), ms(b.P95Latency), ms(b.MaxLatency)
	}
	return out
}

func (h *Handler) getTrend(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	name := q.Get("aggregation")
	if name == "" {
		name = "1h"
	}
	agg, ok := aggregations[name]
	if !ok {
		return badParam("aggregation", "must be 1m, 1h or 1d")
	}
	from, to, err := parseRange(q)
	if err != nil {
		return err
	}
	now := h.now().UTC()
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.Add(-agg.defSpan)
	}
	if !from.Before(to) {
		return badParam("from", "must be before to")
	}
	if to.Sub(from) > agg.maxSpan {
		return badParam("from", fmt.Sprintf("a %s trend spans at most %s: narrow from/to or use a larger aggregation",
			name, spanText(agg.maxSpan)))
	}
	from = from.Truncate(agg.step) // UTC-aligned: Truncate counts from the zero time
	var buckets []monitor.RollupBucket
	switch name {
	case "1m":
		if h.retention > 0 && from.Before(now.Add(-h.retention)) {
			return badParam("from", fmt.Sprintf("1m trends come from raw results, kept %s: start after %s or use aggregation=1h",
				spanText(h.retention), now.Add(-h.retention).Format(time.RFC3339)))
		}
		buckets, err = h.store.ResultTrend(r.Context(), c.org, id, from, to, agg.step)
	default:
		buckets, err = h.monitors.Rollups(r.Context(), c.org, id, name == "1h", from, to)
	}
	if err != nil {
		return err
	}
	out := trendJSON{MonitorID: id, Aggregation: name, From: from, To: to, Buckets: make([]bucketJSON, 0, len(buckets))}
	for _, b := range buckets {
		if b.Checks > 0 {
			out.Buckets = append(out.Buckets, toBucketJSON(b))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// spanText writes whole days as days ("62 days"), shorter spans as durations.
func spanText(d time.Duration) string {
	if d >= day && d%day == 0 {
		if d == day {
			return "1 day"
		}
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
