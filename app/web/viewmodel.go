package web

import (
	"statusthing/views"
	"statusthing/views/i18n"
)

// languageOptions lists "browser default" then every language, the user's choice selected.
func languageOptions(langs []i18n.Language, current, autoLabel string) []views.Option {
	opts := []views.Option{{Value: "", Label: autoLabel, Selected: current == ""}}
	for _, l := range langs {
		opts = append(opts, views.Option{Value: l.Code, Label: l.Name, Selected: l.Code == current})
	}
	return opts
}
