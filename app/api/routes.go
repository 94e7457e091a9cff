package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"statusthing/app/audit"
	"statusthing/app/auth"
)

// apiPrefix is where the JSON API lives; route paths are relative to it (the OpenAPI
// document's server URL ends with it).
const apiPrefix = "/api/v1"

// param is a query parameter of an operation.
type param struct {
	Name        string
	Description string
	Schema      map[string]any
}

// route is one operation of the JSON API. The table of routes (apiTable) is the only place
// operations are declared: the mux and the OpenAPI document are both built from it, and a
// route's query parameters are the only ones its handler accepts.
type route struct {
	Method  string
	Path    string // relative to apiPrefix; {id} segments are integer ids
	ID      string // OpenAPI operationId
	Tag     string
	Summary string
	Doc     string // longer description, optional
	Public  bool   // no token needed
	Query   []param
	Body    string // component schema of the request body; "" for none
	// BodyType is the body's media type (default application/json).
	BodyType string
	// Upload lists the media types of a raw (binary) body, instead of Body.
	Upload []string
	// Created describes the Location header of a 201 (the new resource's URL), if any.
	Created string
	Status  int    // success status
	Result  string // component schema of the answer; "" for none
	List    bool   // the answer is a page of Result
	// Binary lists the media types of an answer that is not JSON (an image), instead of Result.
	Binary   []string
	Conflict bool // may answer 409
	// Perm is what the caller's token must allow (its role): "" = read for GET, edit for
	// the others (see permission).
	Perm auth.Permission
	run  func(w http.ResponseWriter, r *http.Request, c *call) error
}

// permission is what rt needs of the caller's role.
func (rt route) permission() auth.Permission {
	switch {
	case rt.Perm != "":
		return rt.Perm
	case rt.Method == http.MethodGet || rt.Method == http.MethodHead:
		return auth.PermRead
	}
	return auth.PermEdit
}

// call is what a handler knows about its request beyond it: the caller's token (zero on
// public routes).
type call struct {
	token auth.APIToken
	org   int64
}

// Query parameters shared by lists.
var (
	pLimit  = param{"limit", "Page size, 1 to 500 (default 50).", map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}}
	pCursor = param{"cursor", "The next_cursor of the previous page, unchanged.", map[string]any{"type": "string"}}
	pFrom   = param{"from", "Only items at or after this time (RFC 3339; escape + as %2B).", map[string]any{"type": "string", "format": "date-time"}}
	pTo     = param{"to", "Only items before this time (RFC 3339).", map[string]any{"type": "string", "format": "date-time"}}
)

func listParams(extra ...param) []param {
	return append([]param{pLimit, pCursor, pFrom, pTo}, extra...)
}

// apiTable is the JSON API.
func (h *Handler) apiTable() []route {
	return []route{
		{Method: "GET", Path: "/openapi.json", ID: "getOpenAPI", Tag: "meta", Summary: "This OpenAPI document",
			Doc: "OpenAPI 3.1, built from the server's route table. No token needed.", Public: true, Status: 200, Result: "OpenAPI", run: h.getOpenAPI},

		{Method: "GET", Path: "/monitors", ID: "listMonitors", Tag: "monitors", Summary: "List monitors",
			Doc: "Monitors of the token's organization, oldest first (by id). from/to bound the creation time.",
			Query: listParams(
				param{"status", "Only monitors with this status.", enumSchema(statusNames())},
				param{"type", "Only monitors of this type.", enumSchema(typeNames())}),
			Status: 200, Result: "Monitor", List: true, run: h.listMonitors},
		{Method: "POST", Path: "/monitors", ID: "createMonitor", Tag: "monitors", Summary: "Create a monitor",
			Doc: "Takes the keys of a [[monitors]] block of the configuration file (alert options included). Unset keys " +
				"take their defaults. channel_ids attaches alert channels (ids of GET /channels); default channels alert anyway.",
			Body: "Monitor", Status: 201, Result: "Monitor", Created: "The new monitor's URL.", run: h.createMonitor},
		{Method: "GET", Path: "/monitors/{id}", ID: "getMonitor", Tag: "monitors", Summary: "Get a monitor",
			Doc:    "Its spec (secrets masked), status and, for heartbeats, ping URL.",
			Status: 200, Result: "Monitor", run: h.getMonitor},
		{Method: "PUT", Path: "/monitors/{id}", ID: "replaceMonitor", Tag: "monitors", Summary: "Replace a monitor's settings",
			Doc: "The whole spec: unset keys take their defaults (a GET answer can be edited and sent back: " +
				"read-only keys are ignored, masked secrets keep their stored value). The type may change between " +
				"probed types, not to or from heartbeat. channel_ids, when given, replaces the attached channels. " +
				"Config-managed monitors answer 409.",
			Body: "Monitor", Status: 200, Result: "Monitor", Conflict: true, run: h.replaceMonitor},
		{Method: "PATCH", Path: "/monitors/{id}", ID: "patchMonitor", Tag: "monitors", Summary: "Change some settings of a monitor",
			Doc: "A JSON merge patch (RFC 7386) of the monitor's spec: keys set replace, null resets to the default. " +
				"channel_ids, when set, replaces the attached channels.",
			Body: "MonitorPatch", BodyType: "application/merge-patch+json", Status: 200, Result: "Monitor", Conflict: true,
			run: h.patchMonitor},
		{Method: "DELETE", Path: "/monitors/{id}", ID: "deleteMonitor", Tag: "monitors", Summary: "Delete a monitor and its history",
			Status: 204, Conflict: true, run: h.deleteMonitor},
		{Method: "POST", Path: "/monitors/{id}/pause", ID: "pauseMonitor", Tag: "monitors", Summary: "Pause a monitor",
			Doc:    "It is not checked (heartbeats: not watched) until resumed; the change is recorded as a flip.",
			Status: 200, Result: "Monitor", run: h.pauseMonitor},
		{Method: "POST", Path: "/monitors/{id}/resume", ID: "resumeMonitor", Tag: "monitors", Summary: "Resume a paused monitor",
			Doc:    "It is checked (heartbeats: watched) again from now on; the change is recorded as a flip.",
			Status: 200, Result: "Monitor", run: h.resumeMonitor},
		{Method: "POST", Path: "/monitors/{id}/check", ID: "checkMonitor", Tag: "monitors", Summary: "Check a monitor now",
			Doc:    "Runs the check at once and records it like a scheduled one. Heartbeats (fed by pings) and paused monitors answer 409.",
			Status: 200, Result: "CheckAnswer", Conflict: true, run: h.checkMonitor},

		{Method: "GET", Path: "/monitors/{id}/results", ID: "listResults", Tag: "history", Summary: "List check results",
			Doc:    "Newest first. Successful results are kept for retention.results_days, failed ones for retention.failures_days.",
			Query:  listParams(param{"outcome", "Only results with this outcome.", enumSchema([]string{"up", "degraded", "down"})}),
			Status: 200, Result: "Result", List: true, run: h.listResults},
		{Method: "GET", Path: "/monitors/{id}/results/{rid}/screenshot", ID: "getResultScreenshot", Tag: "history",
			Summary: "Get a browser check's screenshot",
			Doc: "The image of the page at the end of a browser check, taken on failure (and on success with " +
				"screenshot_on_success); a result's screenshot_url points here. Kept for retention.screenshots_days. " +
				"404 when the result has none.",
			Status: 200, Binary: []string{"image/png", "image/jpeg"}, run: h.getScreenshot},
		{Method: "GET", Path: "/monitors/{id}/pings", ID: "listPings", Tag: "history", Summary: "List a heartbeat's pings",
			Doc:   "Newest first; the latest heartbeat.keep_pings are kept. 404 when the monitor is not a heartbeat.",
			Query: listParams(), Status: 200, Result: "Ping", List: true, run: h.listPings},
		{Method: "GET", Path: "/monitors/{id}/flips", ID: "listFlips", Tag: "history", Summary: "List status changes",
			Doc:   "Newest first.",
			Query: listParams(), Status: 200, Result: "Flip", List: true, run: h.listFlips},
		{Method: "GET", Path: "/monitors/{id}/trend", ID: "getTrend", Tag: "history", Summary: "Uptime and latency per period",
			Doc: "Buckets of 1m (from raw results, within retention.results_days, at most 1 day), 1h (hourly rollups, " +
				"at most 62 days) or 1d (daily rollups, at most 400 days), UTC-aligned, oldest first; buckets without " +
				"checks are left out. Default: aggregation 1h over the last 24 hours.",
			Query: []param{
				{"aggregation", "Bucket size (default 1h).", enumSchema([]string{"1m", "1h", "1d"})},
				{"from", "Start (RFC 3339), rounded down to a bucket. Default: 1 hour, 1 day or 30 days before to.", map[string]any{"type": "string", "format": "date-time"}},
				{"to", "End, excluded (RFC 3339). Default: now.", map[string]any{"type": "string", "format": "date-time"}},
			},
			Status: 200, Result: "Trend", run: h.getTrend},

		{Method: "GET", Path: "/incidents", ID: "listIncidents", Tag: "incidents", Summary: "List incidents",
			Doc: "Incidents of the token's organization, newest first: those opened when a monitor went down (resolved " +
				"when it comes back up) and those declared by hand (monitor_id null). from/to bound the opening time.",
			Query: listParams(
				param{"status", "Only incidents with this status (open excludes acknowledged ones).", enumSchema(incidentStatusNames())},
				param{"monitor", "Only incidents of this monitor (its id).", map[string]any{"type": "integer", "format": "int64", "minimum": 1}}),
			Status: 200, Result: "Incident", List: true, run: h.listIncidents},
		{Method: "POST", Path: "/incidents", ID: "declareIncident", Tag: "incidents", Summary: "Declare an incident",
			Doc: "Opens a public incident by hand, not tied to a monitor: title, impact (none, minor, major, critical; " +
				"default none), the affected components (component_ids: components of the organization's status pages, " +
				"which show it) and the first public update (status, default investigating, and message). It stays open " +
				"until an update with status resolved, or resolveIncident. Refused values answer 422 naming the key.",
			Body: "IncidentDeclaration", Status: 201, Result: "IncidentDetail", Created: "The new incident's URL.",
			run: h.declareIncident},
		{Method: "GET", Path: "/incidents/{id}", ID: "getIncident", Tag: "incidents", Summary: "Get an incident",
			Doc:    "With its timeline (events, oldest first) and seen_before: the monitor's incidents with the same cause in the 30 days before it.",
			Status: 200, Result: "IncidentDetail", run: h.getIncident},
		{Method: "POST", Path: "/incidents/{id}/acknowledge", ID: "acknowledgeIncident", Tag: "incidents", Perm: auth.PermRespond, Summary: "Acknowledge an incident",
			Doc: "Someone is on it: recorded in the timeline with the token as actor (token:<name>). Acknowledging twice " +
				"changes nothing; a resolved incident answers 409.",
			Status: 200, Result: "IncidentDetail", Conflict: true, run: h.incidentAction(h.acknowledgeIncident)},
		{Method: "POST", Path: "/incidents/{id}/unacknowledge", ID: "unacknowledgeIncident", Tag: "incidents", Perm: auth.PermRespond, Summary: "Unacknowledge an incident",
			Doc:    "Back to open. A resolved incident answers 409.",
			Status: 200, Result: "IncidentDetail", Conflict: true, run: h.incidentAction(h.unacknowledgeIncident)},
		{Method: "POST", Path: "/incidents/{id}/resolve", ID: "resolveIncident", Tag: "incidents", Summary: "Resolve an incident by hand",
			Doc: "The monitor may still be down: its next going down opens a new incident. Resolving a resolved " +
				"incident changes nothing.",
			Status: 200, Result: "IncidentDetail", run: h.incidentAction(h.resolveIncident)},
		{Method: "POST", Path: "/incidents/{id}/comments", ID: "commentIncident", Tag: "incidents", Perm: auth.PermRespond, Summary: "Comment on an incident",
			Doc:  "Adds a comment (1 to 5000 characters) to the timeline, with the token as actor (token:<name>).",
			Body: "CommentInput", Status: 201, Result: "IncidentDetail", run: h.commentIncident},
		{Method: "GET", Path: "/incidents/{id}/updates", ID: "listIncidentUpdates", Tag: "incidents", Summary: "List an incident's public updates",
			Doc: "What status page visitors read of the incident, newest first. An incident opened by a monitor has none " +
				"until someone posts one.",
			Query: []param{pLimit, pCursor}, Status: 200, Result: "IncidentUpdate", List: true, run: h.listUpdates},
		{Method: "POST", Path: "/incidents/{id}/updates", ID: "postIncidentUpdate", Tag: "incidents", Summary: "Post a public update",
			Doc: "Adds an update (status: investigating, identified, monitoring or resolved, default investigating; message) " +
				"for status page visitors, with the token as actor. title, impact and component_ids, when given, change " +
				"what the pages show of the incident (component_ids replaces the affected components; [] removes them all). " +
				"The first update of an incident opened by a monitor publishes it, on the components bound to that monitor " +
				"unless component_ids names others. Status resolved resolves an open incident, as resolveIncident does.",
			Body: "IncidentUpdateInput", Status: 201, Result: "IncidentDetail", run: h.postUpdate},

		{Method: "GET", Path: "/pages", ID: "listPages", Tag: "pages", Summary: "List status pages",
			Doc:   "Status pages of the token's organization with their components, oldest first (by id).",
			Query: []param{pLimit, pCursor}, Status: 200, Result: "Page", List: true, run: h.listPages},
		{Method: "POST", Path: "/pages", ID: "createPage", Tag: "pages", Summary: "Create a status page",
			Doc: "slug (the page is served at /status/<slug>) and title are required; locale defaults to en, public to " +
				"true. components, in the order shown, may be given at once (or added later). A slug or custom_domain " +
				"another page has, or a monitor_id that is not the organization's, answers 422 naming the key " +
				"(components[i].monitor_id). default: the page is served at / of the instance (one page at most).",
			Body: "PageInput", Status: 201, Result: "Page", Created: "The new page's URL.", run: h.createPage},
		{Method: "GET", Path: "/pages/{id}", ID: "getPage", Tag: "pages", Summary: "Get a status page",
			Doc:    "With its components in order and each one's effective_status as visitors see it now.",
			Status: 200, Result: "Page", run: h.getPage},
		{Method: "PATCH", Path: "/pages/{id}", ID: "patchPage", Tag: "pages", Summary: "Change a status page",
			Doc: "A JSON merge patch (RFC 7386) of the page: keys set replace, null resets to the default. components, " +
				"when set, replaces the whole list: entries with the id of one of the page's components keep it (and " +
				"the incidents linked to it), entries without an id are new, the components left out are deleted. To " +
				"change one component, use the component operations.",
			Body: "PagePatch", BodyType: "application/merge-patch+json", Status: 200, Result: "Page", run: h.patchPage},
		{Method: "DELETE", Path: "/pages/{id}", ID: "deletePage", Tag: "pages", Summary: "Delete a status page",
			Doc:    "With its components and logo; incidents stay.",
			Status: 204, run: h.deletePage},
		{Method: "PUT", Path: "/pages/{id}/logo", ID: "putPageLogo", Tag: "pages", Summary: "Set a status page's logo",
			Doc: "The body is the image itself (PNG, JPEG, GIF or WebP; SVG is refused), at most 256 KB (413 beyond). " +
				"Another Content-Type answers 415; a body that is not such an image, 422 naming logo.",
			Upload: logoTypes, Status: 200, Result: "Page", run: h.putLogo},
		{Method: "DELETE", Path: "/pages/{id}/logo", ID: "deletePageLogo", Tag: "pages", Summary: "Remove a status page's logo",
			Doc:    "Removing a logo a page does not have changes nothing.",
			Status: 204, run: h.deleteLogo},
		{Method: "GET", Path: "/pages/{id}/components", ID: "listComponents", Tag: "pages", Summary: "List a page's components",
			Doc:   "In the order the page shows them (position).",
			Query: []param{pLimit, pCursor}, Status: 200, Result: "Component", List: true, run: h.listComponents},
		{Method: "POST", Path: "/pages/{id}/components", ID: "createComponent", Tag: "pages", Summary: "Add a component to a page",
			Doc: "name is required. monitor_id binds it to a monitor of the organization: its status follows the monitor's " +
				"(and maintenance windows). Without one, status is set by hand (default operational). position (from 0) " +
				"places it; default: last.",
			Body: "ComponentInput", Status: 201, Result: "Component", Created: "The new component's URL.", run: h.createComponent},
		{Method: "GET", Path: "/pages/{id}/components/{cid}", ID: "getComponent", Tag: "pages", Summary: "Get a component",
			Status: 200, Result: "Component", run: h.getComponent},
		{Method: "PATCH", Path: "/pages/{id}/components/{cid}", ID: "patchComponent", Tag: "pages", Summary: "Change a component",
			Doc: "A JSON merge patch (RFC 7386) of the component: keys set replace, null resets to the default " +
				"(monitor_id null: a manual component). position moves it (from 0; past the end: last).",
			Body: "ComponentPatch", BodyType: "application/merge-patch+json", Status: 200, Result: "Component", run: h.patchComponent},
		{Method: "DELETE", Path: "/pages/{id}/components/{cid}", ID: "deleteComponent", Tag: "pages", Summary: "Remove a component",
			Doc:    "Incidents no longer show on the page through it.",
			Status: 204, run: h.deleteComponent},
		{Method: "GET", Path: "/pages/{id}/subscribers", ID: "listSubscribers", Tag: "pages", Summary: "List a page's subscribers",
			Doc: "E-mail subscribers (confirmed, or waiting for their confirmation mail's link) and webhook subscribers, " +
				"oldest first (by id). Secrets are never shown: has_secret tells whether a webhook's payloads are signed.",
			Query: []param{pLimit, pCursor}, Status: 200, Result: "Subscriber", List: true, run: h.listSubscribers},
		{Method: "POST", Path: "/pages/{id}/subscribers", ID: "createSubscriber", Tag: "pages", Summary: "Add a subscriber to a page",
			Doc: "kind email (default) or webhook. An e-mail subscriber gets a confirmation mail and receives nothing until it " +
				"follows its link (double opt-in), unless confirmed is true: an import of addresses whose consent you hold, " +
				"confirmed at once. A webhook subscriber (address: an http(s) URL) is confirmed at once; secret, write-only, " +
				"signs its payloads (X-Statusthing-Signature). An address the page already has answers 422 naming address.",
			Body: "SubscriberInput", Status: 201, Result: "Subscriber", Created: "The new subscriber's URL.", run: h.createSubscriber},
		{Method: "DELETE", Path: "/pages/{id}/subscribers/{sid}", ID: "deleteSubscriber", Tag: "pages", Summary: "Remove a subscriber",
			Doc:    "With its undelivered notices: it receives nothing more.",
			Status: 204, run: h.deleteSubscriber},

		{Method: "GET", Path: "/channels", ID: "listChannels", Tag: "channels", Summary: "List alert channels",
			Doc:   "Channels of the token's organization, oldest first (by id). Secret settings are masked (********).",
			Query: listParams(), Status: 200, Result: "Channel", List: true, run: h.listChannels},
		{Method: "POST", Path: "/channels", ID: "createChannel", Tag: "channels", Summary: "Create an alert channel",
			Doc: "settings holds the keys of the type's settings (email: host, port, tls, username, password, from, to; " +
				"webhook: url, secret, headers; slack, discord, teams: webhook_url; telegram: bot_token, chat_id, api_url; " +
				"ntfy: server_url, topic, token). Refused settings answer 422 naming settings.<key>.",
			Body: "ChannelInput", Status: 201, Result: "Channel", run: h.createChannel},
		{Method: "GET", Path: "/channels/{id}", ID: "getChannel", Tag: "channels", Summary: "Get an alert channel",
			Doc:    "Secret settings (passwords, tokens, webhook secrets and header values, chat webhook URLs) are masked (********).",
			Status: 200, Result: "Channel", run: h.getChannel},
		{Method: "PUT", Path: "/channels/{id}", ID: "replaceChannel", Tag: "channels", Summary: "Replace an alert channel",
			Doc:  "The whole channel; a masked secret (********) keeps its stored value, so a GET answer can be edited and sent back.",
			Body: "ChannelInput", Status: 200, Result: "Channel", run: h.replaceChannel},
		{Method: "DELETE", Path: "/channels/{id}", ID: "deleteChannel", Tag: "channels", Summary: "Delete an alert channel",
			Doc:    "Its attachments to monitors and its undelivered alerts go with it.",
			Status: 204, run: h.deleteChannel},
		{Method: "POST", Path: "/channels/{id}/test", ID: "testChannel", Tag: "channels", Summary: "Send a test alert",
			Doc:    `Sends a test alert (event "test") to the channel now; ok tells whether the receiver accepted it, error why not.`,
			Status: 200, Result: "ChannelTest", run: h.testChannel},

		{Method: "GET", Path: "/maintenances", ID: "listMaintenances", Tag: "maintenances", Summary: "List maintenance windows",
			Doc:   "Windows of the token's organization, oldest first (by id). While a window covering a monitor is active, its going down opens no incident and sends no alert; still down when the window ends, it alerts then.",
			Query: []param{pLimit, pCursor}, Status: 200, Result: "Maintenance", List: true, run: h.listMaintenances},
		{Method: "POST", Path: "/maintenances", ID: "createMaintenance", Tag: "maintenances", Summary: "Create a maintenance window",
			Doc: "One-off (start_at, end_at) or recurring (cron, duration_ms, time_zone: each firing of the cron in the " +
				"time zone starts a window of duration_ms). monitor_ids empty covers every monitor. Refused values answer 422.",
			Body: "MaintenanceInput", Status: 201, Result: "Maintenance", run: h.createMaintenance},
		{Method: "GET", Path: "/maintenances/{id}", ID: "getMaintenance", Tag: "maintenances", Summary: "Get a maintenance window",
			Doc:    "With active, active_until and next_start computed at the time of the request.",
			Status: 200, Result: "Maintenance", run: h.getMaintenance},
		{Method: "PUT", Path: "/maintenances/{id}", ID: "replaceMaintenance", Tag: "maintenances", Summary: "Replace a maintenance window",
			Doc:  "The whole window; read-only keys of a GET answer are ignored.",
			Body: "MaintenanceInput", Status: 200, Result: "Maintenance", run: h.replaceMaintenance},
		{Method: "DELETE", Path: "/maintenances/{id}", ID: "deleteMaintenance", Tag: "maintenances", Summary: "Delete a maintenance window",
			Doc:    "Monitors it covered that are still down get their incident (and alerts) shortly after.",
			Status: 204, run: h.deleteMaintenance},

		{Method: "GET", Path: "/organization", ID: "getOrganization", Tag: "members", Summary: "The token's organization",
			Status: 200, Result: "Organization", run: h.getOrganization},
		{Method: "DELETE", Path: "/organization", ID: "deleteOrganization", Tag: "members", Perm: auth.PermOwn,
			Summary: "Delete the token's organization",
			Doc: "Everything it owns goes with it (monitors and their history, incidents, pages, channels, tokens — this one " +
				"included —, memberships). The body confirms it: {\"confirm\": \"<the organization's slug>\"}. The " +
				"instance keeps at least one organization (409).",
			Body: "OrganizationDelete", Status: 204, Conflict: true, run: h.deleteOrganization},
		{Method: "GET", Path: "/members", ID: "listMembers", Tag: "members", Summary: "List members",
			Doc: "Owners first, then by e-mail. One page: next_cursor is always null.", Status: 200, Result: "Member", List: true, run: h.listMembers},
		{Method: "PATCH", Path: "/members/{id}", ID: "patchMember", Tag: "members", Perm: auth.PermManage, Summary: "Change a member's role",
			Doc:  "{id} is the member's user_id. Only owners make, change or remove owners (403); an organization keeps one owner (409).",
			Body: "MemberInput", Status: 200, Result: "Member", Conflict: true, run: h.patchMember},
		{Method: "DELETE", Path: "/members/{id}", ID: "deleteMember", Tag: "members", Perm: auth.PermManage, Summary: "Remove a member",
			Doc:    "Their sessions in the organization end and the API tokens they made there are revoked.",
			Status: 204, Conflict: true, run: h.deleteMember},
		{Method: "GET", Path: "/invitations", ID: "listInvitations", Tag: "members", Perm: auth.PermManage, Summary: "List invitations",
			Doc:    "Newest first, used and expired ones included. One page: next_cursor is always null.",
			Status: 200, Result: "Invitation", List: true, run: h.listInvitations},
		{Method: "POST", Path: "/invitations", ID: "createInvitation", Tag: "members", Perm: auth.PermManage, Summary: "Invite someone",
			Doc:  "The answer's link (shown this once) works once within 7 days: it creates an account, or adds a logged-in user.",
			Body: "InvitationInput", Status: 201, Result: "CreatedInvitation", Conflict: true, run: h.createInvitation},
		{Method: "DELETE", Path: "/invitations/{id}", ID: "revokeInvitation", Tag: "members", Perm: auth.PermManage, Summary: "Revoke an invitation",
			Status: 204, run: h.revokeInvitation},

		{Method: "GET", Path: "/audit", ID: "listAudit", Tag: "audit", Perm: auth.PermManage, Summary: "List the audit log",
			Doc: "Who created, changed or deleted what in the organization, newest first: every successful change through " +
				"the admin (actor: the user's e-mail) or the API (actor: token:<name>), named from its route.",
			Query: []param{pLimit, pCursor}, Status: 200, Result: "AuditEntry", List: true, run: h.listAudit},

		{Method: "GET", Path: "/tokens", ID: "listTokens", Tag: "tokens", Perm: auth.PermManage, Summary: "List API tokens",
			Doc:   "The organization's tokens, revoked and expired ones included, oldest first. Secrets are never shown.",
			Query: listParams(), Status: 200, Result: "Token", List: true, run: h.listTokens},
		{Method: "POST", Path: "/tokens", ID: "createToken", Tag: "tokens", Perm: auth.PermManage, Summary: "Create an API token",
			Doc:  "The answer holds the secret (token), shown this once only.",
			Body: "TokenInput", Status: 201, Result: "CreatedToken", run: h.createToken},
		{Method: "DELETE", Path: "/tokens/{id}", ID: "revokeToken", Tag: "tokens", Perm: auth.PermManage, Summary: "Revoke an API token",
			Doc:    "The token is refused from now on. Revoking a revoked token changes nothing.",
			Status: 204, run: h.revokeToken},
	}
}

// apiRoutes registers the table on the mux, each path with a JSON 405 for the methods it
// does not have, and a JSON 404 for everything else under /api/.
func (h *Handler) apiRoutes() {
	table := h.apiTable()
	methods := map[string][]string{}
	var paths []string
	for _, rt := range table {
		pattern := rt.Method + " " + apiPrefix + rt.Path
		h.mux.Handle(pattern, h.wrap(rt))
		h.registered = append(h.registered, pattern)
		if methods[rt.Path] == nil {
			paths = append(paths, rt.Path)
		}
		methods[rt.Path] = append(methods[rt.Path], rt.Method)
	}
	for _, p := range paths {
		allow := methods[p]
		if slices.Contains(allow, "GET") {
			allow = append(allow, "HEAD")
		}
		e := newError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "method not allowed: use "+strings.Join(allow, ", "))
		e.allow = strings.Join(allow, ", ")
		h.mux.HandleFunc(apiPrefix+p, func(w http.ResponseWriter, r *http.Request) { writeError(w, e) })
	}
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newError(http.StatusNotFound, codeNotFound, "no such API endpoint: see "+apiPrefix+"/openapi.json"))
	})
	h.openapi = h.buildOpenAPI(table)
}

// wrap applies what every operation shares: no caching, the bearer token and its scope,
// refusal of unknown query parameters, and error answers.
func (h *Handler) wrap(rt route) http.Handler {
	allowed := map[string]bool{}
	for _, p := range rt.Query {
		allowed[p.Name] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		c := &call{}
		if !rt.Public {
			tok, err := h.authenticate(r.Context(), r)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if tok.Scope != auth.ScopeWrite && r.Method != http.MethodGet && r.Method != http.MethodHead {
				e := newError(http.StatusForbidden, codeInsufficient, "this token is read-only: "+r.Method+" needs a write token")
				e.auth = `Bearer realm="statusthing", error="insufficient_scope", scope="write"`
				writeError(w, e)
				return
			}
			if perm := rt.permission(); !tok.Role.Allows(perm) {
				writeError(w, newError(http.StatusForbidden, codeInsufficient,
					"this token's role ("+string(tok.Role)+") may not do this: it needs "+string(minimumRole(perm))+" or above"))
				return
			}
			c.token, c.org = tok, tok.OrgID
		}
		for _, k := range sortedKeys(r.URL.Query()) {
			if !allowed[k] {
				h.fail(w, r, badParam(k, "unknown query parameter"))
				return
			}
		}
		rec := &statusWriter{ResponseWriter: w}
		if err := rt.run(rec, r, c); err != nil {
			h.fail(rec, r, err)
		}
		h.record(rt, r, c, rec)
	})
}

// statusWriter remembers the status of an answer, for the audit log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// record writes a successful change (any method but GET) made with a token in its
// organization's audit log, named from its route (audit.Action).
func (h *Handler) record(rt route, r *http.Request, c *call, rec *statusWriter) {
	if h.audit == nil || rt.Public || rt.Method == http.MethodGet || rec.status >= 400 || rec.status == 0 {
		return
	}
	e := audit.Entry{OrgID: c.org, At: h.now(), Actor: "token:" + c.token.Name, Action: audit.Action(rt.Method, apiPrefix+rt.Path),
		Target: audit.Target(apiPrefix+rt.Path, r.URL.Path, rec.Header().Get("Location")), Via: "api", IP: h.clientIP(r)}
	if err := h.audit.AddAuditEntry(r.Context(), e); err != nil {
		h.log.Warn("audit entry", "action", e.Action, "err", err)
	}
}

// authenticate resolves the request's bearer token. Refusals answer 401 with a
// WWW-Authenticate challenge (RFC 6750).
func (h *Handler) authenticate(ctx context.Context, r *http.Request) (auth.APIToken, error) {
	scheme, secret, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		e := newError(http.StatusUnauthorized, codeUnauthorized, "missing API token: send Authorization: Bearer <token>")
		e.auth = `Bearer realm="statusthing"`
		return auth.APIToken{}, e
	}
	tok, err := h.auth.VerifyAPIToken(ctx, strings.TrimSpace(secret))
	if errors.Is(err, auth.ErrTokenInvalid) {
		e := newError(http.StatusUnauthorized, codeUnauthorized, "invalid API token: unknown, expired or revoked")
		e.auth = `Bearer realm="statusthing", error="invalid_token"`
		return auth.APIToken{}, e
	}
	return tok, err
}

// getOpenAPI serves the document built from the route table.
func (h *Handler) getOpenAPI(w http.ResponseWriter, r *http.Request, _ *call) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(h.openapi)
	return nil
}

// minimumRole is the least powerful role allowing p.
func minimumRole(p auth.Permission) auth.Role {
	roles := auth.Roles()
	for i := len(roles) - 1; i >= 0; i-- {
		if roles[i].Allows(p) {
			return roles[i]
		}
	}
	return auth.RoleOwner
}

// Operation is one operation of the JSON API and what its caller's token must allow: the
// role matrix test calls every one of them with a token of every role.
type Operation struct {
	Method     string
	Path       string // with the /api/v1 prefix; {id} segments are integer ids
	Permission auth.Permission
	Public     bool
	Body       bool // takes a request body
}

// Operations lists every operation of the route table.
func (h *Handler) Operations() []Operation {
	var out []Operation
	for _, rt := range h.apiTable() {
		out = append(out, Operation{Method: rt.Method, Path: apiPrefix + rt.Path, Permission: rt.permission(), Public: rt.Public,
			Body: rt.Body != "" || len(rt.Upload) > 0})
	}
	return out
}
