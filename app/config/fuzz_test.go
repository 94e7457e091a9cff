package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary file contents to Load: it must never panic, and
// must return either a valid Config or an *Error with located problems.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		"",
		"[server]\nlisten = \"8080x\"\n",
		"[smtp]\nprot = 25\nport = \"x\"\n[site]\na = 1\n",
		"server = { listen = { x = 1 } }\nserver.listen.y = 2\n",
		"[auth]\nsession_idle_timeout = 5\nsession_lifetime = \"5x\"\n",
		"[server]\ntrusted_proxies = [\"10.0.0.0/8\", 5, [\"x\"], \"::1\"]\n",
		"[server.listen]\n[[server]]\n[server]\n[server]\n",
		"[retention]\nresults_days = 99999999999999999999\nfailures_days = -1\n",
		"x = \"\"\"\nmulti\n\"\"\"\nx = 1\n",
		"[[monitors]]\nname = \"Web\"\ntype = \"http\"\nurl = \"https://example.com/\"\nheaders = { \"X-Key\" = \"v\" }\njson = ['$.a == 1']\n" +
			"[monitors.header_equals]\nA = \"b\"\n[[monitors]]\nname = \"DB\"\ntype = \"tcp\"\naddress = \"db:1\"\nretries = 2\ninterval = \"30s\"\n",
		"[[monitors]]\nname = 5\nintervall = \"1m\"\nretries = \"two\"\ninterval = 60\nheaders = \"x\"\n[monitors.foo]\nx = 1\n[monitors.url]\n[[monitors.headers]]\n",
		"monitors = [{ name = \"x\" }]\n[monitors]\n[[Monitors]]\nURL = 1\n[monitors.headers.a]\nheaders.b.c = 1\n",
		"[monitors.headers]\na = \"b\"\n[[monitors]]\nname = \"a\"\nname = \"a\"\n[[monitors]]\nname = \" a \"\ntype = \"heartbeat\"\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.toml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, nil)
		if err == nil {
			if verr := c.Validate(); verr != nil {
				t.Fatalf("Load succeeded with an invalid config: %v", verr)
			}
			return
		}
		var cerr *Error
		if !errors.As(err, &cerr) || len(cerr.Problems) == 0 {
			t.Fatalf("Load error %T %v: want *Error with problems", err, err)
		}
		for _, p := range cerr.Problems {
			if p.Message == "" {
				t.Fatalf("problem without message: %+v", p)
			}
			if p.File != path && p.Env == "" && p.Key == "" {
				t.Fatalf("problem without origin: %+v", p)
			}
		}
		_ = err.Error()
	})
}
