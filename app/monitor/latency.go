package monitor

import (
	"math"
	"time"
)

// latencyBounds are the exclusive upper bounds of the latency histogram buckets; the last
// bucket (index len(latencyBounds)) is open-ended. Roughly logarithmic: a bucket is at most
// 2.5 times as wide as its lower bound, so a percentile read from rollups is within one
// bucket's width of the truth, which is plenty for "p95 went from 120 ms to 800 ms".
//
// The bucket indexes are stored: rollups keep one counter column per bucket (h0..h15), so
// these bounds may only ever be refined by a migration that rewrites the counters.
var latencyBounds = [...]time.Duration{
	5 * time.Millisecond,
	10 * time.Millisecond,
	20 * time.Millisecond,
	30 * time.Millisecond,
	50 * time.Millisecond,
	75 * time.Millisecond,
	100 * time.Millisecond,
	150 * time.Millisecond,
	200 * time.Millisecond,
	300 * time.Millisecond,
	500 * time.Millisecond,
	750 * time.Millisecond,
	time.Second,
	2 * time.Second,
	5 * time.Second,
}

// NumLatencyBuckets is the number of buckets of a latency histogram.
const NumLatencyBuckets = len(latencyBounds) + 1

// LatencyBucket returns the histogram bucket of a latency: 0 for [0, 5ms), ..., and
// NumLatencyBuckets-1 for 5s and more. Negative durations fall in bucket 0.
func LatencyBucket(d time.Duration) int {
	for i, b := range latencyBounds {
		if d < b {
			return i
		}
	}
	return NumLatencyBuckets - 1
}

// LatencyBucketBounds returns the range [lo, hi) of bucket i; hi is 0 for the open-ended
// last bucket (and for an index out of range, whose lo is 0 too).
func LatencyBucketBounds(i int) (lo, hi time.Duration) {
	if i < 0 || i >= NumLatencyBuckets {
		return 0, 0
	}
	if i > 0 {
		lo = latencyBounds[i-1]
	}
	if i < len(latencyBounds) {
		hi = latencyBounds[i]
	}
	return lo, hi
}

// Percentile estimates the p-th quantile (p in [0, 1], e.g. 0.95) of the latencies counted in
// hist (one count per bucket, as LatencyBucket assigns them). It interpolates linearly inside
// the bucket holding the quantile, as if latencies were spread evenly over it.
//
// maxLatency, the largest latency counted (0 if unknown), bounds the answer: it closes the
// open-ended top bucket, and no estimate exceeds it. Without it, a quantile in the top bucket
// is reported as that bucket's lower bound (5s), an underestimate by design rather than a
// made-up number. An empty histogram gives 0.
func Percentile(hist []int64, p float64, maxLatency time.Duration) time.Duration {
	var total int64
	for _, n := range hist[:min(len(hist), NumLatencyBuckets)] {
		if n > 0 {
			total += n
		}
	}
	if total == 0 || math.IsNaN(p) {
		return 0
	}
	p = math.Min(math.Max(p, 0), 1)
	rank := p * float64(total)

	var seen int64
	for i, n := range hist[:min(len(hist), NumLatencyBuckets)] {
		if n <= 0 {
			continue
		}
		if float64(seen+n) < rank && seen+n < total {
			seen += n
			continue
		}
		lo, hi := LatencyBucketBounds(i)
		if hi == 0 { // open-ended top bucket
			hi = lo
			if maxLatency > lo {
				hi = maxLatency
			}
		}
		if maxLatency > 0 && hi > maxLatency {
			hi = maxLatency
		}
		if hi < lo { // maxLatency below the bucket: inconsistent input, trust it
			return hi
		}
		frac := (rank - float64(seen)) / float64(n)
		return lo + time.Duration(frac*float64(hi-lo))
	}
	return 0 // unreachable: the loop ends in the bucket holding the last count
}
