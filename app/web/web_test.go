package web

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"statusthing/views/i18n"
)

func TestResolveClient(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name       string
		remote     string
		xff        []string
		proto      string
		tls        bool
		wantIP     string
		wantSecure bool
	}{
		{"direct client", "198.51.100.1:5000", nil, "", false, "198.51.100.1", false},
		{"direct TLS", "198.51.100.1:5000", nil, "", true, "198.51.100.1", true},
		{"untrusted peer's headers ignored", "198.51.100.1:5000", []string{"203.0.113.9"}, "https", false, "198.51.100.1", false},
		{"trusted proxy", "10.1.2.3:5000", []string{"203.0.113.9"}, "https", false, "203.0.113.9", true},
		{"trusted proxy, plain http", "10.1.2.3:5000", []string{"203.0.113.9"}, "http", false, "203.0.113.9", false},
		{"client-spoofed left entries ignored", "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9"}, "", false, "203.0.113.9", false},
		{"chain of trusted proxies", "10.1.2.3:5000", []string{"203.0.113.9, 10.9.9.9", "10.8.8.8"}, "", false, "203.0.113.9", false},
		{"ipv6 loopback proxy", "[::1]:5000", []string{"2001:db8::7"}, "https", false, "2001:db8::7", true},
		{"garbage header stops the walk", "10.1.2.3:5000", []string{"203.0.113.9, not-an-ip"}, "", false, "10.1.2.3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			got := resolveClient(r, trusted)
			if got.ip != tt.wantIP || got.secure != tt.wantSecure {
				t.Errorf("got ip %q secure %v, want %q %v", got.ip, got.secure, tt.wantIP, tt.wantSecure)
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"/admin/monitors":        "/admin/monitors",
		"/admin?x=1":             "/admin?x=1",
		"":                       "/admin",
		"https://evil.example/":  "/admin",
		"//evil.example/":        "/admin",
		"/\\evil.example":        "/admin",
		"/admin\r\nSet-Cookie:x": "/admin",
		"admin":                  "/admin",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNavItemsMarkCurrent(t *testing.T) {
	items := navItems(func(k string, _ ...any) string { return k }, sectionPages)
	if len(items) != 6 {
		t.Fatalf("%d items", len(items))
	}
	for _, it := range items {
		if it.Current != (it.URL == "/admin/pages") {
			t.Errorf("%s current=%v", it.URL, it.Current)
		}
	}
	if items[0].Label != "nav.dashboard" || items[0].TestID != "nav-dashboard" {
		t.Errorf("first item %+v", items[0])
	}
}

func TestLanguageOptions(t *testing.T) {
	langs := []i18n.Language{{Code: "en", Name: "English"}, {Code: "fr", Name: "Français"}}
	opts := languageOptions(langs, "fr", "Auto")
	if len(opts) != 3 || opts[0].Value != "" || opts[0].Selected || !opts[2].Selected || opts[2].Label != "Français" {
		t.Errorf("options %+v", opts)
	}
	if opts := languageOptions(langs, "", "Auto"); !opts[0].Selected {
		t.Error("browser default not selected for an empty setting")
	}
}

// Every literal message key used in templates and handlers exists in the catalogs (which
// i18n.Load already checks are complete in every language).
func TestMessageKeysExist(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range cat.Keys() {
		known[k] = true
	}
	files, _ := filepath.Glob("../../views/*.templ")
	goFiles, _ := filepath.Glob("*.go")
	keyRE := regexp.MustCompile(`\b[tT]\("([a-z0-9_.]*[a-z0-9_])"`)
	found := 0
	for _, f := range append(files, goFiles...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			found++
			if !known[key] {
				t.Errorf("%s: message key %q is not in the catalogs", f, key)
			}
		}
	}
	if found < 20 {
		t.Errorf("only %d keys found: the scan is broken", found)
	}
}
