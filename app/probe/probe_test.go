package probe_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// panicky is a Settings implementation that breaks the prober's assumptions.
type panicky struct{}

func (panicky) Type() monitor.Type { panic("boom") }

func TestProbeOddMonitors(t *testing.T) {
	slowBanner := tcpServer(t, func(c net.Conn) {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(c, "+OK ready\r\n")
	})
	var nilHTTP *monitor.HTTPSettings
	p := probe.New(probe.Options{})
	tests := []struct {
		name string
		m    monitor.Monitor
		want want
	}{
		{name: "nil settings", m: monitor.Monitor{Type: monitor.TypeHTTP},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "http monitor has no settings"}},
		{name: "typed nil settings", m: monitor.Monitor{Type: monitor.TypeHTTP, Settings: nilHTTP},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "http monitor has no settings"}},
		{name: "wrong settings type", m: monitor.Monitor{Type: monitor.TypeHTTP, Settings: monitor.TCPSettings{Address: slowBanner}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "http monitor has tcp settings"}},
		{name: "settings by pointer", m: monitor.Monitor{Type: monitor.TypeTCP, Settings: &monitor.TCPSettings{Address: slowBanner}}, want: up},
		{name: "type taken from settings", m: monitor.Monitor{Settings: monitor.TCPSettings{Address: slowBanner}}, want: up},
		{name: "unprobed type", m: monitor.Monitor{Type: monitor.TypeHeartbeat},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `no prober for monitor type "heartbeat"`}},
		{name: "zero monitor", m: monitor.Monitor{},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `no prober for monitor type ""`}},
		{name: "panic is recovered", m: monitor.Monitor{Settings: panicky{}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "internal error: boom"}},
		{name: "invalid URL", m: monitor.Monitor{Type: monitor.TypeHTTP, Settings: monitor.HTTPSettings{URL: "ftp://example.com"}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `invalid URL "ftp://example.com"`}},
		{name: "empty URL", m: monitor.Monitor{Type: monitor.TypeHTTP, Settings: monitor.HTTPSettings{}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `invalid URL ""`}},
		{name: "invalid regex", m: monitor.Monitor{Type: monitor.TypeHTTP, Settings: monitor.HTTPSettings{URL: "http://127.0.0.1/", BodyRegex: "("}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "invalid body regex"}},
		{name: "invalid method", m: monitor.Monitor{Type: monitor.TypeHTTP, Settings: monitor.HTTPSettings{URL: "http://127.0.0.1/", Method: "BAD METHOD"}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "cannot build the request"}},
		{name: "empty dns hostname", m: monitor.Monitor{Type: monitor.TypeDNS, Settings: monitor.DNSSettings{}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, "no hostname to look up"}},
		{name: "empty tls address", m: monitor.Monitor{Type: monitor.TypeTLS, Settings: monitor.TLSSettings{}},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `invalid address "": want host:port`}},
		{name: "zero timeout takes the default", m: monitor.Monitor{Type: monitor.TypeTCP, Settings: monitor.TCPSettings{Address: slowBanner, Expect: "+OK"}}, want: up},
		{name: "negative timeout takes the default", m: monitor.Monitor{Type: monitor.TypeTCP, Timeout: -time.Second, Settings: monitor.TCPSettings{Address: slowBanner, Expect: "+OK"}}, want: up},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.m.ID = 7
			res := p.Probe(context.Background(), tc.m) // not run(): keep the zero timeouts
			if res.MonitorID != 7 || res.StartedAt.IsZero() {
				t.Fatalf("identity not filled: %+v", res)
			}
			check(t, res, tc.want)
		})
	}
}

func TestProbeContext(t *testing.T) {
	silent := tcpServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	m := monitor.Monitor{Type: monitor.TypeTCP, Timeout: 10 * time.Second, Settings: monitor.TCPSettings{Address: silent, Expect: "+OK"}}
	p := probe.New(probe.Options{})

	t.Run("a shorter deadline of the caller wins", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		check(t, p.Probe(ctx, m), want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 200ms waiting for a reply"})
	})
	t.Run("cancelled by the caller", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		res := p.Probe(ctx, m)
		check(t, res, want{monitor.OutcomeDown, monitor.ClassInternal, "check cancelled while waiting for a reply"})
		if res.Duration > 5*time.Second {
			t.Fatalf("cancellation not honoured: %v", res.Duration)
		}
	})
	t.Run("injected clock stamps StartedAt", func(t *testing.T) {
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		res := probe.New(probe.Options{Now: func() time.Time { return at }}).Probe(context.Background(), monitor.Monitor{Type: monitor.TypeHeartbeat})
		if !res.StartedAt.Equal(at) || res.Duration <= 0 {
			t.Fatalf("StartedAt %v duration %v", res.StartedAt, res.Duration)
		}
	})
}
