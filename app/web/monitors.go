package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
	"statusthing/app/monitoring"
	"statusthing/views"
)

// orgOf is the organization the logged-in user is working in.
func orgOf(r *http.Request) int64 {
	id, _ := identityOf(r)
	return id.Session.OrgID
}

func (h *Handler) formatter(r *http.Request) formatter {
	lang := h.lang(r)
	return formatter{lang: lang, t: h.catalogs.Translator(lang), now: h.now(), loc: userLocation(r)}
}

// monitorID reads {id}; a malformed id is a 404 like a missing one.
func (h *Handler) monitorID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, http.StatusNotFound, nil)
		return 0, false
	}
	return id, true
}

// serviceError renders a service failure: missing monitor 404, anything else 500.
func (h *Handler) serviceError(w http.ResponseWriter, r *http.Request, err error) {
	if auth.IsNotFound(err) {
		h.fail(w, r, http.StatusNotFound, nil)
		return
	}
	h.fail(w, r, http.StatusInternalServerError, err)
}

func (h *Handler) monitorsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	org := orgOf(r)
	all, err := h.monitors.List(ctx, org)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	now := h.now()
	uptime, err := h.monitors.UptimeSince(ctx, org, now.Add(-24*time.Hour))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	sh := h.shell(w, r, sectionMonitors)
	f := h.formatter(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	status := r.URL.Query().Get("status")
	page := views.MonitorsPage{Shell: sh, LiveURL: "/admin/events", Total: len(all), Query: q, NewURL: "/admin/monitors/new",
		Filtered: q != "" || status != ""}
	page.JSURL = h.assets.URL("live.js")
	page.Statuses = []views.Option{{Value: "", Label: f.t("monitors.all_statuses"), Selected: status == ""}}
	for _, s := range []monitor.Status{monitor.StatusUp, monitor.StatusDegraded, monitor.StatusLate, monitor.StatusDown, monitor.StatusPending,
		monitor.StatusNew, monitor.StatusPaused} {
		page.Statuses = append(page.Statuses, views.Option{Value: string(s), Label: f.t("status." + string(s)), Selected: status == string(s)})
	}
	var shown []monitor.Monitor
	for _, m := range all {
		if matchesFilter(m, q, status) {
			shown = append(shown, m)
		}
	}
	page.Rows = h.monitorRows(ctx, f, shown, uptime)
	h.render(w, r, http.StatusOK, views.Monitors(page))
}

// matchesFilter applies the list's search box and status filter.
func matchesFilter(m monitor.Monitor, q, status string) bool {
	if status != "" && string(m.State.Status) != status {
		return false
	}
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	return strings.Contains(strings.ToLower(m.Name), q) || strings.Contains(strings.ToLower(target(m)), q)
}

// monitorRows builds the rows of monitors with two reads in all, whatever their number:
// the last 24 hourly buckets of the probed ones (sparklines) and the heartbeats' states.
func (h *Handler) monitorRows(ctx context.Context, f formatter, ms []monitor.Monitor, uptime map[int64]monitor.Uptime) []views.MonitorRow {
	if len(ms) == 0 {
		return nil
	}
	var probed []int64
	heartbeats := false
	for _, m := range ms {
		if m.Type == monitor.TypeHeartbeat {
			heartbeats = true
		} else {
			probed = append(probed, m.ID)
		}
	}
	from := f.now.Add(-24 * time.Hour)
	buckets, err := h.monitors.HourlyRollupsOf(ctx, ms[0].OrgID, probed, from)
	if err != nil {
		h.log.Warn("reading sparklines for the list", "err", err)
	}
	var infos map[int64]heartbeat.Info
	if heartbeats {
		if infos, err = h.monitors.HeartbeatsOf(ctx, ms[0].OrgID); err != nil {
			h.log.Warn("reading heartbeats for the list", "err", err)
		}
	}
	rows := make([]views.MonitorRow, 0, len(ms))
	for _, m := range ms {
		if m.Type == monitor.TypeHeartbeat {
			info, ok := infos[m.ID]
			rows = append(rows, heartbeatRow(f, m, info, ok))
			continue
		}
		rows = append(rows, monitorRow(f, m, uptime[m.ID], hourlyLatencies(buckets[m.ID], from, 25)))
	}
	return rows
}

// monitorRow is the list row of a probed monitor; points are its hourly latencies.
func monitorRow(f formatter, m monitor.Monitor, up monitor.Uptime, points []time.Duration) views.MonitorRow {
	ratio := up.Ratio
	if up.Checks == 0 {
		ratio = -1
	}
	return views.MonitorRow{
		ID:             m.ID,
		URL:            "/admin/monitors/" + strconv.FormatInt(m.ID, 10),
		Name:           m.Name,
		Type:           strings.ToUpper(string(m.Type)),
		Target:         target(m),
		Status:         f.badge(m.State.Status),
		Uptime:         f.percent(ratio),
		Sparkline:      sparkline(points, 120, 28, f.t("monitors.sparkline_label")),
		LastCheck:      f.ago(m.State.LastCheckedAt),
		LastCheckTitle: f.stamp(m.State.LastCheckedAt),
		Message:        m.State.LastMessage,
	}
}

// hourlyLatencies lays hourly buckets out as n slots from start; hours without checks are -1.
func hourlyLatencies(buckets []monitor.RollupBucket, start time.Time, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = -1
	}
	base := start.Truncate(time.Hour)
	for _, b := range buckets {
		i := int(b.Start.Sub(base) / time.Hour)
		if i >= 0 && i < n && hasLatency(b) {
			out[i] = b.AvgLatency
		}
	}
	return out
}

func (h *Handler) monitorShow(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	org := orgOf(r)
	m, err := h.monitors.Get(ctx, org, id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if m.Type == monitor.TypeHeartbeat {
		page, err := h.heartbeatMonitorPage(w, r, m)
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		page.Incident = h.incidentBanner(r, h.formatter(r), id)
		page.Maintenance = h.maintenanceBanner(r, h.formatter(r), id)
		h.render(w, r, http.StatusOK, views.Monitor(page))
		return
	}
	uptimes, err := h.monitors.UptimeWindows(ctx, org, id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	now := h.now()
	from := now.Add(-24 * time.Hour).Truncate(time.Hour)
	buckets, err := h.monitors.Rollups(ctx, org, id, true, from, now)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	flips, err := h.monitors.Flips(ctx, org, id, 20)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	results, err := h.monitors.Results(ctx, org, id, time.Time{}, 25)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := h.formatter(r)
	sh := h.shell(w, r, sectionMonitors)
	sh.Title = m.Name
	base := "/admin/monitors/" + strconv.FormatInt(id, 10)
	page := views.MonitorPage{
		Shell: sh, LiveURL: "/admin/events", ID: id, Name: m.Name, Type: strings.ToUpper(string(m.Type)), Target: target(m),
		Status: f.badge(m.State.Status), Since: f.ago(m.State.Since), LastCheck: f.ago(m.State.LastCheckedAt),
		LastMessage: m.State.LastMessage, Paused: m.Paused, Managed: m.ManagedBy != "",
		Interval: shortDuration(m.Interval), EditURL: base + "/edit", ActionURL: base,
		Chart: f.latencyChart(buckets, from, now, 6*time.Hour, "15:04"),
	}
	page.JSURL = h.assets.URL("live.js")
	if page.LastMessage == "" {
		page.LastMessage = "–"
	}
	for i, w := range monitoring.Windows() {
		label := f.t("monitor.uptime_window", windowLabel(f, w))
		page.Uptimes = append(page.Uptimes, views.Stat{Label: label, Value: f.percent(uptimes[i].Ratio), Class: uptimeClass(uptimes[i])})
	}
	for _, fl := range flips {
		page.Flips = append(page.Flips, views.FlipRow{At: f.stamp(fl.At), From: f.badge(fl.From), To: f.badge(fl.To), Reason: fl.Reason})
	}
	for _, res := range results {
		page.Results = append(page.Results, resultRow(f, res))
	}
	if m.Type == monitor.TypeBrowser {
		page.IsBrowser, page.RefreshURL = true, base
		page.Browser = browserPanel(f, results)
	}
	page.Flash, page.FlashError = h.flash(r, f)
	page.Incident = h.incidentBanner(r, f, id)
	page.Maintenance = h.maintenanceBanner(r, f, id)
	h.render(w, r, http.StatusOK, views.Monitor(page))
}

// incidentBanner links to the monitor's open incident, if there is one.
func (h *Handler) incidentBanner(r *http.Request, f formatter, monitorID int64) *views.Link {
	in, ok := h.openIncidents(r, monitorID)[monitorID]
	if !ok {
		return nil
	}
	return &views.Link{URL: incidentURL(in.ID), Label: in.Title + " · " + f.t("incident.since", f.ago(in.OpenedAt))}
}

func resultRow(f formatter, res monitor.Result) views.ResultRow {
	row := views.ResultRow{At: f.stamp(res.StartedAt), Outcome: f.outcome(res.Outcome), Duration: f.checkDuration(res.Duration), Message: res.Message}
	if res.Details.StatusCode != 0 {
		row.Code = strconv.Itoa(res.Details.StatusCode)
	}
	if res.ScreenshotID != 0 && res.ID != 0 {
		row.ScreenshotURL = screenshotURL(res.MonitorID, res.ID)
	}
	return row
}

func windowLabel(f formatter, w time.Duration) string {
	if w == 24*time.Hour {
		return f.t("time.24h")
	}
	return f.t("time.n_days", int(w/(24*time.Hour)))
}

func uptimeClass(u monitor.Uptime) string {
	switch {
	case u.Checks == 0 || u.Ratio < 0:
		return ""
	case u.Ratio >= 0.999:
		return "up"
	case u.Ratio >= 0.99:
		return "degraded"
	default:
		return "down"
	}
}

// flash shows the outcome of the action that redirected here (?done=...).
func (h *Handler) flash(r *http.Request, f formatter) (string, bool) {
	switch r.URL.Query().Get("done") {
	case "created":
		return f.t("flash.created"), false
	case "saved":
		return f.t("flash.saved"), false
	case "paused":
		return f.t("flash.paused"), false
	case "resumed":
		return f.t("flash.resumed"), false
	case "checked":
		return f.t("flash.checked"), false
	case "check_failed":
		return f.t("flash.check_failed"), true
	case "managed":
		return f.t("monitor.managed"), true
	}
	return "", false
}

// --- form ---

func (h *Handler) monitorNew(w http.ResponseWriter, r *http.Request) {
	typ := monitor.Type(r.URL.Query().Get("type"))
	if !slices.Contains(monitor.SpecTypes(), typ) {
		typ = monitor.TypeHTTP
	}
	values := valuesFromSpec(monitor.Spec{Type: typ})
	switch typ {
	case monitor.TypeHeartbeat:
		values["schedule"], values["period"], values["grace"], values["timezone"] =
			"period", shortDuration(monitor.DefaultPeriod), shortDuration(monitor.DefaultGrace), "UTC"
	case monitor.TypeBrowser:
		// A browser check costs a Chromium page: a longer interval by default.
		values["interval"], values["timeout"], values["retries"] = "5m", shortDuration(monitor.DefaultBrowserTimeout), "1"
		values["viewport"] = monitor.DefaultViewport().String()
	case monitor.TypeHTTP:
		values["expected_status"] = "200-299"
		fallthrough
	default:
		values["interval"], values["retries"] = "60s", "1"
	}
	h.renderMonitorForm(w, r, http.StatusOK, monitorForm{isNew: true, typ: typ, values: values})
}

// monitorForm is the state of the form being shown.
type monitorForm struct {
	isNew   bool
	id      int64
	typ     monitor.Type
	values  map[string]string
	errors  map[string]string
	formErr string
	test    *views.TestResult
	secrets map[string]bool
	// secretRows are the browser secrets' rows (names only); nil for other types.
	secretRows []views.SecretRow
	// channels are the alert channels ticked; nil: those attached (none for a new one).
	channels map[int64]bool
}

func (h *Handler) renderMonitorForm(w http.ResponseWriter, r *http.Request, status int, fm monitorForm) {
	sh := h.shell(w, r, sectionMonitors)
	f := h.formatter(r)
	p := views.MonitorFormPage{
		Shell: sh, ID: fm.id, IsNew: fm.isNew, Type: string(fm.typ), Values: fm.values, Errors: fm.errors, FormError: fm.formErr,
		Test: fm.test, HasSecret: fm.secrets, Action: "/admin/monitors", CancelURL: "/admin/monitors",
	}
	if fm.isNew {
		p.Title = f.t("form.new_title")
	} else {
		p.Title = f.t("form.edit_title", fm.values["name"])
		base := "/admin/monitors/" + strconv.FormatInt(fm.id, 10)
		p.Action, p.CancelURL = base, base
	}
	for _, t := range monitor.SpecTypes() {
		p.Types = append(p.Types, views.TypeTab{Type: string(t), Label: f.t("type." + string(t)), URL: "/admin/monitors/new?type=" + string(t), Current: t == fm.typ})
	}
	if fm.typ == monitor.TypeHeartbeat {
		heartbeatFormExtras(f, &p)
		p.Scripts = []string{h.assets.URL("heartbeat.js")}
	}
	if fm.typ == monitor.TypeBrowser {
		p.StepHelp = stepHelp(f)
		p.Secrets = fm.secretRows
		if p.Secrets == nil {
			p.Secrets = secretRows(nil, nil)
		}
		p.OtherErrors = otherErrors(p.Errors, browserFormFields)
	}
	method := fm.values["method"]
	if method == "" {
		method = "GET"
	}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		p.Methods = append(p.Methods, views.Option{Value: m, Label: m, Selected: m == method})
	}
	chans, err := h.monitors.Channels(r.Context(), orgOf(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	ticked := fm.channels
	if ticked == nil && !fm.isNew {
		attached, err := h.monitors.MonitorChannels(r.Context(), orgOf(r), fm.id)
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		ticked = map[int64]bool{}
		for _, c := range attached {
			ticked[c.ID] = true
		}
	}
	p.Channels = channelOptions(f, chans, ticked)
	rt := fm.values["record_type"]
	if rt == "" {
		rt = "A"
	}
	for _, t := range monitor.DNSRecordTypes() {
		p.RecordTypes = append(p.RecordTypes, views.Option{Value: t, Label: t, Selected: t == rt})
	}
	h.render(w, r, status, views.MonitorForm(p))
}

func (h *Handler) monitorCreate(w http.ResponseWriter, r *http.Request) {
	spec, parseErrs := specFromForm(r.PostForm)
	if msg := fillSecrets(&spec, r.PostForm, nil, h.formatter(r).t); msg != "" {
		parseErrs["secrets"] = msg
	}
	ticked, channelIDs := tickedChannels(r.PostForm)
	if len(parseErrs) == 0 {
		m, err := h.monitors.Create(r.Context(), orgOf(r), spec)
		if err == nil && len(channelIDs) > 0 {
			err = h.monitors.SetMonitorChannels(r.Context(), orgOf(r), m.ID, channelIDs)
		}
		if err == nil {
			http.Redirect(w, r, "/admin/monitors/"+strconv.FormatInt(m.ID, 10)+"?done=created", http.StatusSeeOther)
			return
		}
		var ve *monitor.ValidationError
		if !errors.As(err, &ve) {
			h.serviceError(w, r, err)
			return
		}
		parseErrs = fieldMessages(parseErrs, err)
	} else if _, err := heartbeat.BuildSpec(spec); err != nil {
		parseErrs = fieldMessages(parseErrs, err)
	}
	h.renderMonitorForm(w, r, http.StatusUnprocessableEntity, monitorForm{isNew: true, typ: formType(spec), values: formValues(r.PostForm), errors: parseErrs,
		formErr: h.formatter(r).t("form.fix_errors"), secretRows: secretRows(r.PostForm, nil), channels: ticked})
}

// formType keeps the form on a known type even when the posted one is bogus.
func formType(s monitor.Spec) monitor.Type {
	if slices.Contains(monitor.SpecTypes(), s.Type) {
		return s.Type
	}
	return monitor.TypeHTTP
}

// formValues re-shows what the user typed, except passwords and secrets (their rows are
// secretRows').
func formValues(form url.Values) map[string]string {
	v := map[string]string{}
	for k := range form {
		if k != "csrf_token" && k != "auth_password" && k != "bearer_token" && !strings.HasPrefix(k, "secret_") {
			v[k] = form.Get(k)
		}
	}
	return v
}

func (h *Handler) monitorEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	m, err := h.monitors.Get(r.Context(), orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if m.ManagedBy != "" {
		http.Redirect(w, r, "/admin/monitors/"+strconv.FormatInt(id, 10)+"?done=managed", http.StatusSeeOther)
		return
	}
	spec := monitor.SpecOf(m)
	values := valuesFromSpec(spec)
	h.renderMonitorForm(w, r, http.StatusOK, monitorForm{id: id, typ: m.Type, values: values, secrets: storedSecrets(spec),
		secretRows: secretRows(nil, spec.Secrets)})
}

func storedSecrets(s monitor.Spec) map[string]bool {
	return map[string]bool{"auth_password": s.AuthPassword != "", "bearer_token": s.BearerToken != ""}
}

func (h *Handler) monitorUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.monitorID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	cur, err := h.monitors.Get(ctx, orgOf(r), id)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	spec, parseErrs := specFromForm(r.PostForm)
	stored := monitor.SpecOf(cur)
	keepSecrets(&spec, stored)
	spec.Type, spec.Paused = cur.Type, cur.Paused // the type is fixed once created; pausing has its own button
	if msg := fillSecrets(&spec, r.PostForm, stored.Secrets, h.formatter(r).t); msg != "" {
		parseErrs["secrets"] = msg
	}
	ticked, channelIDs := tickedChannels(r.PostForm)
	if len(parseErrs) == 0 {
		_, err := h.monitors.Update(ctx, orgOf(r), id, spec)
		if err == nil {
			err = h.monitors.SetMonitorChannels(ctx, orgOf(r), id, channelIDs)
		}
		switch {
		case err == nil:
			http.Redirect(w, r, "/admin/monitors/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
			return
		case errors.Is(err, monitoring.ErrManaged):
			http.Redirect(w, r, "/admin/monitors/"+strconv.FormatInt(id, 10)+"?done=managed", http.StatusSeeOther)
			return
		}
		var ve *monitor.ValidationError
		if !errors.As(err, &ve) {
			h.serviceError(w, r, err)
			return
		}
		parseErrs = fieldMessages(parseErrs, err)
	}
	h.renderMonitorForm(w, r, http.StatusUnprocessableEntity, monitorForm{id: id, typ: cur.Type, values: formValues(r.PostForm),
		errors: parseErrs, formErr: h.formatter(r).t("form.fix_errors"), secrets: storedSecrets(stored),
		secretRows: secretRows(r.PostForm, stored.Secrets), channels: ticked})
}

// keepSecrets keeps stored secrets the form left empty: they are never sent to the browser.
func keepSecrets(spec *monitor.Spec, stored monitor.Spec) {
	if spec.AuthPassword == "" && spec.AuthUser != "" && spec.AuthUser == stored.AuthUser {
		spec.AuthPassword = stored.AuthPassword
	}
	if spec.BearerToken == "" && stored.BearerToken != "" && spec.AuthUser == "" {
		spec.BearerToken = stored.BearerToken
	}
}

// monitorTest runs the form's check once without saving it and shows the form again.
func (h *Handler) monitorTest(w http.ResponseWriter, r *http.Request) {
	spec, parseErrs := specFromForm(r.PostForm)
	ticked, _ := tickedChannels(r.PostForm)
	fm := monitorForm{isNew: true, typ: formType(spec), values: formValues(r.PostForm), channels: ticked}
	var storedBrowserSecrets map[string]string
	if id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64); err == nil && id > 0 {
		if cur, err := h.monitors.Get(r.Context(), orgOf(r), id); err == nil {
			stored := monitor.SpecOf(cur)
			keepSecrets(&spec, stored)
			fm.isNew, fm.id, fm.typ, fm.secrets = false, id, cur.Type, storedSecrets(stored)
			spec.Type = cur.Type
			storedBrowserSecrets = stored.Secrets
		}
	}
	f := h.formatter(r)
	if msg := fillSecrets(&spec, r.PostForm, storedBrowserSecrets, f.t); msg != "" {
		parseErrs["secrets"] = msg
	}
	fm.secretRows = secretRows(r.PostForm, storedBrowserSecrets)
	if fm.typ == monitor.TypeHeartbeat { // the form has no Test button for them: a ping is their test
		fm.errors, fm.formErr = parseErrs, f.t("form.test_heartbeat")
		h.renderMonitorForm(w, r, http.StatusUnprocessableEntity, fm)
		return
	}
	if len(parseErrs) > 0 {
		fm.errors, fm.formErr = parseErrs, f.t("form.fix_errors")
		h.renderMonitorForm(w, r, http.StatusUnprocessableEntity, fm)
		return
	}
	res, err := h.monitors.Test(r.Context(), spec)
	if err != nil {
		var ve *monitor.ValidationError
		if !errors.As(err, &ve) {
			h.serviceError(w, r, err)
			return
		}
		fm.errors, fm.formErr = fieldMessages(nil, err), f.t("form.fix_errors")
		h.renderMonitorForm(w, r, http.StatusUnprocessableEntity, fm)
		return
	}
	fm.test = testResult(f, res)
	h.renderMonitorForm(w, r, http.StatusOK, fm)
}

// testResult describes a probe result for the form.
func testResult(f formatter, res monitor.Result) *views.TestResult {
	tr := &views.TestResult{Outcome: f.outcome(res.Outcome), Summary: res.Message}
	if tr.Summary == "" {
		tr.Summary = f.t("form.test_ok")
	}
	add := func(label, value string) {
		if value != "" && value != "–" {
			tr.Facts = append(tr.Facts, views.Fact{Label: f.t(label), Value: value})
		}
	}
	add("result.duration", f.checkDuration(res.Duration))
	if res.Details.StatusCode != 0 {
		add("result.status_code", strconv.Itoa(res.Details.StatusCode))
	}
	add("result.dns", f.duration(res.Details.DNS))
	add("result.connect", f.duration(res.Details.Connect))
	add("result.tls", f.duration(res.Details.TLS))
	add("result.first_byte", f.duration(res.Details.FirstByte))
	if !res.Details.CertExpiry.IsZero() {
		add("result.cert_expiry", f.stamp(res.Details.CertExpiry))
	}
	if len(res.Details.Answers) > 0 {
		add("result.answers", strings.Join(res.Details.Answers, ", "))
	}
	if res.ErrorClass != "" {
		add("result.error_class", string(res.ErrorClass))
	}
	add("result.body", res.Details.BodySnippet)
	if b := res.Details.Browser; b != nil {
		if b.FailedStep > 0 { // first: it says where to look
			tr.Facts = append([]views.Fact{{Label: f.t("browser.step"), Value: strconv.Itoa(b.FailedStep) + ": " + b.Step}}, tr.Facts...)
		}
		for _, fact := range browserFacts(f, res) {
			if !slices.ContainsFunc(tr.Facts, func(x views.Fact) bool { return x.Label == fact.Label }) {
				tr.Facts = append(tr.Facts, fact)
			}
		}
		tr.Lists = browserLists(f, b)
	}
	tr.Screenshot = inlineScreenshot(f, res.Screenshot)
	return tr
}

// --- actions ---

func (h *Handler) monitorAction(action func(ctx context.Context, org, id int64) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := h.monitorID(w, r)
		if !ok {
			return
		}
		done, err := action(r.Context(), orgOf(r), id)
		switch {
		case errors.Is(err, monitoring.ErrManaged):
			done = "managed"
		case err != nil:
			h.serviceError(w, r, err)
			return
		}
		target := "/admin/monitors/" + strconv.FormatInt(id, 10)
		if done == "deleted" {
			target = "/admin/monitors"
		} else if done != "" {
			target += "?done=" + done
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	}
}

func (h *Handler) monitorPause(ctx context.Context, org, id int64) (string, error) {
	_, err := h.monitors.Pause(ctx, org, id)
	return "paused", err
}

func (h *Handler) monitorResume(ctx context.Context, org, id int64) (string, error) {
	_, err := h.monitors.Resume(ctx, org, id)
	return "resumed", err
}

func (h *Handler) monitorDelete(ctx context.Context, org, id int64) (string, error) {
	return "deleted", h.monitors.Delete(ctx, org, id)
}

func (h *Handler) monitorCheck(ctx context.Context, org, id int64) (string, error) {
	_, _, err := h.monitors.CheckNow(ctx, org, id)
	if err != nil && !auth.IsNotFound(err) {
		h.log.Warn("check now failed", "monitor_id", id, "err", err)
		return "check_failed", nil
	}
	return "checked", err
}
