package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// unscoped lists the exported store methods that take no organization id, each with why.
// Every other method must take orgID: a query for tenant data cannot forget its
// organization, because the method to run it does not exist. Adding a method here is a
// decision to review.
var unscoped = map[string]string{
	// Instance and session plumbing.
	"Close": "lifecycle", "Path": "lifecycle", "Write": "the writer", "Ping": "/healthz", "DatabaseSize": "instance health",
	"Backup": "CLI backup of the whole instance", "Maintain": "housekeeping", "Prune": "retention, every organization",
	// Users, organizations, sessions: above tenants.
	"CountUsers": "setup", "CreateFirstUser": "setup", "UserByEmail": "login",
	"UserByID": "sessions", "UpdatePasswordHash": "the user's own", "UpdateUserLocale": "the user's own",
	"Organizations": "instance admins and the CLI", "OrganizationBySlug": "CLI", "DefaultOrganization": "config monitors",
	"CreateOrganization": "instance admins", "OrganizationStats": "instance admins", "MembershipsOfUser": "the user's own",
	"CreateSession": "login", "SessionByTokenHash": "login", "TouchSession": "sessions", "DeleteSessionByTokenHash": "logout",
	"DeleteUserSessions": "the user's own", "DeleteExpiredSessions": "housekeeping",
	"APITokenByHash": "authentication, before any organization is known", "TouchAPIToken": "authentication",
	"CreateAPIToken": "the token carries its OrgID", "InvitationByTokenHash": "an invitation link, before login",
	"AcceptInvitation": "an invitation link, its organization in the row", "CreateInvitation": "carries its OrgID",
	"EnsureSetting": "instance settings",
	// A user's own profile, password, sessions and two-factor login: above tenants.
	"UpdateUserProfile": "the user's own", "ReplacePassword": "the user's own", "CountUserSessions": "the user's own",
	"DeleteOtherSessions": "the user's own", "TOTP": "the user's own", "SetPendingTOTP": "the user's own",
	"EnableTOTP": "the user's own", "ReplaceRecoveryCodes": "the user's own", "DisableTOTP": "the user's own", "UseTOTPStep": "login", "UseRecoveryCode": "login",
	"RecoveryCodesLeft": "the user's own",
	// The machine side: every organization's monitors run on one scheduler.
	"ScheduledMonitors": "the scheduler", "MonitorForProbe": "the prober, by monitor id",
	"Heartbeats": "the ping index at start, every organization", "AllMonitors": "Prometheus and instance health", "RecordResult": "the prober, by monitor id", "CreateMonitor": "carries its OrgID", "UpdateMonitor": "carries its OrgID",
	"RecordPing":      "pings, by the heartbeat's uuid",
	"SweepHeartbeats": "housekeeping", "RecoverHeartbeats": "start", "EnsurePingKeys": "start", "PingKeys": "the ping index",
	"OpenIncidentsAfterMaintenance": "housekeeping", "AlertTick": "housekeeping", "AlertCounts": "metrics",
	"DueAlerts": "the dispatcher", "RecordAttempt": "the dispatcher", "AlertsQueued": "the dispatcher",
	"CreateMaintenance": "carries its OrgID", "CreateChannel": "carries its OrgID", "UpdateChannel": "carries its OrgID",
	"UpdateMaintenance": "carries its OrgID", "CreateStatusPage": "carries its OrgID", "UpdateStatusPage": "carries its OrgID",
	"AddAuditEntry": "carries its OrgID",
	// Subscribers: added with the org id in the row (checked against the page's), found by
	// their link token from public mails, delivered by the dispatcher.
	"Subscribe": "carries its OrgID, checked against the page's", "AddSubscriber": "carries its OrgID, checked against the page's",
	"IssueSubscriberToken": "the dispatcher, as it mails", "ConfirmSubscriber": "a mail's link: its token is the authority",
	"Unsubscribe": "a mail's link: its token is the authority", "SubscriberByToken": "a mail's link: its token is the authority",
	"DueSubscriberNotices": "the dispatcher", "RecordSubscriberAttempt": "the dispatcher", "SubscribersQueued": "the dispatcher",
	"SubscriberNoticeCounts": "metrics",
	// Public pages: found by what visitors ask for, then read with the page's organization.
	"StatusPageBySlug": "public pages", "StatusPageByDomain": "public pages", "DefaultStatusPage": "public pages",
	"StatusPageRoutes": "public router", "StatusPageLogo": "public pages, by page id", "PublicComponent": "public badges",
}

func TestStoreMethodsTakeTheOrganization(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok || star.X.(*ast.Ident).Name != "Store" {
				continue
			}
			name := fn.Name.Name
			seen[name] = true
			var params []string
			for _, p := range fn.Type.Params.List {
				for _, n := range p.Names {
					params = append(params, n.Name)
				}
			}
			_, allowed := unscoped[name]
			switch {
			case slices.Contains(params, "orgID") && allowed:
				t.Errorf("%s takes orgID but is listed as unscoped", name)
			case !slices.Contains(params, "orgID") && !allowed:
				t.Errorf("%s(%s) takes no orgID: scope it, or list it in unscoped with the reason", name, strings.Join(params, ", "))
			}
		}
	}
	for name := range unscoped {
		if !seen[name] {
			t.Errorf("unscoped lists %s, which the store does not have", name)
		}
	}
}
