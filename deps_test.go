package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRules enforces DESIGN.md's package rules with go list -deps.
func TestDependencyRules(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"./app/web", []string{"statusthing/store", "database/sql"}},
		{"./app/api", []string{"statusthing/store", "database/sql", "github.com/a-h/templ"}},
		{"./app/auth", []string{"statusthing/store", "database/sql", "net/http", "github.com/a-h/templ"}},
		{"./app/config", []string{"statusthing/store", "database/sql", "net/http"}},
		{"./views/...", []string{"statusthing/app/", "statusthing/store"}},
		{"./store", []string{"statusthing/app/web", "net/http", "github.com/a-h/templ"}},
		{"./app/monitor", []string{"statusthing/", "net/http", "database/sql", "github.com/"}},
		{"./app/incident", []string{"statusthing/app/web", "statusthing/app/api", "statusthing/store", "net/http", "database/sql", "github.com/"}},
		{"./app/heartbeat", []string{"statusthing/app/web", "statusthing/app/api", "statusthing/store", "net/http", "database/sql", "github.com/"}},
		{"./app/statuspage", []string{"statusthing/app/web", "statusthing/app/api", "statusthing/store", "net/http", "database/sql", "github.com/"}},
		{"./app/subscriber", []string{"statusthing/app/web", "statusthing/app/api", "statusthing/store", "net/http", "database/sql", "github.com/"}},
		// Badge and feed writers: standard library only.
		{"./app/badge", []string{"statusthing/", "github.com/"}},
		{"./app/feed", []string{"statusthing/", "github.com/"}},
		// Domain packages and its libraries (rod for browser checks) only.
		{"./app/probe", []string{"statusthing/store", "statusthing/app/web", "statusthing/app/api", "statusthing/app/monitoring",
			"statusthing/app/runner", "statusthing/app/auth", "database/sql", "github.com/a-h/templ", "github.com/prometheus/"}},
		// Channel and outbox domain: stdlib and the other domain packages only.
		{"./app/alert", []string{"statusthing/app/web", "statusthing/app/api", "statusthing/store", "net/http", "database/sql", "github.com/"}},
		// Delivery: net/http and go-mail, but never the database (it declares the Store it needs).
		{"./app/notify", []string{"statusthing/store", "statusthing/app/web", "statusthing/app/api", "statusthing/app/runner",
			"statusthing/app/monitoring", "statusthing/app/auth", "database/sql", "github.com/a-h/templ", "modernc.org/"}},
		{"./app/runner", []string{"statusthing/store", "statusthing/app/web", "database/sql", "github.com/prometheus/"}},
		{"./app/monitoring", []string{"statusthing/store", "statusthing/app/web", "database/sql", "net/http", "github.com/prometheus/"}},
		// database/sql itself comes in through client_golang's collectors (DBStatsCollector);
		// TestMetricsImportsNoSQL checks that app/metrics does not import it.
		{"./app/metrics", []string{"statusthing/store", "statusthing/app/web", "statusthing/app/api", "modernc.org/"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", r.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", r.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			self := "statusthing/" + strings.TrimPrefix(r.pkg, "./")
			if dep == self {
				continue
			}
			for _, f := range r.forbidden {
				if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
					t.Errorf("%s depends on %s", r.pkg, dep)
				}
			}
		}
	}
}

// TestMetricsImportsNoSQL: /metrics reads the database through the store's methods only.
func TestMetricsImportsNoSQL(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", "./app/metrics").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		if imp == "database/sql" || strings.HasPrefix(imp, "database/sql/") {
			t.Errorf("app/metrics imports %s", imp)
		}
	}
}
