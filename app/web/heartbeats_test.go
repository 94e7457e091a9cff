package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

func TestHuman(t *testing.T) {
	en, fr := testFormatter(t, "en"), testFormatter(t, "fr")
	tests := []struct {
		d      time.Duration
		en, fr string
	}{
		{87 * time.Millisecond, "87 ms", "87 ms"},
		{45 * time.Second, "45 s", "45 s"},
		{90 * time.Second, "1 min 30 s", "1 min 30 s"},
		{time.Hour, "1 h", "1 h"},
		{26*time.Hour + 5*time.Minute, "1 d 2 h", "1 j 2 h"},
		{24*time.Hour + 5*time.Minute, "1 d", "1 j"}, // not "1 d 0 h"
		{365 * 24 * time.Hour, "365 d", "365 j"},
	}
	for _, tt := range tests {
		if got := en.human(tt.d); got != tt.en {
			t.Errorf("en human(%s) = %q, want %q", tt.d, got, tt.en)
		}
		if got := fr.human(tt.d); got != tt.fr {
			t.Errorf("fr human(%s) = %q, want %q", tt.d, got, tt.fr)
		}
	}
	f := en // now is 2026-11-25 12:00 UTC
	if got := f.relative(f.now.Add(5*time.Hour + 2*time.Minute + 20*time.Second)); got != "in 5 h 2 min" {
		t.Errorf("relative future = %q", got)
	}
	if got := f.relative(f.now.Add(-3 * time.Minute)); got != "3 min ago" {
		t.Errorf("relative past = %q", got)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if got := f.zoned(time.Date(2027, 3, 28, 3, 0, 0, 0, paris)); got != "Sun 2027-03-28 03:00 CEST" {
		t.Errorf("zoned = %q", got)
	}
	if got := fr.zoned(time.Date(2027, 3, 28, 3, 0, 0, 0, paris)); got != "dim. 2027-03-28 03:00 CEST" {
		t.Errorf("fr zoned = %q", got)
	}
}

func TestSchedulePreview(t *testing.T) {
	f := testFormatter(t, "en")
	get := func(v url.Values) func(string) string { return v.Get }
	tests := []struct {
		name   string
		q      url.Values
		times  []string
		errors []string
	}{
		{
			// 2027-03-28 is the spring-forward Sunday in Paris: 02:30 does not exist.
			name:  "cron across daylight saving time",
			q:     url.Values{"schedule": {"cron"}, "cron": {"30 2 * 3 0"}, "timezone": {"Europe/Paris"}, "period": {"junk"}},
			times: []string{"2027-03-07T02:30:00+01:00", "2027-03-14T02:30:00+01:00", "2027-03-21T02:30:00+01:00", "2027-03-28T03:00:00+02:00", "2028-03-05T02:30:00+01:00"},
		},
		{
			name:  "period from now",
			q:     url.Values{"schedule": {"period"}, "period": {"12h"}, "cron": {"junk"}},
			times: []string{"2026-11-26T00:00:00Z", "2026-11-26T12:00:00Z", "2026-11-27T00:00:00Z", "2026-11-27T12:00:00Z", "2026-11-28T00:00:00Z"},
		},
		{
			name:   "every refused field, labelled",
			q:      url.Values{"schedule": {"cron"}, "cron": {"99 * * * *"}, "timezone": {"Atlantis/Capital"}, "grace": {"5s"}},
			errors: []string{"Cron expression: minute: ", "Time zone: unknown time zone", "Grace time: must be at least 1 minute"},
		},
		{
			name:   "unparsable duration",
			q:      url.Values{"schedule": {"period"}, "period": {"often"}},
			errors: []string{`Period: "often" is not a duration`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := schedulePreview(f, get(tt.q))
			var times []string
			for _, e := range p.Times {
				times = append(times, e.ISO)
			}
			if !reflect.DeepEqual(times, tt.times) {
				t.Errorf("times %v, want %v", times, tt.times)
			}
			if len(p.Errors) != len(tt.errors) {
				t.Fatalf("errors %q, want %q", p.Errors, tt.errors)
			}
			for i, want := range tt.errors {
				if !strings.HasPrefix(p.Errors[i], want) {
					t.Errorf("error %d = %q, want it to start with %q", i, p.Errors[i], want)
				}
			}
		})
	}
}

func TestCronFor(t *testing.T) {
	tests := map[time.Duration]string{
		time.Minute: "* * * * *", 5 * time.Minute: "*/5 * * * *", 7 * time.Minute: "0 2 * * *", time.Hour: "0 * * * *",
		6 * time.Hour: "0 */6 * * *", 24 * time.Hour: "0 2 * * *", 7 * 24 * time.Hour: "0 2 * * 0",
	}
	for period, want := range tests {
		if got := cronFor(monitor.HeartbeatSettings{Period: period}); got != want {
			t.Errorf("cronFor(%s) = %q, want %q", period, got, want)
		}
	}
	if got := cronFor(monitor.HeartbeatSettings{Cron: "15 4 * * 1-5"}); got != "15 4 * * 1-5" {
		t.Errorf("cron kept: %q", got)
	}
}

func TestSnippets(t *testing.T) {
	f := testFormatter(t, "en")
	const u = "https://status.example.com/ping/0b9a5c1e-8a7e-4c4f-9f55-1d2a6c2f0b01"
	cron := f.crontabSnippet(monitor.HeartbeatSettings{Cron: "0 3 * * *", TimeZone: "Europe/Paris"}, u)
	if !strings.HasPrefix(cron, "# The schedule is in Europe/Paris") ||
		!strings.HasSuffix(cron, "\n0 3 * * * /path/to/job.sh && curl -fsS -m 10 --retry 5 -o /dev/null "+u) {
		t.Errorf("crontab snippet:\n%s", cron)
	}
	// The exit status is saved at once: the next command would overwrite $?.
	wrapper := f.wrapperSnippet(u)
	lines := strings.Split(wrapper, "\n")
	want := []string{"#!/bin/sh", "", "url=" + u, `curl -fsS -m 10 --retry 5 -o /dev/null "$url/start"`, "output=$(/path/to/job.sh 2>&1)",
		"status=$?", `curl -fsS -m 10 --retry 5 -o /dev/null --data-raw "$output" "$url/$status"`, "exit $status"}
	if len(lines) != len(want) {
		t.Fatalf("wrapper:\n%s", wrapper)
	}
	for i := range want {
		if i != 1 && lines[i] != want[i] {
			t.Errorf("wrapper line %d = %q, want %q", i, lines[i], want[i])
		}
	}
	if got := shellWord("https://h/ping/x'y"); got != `'https://h/ping/x'\''y'` {
		t.Errorf("shellWord = %s", got)
	}
}

func TestBuildHeartbeatPanel(t *testing.T) {
	f := testFormatter(t, "en") // now: 2026-11-25 12:00 UTC
	now := f.now
	hs := monitor.HeartbeatSettings{Period: time.Hour, Grace: 10 * time.Minute}
	m := monitor.Monitor{ID: 7, Name: "Backup", Type: monitor.TypeHeartbeat, Settings: hs,
		State: monitor.State{Status: monitor.StatusUp, LastCheckedAt: now.Add(-20 * time.Minute)}}
	rec := func(id int64, kind heartbeat.Kind, exit int, ago, run time.Duration, body string) heartbeat.Record {
		return heartbeat.Record{ID: id, MonitorID: 7, Ping: heartbeat.Ping{Kind: kind, Exit: exit, At: now.Add(-ago)}, Method: "POST",
			RemoteIP: "192.0.2.1", UserAgent: "curl/8", Body: body, RunTime: run}
	}
	pings := []heartbeat.Record{ // newest first
		rec(5, heartbeat.KindStart, 0, 15*time.Minute, 0, ""),
		rec(4, heartbeat.KindExit, 2, 20*time.Minute, 3*time.Minute, "disk full\nmore"),
		rec(3, heartbeat.KindStart, 0, 23*time.Minute, 0, ""),
		rec(2, heartbeat.KindSuccess, 0, 80*time.Minute, 2*time.Minute, ""),
		rec(1, heartbeat.KindStart, 0, 82*time.Minute, 0, ""),
	}
	info := heartbeat.Info{MonitorID: 7, UUID: "0b9a5c1e-8a7e-4c4f-9f55-1d2a6c2f0b01", Slug: "backup",
		State:   heartbeat.State{Status: monitor.StatusUp, LastPing: now.Add(-20 * time.Minute)},
		Running: []heartbeat.RunningRun{{StartedAt: now.Add(-15 * time.Minute)}}}
	p := buildHeartbeatPanel(f, heartbeatFacts{monitor: m, settings: hs, info: info, recent: pings, page: pings,
		base: "https://status.example.com", pingKey: "k3y"})

	if p.PingURL != "https://status.example.com/ping/"+info.UUID || p.SlugURL != "https://status.example.com/ping/k3y/backup" {
		t.Errorf("URLs %q %q", p.PingURL, p.SlugURL)
	}
	if p.Schedule != "Every 1 h" || p.Grace != "10 min" || p.LastPing != "20 min ago" {
		t.Errorf("facts %q %q %q", p.Schedule, p.Grace, p.LastPing)
	}
	if p.NextPing.ISO != "2026-11-25T12:40:00Z" || p.NextPing.Relative != "in 40 min" || p.DownAt.ISO != "2026-11-25T12:50:00Z" || p.NextPing.Overdue {
		t.Errorf("next %+v, down %+v", p.NextPing, p.DownAt)
	}
	// Open for 15 min while runs take 2-3 min (median 2.5) plus 10 min of grace: too long.
	if p.Running != "running for 15 min" || !p.TooLong {
		t.Errorf("running %q, too long %v", p.Running, p.TooLong)
	}
	if len(p.Runs.Bars) != 2 || p.Runs.Bars[0].Failed || !p.Runs.Bars[1].Failed || p.Runs.Bars[1].H <= p.Runs.Bars[0].H {
		t.Errorf("run bars %+v", p.Runs.Bars)
	}
	if len(p.Pings) != 5 || p.OlderURL != "" || p.NewestURL != "" || p.Waiting {
		t.Errorf("log: %d rows, older %q, newest %q", len(p.Pings), p.OlderURL, p.NewestURL)
	}
	exit := p.Pings[1]
	if exit.Kind != "Exit 2" || exit.KindClass != "down" || exit.Exit != "2" || exit.RunTime != "3 min" || exit.Source != "POST 192.0.2.1" ||
		exit.BodySummary != "disk full" || exit.BodySize != "14 B" || exit.ID != "4" {
		t.Errorf("exit row %+v", exit)
	}
	if p.Pings[0].KindClass != "start" || p.Pings[3].Kind != "Success" || p.Pings[3].KindClass != "up" {
		t.Errorf("kinds %+v %+v", p.Pings[0], p.Pings[3])
	}

	// A fresh heartbeat waits; a paused one expects nothing; a second page links back.
	info.State, info.Running = heartbeat.State{Status: monitor.StatusNew}, nil
	fresh := buildHeartbeatPanel(f, heartbeatFacts{monitor: m, settings: hs, info: info, base: "https://s"})
	if !fresh.Waiting || fresh.NextPing.Label != "" || fresh.NextPing.Empty != "after the first ping" || fresh.DownAt.Label != "" ||
		fresh.Running != "" || fresh.TooLong || !fresh.Runs.Empty || fresh.SlugURL != "" {
		t.Errorf("fresh panel %+v", fresh)
	}
	info.State.Status = monitor.StatusPaused
	full := make([]heartbeat.Record, pingPageSize)
	for i := range full {
		full[i] = rec(int64(100-i), heartbeat.KindLog, 0, time.Duration(i)*time.Minute, 0, "")
	}
	paused := buildHeartbeatPanel(f, heartbeatFacts{monitor: m, settings: hs, info: info, recent: full, page: full, before: 101, base: "https://s"})
	if paused.NextPing.Empty != "nothing while paused" || paused.OlderURL != "/admin/monitors/7?before=76#pings" ||
		paused.NewestURL != "/admin/monitors/7#pings" || paused.RefreshURL != "/admin/monitors/7/heartbeat?before=101" {
		t.Errorf("paused panel: %q %q %q %q", paused.NextPing.Empty, paused.OlderURL, paused.NewestURL, paused.RefreshURL)
	}
}

func TestRunChart(t *testing.T) {
	f := testFormatter(t, "en")
	if c := f.runChart(nil); !c.Empty || c.Summary == "" {
		t.Errorf("empty chart %+v", c)
	}
	var runs []heartbeat.Record
	for i, d := range []time.Duration{40 * time.Second, 70 * time.Second, 50 * time.Second} {
		runs = append(runs, heartbeat.Record{Ping: heartbeat.Ping{Kind: heartbeat.KindSuccess, At: f.now.Add(time.Duration(i) * time.Hour)}, RunTime: d})
	}
	runs[1].Kind = heartbeat.KindFail
	c := f.runChart(runs)
	// 70 s fits under 4 steps of 30 s: ticks 0, 30 s, 1 min, 1 min 30 s, 2 min.
	var labels []string
	for _, tk := range c.YTicks {
		labels = append(labels, tk.Label)
	}
	if strings.Join(labels, "|") != "0|30 s|1 min|1 min 30 s|2 min" {
		t.Errorf("y ticks %v", labels)
	}
	if len(c.Bars) != 3 || !c.Bars[1].Failed || c.Bars[0].Failed || c.Bars[1].H <= c.Bars[2].H || c.Bars[2].H <= c.Bars[0].H {
		t.Errorf("bars %+v", c.Bars)
	}
	for _, b := range c.Bars {
		if b.Y+b.H > float64(chartHeight-chartBottom)+0.01 || b.X < chartLeft || b.X+b.W > float64(c.Width-chartRight) {
			t.Errorf("bar outside the plot: %+v", b)
		}
	}
	if c.Summary != "3 runs: median 50 s, longest 1 min 10 s, 1 failed." {
		t.Errorf("summary %q", c.Summary)
	}
	if !strings.Contains(c.Bars[1].Title, "Failed") {
		t.Errorf("title %q", c.Bars[1].Title)
	}
}

func TestDurationStep(t *testing.T) {
	tests := map[time.Duration]time.Duration{
		3 * time.Millisecond: time.Millisecond, 345 * time.Millisecond: 100 * time.Millisecond, 70 * time.Second: 30 * time.Second,
		50 * time.Minute: 15 * time.Minute, 5 * time.Hour: 2 * time.Hour, 150 * time.Hour: 48 * time.Hour,
	}
	for d, want := range tests {
		if got := durationStep(d); got != want {
			t.Errorf("durationStep(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestHeartbeatFormValues(t *testing.T) {
	// The schedule kind decides between period and cron; the other value is dropped.
	form := url.Values{"type": {"heartbeat"}, "name": {"job"}, "schedule": {"cron"}, "period": {"not a duration"},
		"cron": {" 0  3 * * * "}, "timezone": {"Europe/Paris"}, "grace": {"30m"}}
	s, errs := specFromForm(form)
	if len(errs) > 0 || s.Period != 0 || s.Cron != "0  3 * * *" || s.TimeZone != "Europe/Paris" || s.Grace != monitor.Duration(30*time.Minute) {
		t.Errorf("cron form: %+v %v", s, errs)
	}
	form.Set("schedule", "period")
	form.Set("period", "6h")
	if s, errs = specFromForm(form); len(errs) > 0 || s.Cron != "" || s.Period != monitor.Duration(6*time.Hour) {
		t.Errorf("period form: %+v %v", s, errs)
	}
	// Round trip through the edit form.
	for _, spec := range []monitor.Spec{
		{Name: "cron job", Type: monitor.TypeHeartbeat, Cron: "15 4 * * 1-5", TimeZone: "Asia/Tokyo", Grace: monitor.Duration(time.Hour)},
		{Name: "period job", Type: monitor.TypeHeartbeat, Period: monitor.Duration(90 * time.Minute), Grace: monitor.Duration(5 * time.Minute)},
	} {
		m, err := heartbeat.BuildSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{}
		for k, v := range valuesFromSpec(monitor.SpecOf(m)) {
			form.Set(k, v)
		}
		got, errs := specFromForm(form)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", spec.Name, errs)
		}
		again, err := heartbeat.BuildSpec(got)
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Errorf("%s: round trip changed the monitor:\n%+v\n%+v (%v)", spec.Name, m, again, err)
		}
	}
}

func TestSummarize(t *testing.T) {
	tests := map[string]string{"\n\n  first line \nsecond": "first line", "short": "short",
		strings.Repeat("é", 60): strings.Repeat("é", 48) + "…"}
	for in, want := range tests {
		if got := summarize(in, 48); got != want {
			t.Errorf("summarize(%q) = %q, want %q", in, got, want)
		}
	}
}
