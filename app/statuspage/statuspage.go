// Package statuspage is the domain of public status pages: pages and their components,
// what status a component shows, the page's overall indicator and the 90-day bars. It is
// pure: no I/O, no clock; callers pass times in.
package statuspage

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"statusthing/app/monitor"
)

// Page is a public status page of an organization.
type Page struct {
	ID           int64
	OrgID        int64
	Slug         string // /status/{slug}
	Title        string
	Description  string
	CustomDomain string // lower-case host served this page at "/"; "" none
	Locale       string // en | fr
	Default      bool   // served at "/" of the instance
	Public       bool   // false: only logged-in users of the organization see it
	// CollapsedGroups are the group names shown folded (visitors can open them).
	CollapsedGroups []string
	LogoType        string // media type of the logo; "" when the page has none
	Components      []Component
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// HasLogo reports whether the page shows a logo.
func (p Page) HasLogo() bool { return p.LogoType != "" }

// Component is one line of a status page. Bound to a monitor (MonitorID > 0) its status
// follows the monitor's; otherwise Status is set by hand.
type Component struct {
	ID               int64
	PageID           int64
	Group            string // components of the same group are shown together; "" ungrouped
	Name             string
	Description      string
	MonitorID        int64
	Status           Status // the hand-set status of a component without a monitor
	ShowResponseTime bool
	CreatedAt        time.Time
}

// Status is a component's status as visitors see it (the Statuspage vocabulary).
type Status string

// Component statuses, from best to worst; maintenance apart.
const (
	Operational         Status = "operational"
	DegradedPerformance Status = "degraded_performance"
	PartialOutage       Status = "partial_outage"
	MajorOutage         Status = "major_outage"
	UnderMaintenance    Status = "under_maintenance"
)

// Statuses lists every component status.
func Statuses() []Status {
	return []Status{Operational, DegradedPerformance, PartialOutage, MajorOutage, UnderMaintenance}
}

// severity orders statuses for "the worst one": maintenance is above operational but below
// any trouble, so an outage during maintenance still shows.
func (s Status) severity() int {
	switch s {
	case Operational:
		return 0
	case UnderMaintenance:
		return 1
	case DegradedPerformance:
		return 2
	case PartialOutage:
		return 3
	case MajorOutage:
		return 4
	}
	return -1
}

// FromMonitor is the status a component bound to a monitor shows: down is a major outage,
// degraded is degraded performance, and an active maintenance window shows as maintenance
// unless the monitor is down anyway. Everything else (up, late within its grace, pending,
// new, paused) is operational: visitors are not told about our bookkeeping.
func FromMonitor(s monitor.Status, inMaintenance bool) Status {
	switch {
	case s == monitor.StatusDown:
		if inMaintenance {
			return UnderMaintenance
		}
		return MajorOutage
	case inMaintenance:
		return UnderMaintenance
	case s == monitor.StatusDegraded:
		return DegradedPerformance
	}
	return Operational
}

// Indicator is a page's overall status (the Statuspage summary's status.indicator).
type Indicator string

// Indicators, from best to worst.
const (
	IndicatorNone        Indicator = "none"
	IndicatorMaintenance Indicator = "maintenance"
	IndicatorMinor       Indicator = "minor"
	IndicatorMajor       Indicator = "major"
	IndicatorCritical    Indicator = "critical"
)

var indicatorRank = map[Indicator]int{IndicatorNone: 0, IndicatorMaintenance: 1, IndicatorMinor: 2, IndicatorMajor: 3, IndicatorCritical: 4}

// Overall is a page's indicator from its components' statuses and the impacts ("none",
// "minor", "major", "critical") of its open public incidents: the worst of them. A single
// component in major outage is a major outage of the page; all of them is critical.
func Overall(statuses []Status, openImpacts []string) Indicator {
	worst := IndicatorNone
	raise := func(i Indicator) {
		if indicatorRank[i] > indicatorRank[worst] {
			worst = i
		}
	}
	down := 0
	for _, s := range statuses {
		switch s {
		case UnderMaintenance:
			raise(IndicatorMaintenance)
		case DegradedPerformance:
			raise(IndicatorMinor)
		case PartialOutage:
			raise(IndicatorMajor)
		case MajorOutage:
			raise(IndicatorMajor)
			down++
		}
	}
	if down > 1 && down == len(statuses) {
		raise(IndicatorCritical)
	}
	for _, impact := range openImpacts {
		switch impact {
		case "minor":
			raise(IndicatorMinor)
		case "major":
			raise(IndicatorMajor)
		case "critical":
			raise(IndicatorCritical)
		}
	}
	return worst
}

// Worst returns the worst of statuses (Operational for none).
func Worst(statuses []Status) Status {
	worst := Operational
	for _, s := range statuses {
		if s.severity() > worst.severity() {
			worst = s
		}
	}
	return worst
}

// Limits of a page.
const (
	MaxTitle       = 100
	MaxDescription = 1000
	MaxComponents  = 200
	MaxName        = 100
	MaxLogoBytes   = 256 << 10
)

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

var hostLabel = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Locales a page can be shown in.
func Locales() []string { return []string{"en", "fr"} }

// Error lists every refused value of a page, named by field ("slug", "title", ...;
// components by "components[i].name").
type Error struct{ Fields monitor.FieldErrors }

func (e *Error) Error() string { return e.Fields.Join("invalid status page") }

// For returns the message for field, or "".
func (e *Error) For(field string) string { return e.Fields.For(field) }

// Normalize trims p's text fields, lower-cases the slug and custom domain and fills the
// defaults (locale en, manual components operational).
func (p *Page) Normalize() {
	p.Slug = strings.ToLower(strings.TrimSpace(p.Slug))
	p.Title = strings.TrimSpace(p.Title)
	p.Description = strings.TrimSpace(p.Description)
	p.CustomDomain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(p.CustomDomain)), ".")
	if p.Locale == "" {
		p.Locale = "en"
	}
	for i := range p.Components {
		c := &p.Components[i]
		c.Name, c.Group, c.Description = strings.TrimSpace(c.Name), strings.TrimSpace(c.Group), strings.TrimSpace(c.Description)
		if c.Status == "" || c.MonitorID > 0 {
			c.Status = Operational
		}
	}
	var groups []string
	for _, g := range p.CollapsedGroups {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	p.CollapsedGroups = groups
}

// Validate normalizes p and returns an *Error listing every problem, or nil.
func (p *Page) Validate() error {
	p.Normalize()
	var fields []monitor.FieldError
	add := func(field, msg string) { fields = append(fields, monitor.FieldError{Field: field, Message: msg}) }
	switch {
	case p.Slug == "":
		add("slug", "a slug is required: the page is served at /status/<slug>")
	case !slugPattern.MatchString(p.Slug):
		add("slug", "lower-case letters, digits and dashes, at most 64, not starting or ending with a dash")
	}
	switch {
	case p.Title == "":
		add("title", "a title is required")
	case utf8.RuneCountInString(p.Title) > MaxTitle:
		add("title", "at most 100 characters")
	}
	if utf8.RuneCountInString(p.Description) > MaxDescription {
		add("description", "at most 1000 characters")
	}
	if p.CustomDomain != "" && !validHost(p.CustomDomain) {
		add("custom_domain", "a host name such as status.example.com, without scheme, port or path")
	}
	if !slices.Contains(Locales(), p.Locale) {
		add("locale", "one of en, fr")
	}
	if len(p.Components) > MaxComponents {
		add("components", "at most 200 components")
	}
	for i, c := range p.Components {
		name := func(f string) string { return "components[" + strconv.Itoa(i) + "]." + f }
		switch {
		case c.Name == "":
			add(name("name"), "a name is required")
		case utf8.RuneCountInString(c.Name) > MaxName:
			add(name("name"), "at most 100 characters")
		}
		if utf8.RuneCountInString(c.Group) > MaxName {
			add(name("group"), "at most 100 characters")
		}
		if utf8.RuneCountInString(c.Description) > MaxDescription {
			add(name("description"), "at most 1000 characters")
		}
		if c.MonitorID < 0 {
			add(name("monitor_id"), "not a monitor id")
		}
		if c.Status.severity() < 0 {
			add(name("status"), "one of operational, degraded_performance, partial_outage, major_outage, under_maintenance")
		}
	}
	if len(fields) > 0 {
		return &Error{Fields: fields}
	}
	return nil
}

// validHost accepts a DNS name of at least two labels (no IP literal, port or path).
func validHost(h string) bool {
	if len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if !hostLabel.MatchString(l) {
			return false
		}
	}
	// The last label of a name is never all digits (that would be an IPv4 address).
	last := h[strings.LastIndexByte(h, '.')+1:]
	return strings.Trim(last, "0123456789") != ""
}

// CheckLogo returns the media type of an uploaded logo, refusing anything but a PNG, JPEG,
// GIF or WebP image of at most MaxLogoBytes. SVG is refused: served from our origin it
// could carry script.
func CheckLogo(data []byte) (string, error) {
	if len(data) > MaxLogoBytes {
		return "", &Error{Fields: []monitor.FieldError{{Field: "logo", Message: "at most 256 KB"}}}
	}
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg", nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif", nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "image/webp", nil
	}
	return "", &Error{Fields: []monitor.FieldError{{Field: "logo", Message: "a PNG, JPEG, GIF or WebP image"}}}
}

// Groups splits components into their groups, in order of each group's first component.
func Groups(components []Component) []Group {
	var out []Group
	at := map[string]int{}
	for _, c := range components {
		i, ok := at[c.Group]
		if !ok {
			i = len(out)
			at[c.Group] = i
			out = append(out, Group{Name: c.Group})
		}
		out[i].Components = append(out[i].Components, c)
	}
	return out
}

// Group is a named run of components of a page.
type Group struct {
	Name       string
	Components []Component
}
