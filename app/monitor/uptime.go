package monitor

import "time"

// Uptime summarizes the checks of a monitor over a period (from rollups).
type Uptime struct {
	Checks     int64
	Ups        int64   // up or degraded
	Ratio      float64 // Ups/Checks, -1 when there were no checks
	AvgLatency time.Duration
	P95Latency time.Duration
}

// RollupBucket is one hour or day of a monitor's checks.
type RollupBucket struct {
	Start      time.Time
	Checks     int64
	Ups        int64
	Downs      int64
	Degraded   int64
	AvgLatency time.Duration
	MaxLatency time.Duration
	P95Latency time.Duration
}
