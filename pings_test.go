package main

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"statusthing/app/config"
	"statusthing/app/monitor"
)

// readDB opens the server's database read-only, to look at what a ping committed.
func readDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryString(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	var s sql.NullString
	if err := db.QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s.String
}

// curl sends a request the way cron jobs do and returns status, body and headers.
func curl(t *testing.T, method, u, body string) (int, string, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "curl/8.5.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func heartbeatSpec(name string) monitor.Spec {
	return monitor.Spec{Name: name, Type: monitor.TypeHeartbeat, Period: monitor.Duration(time.Hour), Grace: monitor.Duration(5 * time.Minute)}
}

func TestPingAPI(t *testing.T) {
	s := startServer(t, nil, func(c *config.Config) {
		c.Heartbeat.MaxBodyBytes = 100
		c.Monitors = []monitor.Spec{heartbeatSpec("Nightly backup"), heartbeatSpec("nightly-backup!"), heartbeatSpec("Invoices")}
	})
	db := readDB(t, s.DBPath)
	uuidOf := func(name string) string {
		return queryString(t, db, `SELECT h.uuid FROM heartbeats h JOIN monitors m ON m.id = h.monitor_id WHERE m.name = ?`, name)
	}
	statusOf := func(name string) string {
		return queryString(t, db, `SELECT st.status FROM monitor_state st JOIN monitors m ON m.id = st.monitor_id WHERE m.name = ?`, name)
	}
	uuid := uuidOf("Invoices")
	key := queryString(t, db, `SELECT ping_key FROM organizations`)
	ping := s.URL + "/ping/" + uuid
	const unknown = "/ping/00000000-0000-4000-8000-000000000000"

	for _, c := range []struct {
		method, path, body string
		code               int
		answer             string
	}{
		{"GET", ping, "", 200, "OK"},
		{"HEAD", ping, "", 200, ""},
		{"POST", ping, "all good", 200, "OK"},
		{"GET", ping + "/start", "", 200, "OK"},
		{"GET", ping + "/log", "", 200, "OK"},
		{"GET", ping + "/0", "", 200, "OK"},
		{"GET", ping + "/255", "", 200, "OK"},
		{"GET", ping + "/256", "", 400, "exit status must be between 0 and 255"},
		{"GET", ping + "/-1", "", 404, "not found"},
		{"GET", ping + "/bogus", "", 404, "not found"},
		{"GET", ping + "/fail/extra", "", 404, "not found"},
		{"GET", s.URL + "/ping/" + strings.ToUpper(uuid), "", 200, "OK"},
		{"GET", s.URL + unknown, "", 404, "not found"},
		{"POST", s.URL + unknown + "/fail", "x", 404, "not found"},
		{"PUT", ping, "", 405, "method not allowed: use GET, POST or HEAD"},
		{"GET", ping + "?rid=not%20valid", "", 400, "rid must be a uuid (or 1-64 letters, digits, '.', '_', ':', '-')"},
		{"GET", s.URL + "/ping/" + key + "/invoices", "", 200, "OK"},
		{"GET", s.URL + "/ping/" + key + "/invoices/fail", "", 200, "OK"},
		{"GET", s.URL + "/ping/" + key + "/invoices/300", "", 400, "exit status must be between 0 and 255"},
		{"GET", s.URL + "/ping/" + key + "/nightly-backup", "", 409, "ambiguous slug: several heartbeats share this name, use their uuid URLs"},
		{"GET", s.URL + "/ping/" + key + "/no-such-job", "", 404, "not found"},
		{"GET", s.URL + "/ping/" + strings.Repeat("0", 32) + "/invoices", "", 404, "not found"},
		{"GET", s.URL + "/ping/" + key, "", 404, "not found"},
	} {
		code, body, hdr := curl(t, c.method, c.path, c.body)
		if code != c.code || body != c.answer {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, strings.TrimPrefix(c.path, s.URL), code, body, c.code, c.answer)
		}
		if hdr.Get("Access-Control-Allow-Origin") != "*" || hdr.Get("Ping-Body-Limit") != "100" {
			t.Errorf("%s %s: CORS %q, Ping-Body-Limit %q", c.method, c.path, hdr.Get("Access-Control-Allow-Origin"), hdr.Get("Ping-Body-Limit"))
		}
	}
	if got := statusOf("Invoices"); got != "down" {
		t.Errorf("after a fail ping Invoices is %s, want down", got)
	}
	// Every ping that was answered 200 is stored (the unknown and refused ones are not).
	if n := queryString(t, db, `SELECT count(*) FROM pings p JOIN monitors m ON m.id = p.monitor_id WHERE m.name = 'Invoices'`); n != "10" {
		t.Errorf("%s pings stored for Invoices, want 10", n)
	}
	if n := queryString(t, db, `SELECT count(*) FROM pings`); n != "10" {
		t.Errorf("%s pings stored in all, want 10", n)
	}
	// The POST body is the ping's log; the request's details are kept.
	row := db.QueryRow(`SELECT method, remote_ip, user_agent, body FROM pings WHERE body IS NOT NULL ORDER BY id LIMIT 1`)
	var method, ip, ua, body string
	if err := row.Scan(&method, &ip, &ua, &body); err != nil || method != "POST" || ip != "127.0.0.1" || ua != "curl/8.5.0" || body != "all good" {
		t.Errorf("stored ping: %s %s %s %q (%v)", method, ip, ua, body, err)
	}
	// The server log never shows the secret part of ping URLs.
	if strings.Contains(s.Logs.String(), uuid) || strings.Contains(s.Logs.String(), key) {
		t.Error("the log shows a ping uuid or key")
	}

	t.Run("body truncation", func(t *testing.T) {
		u := s.URL + "/ping/" + uuidOf("Nightly backup")
		long := strings.Repeat("é", 80) // 160 bytes, over the 100-byte limit
		if code, body, _ := curl(t, "POST", u+"/log", long); code != 200 || body != "OK" {
			t.Fatalf("long body: %d %q", code, body)
		}
		stored := queryString(t, db, `SELECT body FROM pings WHERE truncated = 1`)
		if stored != strings.Repeat("é", 50) {
			t.Errorf("truncated body %q (%d bytes), want the first 100 bytes", stored, len(stored))
		}
	})

	t.Run("overlapping runs pair by rid", func(t *testing.T) {
		u := s.URL + "/ping/" + uuidOf("nightly-backup!")
		for _, step := range []string{"/start?rid=a", "/start?rid=b", "/0?rid=b", "/1?rid=a"} {
			if code, _, _ := curl(t, "GET", u+step, ""); code != 200 {
				t.Fatalf("%s: %d", step, code)
			}
			time.Sleep(20 * time.Millisecond) // the runs must have measurable, ordered durations
		}
		rows, err := db.Query(`SELECT p.rid, p.run_ms, p.exit_status FROM pings p JOIN monitors m ON m.id = p.monitor_id
			WHERE m.name = 'nightly-backup!' AND p.run_ms IS NOT NULL ORDER BY p.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		var runs []int64
		for rows.Next() {
			var rid string
			var ms, exit int64
			if err := rows.Scan(&rid, &ms, &exit); err != nil {
				t.Fatal(err)
			}
			got = append(got, rid+":"+map[int64]string{0: "ok", 1: "failed"}[exit])
			runs = append(runs, ms)
		}
		if strings.Join(got, ",") != "b:ok,a:failed" || len(runs) != 2 || runs[1] <= runs[0] {
			t.Errorf("finished runs %v with durations %v ms, want b then a, a longer", got, runs)
		}
		if got := statusOf("nightly-backup!"); got != "down" {
			t.Errorf("after exit status 1: %s", got)
		}
	})

	t.Run("create on first ping", func(t *testing.T) {
		u := s.URL + "/ping/" + key + "/db-dump?create=1"
		if code, body, _ := curl(t, "GET", u, ""); code != 201 || body != "Created" {
			t.Fatalf("first ping with create=1: %d %q", code, body)
		}
		if code, body, _ := curl(t, "GET", u, ""); code != 200 || body != "OK" {
			t.Errorf("second ping: %d %q", code, body)
		}
		if got := statusOf("db-dump"); got != "up" {
			t.Errorf("created heartbeat is %s, want up", got)
		}
		if code, _, _ := curl(t, "GET", s.URL+"/ping/"+key+"/Bad%20Slug?create=1", ""); code != 404 {
			t.Errorf("create with a bad slug: %d", code)
		}
	})

	t.Run("uptime kuma push", func(t *testing.T) {
		u := s.URL + "/api/push/" + uuidOf("Nightly backup")
		code, body, _ := curl(t, "GET", u+"?status=up&msg=OK&ping=12", "")
		var ok struct{ OK bool }
		if code != 200 || json.Unmarshal([]byte(body), &ok) != nil || !ok.OK {
			t.Errorf("push up: %d %s", code, body)
		}
		if got := statusOf("Nightly backup"); got != "up" {
			t.Errorf("after push up: %s", got)
		}
		if code, _, _ := curl(t, "GET", u+"?status=down&msg=disk%20full", ""); code != 200 || statusOf("Nightly backup") != "down" {
			t.Errorf("push down: %d, status %s", code, statusOf("Nightly backup"))
		}
		if code, body, _ := curl(t, "GET", s.URL+"/api/push/nope", ""); code != 404 || !strings.Contains(body, `"ok":false`) {
			t.Errorf("unknown push token: %d %s", code, body)
		}
		if code, _, _ := curl(t, "GET", u+"?status=maybe", ""); code != 400 {
			t.Errorf("bad status: %d", code)
		}
	})

	t.Run("CORS preflight", func(t *testing.T) {
		code, _, hdr := curl(t, "OPTIONS", ping, "")
		if code != 204 || !strings.Contains(hdr.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("preflight: %d %v", code, hdr)
		}
	})
}
