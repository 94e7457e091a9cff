package web

import (
	"net/http"

	"statusthing/views"
)

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	sh := h.shell(w, r, sectionDashboard)
	t := sh.T
	page := views.DashboardPage{
		Shell: sh,
		// Real figures arrive with monitors and incidents; until then an empty instance is all
		// zeros, which is the truth.
		Stats: []views.Stat{
			{Label: t("dashboard.stat.monitors"), Value: "0"},
			{Label: t("dashboard.stat.up"), Value: "0", Class: "up"},
			{Label: t("dashboard.stat.down"), Value: "0", Class: "down"},
			{Label: t("dashboard.stat.incidents"), Value: "0"},
		},
		Steps: []string{t("dashboard.step.monitor"), t("dashboard.step.heartbeat"), t("dashboard.step.channel"), t("dashboard.step.page")},
	}
	h.render(w, r, http.StatusOK, views.Dashboard(page))
}

// sectionPage renders a list page that has nothing to list yet.
func (h *Handler) sectionPage(s section) http.HandlerFunc {
	key := sections[s].key
	return func(w http.ResponseWriter, r *http.Request) {
		sh := h.shell(w, r, s)
		t := sh.T
		h.render(w, r, http.StatusOK, views.Section(views.SectionPage{
			Shell:      sh,
			Heading:    t(key + ".title"),
			Lead:       t(key + ".lead"),
			Icon:       sections[s].icon,
			EmptyTitle: t(key + ".empty.title"),
			EmptyBody:  t(key + ".empty.body"),
			TestID:     "empty-" + key,
		}))
	}
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, http.StatusOK, r.URL.Query().Get("saved") == "1", "")
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, saved bool, errMsg string) {
	sh := h.shell(w, r, sectionSettings)
	id, _ := identityOf(r)
	t := sh.T
	h.render(w, r, status, views.Settings(views.SettingsPage{
		Shell:     sh,
		Languages: languageOptions(h.catalogs.Languages(), id.User.Locale, t("settings.language_auto")),
		Saved:     saved,
		Error:     errMsg,
		Facts: []views.Fact{
			{Label: t("settings.fact.org"), Value: id.Org().OrgName + " (" + id.Org().OrgSlug + ")"},
			{Label: t("settings.fact.version"), Value: h.version},
			{Label: t("settings.fact.base_url"), Value: h.baseURL},
			{Label: t("settings.fact.database"), Value: h.dbPath},
		},
	}))
}

func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	id, _ := identityOf(r)
	locale := r.PostForm.Get("locale")
	if locale != "" && !h.catalogs.Supported(locale) {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, false, h.catalogs.Translator(h.lang(r))("settings.error.locale"))
		return
	}
	if err := h.auth.SetLocale(r.Context(), id.User.ID, locale); err != nil {
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
}
