package web

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
	"statusthing/views"
)

// The heartbeat parts of the admin: the schedule preview of the form, the page of a
// heartbeat monitor (ping URL, snippets, ping log, run durations) and its live refresh.

const (
	pingPageSize   = 25  // rows of the ping log per page
	recentPings    = 200 // pings read for the run chart and the "running too long" median
	chartRuns      = 60  // bars of the run durations chart
	tooLongSamples = 20  // finished runs whose median is the expected run time
	previewPings   = 5   // next expected pings shown by the form
)

// commonTimeZones are the suggestions of the time zone field; any IANA name is accepted.
var commonTimeZones = [...]string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw",
	"Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Cairo", "Africa/Johannesburg",
	"Africa/Lagos", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Tokyo",
	"Asia/Seoul", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
	"America/Argentina/Buenos_Aires", "America/Mexico_City", "America/New_York", "America/Toronto", "America/Chicago",
	"America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
}

// scheduleFields are the form fields of a heartbeat schedule, with the keys of their labels.
var scheduleFields = [...]struct{ name, label string }{
	{"period", "form.period"}, {"cron", "form.cron"}, {"timezone", "form.timezone"}, {"grace", "form.grace"},
}

// heartbeatFormFields are every field the heartbeat form shows.
var heartbeatFormFields = []string{"name", "schedule", "period", "cron", "timezone", "grace", "alert_late", "remind_every", "flap_changes", "flap_window"}

// scheduleSpec reads the schedule fields of a form (or of the preview's query): the
// schedule kind ("period" or "cron") says which of period and cron counts, so switching
// the kind does not leave the other value behind to be refused.
func scheduleSpec(get func(string) string) (monitor.Spec, map[string]string) {
	errs := map[string]string{}
	dur := func(k string) monitor.Duration {
		var d monitor.Duration
		if err := d.UnmarshalText([]byte(get(k))); err != nil {
			errs[k] = err.Error()
		}
		return d
	}
	s := monitor.Spec{Period: dur("period"), Cron: strings.TrimSpace(get("cron")), TimeZone: strings.TrimSpace(get("timezone")), Grace: dur("grace")}
	switch get("schedule") {
	case "cron":
		s.Period = 0
		delete(errs, "period")
	case "period":
		s.Cron = ""
	}
	return s, errs
}

// schedulePreview lists the next expected pings of the schedule in values, or why it is
// refused, each message with its field's label.
func schedulePreview(f formatter, get func(string) string) views.SchedulePreview {
	spec, parseErrs := scheduleSpec(get)
	spec.Name, spec.Type = "preview", monitor.TypeHeartbeat
	var p views.SchedulePreview
	addErrors := func(msgs map[string]string) {
		for _, sf := range scheduleFields {
			if msg, ok := msgs[sf.name]; ok {
				p.Errors = append(p.Errors, f.t(sf.label)+": "+msg)
			}
		}
	}
	if len(parseErrs) > 0 {
		addErrors(parseErrs)
		return p
	}
	m, err := heartbeat.BuildSpec(spec)
	if err != nil {
		addErrors(fieldMessages(nil, err))
		if len(p.Errors) == 0 {
			p.Errors = []string{f.t("preview.invalid")}
		}
		return p
	}
	hs := m.Settings.(monitor.HeartbeatSettings)
	times, err := heartbeat.ScheduleOf(hs).NextN(f.now, previewPings)
	if err != nil && len(times) == 0 {
		p.Errors = []string{f.t("form.cron") + ": " + f.t("preview.never")}
		return p
	}
	p.Heading = f.t("preview.heading", zoneName(hs.TimeZone))
	for _, t := range times {
		p.Times = append(p.Times, views.ExpectedPing{ISO: t.Format(time.RFC3339), Label: f.zoned(t), Relative: f.relative(t)})
	}
	if hs.Cron == "" {
		p.Notes = append(p.Notes, f.t("preview.period_note"))
	}
	p.Notes = append(p.Notes, f.t("preview.grace_note", f.human(hs.Grace)))
	return p
}

func zoneName(tz string) string {
	if tz == "" {
		return "UTC"
	}
	return tz
}

// schedulePreviewFragment serves the live preview of the heartbeat form.
func (h *Handler) schedulePreviewFragment(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, views.SchedulePreviewBox(schedulePreview(h.formatter(r), q.Get)))
}

// heartbeatMonitorPage builds the page of heartbeat monitor m; before pages the ping log.
func (h *Handler) heartbeatMonitorPage(w http.ResponseWriter, r *http.Request, m monitor.Monitor) (views.MonitorPage, error) {
	ctx := r.Context()
	f := h.formatter(r)
	flips, err := h.monitors.Flips(ctx, m.OrgID, m.ID, 20)
	if err != nil {
		return views.MonitorPage{}, err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	hb, err := h.heartbeatPanel(ctx, f, m, max(before, 0))
	if err != nil {
		return views.MonitorPage{}, err
	}
	sh := h.shell(w, r, sectionMonitors)
	sh.Title = m.Name
	sh.JSURL = h.assets.URL("live.js")
	sh.Scripts = []string{h.assets.URL("heartbeat.js")}
	base := "/admin/monitors/" + strconv.FormatInt(m.ID, 10)
	page := views.MonitorPage{
		Shell: sh, LiveURL: "/admin/events", ID: m.ID, Name: m.Name, Type: strings.ToUpper(string(m.Type)),
		Target: f.target(m), Status: f.badge(m.State.Status), Since: f.ago(m.State.Since),
		Paused: m.Paused, Managed: m.ManagedBy != "", EditURL: base + "/edit", ActionURL: base, Heartbeat: &hb,
	}
	for _, fl := range flips {
		page.Flips = append(page.Flips, views.FlipRow{At: f.stamp(fl.At), From: f.badge(fl.From), To: f.badge(fl.To), Reason: fl.Reason})
	}
	page.Flash, page.FlashError = h.flash(r, f)
	switch r.URL.Query().Get("done") { // the probe wording of these does not fit heartbeats
	case "created":
		page.Flash = f.t("flash.created_heartbeat")
	case "paused":
		page.Flash = f.t("flash.paused_heartbeat")
	}
	return page, nil
}

// heartbeatPanel gathers what a heartbeat's page shows beside the common monitor facts.
func (h *Handler) heartbeatPanel(ctx context.Context, f formatter, m monitor.Monitor, before int64) (views.HeartbeatPanel, error) {
	info, err := h.monitors.Heartbeat(ctx, m.OrgID, m.ID)
	if err != nil {
		return views.HeartbeatPanel{}, err
	}
	recent, err := h.monitors.Pings(ctx, m.OrgID, m.ID, 0, recentPings)
	if err != nil {
		return views.HeartbeatPanel{}, err
	}
	page := recent[:min(len(recent), pingPageSize)]
	if before > 0 {
		if page, err = h.monitors.Pings(ctx, m.OrgID, m.ID, before, pingPageSize); err != nil {
			return views.HeartbeatPanel{}, err
		}
	}
	key, err := h.monitors.PingKey(ctx, m.OrgID)
	if err != nil {
		return views.HeartbeatPanel{}, err
	}
	hs, _ := m.Settings.(monitor.HeartbeatSettings)
	return buildHeartbeatPanel(f, heartbeatFacts{
		monitor: m, settings: hs, info: info, recent: recent, page: page, before: before,
		base: strings.TrimRight(h.baseURL, "/"), pingKey: key,
	}), nil
}

// heartbeatFacts is everything buildHeartbeatPanel needs, read beforehand.
type heartbeatFacts struct {
	monitor  monitor.Monitor
	settings monitor.HeartbeatSettings
	info     heartbeat.Info
	recent   []heartbeat.Record // newest first: run durations
	page     []heartbeat.Record // the page of the ping log shown
	before   int64              // the page starts below this ping id; 0: the newest
	base     string             // absolute base URL, no trailing slash
	pingKey  string
}

// buildHeartbeatPanel formats a heartbeat's facts for its page (pure).
func buildHeartbeatPanel(f formatter, in heartbeatFacts) views.HeartbeatPanel {
	m, hs := in.monitor, in.settings
	sched := heartbeat.ScheduleOf(hs)
	pagePath := "/admin/monitors/" + strconv.FormatInt(m.ID, 10)
	refresh := pagePath + "/heartbeat"
	if in.before > 0 {
		refresh += "?before=" + strconv.FormatInt(in.before, 10)
	}
	status := in.info.State.Status
	if status == "" {
		status = monitor.StatusNew
	}
	p := views.HeartbeatPanel{
		RefreshURL:    refresh,
		Schedule:      f.schedule(hs),
		Grace:         f.human(hs.Grace),
		LastPing:      f.ago(m.State.LastCheckedAt),
		LastPingTitle: f.stamp(m.State.LastCheckedAt),
		PingURL:       in.base + "/ping/" + in.info.UUID,
		Waiting:       len(in.recent) == 0,
	}
	if in.pingKey != "" && in.info.Slug != "" {
		p.SlugURL = in.base + "/ping/" + in.pingKey + "/" + in.info.Slug
	}
	p.Crontab, p.Wrapper = f.crontabSnippet(hs, p.PingURL), f.wrapperSnippet(p.PingURL)

	due, downAt, err := heartbeat.Expected(in.info.State, sched)
	switch {
	case err != nil:
		p.NextPing.Empty = f.t("heartbeat.schedule_broken")
	case status == monitor.StatusPaused:
		p.NextPing.Empty = f.t("heartbeat.none_paused")
	case due.IsZero():
		p.NextPing.Empty = f.t("heartbeat.none_yet")
	default:
		p.NextPing = f.moment(due)
		p.DownAt = f.moment(downAt)
	}

	var durations []time.Duration // newest first
	var runs []heartbeat.Record
	for _, r := range in.recent {
		if r.RunTime > 0 {
			durations = append(durations, r.RunTime)
			runs = append(runs, r)
		}
	}
	if n := len(in.info.Running); n > 0 {
		elapsed := f.t("time.under_a_minute")
		if d := f.now.Sub(heartbeat.OldestStart(in.info.Running)); d >= time.Minute {
			elapsed = f.human(d)
		}
		p.Running = f.t("heartbeat.running_for", elapsed)
		if n > 1 {
			p.Running = f.t("heartbeat.running_n", n, elapsed)
		}
		sample := durations[:min(len(durations), tooLongSamples)]
		for _, run := range in.info.Running {
			if heartbeat.TooLong(run, sample, hs.Grace, f.now) {
				p.TooLong = true
			}
		}
	}
	runs = runs[:min(len(runs), chartRuns)]
	slices.Reverse(runs)
	p.Runs = f.runChart(runs)

	for _, r := range in.page {
		p.Pings = append(p.Pings, pingRow(f, r))
	}
	if len(in.page) == pingPageSize {
		p.OlderURL = pagePath + "?before=" + strconv.FormatInt(in.page[len(in.page)-1].ID, 10) + "#pings"
	}
	if in.before > 0 {
		p.NewestURL = pagePath + "#pings"
	}
	return p
}

// moment shows t (in its schedule's zone) and how far it is from now.
func (f formatter) moment(t time.Time) views.Moment {
	return views.Moment{Label: f.zoned(t), Relative: f.relative(t), ISO: t.Format(time.RFC3339), Overdue: !t.After(f.now)}
}

// pingRow formats one ping of the log.
func pingRow(f formatter, r heartbeat.Record) views.PingRow {
	row := views.PingRow{
		ID: strconv.FormatInt(r.ID, 10), At: f.stamp(r.At), Exit: "–", RunTime: "–", UserAgent: r.UserAgent,
		Body: r.Body, Truncated: r.Truncated,
	}
	switch r.Kind {
	case heartbeat.KindExit:
		row.Kind, row.Exit = f.t("ping.kind.exit", r.Exit), strconv.Itoa(r.Exit)
	case heartbeat.KindSuccess, heartbeat.KindStart, heartbeat.KindFail, heartbeat.KindLog:
		row.Kind = f.t("ping.kind." + string(r.Kind))
	default:
		row.Kind = string(r.Kind)
	}
	switch {
	case heartbeat.Failed(r.Kind, r.Exit):
		row.KindClass = "down"
	case heartbeat.Succeeded(r.Kind, r.Exit):
		row.KindClass = "up"
	default:
		row.KindClass = string(r.Kind)
	}
	if r.RunTime > 0 {
		row.RunTime = f.runTime(r.RunTime)
	}
	row.Source = r.Method
	if r.Method == "PUSH" {
		row.Source = f.t("ping.push")
	}
	if r.RemoteIP != "" {
		row.Source += " " + r.RemoteIP
	}
	if row.UserAgent == "" {
		row.UserAgent = "–"
	}
	if r.Body != "" {
		row.BodySummary = summarize(r.Body, 48)
		row.BodySize = f.bytes(len(r.Body))
	}
	return row
}

// summarize is the first non-empty line of s, cut at n characters.
func summarize(s string, n int) string {
	line := ""
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	if utf8.RuneCountInString(line) <= n {
		return line
	}
	r := []rune(line)
	return string(r[:n]) + "…"
}

// shellSafe matches URLs a shell reads as one word without quotes.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./~-]+$`)

// shellWord quotes s for sh when it needs it.
func shellWord(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// curlFlags make a ping robust: fail on HTTP errors, quiet, 10 s per try, retried.
const curlFlags = "curl -fsS -m 10 --retry 5 -o /dev/null"

// crontabSnippet is a crontab line that runs a job and pings on success.
func (f formatter) crontabSnippet(hs monitor.HeartbeatSettings, pingURL string) string {
	var b strings.Builder
	if hs.Cron != "" && hs.TimeZone != "" && hs.TimeZone != "UTC" {
		b.WriteString("# " + f.t("snippet.crontab_zone", hs.TimeZone) + "\n")
	}
	b.WriteString(cronFor(hs) + " /path/to/job.sh && " + curlFlags + " " + shellWord(pingURL))
	return b.String()
}

// wrapperSnippet is a shell script that reports the start, the exit status and the output
// of a job. The status is saved before anything else runs, or $? would be the next command's.
func (f formatter) wrapperSnippet(pingURL string) string {
	return "#!/bin/sh\n" +
		"# " + f.t("snippet.wrapper_comment") + "\n" +
		"url=" + shellWord(pingURL) + "\n" +
		curlFlags + ` "$url/start"` + "\n" +
		"output=$(/path/to/job.sh 2>&1)\n" +
		"status=$?\n" +
		curlFlags + ` --data-raw "$output" "$url/$status"` + "\n" +
		"exit $status"
}

// cronFor is the crontab schedule of a heartbeat: its own cron expression, or one that
// matches its period as well as cron can ("0 2 * * *" for a day).
func cronFor(hs monitor.HeartbeatSettings) string {
	if hs.Cron != "" {
		return hs.Cron
	}
	p := hs.Period
	switch {
	case p >= time.Minute && p < time.Hour && p%time.Minute == 0 && 60%int(p/time.Minute) == 0:
		if p == time.Minute {
			return "* * * * *"
		}
		return "*/" + strconv.Itoa(int(p/time.Minute)) + " * * * *"
	case p == time.Hour:
		return "0 * * * *"
	case p > time.Hour && p < 24*time.Hour && p%time.Hour == 0 && 24%int(p/time.Hour) == 0:
		return "0 */" + strconv.Itoa(int(p/time.Hour)) + " * * *"
	case p == 7*24*time.Hour:
		return "0 2 * * 0"
	default:
		return "0 2 * * *"
	}
}

// heartbeatLive serves the changing parts of a heartbeat's page for live.js.
func (h *Handler) heartbeatLive(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	m, err := h.monitors.Get(r.Context(), orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if m.Type != monitor.TypeHeartbeat {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	page, err := h.heartbeatMonitorPage(w, r, m)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, views.HeartbeatLive(page))
}

// heartbeatFormExtras fills what only the heartbeat form has: time zone suggestions, the
// schedule preview, and the refused values of fields it does not show (a probed-only key).
func heartbeatFormExtras(f formatter, p *views.MonitorFormPage) {
	p.TimeZones = commonTimeZones[:]
	p.PreviewURL = "/admin/monitors/schedule-preview"
	values := p.Values
	preview := schedulePreview(f, func(k string) string { return values[k] })
	p.Preview = &preview
	p.OtherErrors = otherErrors(p.Errors, heartbeatFormFields)
}

// otherErrors lists the refused values of fields a form does not show, each with its key.
func otherErrors(errs map[string]string, shown []string) []string {
	var other []string
	for k, msg := range errs {
		if !slices.Contains(shown, k) {
			other = append(other, k+": "+msg)
		}
	}
	slices.Sort(other)
	return other
}

// pingSettings is the settings page's card about slug ping URLs.
func (h *Handler) pingSettings(ctx context.Context, orgID int64) *views.PingSettings {
	key, err := h.monitors.PingKey(ctx, orgID)
	if err != nil {
		h.log.Error("reading the ping key", "org_id", orgID, "err", err)
		return nil
	}
	base := strings.TrimRight(h.baseURL, "/") + "/ping/" + key + "/"
	return &views.PingSettings{Key: key, Pattern: base + "<slug>", Example: base + heartbeat.Slug("Nightly backup")}
}

// heartbeatRow is a heartbeat's line in the monitors list: its last ping and when the next
// one is due instead of latency and uptime (heartbeats have neither).
// heartbeatRow is the list row of a heartbeat; ok says whether its state info was read.
func heartbeatRow(f formatter, m monitor.Monitor, info heartbeat.Info, ok bool) views.MonitorRow {
	row := views.MonitorRow{
		ID: m.ID, URL: "/admin/monitors/" + strconv.FormatInt(m.ID, 10), Name: m.Name, Type: strings.ToUpper(string(m.Type)),
		Target: f.target(m), Status: f.badge(m.State.Status), Uptime: f.percent(-1), Heartbeat: true,
		LastPing: f.ago(m.State.LastCheckedAt), LastCheck: f.ago(m.State.LastCheckedAt), LastCheckTitle: f.stamp(m.State.LastCheckedAt),
		Message: m.State.LastMessage, NextPing: "–",
	}
	if !ok {
		return row
	}
	hs, _ := m.Settings.(monitor.HeartbeatSettings)
	row.NextPing, row.NextPingOverdue = nextPingText(f, info.State, heartbeat.ScheduleOf(hs))
	return row
}

// nextPingText says when a heartbeat's next ping is due, in a few words, and whether it is
// overdue.
func nextPingText(f formatter, st heartbeat.State, s heartbeat.Schedule) (string, bool) {
	switch st.Status {
	case monitor.StatusPaused:
		return f.t("heartbeat.none_paused"), false
	case "", monitor.StatusNew:
		return f.t("heartbeat.none_yet"), false
	}
	due, _, err := heartbeat.Expected(st, s)
	if err != nil || due.IsZero() {
		return "–", false
	}
	if due.After(f.now) {
		return f.relative(due), false
	}
	return f.t("heartbeat.overdue", f.human(f.now.Sub(due).Round(time.Minute))), true
}
