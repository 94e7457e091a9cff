package audit

import "testing"

func TestAction(t *testing.T) {
	for _, tc := range []struct{ method, pattern, want string }{
		{"POST", "/admin/monitors", "monitors.create"},
		{"POST", "/admin/monitors/{id}", "monitors.update"},
		{"POST", "/admin/monitors/{id}/pause", "monitors.pause"},
		{"POST", "/admin/pages/{id}/delete", "pages.delete"},
		{"POST", "/admin/settings/members/invite", "members.invite"},
		{"POST", "/admin/settings/members/{id}/role", "members.role"},
		{"POST", "/admin/channels/alerts/{id}/retry", "channels.alerts.retry"},
		{"DELETE", "/api/v1/pages/{id}", "pages.delete"},
		{"PATCH", "/api/v1/monitors/{id}", "monitors.update"},
		{"PUT", "/api/v1/pages/{id}/logo", "pages.logo"},
		{"POST", "/api/v1/incidents", "incidents.create"},
		{"DELETE", "/api/v1/pages/{id}/components/{cid}", "pages.components.delete"},
		{"PATCH", "/api/v1/pages/{id}/components/{cid}", "pages.components.update"},
		{"POST", "/api/v1/incidents/{id}/comments", "incidents.comments"},
	} {
		if got := Action(tc.method, tc.pattern); got != tc.want {
			t.Errorf("Action(%s %s) = %q, want %q", tc.method, tc.pattern, got, tc.want)
		}
	}
}

func TestTarget(t *testing.T) {
	for _, tc := range []struct{ pattern, path, location, want string }{
		{"/admin/monitors/{id}/pause", "/admin/monitors/12/pause", "/admin/monitors/12?done=paused", "monitors 12"},
		{"/admin/monitors", "/admin/monitors", "/admin/monitors/7?done=created", "monitors 7"},
		{"/api/v1/monitors", "/api/v1/monitors", "/api/v1/monitors/9", "monitors 9"},
		{"/api/v1/pages/{id}/components/{cid}", "/api/v1/pages/3/components/5", "", "pages 3"},
		{"/admin/settings/members/invite", "/admin/settings/members/invite", "", ""},
	} {
		if got := Target(tc.pattern, tc.path, tc.location); got != tc.want {
			t.Errorf("Target(%s) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
