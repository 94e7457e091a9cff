package probe_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// tcpServer serves every connection with handle until the test ends.
func tcpServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				handle(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestTCP(t *testing.T) {
	hangUp := tcpServer(t, func(net.Conn) {})
	pong := tcpServer(t, func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		if line == "PING\r\n" {
			io.WriteString(c, "+PO")
			time.Sleep(20 * time.Millisecond) // the reply arrives in pieces
			io.WriteString(c, "NG\r\n")
		}
	})
	banner := tcpServer(t, func(c net.Conn) { io.WriteString(c, "-ERR unknown command\r\n") })
	silent := tcpServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	p := probe.New(probe.Options{})
	tests := []struct {
		name    string
		s       monitor.TCPSettings
		timeout time.Duration
		want    want
	}{
		{name: "connect", s: monitor.TCPSettings{Address: hangUp}, want: up},
		{name: "connect by name", s: monitor.TCPSettings{Address: strings.Replace(hangUp, "127.0.0.1", "localhost", 1)}, want: up},
		{name: "send and expect", s: monitor.TCPSettings{Address: pong, Send: "PING\r\n", Expect: "+PONG"}, want: up},
		{name: "expect mismatch", s: monitor.TCPSettings{Address: banner, Expect: "+OK"},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `expected "+OK" in the reply, got "-ERR unknown command\r\n"`}},
		{name: "closed without a reply", s: monitor.TCPSettings{Address: hangUp, Expect: "+OK"},
			want: want{monitor.OutcomeDown, monitor.ClassAssertion, `expected "+OK" in the reply, got nothing (connection closed)`}},
		{name: "no reply in time", s: monitor.TCPSettings{Address: silent, Send: "hello", Expect: "+OK"}, timeout: 200 * time.Millisecond,
			want: want{monitor.OutcomeDown, monitor.ClassTimeout, "timed out after 200ms waiting for a reply"}},
		{name: "refused", s: monitor.TCPSettings{Address: closedAddr(t)},
			want: want{monitor.OutcomeDown, monitor.ClassRefused, "connection refused (127.0.0.1:"}},
		{name: "unknown host", s: monitor.TCPSettings{Address: "statusthing-probe-test.invalid:25"},
			want: want{monitor.OutcomeDown, monitor.ClassDNS, "statusthing-probe-test.invalid"}},
		{name: "no port", s: monitor.TCPSettings{Address: "127.0.0.1"},
			want: want{monitor.OutcomeDown, monitor.ClassInternal, `invalid address "127.0.0.1": want host:port`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, p, monitor.Monitor{Type: monitor.TypeTCP, Timeout: tc.timeout, Settings: tc.s})
			if tc.want.class == monitor.ClassDNS && res.ErrorClass == monitor.ClassTimeout {
				t.Skip("no DNS resolver answers here:", res.Message)
			}
			check(t, res, tc.want)
			if strings.HasPrefix(tc.s.Address, "localhost:") && res.Details.DNS <= 0 {
				t.Fatalf("resolution time not recorded: %+v", res.Details)
			}
			if tc.want.class != monitor.ClassRefused && tc.want.class != monitor.ClassDNS && tc.want.class != monitor.ClassInternal && res.Details.Connect <= 0 {
				t.Fatalf("connect time not recorded: %+v", res.Details)
			}
		})
	}
}
