package probe_test

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// tlsServer completes handshakes with cert until the test ends.
func tlsServer(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	return tcpServer(t, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() == nil {
			io.Copy(io.Discard, tc) // until the client closes
		}
	})
}

func TestTLS(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	valid := ca.issue(t, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	soon := ca.issue(t, now.Add(-time.Hour), now.Add(3*24*time.Hour))
	expired := ca.issue(t, now.Add(-10*24*time.Hour), now.Add(-24*time.Hour))
	validAddr, soonAddr, expiredAddr := tlsServer(t, valid), tlsServer(t, soon), tlsServer(t, expired)
	plain := tcpServer(t, func(c net.Conn) { io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n") })

	trusting := probe.New(probe.Options{RootCAs: ca.pool})
	system := probe.New(probe.Options{})
	soonDate := now.Add(3 * 24 * time.Hour).UTC().Format(time.DateOnly)
	tests := []struct {
		name string
		p    *probe.Prober
		s    monitor.TLSSettings
		want want
	}{
		{name: "valid", p: trusting, s: monitor.TLSSettings{Address: validAddr, CertDegradedDays: 14, CertDownDays: 7}, want: up},
		{name: "valid by name", p: trusting, s: monitor.TLSSettings{Address: validAddr, ServerName: "localhost"}, want: up},
		{name: "expired", p: trusting, s: monitor.TLSSettings{Address: expiredAddr},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expired on " + now.Add(-24*time.Hour).UTC().Format(time.DateOnly)}},
		{name: "expired and untrusted: expiry first", p: system, s: monitor.TLSSettings{Address: expiredAddr},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expired on"}},
		{name: "hostname mismatch", p: trusting, s: monitor.TLSSettings{Address: validAddr, ServerName: "wrong.example"},
			want: want{monitor.OutcomeDown, monitor.ClassTLS, "certificate is valid for localhost, not wrong.example"}},
		{name: "untrusted", p: system, s: monitor.TLSSettings{Address: validAddr},
			want: want{monitor.OutcomeDown, monitor.ClassTLS, `certificate signed by unknown authority (issuer "statusthing test CA")`}},
		{name: "degraded days", p: trusting, s: monitor.TLSSettings{Address: soonAddr, CertDegradedDays: 14},
			want: want{monitor.OutcomeDegraded, monitor.ClassCert, "certificate expires in 3 days (" + soonDate + ")"}},
		{name: "down days", p: trusting, s: monitor.TLSSettings{Address: soonAddr, CertDegradedDays: 14, CertDownDays: 5},
			want: want{monitor.OutcomeDown, monitor.ClassCert, "certificate expires in 3 days (" + soonDate + ")"}},
		{name: "thresholds off", p: trusting, s: monitor.TLSSettings{Address: soonAddr}, want: up},
		{name: "not TLS", p: trusting, s: monitor.TLSSettings{Address: plain},
			want: want{monitor.OutcomeDown, monitor.ClassTLS, "server did not answer with TLS"}},
		{name: "refused", p: trusting, s: monitor.TLSSettings{Address: closedAddr(t)},
			want: want{monitor.OutcomeDown, monitor.ClassRefused, "connection refused"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tc.p, monitor.Monitor{Type: monitor.TypeTLS, Settings: tc.s})
			check(t, res, tc.want)
			d := res.Details
			switch tc.want.class {
			case "", monitor.ClassCert:
				if d.CertExpiry.IsZero() || d.TLS <= 0 || d.Connect <= 0 {
					t.Fatalf("details not recorded: %+v", d)
				}
			}
		})
	}
}

// TestTLSClock checks that certificate dates are judged by the injected clock.
func TestTLSClock(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	addr := tlsServer(t, ca.issue(t, now.Add(-time.Hour), now.Add(90*24*time.Hour)))
	later := func() time.Time { return now.Add(85 * 24 * time.Hour) }
	p := probe.New(probe.Options{RootCAs: ca.pool, Now: later})
	res := run(t, p, monitor.Monitor{Type: monitor.TypeTLS, Settings: monitor.TLSSettings{Address: addr, CertDegradedDays: 14}})
	check(t, res, want{monitor.OutcomeDegraded, monitor.ClassCert, "certificate expires in 5 days"})
	if !res.StartedAt.Equal(later()) {
		t.Fatalf("StartedAt %v, want the injected clock's %v", res.StartedAt, later())
	}
}
