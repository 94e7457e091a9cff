package web

import "statusthing/views"

// section is one entry of the admin navigation.
type section int

const (
	sectionDashboard section = iota
	sectionMonitors
	sectionIncidents
	sectionPages
	sectionChannels
	sectionSettings
)

var sections = [...]struct {
	key, url, icon string
}{
	sectionDashboard: {"dashboard", "/admin", "dashboard"},
	sectionMonitors:  {"monitors", "/admin/monitors", "monitors"},
	sectionIncidents: {"incidents", "/admin/incidents", "incidents"},
	sectionPages:     {"pages", "/admin/pages", "pages"},
	sectionChannels:  {"channels", "/admin/channels", "channels"},
	sectionSettings:  {"settings", "/admin/settings", "settings"},
}

func (s section) titleKey() string { return "nav." + sections[s].key }

// navItems builds the navigation with the current section marked.
func navItems(t func(string, ...any) string, current section) []views.NavItem {
	items := make([]views.NavItem, len(sections))
	for i, s := range sections {
		items[i] = views.NavItem{
			Label:   t("nav." + s.key),
			URL:     s.url,
			Icon:    s.icon,
			Current: section(i) == current,
			TestID:  "nav-" + s.key,
		}
	}
	return items
}
