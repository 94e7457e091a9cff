package probe_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// testZone is what the in-test DNS server knows; other names are NXDOMAIN.
const testZone = `
www.example.test.      300 IN A     192.0.2.11
www.example.test.      300 IN A     192.0.2.10
www.example.test.      300 IN AAAA  2001:db8::10
alias.example.test.    300 IN CNAME WWW.example.test.
example.test.          300 IN MX    20 backup.example.test.
example.test.          300 IN MX    10 Mail.Example.Test.
example.test.          300 IN TXT   "v=spf1 -all"
example.test.          300 IN TXT   "hello " "world"
example.test.          300 IN NS    ns2.example.test.
example.test.          300 IN NS    NS1.example.test.
big.example.test.      300 IN TXT   "only over tcp"
`

// dnsServer serves testZone over UDP and TCP on one loopback port and returns its address.
// Answers for big.example.test are truncated over UDP, so they need the TCP fallback.
func dnsServer(t *testing.T) string {
	t.Helper()
	zone := map[string][]dns.RR{}
	for _, line := range strings.Split(strings.TrimSpace(testZone), "\n") {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.ToLower(rr.Header().Name)
		zone[name] = append(zone[name], rr)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		q := req.Question[0]
		name := strings.ToLower(q.Name)
		rrs, ok := zone[name]
		switch {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case name == "big.example.test." && w.RemoteAddr().Network() == "udp":
			m.Truncated = true
		default:
			for _, rr := range rrs {
				if rr.Header().Rrtype == q.Qtype || rr.Header().Rrtype == dns.TypeCNAME {
					m.Answer = append(m.Answer, rr)
				}
			}
		}
		w.WriteMsg(m)
	})

	// Find a port free for both UDP and TCP; bounded, another process may take one of them.
	var pc net.PacketConn
	var ln net.Listener
	for range 20 {
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no loopback port free for both UDP and TCP")
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe()
		<-started
		t.Cleanup(func() { srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

func TestDNS(t *testing.T) {
	resolver := dnsServer(t)
	p := probe.New(probe.Options{})
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	tests := []struct {
		name    string
		s       monitor.DNSSettings
		timeout time.Duration
		want    want
		answers []string
	}{
		{name: "A", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A"},
			want: up, answers: []string{"192.0.2.10", "192.0.2.11"}},
		{name: "AAAA", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "AAAA"},
			want: up, answers: []string{"2001:db8::10"}},
		{name: "CNAME", s: monitor.DNSSettings{Hostname: "alias.example.test", RecordType: "CNAME"},
			want: up, answers: []string{"www.example.test"}},
		{name: "MX", s: monitor.DNSSettings{Hostname: "example.test", RecordType: "MX"},
			want: up, answers: []string{"10 mail.example.test", "20 backup.example.test"}},
		{name: "TXT", s: monitor.DNSSettings{Hostname: "example.test", RecordType: "TXT"},
			want: up, answers: []string{"hello world", "v=spf1 -all"}},
		{name: "NS", s: monitor.DNSSettings{Hostname: "example.test.", RecordType: "NS"},
			want: up, answers: []string{"ns1.example.test", "ns2.example.test"}},
		{name: "TCP fallback after truncation", s: monitor.DNSSettings{Hostname: "big.example.test", RecordType: "TXT"},
			want: up, answers: []string{"only over tcp"}},
		{name: "expected any", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A", Expected: []string{"192.0.2.99", "192.0.2.11"}}, want: up},
		{name: "expected all", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A", Expected: []string{"192.0.2.11", "192.0.2.10"}, MatchAll: true}, want: up},
		{name: "expected all, one missing", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A", Expected: []string{"192.0.2.10", "192.0.2.99"}, MatchAll: true},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, "expected all of [192.0.2.10, 192.0.2.99], got [192.0.2.10, 192.0.2.11]"}},
		{name: "mismatch", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A", Expected: []string{"192.0.2.99"}},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, "expected any of [192.0.2.99], got [192.0.2.10, 192.0.2.11]"}},
		{name: "IPv6 in another spelling", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "AAAA", Expected: []string{"2001:DB8:0::10"}}, want: up},
		{name: "CNAME case and trailing dot", s: monitor.DNSSettings{Hostname: "alias.example.test", RecordType: "CNAME", Expected: []string{"WWW.Example.Test."}}, want: up},
		{name: "MX with preference", s: monitor.DNSSettings{Hostname: "example.test", RecordType: "MX", Expected: []string{"10 mail.example.test."}}, want: up},
		{name: "MX host only", s: monitor.DNSSettings{Hostname: "example.test", RecordType: "MX", Expected: []string{"MAIL.example.test", "backup.example.test"}, MatchAll: true}, want: up},
		{name: "MX wrong preference", s: monitor.DNSSettings{Hostname: "example.test", RecordType: "MX", Expected: []string{"20 mail.example.test"}},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, "expected any of [20 mail.example.test], got [10 mail.example.test, 20 backup.example.test]"}},
		{name: "TXT expected", s: monitor.DNSSettings{Hostname: "example.test", RecordType: "TXT", Expected: []string{"v=spf1 -all"}}, want: up},
		{name: "NXDOMAIN", s: monitor.DNSSettings{Hostname: "nope.example.test", RecordType: "A"},
			want: want{monitor.OutcomeDown, monitor.ClassDNS, "no A records for nope.example.test"}},
		{name: "no records of the type", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "MX"},
			want: want{monitor.OutcomeDown, monitor.ClassDNS, "no MX records for www.example.test"}},
		{name: "no CNAME", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "CNAME"},
			want: want{monitor.OutcomeDown, monitor.ClassDNS, "no CNAME records for www.example.test"}},
		{name: "unsupported type", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "SRV"},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `unsupported record type "SRV"`}},
		{name: "resolver silent", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A", Resolver: silent.LocalAddr().String()},
			timeout: 300 * time.Millisecond, want: want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 300ms resolving www.example.test"}},
		{name: "resolver refusing", s: monitor.DNSSettings{Hostname: "www.example.test", RecordType: "A", Resolver: closedUDP(t)},
			want: want{monitor.OutcomeDown, monitor.ClassDNS, "refused the connection (looking up www.example.test)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.s.Resolver == "" {
				tc.s.Resolver = resolver
			}
			res := run(t, p, monitor.Monitor{Type: monitor.TypeDNS, Timeout: tc.timeout, Settings: tc.s})
			check(t, res, tc.want)
			if tc.answers != nil && strings.Join(res.Details.Answers, "|") != strings.Join(tc.answers, "|") {
				t.Fatalf("answers %q, want %q", res.Details.Answers, tc.answers)
			}
			if tc.want.class != monitor.ClassInternal && res.Details.DNS <= 0 {
				t.Fatalf("lookup time not recorded")
			}
		})
	}
}

// closedUDP returns a loopback UDP address nothing listens on.
func closedUDP(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}
