package probe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"statusthing/app/monitor"
)

func (p *Prober) probeTCP(r *run, s monitor.TCPSettings) verdict {
	conn, v := r.dial(s.Address)
	if conn == nil {
		return v
	}
	defer conn.Close()
	if s.Send != "" {
		if _, err := io.WriteString(conn, s.Send); err != nil {
			return r.classify(err, "sending", s.Address, monitor.ClassNetwork)
		}
	}
	if s.Expect == "" {
		return verdict{}
	}
	expect := []byte(s.Expect)
	buf := make([]byte, 0, 4<<10)
	for len(buf) < tcpReadLimit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), tcpReadLimit-len(buf)))
		}
		n, err := conn.Read(buf[len(buf):min(cap(buf), tcpReadLimit)])
		buf = buf[:len(buf)+n]
		if bytes.Contains(buf, expect) {
			return verdict{}
		}
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if ne, ok := errors.AsType[net.Error](err); (ok && ne.Timeout()) || r.ctx.Err() != nil {
			if len(buf) == 0 {
				return r.timeout("waiting for a reply")
			}
			break // what came is the reply: compare it below
		}
		return r.classify(err, "waiting for a reply", s.Address, monitor.ClassNetwork)
	}
	got := "nothing (connection closed)"
	if len(buf) > 0 {
		got = quote(string(buf), 60)
	}
	return down(monitor.ClassAssertion, "expected %s in the reply, got %s", quote(s.Expect, 60), got)
}

// dial connects to addr for the tcp and tls checks, recording Details.DNS and Connect. The
// first socket the dialer creates marks the end of name resolution.
func (r *run) dial(addr string) (net.Conn, verdict) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return nil, down(monitor.ClassInternal, "invalid address %s: want host:port", quote(addr, 100))
	}
	var resolved atomic.Int64 // nanoseconds from start to the first connection attempt
	t0 := time.Now()
	d := net.Dialer{KeepAlive: -1, ControlContext: func(context.Context, string, string, syscall.RawConn) error {
		resolved.CompareAndSwap(0, int64(max(time.Since(t0), 1)))
		return nil
	}}
	conn, err := d.DialContext(r.ctx, "tcp", addr)
	total := time.Since(t0)
	dns := time.Duration(resolved.Load())
	_, ipErr := netip.ParseAddr(host)
	if ipErr != nil { // a literal IP resolves in no time: report no DNS phase
		r.details.DNS = dns
	}
	if err != nil {
		phase := "connecting to " + addr
		if dns == 0 && ipErr != nil {
			phase = "resolving " + host
			r.details.DNS = total
		}
		return nil, r.classify(err, phase, addr, monitor.ClassNetwork)
	}
	r.details.Connect = total - r.details.DNS
	// Deadlines make blocking reads and writes honour the check's context.
	if dl, ok := r.ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	context.AfterFunc(r.ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return conn, verdict{}
}
