package web

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"statusthing/app/alert"
	"statusthing/app/monitor"
	"statusthing/views"
)

// specFromForm reads the monitor form. Values that cannot even be parsed (a duration "abc")
// are reported per field; everything else is left to monitor.Spec.Build.
func specFromForm(form url.Values) (monitor.Spec, map[string]string) {
	errs := map[string]string{}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	dur := func(k string) monitor.Duration {
		var d monitor.Duration
		if err := d.UnmarshalText([]byte(get(k))); err != nil {
			errs[k] = err.Error()
		}
		return d
	}
	num := func(k string) *int {
		v := get(k)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs[k] = fmt.Sprintf("%q is not a whole number", v)
			return nil
		}
		return &n
	}
	lines := func(k string) []string {
		var out []string
		for _, l := range strings.Split(form.Get(k), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	headers := func(k string) map[string]string {
		var m map[string]string
		for _, l := range lines(k) {
			name, value, ok := strings.Cut(l, ":")
			if !ok {
				errs[k] = fmt.Sprintf("%q: write one header per line as Name: value", l)
				continue
			}
			if m == nil {
				m = map[string]string{}
			}
			m[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
		return m
	}
	s := monitor.Spec{
		Name:             get("name"),
		Type:             monitor.Type(get("type")),
		Interval:         dur("interval"),
		Timeout:          dur("timeout"),
		Retries:          num("retries"),
		Recoveries:       num("recoveries"),
		RetryInterval:    dur("retry_interval"),
		Method:           get("method"),
		URL:              get("url"),
		Headers:          headers("headers"),
		Body:             form.Get("body"),
		AuthUser:         get("auth_user"),
		AuthPassword:     form.Get("auth_password"),
		BearerToken:      get("bearer_token"),
		MaxRedirects:     num("max_redirects"),
		IgnoreTLSErrors:  form.Get("ignore_tls_errors") == "on",
		ExpectedStatus:   get("expected_status"),
		BodyContains:     form.Get("body_contains"),
		BodyNotContains:  form.Get("body_not_contains"),
		BodyRegex:        form.Get("body_regex"),
		JSON:             lines("json"),
		HeaderEquals:     headers("header_equals"),
		HeaderContains:   headers("header_contains"),
		DegradedAbove:    dur("degraded_above"),
		DownAbove:        dur("down_above"),
		CertDegradedDays: num("cert_degraded_days"),
		CertDownDays:     num("cert_down_days"),
		Address:          get("address"),
		Send:             unescapeControl(form.Get("send")),
		Expect:           unescapeControl(form.Get("expect")),
		ServerName:       get("server_name"),
		Hostname:         get("hostname"),
		RecordType:       get("record_type"),
		Expected:         lines("expected"),
		MatchAll:         form.Get("match_all") == "on",
		Resolver:         get("resolver"),

		Viewport:             get("viewport"),
		UserAgent:            get("user_agent"),
		Steps:                lines("steps"),
		Secrets:              secretsFromForm(form),
		FailOnJSErrors:       form.Get("fail_on_js_errors") == "on",
		FailOnRequestErrors:  form.Get("fail_on_request_errors") == "on",
		AllowedRequestErrors: lines("allowed_request_errors"),
		ScreenshotOnSuccess:  form.Get("screenshot_on_success") == "on",

		AlertDegraded: form.Get("alert_degraded") == "on",
		AlertLate:     form.Get("alert_late") == "on",
		CertAlertDays: num("cert_alert_days"),
		RemindEvery:   dur("remind_every"),
		FlapChanges:   num("flap_changes"),
		FlapWindow:    dur("flap_window"),
	}
	sched, schedErrs := scheduleSpec(get)
	s.Period, s.Cron, s.TimeZone, s.Grace = sched.Period, sched.Cron, sched.TimeZone, sched.Grace
	for k, v := range schedErrs {
		errs[k] = v
	}
	return s, errs
}

// valuesFromSpec fills the form from a spec (edit, or re-showing a refused form).
func valuesFromSpec(s monitor.Spec) map[string]string {
	v := map[string]string{
		"name": s.Name, "type": string(s.Type), "method": s.Method, "url": s.URL, "body": s.Body,
		"auth_user": s.AuthUser, "expected_status": s.ExpectedStatus,
		"body_contains": s.BodyContains, "body_not_contains": s.BodyNotContains, "body_regex": s.BodyRegex,
		"address": s.Address, "send": escapeControl(s.Send), "expect": escapeControl(s.Expect), "server_name": s.ServerName,
		"hostname": s.Hostname, "record_type": s.RecordType, "resolver": s.Resolver,
		"json": strings.Join(s.JSON, "\n"), "expected": strings.Join(s.Expected, "\n"),
		"headers": headerLines(s.Headers), "header_equals": headerLines(s.HeaderEquals), "header_contains": headerLines(s.HeaderContains),
		"viewport": s.Viewport, "user_agent": s.UserAgent, "steps": strings.Join(s.Steps, "\n"),
		"allowed_request_errors": strings.Join(s.AllowedRequestErrors, "\n"),
	}
	if s.Type == monitor.TypeHeartbeat {
		v["cron"], v["timezone"], v["schedule"] = s.Cron, s.TimeZone, "period"
		if s.Cron != "" {
			v["schedule"] = "cron"
		}
	}
	for k, d := range map[string]monitor.Duration{"interval": s.Interval, "timeout": s.Timeout, "retry_interval": s.RetryInterval,
		"degraded_above": s.DegradedAbove, "down_above": s.DownAbove, "period": s.Period, "grace": s.Grace,
		"remind_every": s.RemindEvery, "flap_window": s.FlapWindow} {
		if d != 0 {
			v[k] = shortDuration(time.Duration(d))
		}
	}
	for k, n := range map[string]*int{"retries": s.Retries, "recoveries": s.Recoveries, "max_redirects": s.MaxRedirects,
		"cert_degraded_days": s.CertDegradedDays, "cert_down_days": s.CertDownDays, "cert_alert_days": s.CertAlertDays,
		"flap_changes": s.FlapChanges} {
		if n != nil {
			v[k] = strconv.Itoa(*n)
		}
	}
	for k, b := range map[string]bool{"ignore_tls_errors": s.IgnoreTLSErrors, "match_all": s.MatchAll,
		"fail_on_js_errors": s.FailOnJSErrors, "fail_on_request_errors": s.FailOnRequestErrors,
		"screenshot_on_success": s.ScreenshotOnSuccess, "alert_degraded": s.AlertDegraded, "alert_late": s.AlertLate} {
		if b {
			v[k] = "on"
		}
	}
	return v
}

// channelOptions are the alert channels of the monitor form: every channel of the org,
// ticked when attached (ticked), the default ones ticked and fixed ("default, always").
func channelOptions(f formatter, chans []alert.Channel, ticked map[int64]bool) []views.ChannelOption {
	out := make([]views.ChannelOption, 0, len(chans))
	for _, c := range chans {
		o := views.ChannelOption{Value: strconv.FormatInt(c.ID, 10), Label: c.Name + " (" + f.t("channels.type."+string(c.Type)) + ")",
			Checked: ticked[c.ID] || c.IsDefault, Default: c.IsDefault, Attached: ticked[c.ID]}
		if !c.Enabled {
			o.Label += " — " + f.t("channels.enabled_no")
		}
		out = append(out, o)
	}
	return out
}

// tickedChannels reads the form's channel checkboxes (and the hidden inputs that keep the
// attachments of default channels).
func tickedChannels(form url.Values) (map[int64]bool, []int64) {
	ticked := map[int64]bool{}
	var ids []int64
	for _, v := range form["channel"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && !ticked[id] {
			ticked[id] = true
			ids = append(ids, id)
		}
	}
	return ticked, ids
}

// shortDuration prints 1m0s as 1m and 1h0m0s as 1h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func headerLines(h map[string]string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, h[k])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// TCP payloads often need \r\n; the form writes them as escapes.
var controlEscapes = strings.NewReplacer(`\r`, "\r", `\n`, "\n", `\t`, "\t", `\\`, `\`)
var controlUnescapes = strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", `\t`, `\`, `\\`)

func unescapeControl(s string) string { return controlEscapes.Replace(s) }
func escapeControl(s string) string   { return controlUnescapes.Replace(s) }

// fieldMessages merges parse errors and validation errors; a parse error replaces the
// validation messages of its field, several validation messages of a field are joined (every
// refused browser step is named at once).
func fieldMessages(parse map[string]string, err error) map[string]string {
	out := map[string]string{}
	if ve, ok := err.(*monitor.ValidationError); ok {
		for _, f := range ve.Fields {
			switch prev, seen := out[f.Field]; {
			case !seen:
				out[f.Field] = f.Message
			case !strings.Contains(prev, f.Message):
				out[f.Field] = prev + "; " + f.Message
			}
		}
	}
	for k, v := range parse {
		out[k] = v
	}
	return out
}

// Browser monitors' secrets are rows of three form fields, posted in document order:
// secret_name, secret_value (a password field, never filled in by the server) and the hidden
// secret_was, the stored name the row was shown with. A row without a name is dropped: that
// is how a secret is removed.
type secretRow struct {
	name, value, was string
}

func secretRowsOf(form url.Values) []secretRow {
	names, values, was := form["secret_name"], form["secret_value"], form["secret_was"]
	var rows []secretRow
	for i, n := range names {
		row := secretRow{name: strings.TrimSpace(n)}
		if i < len(values) {
			row.value = values[i]
		}
		if i < len(was) {
			row.was = strings.TrimSpace(was[i])
		}
		rows = append(rows, row)
	}
	return rows
}

// secretsFromForm reads the secrets rows as typed: an empty value means "keep the stored
// one" and is resolved by fillSecrets, which knows what is stored.
func secretsFromForm(form url.Values) map[string]string {
	var out map[string]string
	for _, row := range secretRowsOf(form) {
		if row.name == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[row.name] = row.value
	}
	return out
}

// fillSecrets gives the secrets the form left empty their stored value (following a rename
// of the row) and reports those that have none, or names given twice, as a "secrets" error.
func fillSecrets(spec *monitor.Spec, form url.Values, stored map[string]string, t func(string, ...any) string) string {
	if spec.Type != monitor.TypeBrowser {
		spec.Secrets = nil
		return ""
	}
	seen := map[string]bool{}
	var problems []string
	for _, row := range secretRowsOf(form) {
		if row.name == "" {
			continue
		}
		if seen[row.name] {
			problems = append(problems, t("form.secret_twice", row.name))
			continue
		}
		seen[row.name] = true
		if row.value != "" {
			continue
		}
		v, ok := stored[row.was]
		if !ok || row.was == "" {
			v, ok = stored[row.name]
		}
		if !ok || v == "" {
			problems = append(problems, t("form.secret_missing", row.name))
			continue
		}
		spec.Secrets[row.name] = v
	}
	return strings.Join(problems, "; ")
}

// secretRows are the rows of the form's secrets: the stored ones (names only) or, when a
// refused form is shown again, the posted ones; then an empty row to add one. Never values.
func secretRows(form url.Values, stored map[string]string) []views.SecretRow {
	var rows []views.SecretRow
	if form == nil {
		names := make([]string, 0, len(stored))
		for n := range stored {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			rows = append(rows, views.SecretRow{Name: n, Was: n, Stored: true})
		}
	} else {
		for _, row := range secretRowsOf(form) {
			if row.name == "" { // removed, or an unused empty row
				continue
			}
			_, wasStored := stored[row.was]
			_, nameStored := stored[row.name]
			r := views.SecretRow{Name: row.name, Was: row.was, Stored: (wasStored && row.was != "") || nameStored}
			r.Retype = row.value != "" || !r.Stored
			if r.Stored && r.Was == "" {
				r.Was = row.name
			}
			rows = append(rows, r)
		}
	}
	rows = append(rows, views.SecretRow{})
	if len(rows) < 2 {
		rows = append(rows, views.SecretRow{})
	}
	return rows
}

// browserFormFields are every field the browser form shows; refused values of others (from
// a bogus post) are listed at the top of the form.
var browserFormFields = []string{"name", "url", "interval", "timeout", "retries", "steps", "secrets", "fail_on_js_errors",
	"fail_on_request_errors", "allowed_request_errors", "screenshot_on_success", "viewport", "user_agent", "headers",
	"retry_interval", "recoveries", "alert_degraded", "remind_every", "flap_changes", "flap_window"}

// stepHelp documents the browser step actions, in the domain's order.
func stepHelp(f formatter) []views.StepHelp {
	args := map[monitor.StepAction]string{
		monitor.StepNavigate: "URL", monitor.StepClick: "SELECTOR", monitor.StepType: "SELECTOR TEXT",
		monitor.StepWait: "SELECTOR", monitor.StepWaitHidden: "SELECTOR", monitor.StepAssertText: "TEXT",
		monitor.StepAssertTextIn: "SELECTOR TEXT", monitor.StepAssertExists: "SELECTOR", monitor.StepAssertCount: "SELECTOR N",
		monitor.StepAssertTitle: "TEXT", monitor.StepAssertURL: "TEXT",
	}
	var out []views.StepHelp
	for _, a := range monitor.StepActions() {
		syntax := string(a)
		if args[a] != "" {
			syntax += " " + args[a]
		}
		out = append(out, views.StepHelp{Syntax: syntax, Text: f.t("step." + string(a))})
	}
	return out
}
