package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"

	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/app/statuspage"
)

// pageJSON is a status page with its components, in the order the page shows them.
type pageJSON struct {
	ID              int64           `json:"id"`
	Slug            string          `json:"slug"`
	Title           string          `json:"title"`
	Description     string          `json:"description"`
	CustomDomain    *string         `json:"custom_domain"`
	Locale          string          `json:"locale"`
	Default         bool            `json:"default"`
	Public          bool            `json:"public"`
	CollapsedGroups []string        `json:"collapsed_groups"`
	HasLogo         bool            `json:"has_logo"`
	URL             string          `json:"url"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	Components      []componentJSON `json:"components"`
}

// componentJSON is one component of a page.
type componentJSON struct {
	ID          int64             `json:"id"`
	Group       string            `json:"group"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	MonitorID   *int64            `json:"monitor_id"`
	Status      statuspage.Status `json:"status"`
	// EffectiveStatus is what visitors see now: the monitor's status (and maintenance) for
	// a bound component, Status for a manual one.
	EffectiveStatus  statuspage.Status `json:"effective_status"`
	ShowResponseTime bool              `json:"show_response_time"`
	Position         int               `json:"position"`
}

// pageInput is the body of a page's creation, and what a merge patch of a page applies to.
// The read-only keys of pageJSON are accepted and ignored, so that a GET answer can be
// edited and sent back.
type pageInput struct {
	Slug            string           `json:"slug"`
	Title           string           `json:"title"`
	Description     string           `json:"description,omitempty"`
	CustomDomain    *string          `json:"custom_domain,omitempty"`
	Locale          string           `json:"locale,omitempty"`
	Default         bool             `json:"default,omitempty"`
	Public          *bool            `json:"public,omitempty"`
	CollapsedGroups []string         `json:"collapsed_groups,omitempty"`
	Components      []componentInput `json:"components,omitempty"`

	ID        json.RawMessage `json:"id,omitempty"`
	HasLogo   json.RawMessage `json:"has_logo,omitempty"`
	URL       json.RawMessage `json:"url,omitempty"`
	CreatedAt json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt json.RawMessage `json:"updated_at,omitempty"`
}

// pageReadOnly are the keys of pageJSON a client cannot set.
var pageReadOnly = []string{"id", "has_logo", "url", "created_at", "updated_at"}

// componentInput is a component in a page's body, or the body of a component's creation
// (and what a merge patch of a component applies to).
type componentInput struct {
	// ID keeps an existing component of the page (and its incidents) in a page's body; a
	// component without one is new. Ignored by the component operations.
	ID               int64             `json:"id,omitempty"`
	Group            string            `json:"group,omitempty"`
	Name             string            `json:"name"`
	Description      string            `json:"description,omitempty"`
	MonitorID        *int64            `json:"monitor_id,omitempty"`
	Status           statuspage.Status `json:"status,omitempty"`
	ShowResponseTime bool              `json:"show_response_time,omitempty"`
	// Position moves the component (component operations only; in a page's body the
	// order of the array is the order).
	Position        *int            `json:"position,omitempty"`
	EffectiveStatus json.RawMessage `json:"effective_status,omitempty"`
}

func optID(id int64) *int64 {
	if id <= 0 {
		return nil
	}
	return &id
}

// pageURL is the public address of a page.
func (h *Handler) pageURL(slug string) string { return h.baseURL + "/status/" + slug }

// liveStatus tells what a monitor-bound component shows now; it is read once per answer.
type liveStatus func(monitorID int64) statuspage.Status

// liveStatuses reads the statuses of the monitors bound to components of pages, with the
// organization's maintenance windows, as the public page computes them.
func (h *Handler) liveStatuses(ctx context.Context, org int64, pages ...statuspage.Page) (liveStatus, error) {
	bound := false
	for _, p := range pages {
		bound = bound || len(p.MonitorIDs()) > 0
	}
	if !bound {
		return func(int64) statuspage.Status { return statuspage.Operational }, nil
	}
	ms, err := h.monitors.List(ctx, org)
	if err != nil {
		return nil, err
	}
	windows, err := h.monitors.Maintenances(ctx, org)
	if err != nil {
		return nil, err
	}
	statuses := make(map[int64]monitor.Status, len(ms))
	for _, m := range ms {
		statuses[m.ID] = m.State.Status
	}
	now := h.now()
	return func(id int64) statuspage.Status {
		_, maint := incident.Suppressed(windows, id, now)
		return statuspage.FromMonitor(statuses[id], maint)
	}, nil
}

func componentOut(c statuspage.Component, position int, live liveStatus) componentJSON {
	out := componentJSON{ID: c.ID, Group: c.Group, Name: c.Name, Description: c.Description, MonitorID: optID(c.MonitorID),
		Status: c.Status, EffectiveStatus: c.Status, ShowResponseTime: c.ShowResponseTime, Position: position}
	if c.MonitorID > 0 {
		out.EffectiveStatus = live(c.MonitorID)
	}
	return out
}

func (h *Handler) pageOut(p statuspage.Page, live liveStatus) pageJSON {
	out := pageJSON{ID: p.ID, Slug: p.Slug, Title: p.Title, Description: p.Description, CustomDomain: optString(p.CustomDomain),
		Locale: p.Locale, Default: p.Default, Public: p.Public, CollapsedGroups: p.CollapsedGroups, HasLogo: p.HasLogo(),
		URL: h.pageURL(p.Slug), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Components: []componentJSON{}}
	if out.CollapsedGroups == nil {
		out.CollapsedGroups = []string{}
	}
	for i, c := range p.Components {
		out.Components = append(out.Components, componentOut(c, i, live))
	}
	return out
}

// replyPage answers p with the live statuses of its components.
func (h *Handler) replyPage(w http.ResponseWriter, r *http.Request, c *call, status int, p statuspage.Page) error {
	live, err := h.liveStatuses(r.Context(), c.org, p)
	if err != nil {
		return err
	}
	writeJSON(w, status, h.pageOut(p, live))
	return nil
}

// inputOf is the body that would recreate p: what a merge patch applies to.
func inputOf(p statuspage.Page) pageInput {
	in := pageInput{Slug: p.Slug, Title: p.Title, Description: p.Description, Locale: p.Locale, Default: p.Default,
		Public: &p.Public, CollapsedGroups: p.CollapsedGroups, CustomDomain: optString(p.CustomDomain)}
	for _, c := range p.Components {
		in.Components = append(in.Components, componentInputOf(c))
	}
	return in
}

func componentInputOf(c statuspage.Component) componentInput {
	in := componentInput{ID: c.ID, Group: c.Group, Name: c.Name, Description: c.Description, MonitorID: optID(c.MonitorID),
		ShowResponseTime: c.ShowResponseTime}
	if c.MonitorID == 0 {
		in.Status = c.Status
	}
	return in
}

// page turns a body into the page it describes (defaults: public, locale en).
func (in pageInput) page() statuspage.Page {
	p := statuspage.Page{Slug: in.Slug, Title: in.Title, Description: in.Description, Locale: in.Locale, Default: in.Default,
		Public: in.Public == nil || *in.Public, CollapsedGroups: in.CollapsedGroups}
	if in.CustomDomain != nil {
		p.CustomDomain = *in.CustomDomain
	}
	for _, c := range in.Components {
		p.Components = append(p.Components, c.component())
	}
	return p
}

func (in componentInput) component() statuspage.Component {
	c := statuspage.Component{ID: in.ID, Group: in.Group, Name: in.Name, Description: in.Description, Status: in.Status,
		ShowResponseTime: in.ShowResponseTime}
	if in.MonitorID != nil {
		c.MonitorID = *in.MonitorID
	}
	return c
}

// mergeInto applies the merge patch body (RFC 7386) to the JSON of cur and decodes the
// result into dst, as a body would be; the patch's read-only keys are dropped. A patch key
// that dst does not have is refused (400), as in a body.
func mergeInto(body []byte, cur any, dst any, readOnly []string) error {
	raw, err := objectOf(body)
	if err != nil {
		return err
	}
	known := jsonKeys(reflect.TypeOf(dst).Elem())
	for _, k := range sortedKeys(raw) {
		if !known[k] {
			return fieldErr(http.StatusBadRequest, codeUnknownField, k, "unknown field")
		}
	}
	p, err := decodeGeneric(body)
	if err != nil {
		return newError(http.StatusBadRequest, codeInvalidJSON, "malformed JSON")
	}
	pm := p.(map[string]any) // objectOf made sure it is an object
	for _, k := range readOnly {
		delete(pm, k)
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	target, err := decodeGeneric(b)
	if err != nil {
		return err
	}
	merged, err := json.Marshal(mergePatch(target, pm))
	if err != nil {
		return err
	}
	return decodeObject(merged, dst)
}

func (h *Handler) listPages(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "pages")
	if err != nil {
		return err
	}
	all, err := h.monitors.StatusPages(r.Context(), c.org)
	if err != nil {
		return err
	}
	var rows []statuspage.Page
	for _, p := range all {
		if p.ID > lq.cursor.id {
			rows = append(rows, p)
		}
	}
	live, err := h.liveStatuses(r.Context(), c.org, rows[:min(len(rows), lq.limit)]...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(p statuspage.Page) cursor { return cursor{list: "pages", id: p.ID} },
		func(p statuspage.Page) pageJSON { return h.pageOut(p, live) }))
	return nil
}

func (h *Handler) createPage(w http.ResponseWriter, r *http.Request, c *call) error {
	var in pageInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	p, err := h.monitors.CreateStatusPage(r.Context(), c.org, in.page())
	if err != nil {
		return err
	}
	h.log.Info("status page created", "page_id", p.ID, "by_token_id", c.token.ID)
	w.Header().Set("Location", apiPrefix+"/pages/"+strconv.FormatInt(p.ID, 10))
	return h.replyPage(w, r, c, http.StatusCreated, p)
}

func (h *Handler) getPage(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	return h.replyPage(w, r, c, http.StatusOK, p)
}

// pathPage reads the page {id} of the caller's organization.
func (h *Handler) pathPage(r *http.Request, c *call) (statuspage.Page, error) {
	id, err := pathID(r)
	if err != nil {
		return statuspage.Page{}, err
	}
	return h.monitors.StatusPage(r.Context(), c.org, id)
}

// patchPage applies a JSON merge patch to a page. components, when given, replaces the
// page's components: those with the id of one of them keep it.
func (h *Handler) patchPage(w http.ResponseWriter, r *http.Request, c *call) error {
	cur, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in pageInput
	if err := mergeInto(body, inputOf(cur), &in, pageReadOnly); err != nil {
		return err
	}
	p := in.page()
	p.ID = cur.ID
	out, err := h.monitors.UpdateStatusPage(r.Context(), c.org, p)
	if err != nil {
		return err
	}
	return h.replyPage(w, r, c, http.StatusOK, out)
}

func (h *Handler) deletePage(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.monitors.DeleteStatusPage(r.Context(), c.org, id); err != nil {
		return err
	}
	h.log.Info("status page deleted", "page_id", id, "by_token_id", c.token.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// logoTypes are the media types a logo may be sent as.
var logoTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// putLogo replaces a page's logo with the raw image of the body.
func (h *Handler) putLogo(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !slices.Contains(logoTypes, mt) {
		return newError(http.StatusUnsupportedMediaType, codeMediaType,
			"the body must be the image itself: send Content-Type: image/png, image/jpeg, image/gif or image/webp")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, statuspage.MaxLogoBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newError(http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("a logo must be at most %d bytes (256 KB)", statuspage.MaxLogoBytes))
		}
		return newError(http.StatusBadRequest, codeInvalidJSON, "could not read the request body")
	}
	if len(data) == 0 {
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, "logo", "the body is empty: send the image")
	}
	if err := h.monitors.SetStatusPageLogo(r.Context(), c.org, id, data); err != nil {
		return err
	}
	p, err := h.monitors.StatusPage(r.Context(), c.org, id)
	if err != nil {
		return err
	}
	return h.replyPage(w, r, c, http.StatusOK, p)
}

func (h *Handler) deleteLogo(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.monitors.SetStatusPageLogo(r.Context(), c.org, id, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Components are edited through their page: the handlers load it, change its list of
// components and save it whole (UpdateStatusPage keeps the ids of those still there).

// pathComponent finds component {cid} in p: its index.
func pathComponent(r *http.Request, p statuspage.Page) (int, error) {
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err == nil && cid > 0 {
		for i, c := range p.Components {
			if c.ID == cid {
				return i, nil
			}
		}
	}
	return 0, notFound("component")
}

var componentField = regexp.MustCompile(`^components\[(\d+)\]\.(.+)$`)

// savePageComponents saves p with its new list of components and returns the saved page;
// the refusals about the component at index at name its keys as the component's body does
// ("name", not "components[3].name").
func (h *Handler) savePageComponents(r *http.Request, c *call, p statuspage.Page, at int) (statuspage.Page, error) {
	out, err := h.monitors.UpdateStatusPage(r.Context(), c.org, p)
	var pe *statuspage.Error
	if errors.As(err, &pe) {
		return out, fieldsError("invalid component", pe.Fields, func(f string) string {
			if m := componentField.FindStringSubmatch(f); m != nil && m[1] == strconv.Itoa(at) {
				return m[2]
			}
			return f
		})
	}
	return out, err
}

// place puts comp at position pos (clamped to the list) of components.
func place(components []statuspage.Component, comp statuspage.Component, pos *int) ([]statuspage.Component, int, error) {
	at := len(components)
	if pos != nil {
		if *pos < 0 {
			return nil, 0, fieldErr(http.StatusUnprocessableEntity, codeValidation, "position", "must be 0 or more")
		}
		at = min(*pos, len(components))
	}
	return slices.Insert(slices.Clone(components), at, comp), at, nil
}

func (h *Handler) listComponents(w http.ResponseWriter, r *http.Request, c *call) error {
	lq, err := parseList(r.URL.Query(), "components")
	if err != nil {
		return err
	}
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	// The cursor holds the last component's position and id: the next page starts after
	// that component wherever it is now, or after its position if it is gone.
	start := 0
	if lq.cursor.id > 0 {
		start = int(lq.cursor.at) + 1
		for i, comp := range p.Components {
			if comp.ID == lq.cursor.id {
				start = i + 1
			}
		}
	}
	type row struct {
		comp statuspage.Component
		pos  int
	}
	var rows []row
	for i := start; i < len(p.Components); i++ {
		rows = append(rows, row{p.Components[i], i})
	}
	live, err := h.liveStatuses(r.Context(), c.org, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, lq.limit,
		func(x row) cursor { return cursor{list: "components", at: int64(x.pos), id: x.comp.ID} },
		func(x row) componentJSON { return componentOut(x.comp, x.pos, live) }))
	return nil
}

func (h *Handler) getComponent(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	i, err := pathComponent(r, p)
	if err != nil {
		return err
	}
	return h.replyComponent(w, r, c, http.StatusOK, p, i)
}

func (h *Handler) replyComponent(w http.ResponseWriter, r *http.Request, c *call, status int, p statuspage.Page, i int) error {
	live, err := h.liveStatuses(r.Context(), c.org, statuspage.Page{Components: p.Components[i : i+1]})
	if err != nil {
		return err
	}
	writeJSON(w, status, componentOut(p.Components[i], i, live))
	return nil
}

func (h *Handler) createComponent(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	var in componentInput
	if err := readObject(w, r, &in); err != nil {
		return err
	}
	in.ID = 0
	var at int
	if p.Components, at, err = place(p.Components, in.component(), in.Position); err != nil {
		return err
	}
	out, err := h.savePageComponents(r, c, p, at)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/pages/%d/components/%d", apiPrefix, p.ID, out.Components[at].ID))
	return h.replyComponent(w, r, c, http.StatusCreated, out, at)
}

// patchComponent applies a JSON merge patch to a component; position moves it.
func (h *Handler) patchComponent(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	i, err := pathComponent(r, p)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	cur := componentInputOf(p.Components[i])
	cur.ID = 0
	cur.Position = &i
	var in componentInput
	if err := mergeInto(body, cur, &in, []string{"id", "effective_status"}); err != nil {
		return err
	}
	comp := in.component()
	comp.ID = p.Components[i].ID
	var at int
	if p.Components, at, err = place(slices.Delete(p.Components, i, i+1), comp, in.Position); err != nil {
		return err
	}
	out, err := h.savePageComponents(r, c, p, at)
	if err != nil {
		return err
	}
	return h.replyComponent(w, r, c, http.StatusOK, out, at)
}

func (h *Handler) deleteComponent(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.pathPage(r, c)
	if err != nil {
		return err
	}
	i, err := pathComponent(r, p)
	if err != nil {
		return err
	}
	p.Components = slices.Delete(p.Components, i, i+1)
	if _, err := h.savePageComponents(r, c, p, -1); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
