package monitor

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestLatencyBucket(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want int
	}{
		{name: "negative", d: -time.Second, want: 0},
		{name: "zero", d: 0, want: 0},
		{name: "just under first bound", d: 5*ms - 1, want: 0},
		{name: "first bound starts bucket 1", d: 5 * ms, want: 1},
		{name: "typical fast", d: 42 * ms, want: 4},
		{name: "100ms", d: 100 * ms, want: 7},
		{name: "one second", d: time.Second, want: 13},
		{name: "just under last bound", d: 5*time.Second - 1, want: 14},
		{name: "last bound is open top bucket", d: 5 * time.Second, want: NumLatencyBuckets - 1},
		{name: "huge", d: time.Hour, want: NumLatencyBuckets - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LatencyBucket(tt.d); got != tt.want {
				t.Errorf("LatencyBucket(%v) = %d, want %d", tt.d, got, tt.want)
			}
		})
	}
}

func TestLatencyBucketBoundsConsistent(t *testing.T) {
	if NumLatencyBuckets != 16 {
		// The store has one column per bucket (h0..h15): changing the count needs a migration.
		t.Fatalf("NumLatencyBuckets = %d, the rollup tables have 16 histogram columns", NumLatencyBuckets)
	}
	prevHi := time.Duration(0)
	for i := range NumLatencyBuckets {
		lo, hi := LatencyBucketBounds(i)
		if lo != prevHi {
			t.Errorf("bucket %d starts at %v, previous ended at %v", i, lo, prevHi)
		}
		if got := LatencyBucket(lo); got != i {
			t.Errorf("LatencyBucket(lo of %d = %v) = %d", i, lo, got)
		}
		if hi != 0 {
			if got := LatencyBucket(hi - 1); got != i {
				t.Errorf("LatencyBucket(hi-1 of %d = %v) = %d", i, hi-1, got)
			}
		} else if i != NumLatencyBuckets-1 {
			t.Errorf("bucket %d has no upper bound", i)
		}
		prevHi = hi
	}
	if lo, hi := LatencyBucketBounds(NumLatencyBuckets); lo != 0 || hi != 0 {
		t.Errorf("out of range bounds = %v, %v", lo, hi)
	}
}

// histOf builds a histogram with counts at the given bucket indexes.
func histOf(counts map[int]int64) []int64 {
	h := make([]int64, NumLatencyBuckets)
	for i, n := range counts {
		h[i] = n
	}
	return h
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name string
		hist []int64
		p    float64
		max  time.Duration
		want time.Duration
	}{
		{name: "empty", hist: histOf(nil), p: 0.95, want: 0},
		{name: "nil", hist: nil, p: 0.95, want: 0},
		{name: "NaN p", hist: histOf(map[int]int64{3: 10}), p: math.NaN(), want: 0},
		// 100 values in [20ms, 30ms): p95 is 95% of the way through the bucket.
		{name: "single bucket interpolates", hist: histOf(map[int]int64{3: 100}), p: 0.95, want: 29500 * time.Microsecond},
		{name: "p0 is the lower bound of the first non-empty bucket", hist: histOf(map[int]int64{3: 100, 5: 1}), p: 0, want: 20 * ms},
		{name: "p1 is the top of the last non-empty bucket", hist: histOf(map[int]int64{3: 100, 5: 1}), p: 1, want: 75 * ms},
		{name: "p above 1 is clamped", hist: histOf(map[int]int64{3: 100, 5: 1}), p: 7, want: 75 * ms},
		{name: "p1 capped by max", hist: histOf(map[int]int64{3: 100, 5: 1}), p: 1, max: 60 * ms, want: 60 * ms},
		// 90 fast + 10 in [100ms, 150ms): rank 95 is half-way through the second bucket.
		{name: "quantile in a later bucket", hist: histOf(map[int]int64{1: 90, 7: 10}), p: 0.95, want: 125 * ms},
		{name: "median in the first bucket", hist: histOf(map[int]int64{1: 90, 7: 10}), p: 0.5, want: 5*ms + 5*ms*50/90},
		{name: "empty buckets in between are skipped", hist: histOf(map[int]int64{0: 50, 12: 50}), p: 0.75, want: 875 * ms},
		{name: "top bucket without max reports its lower bound", hist: histOf(map[int]int64{15: 10}), p: 0.95, want: 5 * time.Second},
		{name: "top bucket closed by max", hist: histOf(map[int]int64{15: 10}), p: 0.5, max: 9 * time.Second, want: 7 * time.Second},
		{name: "max inside the bucket caps interpolation", hist: histOf(map[int]int64{9: 10}), p: 0.9, max: 250 * ms, want: 200*ms + 45*ms},
		{name: "max below the bucket (inconsistent) wins", hist: histOf(map[int]int64{9: 10}), p: 0.9, max: 120 * ms, want: 120 * ms},
		{name: "negative counts ignored", hist: histOf(map[int]int64{2: -5, 3: 10}), p: 0.5, want: 25 * ms},
		{name: "short histogram", hist: []int64{0, 4}, p: 0.5, want: 7500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.hist, tt.p, tt.max); got != tt.want {
				t.Errorf("Percentile(%v, %v, %v) = %v, want %v", tt.hist, tt.p, tt.max, got, tt.want)
			}
		})
	}
}

// TestPercentileAccuracy checks the estimate against the exact percentile of random samples:
// it must fall in the same bucket (the promised resolution).
func TestPercentileAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := []struct {
		name string
		gen  func() time.Duration
	}{
		{name: "lognormal around 80ms", gen: func() time.Duration {
			return time.Duration(math.Exp(rng.NormFloat64()*0.5+math.Log(80)) * float64(ms))
		}},
		{name: "uniform 0-2s", gen: func() time.Duration { return time.Duration(rng.Int64N(int64(2 * time.Second))) }},
		{name: "bimodal", gen: func() time.Duration {
			if rng.IntN(10) == 0 {
				return 3*time.Second + time.Duration(rng.Int64N(int64(time.Second)))
			}
			return 30*ms + time.Duration(rng.Int64N(int64(20*ms)))
		}},
	}
	for _, d := range dists {
		t.Run(d.name, func(t *testing.T) {
			hist := make([]int64, NumLatencyBuckets)
			samples := make([]time.Duration, 10000)
			var maxD time.Duration
			for i := range samples {
				samples[i] = d.gen()
				hist[LatencyBucket(samples[i])]++
				maxD = max(maxD, samples[i])
			}
			slices.Sort(samples)
			for _, p := range []float64{0.5, 0.95, 0.99} {
				exact := samples[int(p*float64(len(samples)))-1]
				got := Percentile(hist, p, maxD)
				lo, hi := LatencyBucketBounds(LatencyBucket(exact))
				if hi == 0 {
					hi = maxD
				}
				if got < lo || got > hi {
					t.Errorf("p%v = %v, exact %v: not within its bucket [%v, %v]", p*100, got, exact, lo, hi)
				}
			}
		})
	}
}
