package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"statusthing/app/alert"
	"statusthing/app/auth"
	"statusthing/app/heartbeat"
	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
)

// The OpenAPI 3.1 document is built from the route table (operations) and from the Go types
// the handlers encode and decode (schemas, by reflection), so it cannot drift from them.

// schemaTypes are the component schemas, by name; route.Body and route.Result name them.
// Pages ("MonitorPage"...) are added for the List routes.
var schemaTypes = map[string]reflect.Type{
	"Monitor":            reflect.TypeFor[monitorJSON](),
	"CheckAnswer":        reflect.TypeFor[checkAnswer](),
	"Result":             reflect.TypeFor[resultJSON](),
	"Ping":               reflect.TypeFor[pingJSON](),
	"Flip":               reflect.TypeFor[flipJSON](),
	"Trend":              reflect.TypeFor[trendJSON](),
	"TrendBucket":        reflect.TypeFor[bucketJSON](),
	"Token":              reflect.TypeFor[tokenJSON](),
	"AuditEntry":         reflect.TypeFor[auditJSON](),
	"Member":             reflect.TypeFor[memberJSON](),
	"MemberInput":        reflect.TypeFor[memberInput](),
	"Invitation":         reflect.TypeFor[invitationJSON](),
	"CreatedInvitation":  reflect.TypeFor[createdInvitationJSON](),
	"InvitationInput":    reflect.TypeFor[invitationInput](),
	"Organization":       reflect.TypeFor[organizationJSON](),
	"OrganizationDelete": reflect.TypeFor[organizationDeleteInput](),
	"CreatedToken":       reflect.TypeFor[createdTokenJSON](),
	"TokenInput":         reflect.TypeFor[tokenInput](),
	"BrowserDetails":     reflect.TypeFor[browserJSON](),
	"Incident":           reflect.TypeFor[incidentJSON](),
	"IncidentDetail":     reflect.TypeFor[incidentDetailJSON](),
	"IncidentEvent":      reflect.TypeFor[incidentEventJSON](),
	"CommentInput":       reflect.TypeFor[commentInput](),
	"Channel":            reflect.TypeFor[channelJSON](),
	"ChannelInput":       reflect.TypeFor[channelInput](),
	"ChannelTest":        reflect.TypeFor[channelTestJSON](),
	"Maintenance":        reflect.TypeFor[maintenanceJSON](),
	"MaintenanceInput":   reflect.TypeFor[maintenanceInput](),

	"IncidentUpdate":      reflect.TypeFor[incidentUpdateJSON](),
	"IncidentDeclaration": reflect.TypeFor[declareInput](),
	"IncidentUpdateInput": reflect.TypeFor[updateInput](),
	"Page":                reflect.TypeFor[pageJSON](),
	"PageInput":           reflect.TypeFor[pageInput](),
	"Component":           reflect.TypeFor[componentJSON](),
	"ComponentInput":      reflect.TypeFor[componentInput](),
	"Subscriber":          reflect.TypeFor[subscriberJSON](),
	"SubscriberInput":     reflect.TypeFor[subscriberInput](),
}

// pageTypes are the list answers, by the name of their item schema.
var pageTypes = map[string]reflect.Type{
	"Monitor":     reflect.TypeFor[page[monitorJSON]](),
	"Result":      reflect.TypeFor[page[resultJSON]](),
	"Ping":        reflect.TypeFor[page[pingJSON]](),
	"Flip":        reflect.TypeFor[page[flipJSON]](),
	"Token":       reflect.TypeFor[page[tokenJSON]](),
	"AuditEntry":  reflect.TypeFor[page[auditJSON]](),
	"Member":      reflect.TypeFor[page[memberJSON]](),
	"Invitation":  reflect.TypeFor[page[invitationJSON]](),
	"Incident":    reflect.TypeFor[page[incidentJSON]](),
	"Channel":     reflect.TypeFor[page[channelJSON]](),
	"Maintenance": reflect.TypeFor[page[maintenanceJSON]](),

	"IncidentUpdate": reflect.TypeFor[page[incidentUpdateJSON]](),
	"Page":           reflect.TypeFor[page[pageJSON]](),
	"Component":      reflect.TypeFor[page[componentJSON]](),
	"Subscriber":     reflect.TypeFor[page[subscriberJSON]](),
}

// enums are the values of the named string types.
var enums = map[reflect.Type]func() []string{
	reflect.TypeFor[monitor.Status]():  statusNames,
	reflect.TypeFor[monitor.Type]():    typeNames,
	reflect.TypeFor[monitor.Outcome](): func() []string { return []string{"up", "degraded", "down"} },
	reflect.TypeFor[monitor.ErrorClass](): func() []string {
		return []string{"dns", "refused", "timeout", "network", "tls", "cert", "status", "assertion", "latency",
			"redirect", "protocol", "internal", "browser", "step", "script", "request", "missed", "job_failed"}
	},
	reflect.TypeFor[alert.Type]():      channelTypeNames,
	reflect.TypeFor[heartbeat.Kind]():  func() []string { return []string{"success", "start", "fail", "log", "exit"} },
	reflect.TypeFor[auth.Scope]():      func() []string { return []string{"read", "write"} },
	reflect.TypeFor[auth.Role]():       func() []string { return roleNames() },
	reflect.TypeFor[incident.Status](): incidentStatusNames,
	reflect.TypeFor[incident.EventKind](): func() []string {
		return []string{"opened", "state_change", "acknowledged", "unacknowledged", "comment", "resolved"}
	},
	reflect.TypeFor[incident.Impact]():       func() []string { return stringsOf(incident.Impacts()) },
	reflect.TypeFor[incident.UpdateStatus](): func() []string { return stringsOf(incident.UpdateStatuses()) },
	reflect.TypeFor[statuspage.Status]():     func() []string { return stringsOf(statuspage.Statuses()) },
	reflect.TypeFor[subscriber.Kind]():       subscriberKindNames,
}

// stringsOf converts the values of a string type.
func stringsOf[S ~string](values []S) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// descriptions of JSON keys, by "Schema.key" or, for every schema, by "key".
var descriptions = map[string]string{
	// Monitor (the keys of a [[monitors]] block; see statusthing.example.toml)
	"Monitor.id":              "Read-only.",
	"Monitor.name":            "Shown in lists, alerts and status pages; at most 100 characters.",
	"Monitor.type":            "Fixed once created, except between probed types.",
	"Monitor.interval":        `Time between checks, "10s" to "24h" (default "60s").`,
	"Monitor.timeout":         `Of one check, at most interval (default "10s", or interval if shorter).`,
	"Monitor.retries":         "Extra consecutive failed checks before down, 0 to 10 (default 1).",
	"Monitor.recoveries":      "Consecutive successful checks that end an outage, 1 to 10 (default 1).",
	"Monitor.retry_interval":  `Time between checks while a failure is confirmed or a recovery counted (default "20s").`,
	"Monitor.paused":          "Kept but not checked. Pause and resume are also operations of their own.",
	"Monitor.method":          "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS (default GET).",
	"Monitor.url":             "Required: an absolute http:// or https:// URL (browser: the page loaded first).",
	"Monitor.headers":         "Request headers.",
	"Monitor.body":            "Request body.",
	"Monitor.auth_user":       "HTTP basic auth user.",
	"Monitor.auth_password":   "HTTP basic auth password. Never shown: answers carry ******** when one is set; sending ******** keeps it.",
	"Monitor.bearer_token":    "Sent as Authorization: Bearer. Never shown: answers carry ******** when one is set; sending ******** keeps it.",
	"Monitor.max_redirects":   "Redirects followed, 0 to 30 (default 10).",
	"Monitor.expected_status": `Accepted status codes and ranges, e.g. "200-299,301" (default "200-299").`,
	"Monitor.json":            `Assertions on a JSON body, e.g. "$.status == \"ok\"".`,
	"Monitor.degraded_above":  "Slower answers are degraded.",
	"Monitor.down_above":      "Slower answers are down; at most timeout.",
	"Monitor.address":         "host:port (tls: the port defaults to 443).",
	"Monitor.hostname":        "The name to resolve.",
	"Monitor.record_type":     "A, AAAA, CNAME, MX, TXT or NS (default A).",
	"Monitor.expected":        "Answers to find; empty: any answer will do.",
	"Monitor.period":          `A ping is expected this long after the last (default "24h" unless cron is set).`,
	"Monitor.cron":            "A 5-field cron expression, instead of period.",
	"Monitor.timezone":        "IANA time zone of cron (default UTC).",
	"Monitor.grace":           `How late a ping may be before the job is down (default "1h").`,
	"Monitor.viewport":        `Browser window size in CSS pixels (default "1280x800").`,
	"Monitor.user_agent":      "User-Agent of the browser (default: Chromium's).",
	"Monitor.steps": "Steps run in order after the page loads, one per string: navigate URL, click SEL, type SEL TEXT, " +
		"wait SEL, wait_hidden SEL, wait_idle, assert_text TEXT, assert_text_in SEL TEXT, assert_exists SEL, " +
		`assert_count SEL N, assert_title TEXT, assert_url TEXT. Selectors with spaces are double-quoted; {{name}} in a type step's text is a secret.`,
	"Monitor.secrets": "Values of the {{name}} placeholders of type steps, by name. Never shown: answers carry ******** " +
		"for each; sending ******** for a name keeps its stored value (in a PATCH, names left out are kept too).",
	"Monitor.fail_on_js_errors":      "Uncaught exceptions and console.error fail the check.",
	"Monitor.fail_on_request_errors": "Failed requests of the page (4xx, 5xx, network errors) fail the check.",
	"Monitor.allowed_request_errors": "Failed requests whose URL contains one of these are ignored.",
	"Monitor.screenshot_on_success":  "Keep a screenshot of successful checks too (failed ones always keep one).",
	"Monitor.status":                 "Read-only. Heartbeats: new, up, late, down or paused.",
	"Monitor.status_since":           "Read-only. When the status was entered.",
	"Monitor.last_checked_at":        "Read-only. The last check or ping; null if none yet.",
	"Monitor.ping_url":               "Read-only. Heartbeats only: the URL the job pings.",
	"Result.duration_ms":             "How long the check took.",
	"Result.details":                 "Measurements; those not taken are left out.",
	"Result.screenshot_url":          "Browser checks with a screenshot: where getResultScreenshot serves it.",
	"BrowserDetails.failed_step":     "The failed step, from 1; absent when the first page load failed or nothing failed.",
	"BrowserDetails.step":            "The failed step's line ({{name}} placeholders, never secrets).",
	"BrowserDetails.requests":        "Requests the page made.",
	"BrowserDetails.bytes":           "Bytes the page transferred.",
	"BrowserDetails.console_errors":  "Uncaught exceptions and console.error messages.",
	"BrowserDetails.failed_requests": `Failed requests, e.g. "404 https://example.com/app.js".`,
	"Trend.from":                     "Start of the first bucket (from, rounded down).",
	"TrendBucket.uptime":             "ups / checks (degraded checks count as up).",
	"TrendBucket.p95_latency_ms": "1m: exact (nearest rank). 1h, 1d: estimated from a latency histogram " +
		"(within one histogram bucket of the truth).",
	"Token.active":                      "Neither revoked nor expired.",
	"Token.prefix":                      "The secret's first characters, to tell tokens apart.",
	"CreatedToken.token":                "The secret, shown this once only: send it as Authorization: Bearer <token>.",
	"TokenInput.scope":                  "read: GET only. write: everything its role allows.",
	"TokenInput.role":                   "What the token may do (default: the calling token's role); never more than that role.",
	"Token.role":                        "What the token may do; never more than its creator's current role.",
	"TokenInput.expires_at":             "When the token stops working (default: never).",
	"TokenInput.expires_in":             `Alternative to expires_at: a lifetime such as "720h".`,
	"Incident.cause":                    "Error class of the check that opened it; absent when unknown.",
	"Incident.message":                  "Why it opened.",
	"Incident.acknowledged_by":          "Who acknowledged it: a user's e-mail or token:<name>.",
	"Incident.resolved_at":              "Null while open.",
	"Incident.duration_ms":              "How long it lasted, or has lasted so far while open.",
	"IncidentEvent.actor":               "A user's e-mail or token:<name>; null for statusthing itself.",
	"IncidentDetail.seen_before":        "The monitor's incidents with the same cause in the 30 days before this one: count, mean time to resolve, the latest few.",
	"CommentInput.text":                 "1 to 5000 characters.",
	"Incident.monitor_id":               "The monitor whose going down opened it; null for an incident declared by hand.",
	"Incident.monitor_name":             "Null for an incident declared by hand.",
	"Incident.impact":                   "How bad it is for status page visitors (the pages' indicator and bars).",
	"Incident.public":                   "Shown on the status pages of its components: declared incidents always, a monitor's once an update is posted.",
	"Incident.component_ids":            "The status page components it affects (none while not public).",
	"IncidentDetail.updates":            "Public updates, newest first.",
	"IncidentUpdate.actor":              "Who posted it: a user's e-mail or token:<name> (never shown publicly); null for statusthing itself.",
	"IncidentUpdate.message":            "Shown on the status pages.",
	"IncidentDeclaration.title":         "Required; at most 200 characters.",
	"IncidentDeclaration.impact":        "Default none.",
	"IncidentDeclaration.component_ids": "Components of the organization's status pages; the pages show the incident.",
	"IncidentDeclaration.status":        "Of the first update; default investigating.",
	"IncidentDeclaration.message":       "The first update, for visitors: 1 to 5000 characters.",
	"IncidentUpdateInput.status":        "Default investigating; resolved resolves the incident.",
	"IncidentUpdateInput.message":       "1 to 5000 characters.",
	"IncidentUpdateInput.title":         "A new title (at most 200 characters); absent keeps it.",
	"IncidentUpdateInput.impact":        "A new impact; absent keeps it.",
	"IncidentUpdateInput.component_ids": "Replaces the affected components; absent keeps them, [] removes them all.",

	"Page.slug":                       "The page is served at /status/<slug>.",
	"Page.custom_domain":              "A host name that serves this page at /; null if none.",
	"Page.locale":                     "Language of the page: en or fr.",
	"Page.default":                    "Served at / of the instance (one page at most).",
	"Page.public":                     "false: only logged-in users of the organization see it.",
	"Page.collapsed_groups":           "Groups shown folded (visitors can open them).",
	"Page.url":                        "The page's public URL.",
	"Page.components":                 "In the order the page shows them.",
	"PageInput.slug":                  "Required: lower-case letters, digits and dashes, at most 64; unique on the instance.",
	"PageInput.title":                 "Required; at most 100 characters.",
	"PageInput.description":           "At most 1000 characters.",
	"PageInput.custom_domain":         "A host name such as status.example.com (no scheme, port or path), unique on the instance.",
	"PageInput.locale":                "en or fr (default en).",
	"PageInput.default":               "Serve this page at / of the instance (the page that was is no longer).",
	"PageInput.public":                "Default true; false: only logged-in users of the organization see it.",
	"PageInput.collapsed_groups":      "Names of groups shown folded.",
	"PageInput.components":            "The page's components, in order (at most 200); in a patch, the whole new list.",
	"PageInput.id":                    "Read-only: ignored.",
	"PageInput.has_logo":              "Read-only: ignored (see putPageLogo).",
	"PageInput.url":                   "Read-only: ignored.",
	"PageInput.created_at":            "Read-only: ignored.",
	"PageInput.updated_at":            "Read-only: ignored.",
	"Component.group":                 "Components of the same group are shown together; empty: ungrouped.",
	"Component.monitor_id":            "The monitor it follows; null for a component whose status is set by hand.",
	"Component.status":                "The hand-set status (operational for a component bound to a monitor).",
	"Component.effective_status":      "What visitors see now: for a bound component, from its monitor's status and maintenance windows; otherwise status.",
	"Component.show_response_time":    "Show a 24-hour response time chart (bound components).",
	"Component.position":              "Its place on the page, from 0.",
	"ComponentInput.id":               "In a page's components: keeps this existing component (and its incidents); absent: a new one. Ignored by the component operations.",
	"ComponentInput.name":             "Required; at most 100 characters.",
	"ComponentInput.group":            "At most 100 characters.",
	"ComponentInput.description":      "At most 1000 characters.",
	"ComponentInput.monitor_id":       "A monitor of the organization whose status the component follows.",
	"ComponentInput.status":           "Only for a component without a monitor (default operational).",
	"ComponentInput.position":         "Component operations only: where to put it, from 0 (past the end or absent: last). In a page's components the array's order is the order.",
	"ComponentInput.effective_status": "Read-only: ignored.",
	"Subscriber.address":              "The e-mail address (lower-case) or the webhook URL.",
	"Subscriber.confirmed":            "Receives the page's notices: an e-mail subscriber once it followed its confirmation link.",
	"Subscriber.has_secret":           "A webhook subscriber's payloads are signed with its secret.",
	"SubscriberInput.kind":            "email (default) or webhook.",
	"SubscriberInput.address":         "Required: an e-mail address, or for a webhook an http(s) URL.",
	"SubscriberInput.secret":          "Webhook only, write-only: the HMAC-SHA256 key of X-Statusthing-Signature; at most 200 characters.",
	"SubscriberInput.confirmed":       "E-mail only: true skips the confirmation mail (an import whose consent you hold). Webhooks are always confirmed.",
	"next_cursor":                     "Pass as cursor to get the next page; null on the last page.",
}

// readOnly are the keys of input schemas set by statusthing (accepted and ignored).
var readOnly = map[string]bool{"Monitor.id": true, "Monitor.status": true, "Monitor.status_since": true,
	"Monitor.last_checked_at": true, "Monitor.ping_url": true,
	"PageInput.id": true, "PageInput.has_logo": true, "PageInput.url": true, "PageInput.created_at": true,
	"PageInput.updated_at": true, "ComponentInput.effective_status": true}

type schemaGen struct {
	refs map[reflect.Type]string // types with a component of their own
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// schema describes t; owner names the component being built (for descriptions).
func (g *schemaGen) schema(t reflect.Type, owner string) map[string]any {
	if name, ok := g.refs[t]; ok && name != owner {
		return ref(name)
	}
	if f, ok := enums[t]; ok {
		return enumSchema(f())
	}
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[monitor.Duration]():
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`,
			"examples": []any{"30s"}}
	case reflect.TypeFor[json.RawMessage]():
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem(), owner)
		if typ, ok := s["type"].(string); ok {
			s["type"] = []any{typ, "null"}
			return s
		}
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), owner)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), owner)}
	case reflect.Struct:
		return g.object(t, owner)
	}
	panic(fmt.Sprintf("api: no schema for %s", t)) // a new field type: teach schema about it
}

// object describes a struct: its JSON keys, those without omitempty required.
func (g *schemaGen) object(t reflect.Type, owner string) map[string]any {
	props := map[string]any{}
	var required []any
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type) // promoted keys, as encoding/json does
				continue
			}
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := g.schema(f.Type, owner)
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"$ref": s["$ref"]} // siblings of $ref stay off
			} else {
				desc := descriptions[owner+"."+name]
				if desc == "" {
					desc = descriptions[name]
				}
				if scope := f.Tag.Get("types"); scope != "" {
					desc = strings.TrimSpace(desc + " Only for " + strings.ReplaceAll(scope, ",", ", ") + " monitors.")
				}
				if desc != "" {
					s["description"] = desc
				}
				if readOnly[owner+"."+name] {
					s["readOnly"] = true
				}
			}
			props[name] = s
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func enumSchema(values []string) map[string]any {
	vs := make([]any, len(values))
	for i, v := range values {
		vs[i] = v
	}
	return map[string]any{"type": "string", "enum": vs}
}

// patchSchema is the merge patch of a resource (schema, named of): any of its writable keys
// but skip, null resetting one.
func patchSchema(schema map[string]any, of string, skip ...string) map[string]any {
	props := map[string]any{}
	for k, v := range schema["properties"].(map[string]any) {
		s := v.(map[string]any)
		if s["readOnly"] == true || slices.Contains(skip, k) {
			continue
		}
		props[k] = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false,
		"description": "A JSON merge patch (RFC 7386) of a " + of + ": keys set replace, null resets a key to its default."}
}

func errorSchema() map[string]any {
	codes := []string{codeInvalidJSON, codeUnknownField, codeInvalidParameter, codeInvalidCursor, codeUnauthorized,
		codeInsufficient, codeNotFound, codeMethodNotAllowed, codeManaged, codeNotProbed, codePaused, codeTooLarge,
		codeMediaType, codeValidation, codeInternal, codeIncidentResolved, codeMembership}
	fe := map[string]any{"type": "object", "required": []any{"field", "message"}, "properties": map[string]any{
		"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}
	return map[string]any{"type": "object", "required": []any{"error"}, "properties": map[string]any{
		"error": map[string]any{"type": "object", "required": []any{"code", "message"}, "properties": map[string]any{
			"code":    map[string]any{"type": "string", "enum": toAny(codes), "description": "Stable; messages may change."},
			"message": map[string]any{"type": "string"},
			"field":   map[string]any{"type": "string", "description": "The first refused key or parameter, if any."},
			"fields":  map[string]any{"type": "array", "items": fe, "description": "Every refused key (validation)."},
		}},
	}}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// errorResponses are the shared error answers, by status.
var errorResponses = map[int]struct{ name, desc string }{
	400: {"BadRequest", "Malformed JSON, an unknown key, or a bad query parameter or cursor."},
	401: {"Unauthorized", "No token, or an unknown, expired or revoked one."},
	403: {"Forbidden", "A read-only token on a write."},
	404: {"NotFound", "No such resource in the token's organization."},
	409: {"Conflict", "The resource's state forbids it (config-managed monitor, heartbeat check, paused monitor, resolved incident)."},
	413: {"TooLarge", "The body is over 1 MiB (a logo: over 256 KB)."},
	415: {"UnsupportedMediaType", "The body is not JSON (a logo: not one of the image types)."},
	422: {"Unprocessable", "A value was refused; error.field names it, error.fields lists every one."},
	500: {"InternalError", "Something failed on the server; details are in its log."},
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// buildOpenAPI renders the document of table.
func (h *Handler) buildOpenAPI(table []route) []byte {
	g := &schemaGen{refs: map[reflect.Type]string{}}
	for name, t := range schemaTypes {
		g.refs[t] = name
	}
	schemas := map[string]any{"Error": errorSchema(), "OpenAPI": map[string]any{"type": "object"}}
	for name, t := range schemaTypes {
		schemas[name] = g.schema(t, name)
	}
	schemas["MonitorPatch"] = patchSchema(schemas["Monitor"].(map[string]any), "Monitor")
	schemas["PagePatch"] = patchSchema(schemas["PageInput"].(map[string]any), "Page")
	schemas["ComponentPatch"] = patchSchema(schemas["ComponentInput"].(map[string]any), "Component", "id")
	for item, t := range pageTypes {
		schemas[item+"Page"] = g.schema(t, item+"Page")
	}

	responses := map[string]any{}
	for _, e := range errorResponses {
		responses[e.name] = map[string]any{"description": e.desc,
			"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	responses["Unauthorized"].(map[string]any)["headers"] = map[string]any{"WWW-Authenticate": map[string]any{
		"description": `Bearer realm="statusthing" (error="invalid_token" for a refused token).`,
		"schema":      map[string]any{"type": "string"}}}

	paths := map[string]any{}
	tags := []any{}
	seenTag := map[string]bool{}
	for _, rt := range table {
		if !seenTag[rt.Tag] {
			seenTag[rt.Tag] = true
			tags = append(tags, map[string]any{"name": rt.Tag, "description": tagDescriptions[rt.Tag]})
		}
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = h.operation(rt)
	}

	// A relative server URL: the API is where this document was fetched from, whatever
	// name or proxy the client used to reach it (base_url may be a default like localhost).
	server := apiPrefix
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "statusthing API",
			"version": "1",
			"description": "Monitors, their history, incidents, maintenance windows, alert channels, status pages, " +
				"members, invitations, the audit log and API tokens of one organization: the token's. " +
				"Each operation needs a role (x-minimum-role); a token has one, never more than its creator's. " +
				"Send Authorization: Bearer <token> (create one with `statusthing token create`). " +
				"Lists are pages of {items, next_cursor}, newest first for histories; pass next_cursor back as cursor. " +
				"Errors are {error: {code, message, field}}. Unknown JSON keys and query parameters are refused.",
		},
		"servers":  []any{map[string]any{"url": server, "description": "This statusthing (relative to the document's URL)"}},
		"security": []any{map[string]any{"bearerAuth": []any{}}},
		"tags":     tags,
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{"type": "http", "scheme": "bearer",
				"bearerFormat": "st_…", "description": "An API token (st_…). read tokens may only GET."}},
			"schemas":   schemas,
			"responses": responses,
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("api: openapi document: " + err.Error()) // built from our own maps: a bug
	}
	return b
}

var tagDescriptions = map[string]string{
	"meta":     "About the API itself.",
	"monitors": "Monitors of every type: http, tcp, dns, tls, browser, heartbeat.",
	"history":  "What monitors recorded: results, pings, status changes, trends.",
	"tokens":   "API tokens of the organization.",
	"audit":    "The organization's audit log.",
	"members":  "The organization, its members and invitations (owners and admins manage them; admins not owners).",
	"incidents": "Outages of monitors (opened when one goes down, resolved when it comes back) and incidents declared by hand; " +
		"acknowledge, comment, resolve, and public updates for status pages.",
	"pages":        "Public status pages and their components.",
	"channels":     "Where alerts go: e-mail, webhook, Slack, Discord, Teams, Telegram, ntfy.",
	"maintenances": "Maintenance windows: no incidents or alerts for the monitors they cover while active.",
}

// operation describes one route.
func (h *Handler) operation(rt route) map[string]any {
	op := map[string]any{"operationId": rt.ID, "summary": rt.Summary, "tags": []any{rt.Tag}}
	if rt.Doc != "" {
		op["description"] = rt.Doc
	}
	if rt.Public {
		op["security"] = []any{}
	} else {
		op["x-minimum-role"] = string(minimumRole(rt.permission()))
	}
	params := []any{}
	for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
		desc := "The resource's id."
		switch m[1] {
		case "rid":
			desc = "The result's id."
		case "cid":
			desc = "The component's id."
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"description": desc, "schema": map[string]any{"type": "integer", "format": "int64", "minimum": 1}})
	}
	for _, p := range rt.Query {
		params = append(params, map[string]any{"name": p.Name, "in": "query", "required": false,
			"description": p.Description, "schema": p.Schema})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	errs := []int{400, 500}
	if !rt.Public {
		errs = append(errs, 401)
		if rt.Method != "GET" {
			errs = append(errs, 403)
		}
	}
	if strings.Contains(rt.Path, "{") {
		errs = append(errs, 404)
	}
	if rt.Conflict {
		errs = append(errs, 409)
	}
	if rt.Body != "" {
		bodyType := rt.BodyType
		if bodyType == "" {
			bodyType = "application/json"
		}
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{bodyType: map[string]any{"schema": ref(rt.Body)}}}
		errs = append(errs, 413, 415, 422)
	}
	if len(rt.Upload) > 0 {
		content := map[string]any{}
		for _, mt := range rt.Upload {
			content[mt] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
		}
		op["requestBody"] = map[string]any{"required": true, "content": content}
		errs = append(errs, 413, 415, 422)
	}
	responses := map[string]any{}
	ok := map[string]any{"description": rt.Summary}
	switch {
	case len(rt.Binary) > 0:
		content := map[string]any{}
		for _, mt := range rt.Binary {
			content[mt] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
		}
		ok["content"] = content
		ok["headers"] = map[string]any{"Cache-Control": map[string]any{
			"description": "private, max-age=86400: the image never changes.", "schema": map[string]any{"type": "string"}}}
	case rt.List:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Result + "Page")}}
	case rt.Result != "":
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Result)}}
	}
	if rt.Created != "" {
		ok["headers"] = map[string]any{"Location": map[string]any{"description": rt.Created,
			"schema": map[string]any{"type": "string"}}}
	}
	responses[strconv.Itoa(rt.Status)] = ok
	for _, code := range errs {
		responses[strconv.Itoa(code)] = map[string]any{"$ref": "#/components/responses/" + errorResponses[code].name}
	}
	op["responses"] = responses
	return op
}

func roleNames() []string {
	var out []string
	for _, r := range auth.Roles() {
		out = append(out, string(r))
	}
	return out
}
