package statuspage

import (
	"errors"
	"math"
	"testing"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
)

func TestFromMonitor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     monitor.Status
		maint bool
		want  Status
	}{
		{"up", monitor.StatusUp, false, Operational},
		{"down", monitor.StatusDown, false, MajorOutage},
		{"degraded", monitor.StatusDegraded, false, DegradedPerformance},
		{"late heartbeat is within its grace", monitor.StatusLate, false, Operational},
		{"paused", monitor.StatusPaused, false, Operational},
		{"down in maintenance", monitor.StatusDown, true, UnderMaintenance},
		{"up in maintenance", monitor.StatusUp, true, UnderMaintenance},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FromMonitor(tc.s, tc.maint); got != tc.want {
				t.Errorf("FromMonitor(%s, %v) = %s, want %s", tc.s, tc.maint, got, tc.want)
			}
		})
	}
}

func TestOverall(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []Status
		impacts  []string
		want     Indicator
	}{
		{"all operational", []Status{Operational, Operational}, nil, IndicatorNone},
		{"no components", nil, nil, IndicatorNone},
		{"maintenance", []Status{Operational, UnderMaintenance}, nil, IndicatorMaintenance},
		{"degraded beats maintenance", []Status{DegradedPerformance, UnderMaintenance}, nil, IndicatorMinor},
		{"one down of two", []Status{MajorOutage, Operational}, nil, IndicatorMajor},
		{"all down", []Status{MajorOutage, MajorOutage}, nil, IndicatorCritical},
		{"a single component down is major, not critical", []Status{MajorOutage}, nil, IndicatorMajor},
		{"incident impact raises", []Status{Operational}, []string{"critical"}, IndicatorCritical},
		{"impact none changes nothing", []Status{Operational}, []string{"none"}, IndicatorNone},
		{"minor incident", []Status{Operational}, []string{"minor"}, IndicatorMinor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Overall(tc.statuses, tc.impacts); got != tc.want {
				t.Errorf("Overall = %s, want %s", got, tc.want)
			}
		})
	}
}

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestDownIntervals(t *testing.T) {
	from, now := day0, day0.Add(48*time.Hour)
	flip := func(h float64, a, b monitor.Status) monitor.Flip {
		return monitor.Flip{At: day0.Add(time.Duration(h * float64(time.Hour))), From: a, To: b}
	}
	for _, tc := range []struct {
		name    string
		flips   []monitor.Flip
		current monitor.Status
		want    []Interval
	}{
		{"never down", nil, monitor.StatusUp, nil},
		{"down all along", nil, monitor.StatusDown, []Interval{{from, now}}},
		{"one outage", []monitor.Flip{flip(1, monitor.StatusUp, monitor.StatusDown), flip(2, monitor.StatusDown, monitor.StatusUp)},
			monitor.StatusUp, []Interval{{day0.Add(time.Hour), day0.Add(2 * time.Hour)}}},
		{"down at the start", []monitor.Flip{flip(3, monitor.StatusDown, monitor.StatusUp)}, monitor.StatusUp,
			[]Interval{{from, day0.Add(3 * time.Hour)}}},
		{"still down", []monitor.Flip{flip(40, monitor.StatusUp, monitor.StatusDown)}, monitor.StatusDown,
			[]Interval{{day0.Add(40 * time.Hour), now}}},
		{"paused while down ends the outage", []monitor.Flip{flip(1, monitor.StatusUp, monitor.StatusDown),
			flip(2, monitor.StatusDown, monitor.StatusPaused)}, monitor.StatusPaused, []Interval{{day0.Add(time.Hour), day0.Add(2 * time.Hour)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DownIntervals(tc.flips, tc.current, from, now)
			if len(got) != len(tc.want) {
				t.Fatalf("intervals %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].From.Equal(tc.want[i].From) || !got[i].To.Equal(tc.want[i].To) {
					t.Errorf("interval %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestBar(t *testing.T) {
	today := day0.Add(89*24*time.Hour + 13*time.Hour) // the bar's last day, 13:00
	first := day0
	bucket := func(d int, checks, ups int64) monitor.RollupBucket {
		return monitor.RollupBucket{Start: first.AddDate(0, 0, d), Checks: checks, Ups: ups}
	}
	in := BarInput{
		Today: today, Since: first.AddDate(0, 0, 10), Measured: true,
		Rollups: []monitor.RollupBucket{bucket(10, 1440, 1440), bucket(11, 1440, 1439), bucket(12, 1440, 1400), bucket(13, 1440, 1000), bucket(89, 780, 780)},
		// 30 min down on day 11 (crossing no midnight), and day 20 to day 21 across midnight with no rollups (a gap).
		Down: []Interval{{first.AddDate(0, 0, 11).Add(time.Hour), first.AddDate(0, 0, 11).Add(90 * time.Minute)},
			{first.AddDate(0, 0, 20).Add(23 * time.Hour), first.AddDate(0, 0, 21).Add(time.Hour)}},
		Incidents: []incident.Incident{{Title: "Critical", Impact: incident.ImpactCritical, OpenedAt: first.AddDate(0, 0, 30).Add(time.Hour),
			ResolvedAt: first.AddDate(0, 0, 31).Add(time.Hour)}},
	}
	days := Bar(in)
	if len(days) != BarDays || !days[0].Date.Equal(first) || !days[89].Date.Equal(first.AddDate(0, 0, 89)) {
		t.Fatalf("bar spans %v – %v (%d days)", days[0].Date, days[len(days)-1].Date, len(days))
	}
	for _, tc := range []struct {
		day    int
		level  Level
		down   time.Duration
		uptime float64
	}{
		{0, LevelNoData, 0, math.NaN()},
		{10, LevelOK, 0, 100},
		{11, LevelMinor, 30 * time.Minute, 1439.0 / 1440 * 100},
		{12, LevelPartial, 0, 1400.0 / 1440 * 100},
		{13, LevelMajor, 0, 1000.0 / 1440 * 100},
		{20, LevelMinor, time.Hour, math.NaN()},
		{21, LevelMinor, time.Hour, math.NaN()},
		{30, LevelMajor, 0, math.NaN()},
		{31, LevelMajor, 0, math.NaN()},
		{32, LevelNoData, 0, math.NaN()},
		{89, LevelOK, 0, 100},
	} {
		d := days[tc.day]
		if d.Level != tc.level || d.Down != tc.down || (math.IsNaN(tc.uptime) != math.IsNaN(d.Uptime)) ||
			(!math.IsNaN(tc.uptime) && math.Abs(d.Uptime-tc.uptime) > 1e-9) {
			t.Errorf("day %d: level %s down %v uptime %v, want %s %v %v", tc.day, d.Level, d.Down, d.Uptime, tc.level, tc.down, tc.uptime)
		}
	}
	if len(days[30].Incidents) != 1 || len(days[31].Incidents) != 1 || len(days[32].Incidents) != 0 {
		t.Errorf("incident days: %d %d %d", len(days[30].Incidents), len(days[31].Incidents), len(days[32].Incidents))
	}
	want := (1440 + 1439 + 1400 + 1000 + 780.0) / (1440*4 + 780) * 100
	if got := BarUptime(days); math.Abs(got-want) > 1e-9 {
		t.Errorf("bar uptime %v, want %v", got, want)
	}
	// A manual component: every day since it exists is operational unless an incident says otherwise.
	manual := Bar(BarInput{Today: today, Since: first.AddDate(0, 0, 80)})
	if manual[79].Level != LevelNoData || manual[80].Level != LevelOK || !math.IsNaN(BarUptime(manual)) {
		t.Errorf("manual bar: %s %s", manual[79].Level, manual[80].Level)
	}
}

func TestPageValidate(t *testing.T) {
	long := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'x'
		}
		return string(b)
	}
	for _, tc := range []struct {
		name   string
		page   Page
		fields []string
	}{
		{"valid", Page{Slug: "acme", Title: "Acme", CustomDomain: "status.acme.example", Locale: "fr"}, nil},
		{"missing", Page{}, []string{"slug", "title"}},
		{"slug shape", Page{Slug: "a_b", Title: "x"}, []string{"slug"}},
		{"ip as domain", Page{Slug: "a", Title: "x", CustomDomain: "10.0.0.1"}, []string{"custom_domain"}},
		{"domain with port", Page{Slug: "a", Title: "x", CustomDomain: "status.example.com:8080"}, []string{"custom_domain"}},
		{"locale", Page{Slug: "a", Title: "x", Locale: "de"}, []string{"locale"}},
		{"long title", Page{Slug: "a", Title: long(101)}, []string{"title"}},
		{"component", Page{Slug: "a", Title: "x", Components: []Component{{}, {Name: "b", Status: "broken"}}},
			[]string{"components[0].name", "components[1].status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.page.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || len(pe.Fields) != len(tc.fields) {
				t.Fatalf("Validate: %v, want errors on %v", err, tc.fields)
			}
			for _, f := range tc.fields {
				if pe.For(f) == "" {
					t.Errorf("no error on %s: %v", f, err)
				}
			}
		})
	}
}

func TestBuild(t *testing.T) {
	now := day0.Add(100 * 24 * time.Hour)
	page := Page{Slug: "acme", Title: "Acme", CollapsedGroups: []string{"Backend"}, Components: []Component{
		{ID: 1, Name: "Website", MonitorID: 10},
		{ID: 2, Group: "Backend", Name: "API", MonitorID: 11},
		{ID: 3, Group: "Backend", Name: "Queue", Status: DegradedPerformance},
		{ID: 4, Group: "Backend", Name: "Search", MonitorID: 12},
	}}
	monitors := map[int64]monitor.Monitor{
		10: {ID: 10, State: monitor.State{Status: monitor.StatusUp}},
		11: {ID: 11, State: monitor.State{Status: monitor.StatusDown}},
		12: {ID: 12, State: monitor.State{Status: monitor.StatusDown}},
	}
	maint := []incident.Maintenance{
		{Title: "Search reindex", Start: now.Add(-time.Hour), End: now.Add(time.Hour), MonitorIDs: []int64{12}},
		{Title: "DB upgrade", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour), MonitorIDs: []int64{11}},
		{Title: "Far away", Start: now.Add(30 * 24 * time.Hour), End: now.Add(31 * 24 * time.Hour), MonitorIDs: []int64{11}},
		{Title: "Unrelated", Start: now.Add(-time.Hour), End: now.Add(time.Hour), MonitorIDs: []int64{99}},
	}
	open := incident.Public{Incident: incident.Incident{ID: 7, Title: "API down", OpenedAt: now.Add(-time.Hour), Impact: incident.ImpactMajor}, ComponentIDs: []int64{2}}
	recent := incident.Public{Incident: incident.Incident{ID: 6, Title: "Blip", OpenedAt: now.Add(-3 * 24 * time.Hour), ResolvedAt: now.Add(-3*24*time.Hour + time.Hour)}, ComponentIDs: []int64{1}}
	old := incident.Public{Incident: incident.Incident{ID: 5, Title: "Old", OpenedAt: now.Add(-40 * 24 * time.Hour), ResolvedAt: now.Add(-40 * 24 * time.Hour)}, ComponentIDs: []int64{1}}
	v := Build(Input{Page: page, Now: now, Monitors: monitors, Maintenances: maint, Incidents: []incident.Public{old, open, recent}})
	if len(v.Groups) != 2 || v.Groups[0].Name != "" || v.Groups[1].Name != "Backend" || !v.Groups[1].Collapsed {
		t.Fatalf("groups %+v", v.Groups)
	}
	b := v.Groups[1]
	if b.Components[0].Status != MajorOutage || b.Components[1].Status != DegradedPerformance || b.Components[2].Status != UnderMaintenance ||
		b.Status != MajorOutage || v.Groups[0].Status != Operational {
		t.Errorf("statuses: %s %s %s group %s", b.Components[0].Status, b.Components[1].Status, b.Components[2].Status, b.Status)
	}
	if v.Indicator != IndicatorMajor {
		t.Errorf("indicator %s", v.Indicator)
	}
	if len(v.Active) != 1 || v.Active[0].ID != 7 || len(v.History) != 1 || v.History[0].ID != 6 {
		t.Errorf("active %+v history %+v", v.Active, v.History)
	}
	if len(v.Maintenances) != 2 || v.Maintenances[0].Title != "Search reindex" || !v.Maintenances[0].Active ||
		v.Maintenances[1].Title != "DB upgrade" || v.Maintenances[1].Active || v.Maintenances[1].Components[0] != "API" {
		t.Errorf("maintenances %+v", v.Maintenances)
	}
	// The old incident still marks its day on the website's bar.
	days := v.Groups[0].Components[0].Days
	if got := days[BarDays-1-40]; len(got.Incidents) != 1 || got.Incidents[0].Title != "Old" {
		t.Errorf("day of the old incident: %+v", got)
	}
}

func TestCheckLogo(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"png", []byte("\x89PNG\r\n\x1a\n rest"), "image/png"},
		{"jpeg", []byte("\xff\xd8\xff\xe0 rest"), "image/jpeg"},
		{"gif", []byte("GIF89a rest"), "image/gif"},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"svg refused", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"too big", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxLogoBytes)...), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckLogo(tc.data)
			if got != tc.want || (tc.want == "") != (err != nil) {
				t.Errorf("CheckLogo = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
