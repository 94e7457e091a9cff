package probe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"statusthing/app/monitor"
)

func (p *Prober) probeDNS(r *run, s monitor.DNSSettings) verdict {
	host := strings.TrimSuffix(strings.TrimSpace(s.Hostname), ".")
	if host == "" {
		return down(monitor.ClassInternal, "no hostname to look up")
	}
	rtype := strings.ToUpper(strings.TrimSpace(s.RecordType))
	if rtype == "" {
		rtype = "A"
	}
	if !slices.Contains(monitor.DNSRecordTypes(), rtype) {
		return down(monitor.ClassInternal, "unsupported record type %q (use %s)", rtype, strings.Join(monitor.DNSRecordTypes(), ", "))
	}
	res := &net.Resolver{PreferGo: true}
	addr := strings.TrimSpace(s.Resolver)
	if addr != "" {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(strings.Trim(addr, "[]"), "53")
		}
		var d net.Dialer
		// Every query goes to the monitor's resolver; network is udp, or tcp when an answer
		// was truncated.
		res.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
	}
	// A trailing dot keeps the resolver from trying the search domains of resolv.conf.
	fqdn := host + "."
	if _, err := netip.ParseAddr(host); err == nil {
		fqdn = host // an IP literal is its own answer
	}
	t0 := time.Now()
	answers, err := lookup(r.ctx, res, rtype, fqdn)
	r.details.DNS = time.Since(t0)
	if err != nil {
		e, ok := errors.AsType[*net.DNSError](err)
		if ok && e.IsNotFound && !e.IsTimeout {
			// NXDOMAIN and an empty answer look the same through net.Resolver.
			return down(monitor.ClassDNS, "no %s records for %s", rtype, host)
		}
		if ok && addr != "" {
			// The error names the resolv.conf server the resolver meant to ask; Dial
			// sent the query to the monitor's resolver instead.
			named := *e
			named.Server = addr
			err = &named
		}
		return r.classify(err, "resolving "+host, addr, monitor.ClassDNS)
	}
	if len(answers) == 0 {
		return down(monitor.ClassDNS, "no %s records for %s", rtype, host)
	}
	r.details.Answers = answers
	if len(s.Expected) == 0 {
		return verdict{}
	}
	have := make([]string, len(answers))
	for i, a := range answers {
		have[i] = normalizeAnswer(rtype, a)
	}
	matched := 0
	for _, e := range s.Expected {
		if answered(rtype, normalizeAnswer(rtype, e), have) {
			matched++
		}
	}
	switch {
	case s.MatchAll && matched < len(s.Expected):
		return down(monitor.ClassAssertion, "expected all of %s, got %s", list(s.Expected), list(answers))
	case !s.MatchAll && matched == 0:
		return down(monitor.ClassAssertion, "expected any of %s, got %s", list(s.Expected), list(answers))
	}
	return verdict{}
}

// lookup returns the answers for name in their display form: IPs as strings, host names in
// lower case without the trailing dot, MX as "10 mail.example.com", one string per TXT record.
func lookup(ctx context.Context, res *net.Resolver, rtype, name string) ([]string, error) {
	var out []string
	switch rtype {
	case "A", "AAAA":
		network := "ip4"
		if rtype == "AAAA" {
			network = "ip6"
		}
		ips, err := res.LookupNetIP(ctx, network, name)
		if err != nil {
			return nil, err
		}
		for _, ip := range ips {
			out = append(out, ip.Unmap().String())
		}
		slices.Sort(out)
	case "CNAME":
		cname, err := res.LookupCNAME(ctx, name)
		if err != nil {
			return nil, err
		}
		// Without a CNAME record the resolver answers with the name itself.
		if c := hostName(cname); c != hostName(name) {
			out = append(out, c)
		}
	case "MX":
		mxs, err := res.LookupMX(ctx, name)
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(mxs, func(a, b *net.MX) int {
			return cmp.Or(cmp.Compare(a.Pref, b.Pref), strings.Compare(hostName(a.Host), hostName(b.Host)))
		})
		for _, mx := range mxs {
			out = append(out, fmt.Sprintf("%d %s", mx.Pref, hostName(mx.Host)))
		}
	case "TXT":
		txts, err := res.LookupTXT(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, txts...)
		slices.Sort(out)
	case "NS":
		nss, err := res.LookupNS(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, ns := range nss {
			out = append(out, hostName(ns.Host))
		}
		slices.Sort(out)
	default:
		return nil, fmt.Errorf("unsupported record type %q", rtype)
	}
	return out, nil
}

func hostName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// normalizeAnswer is the form answers and expected values are compared in: case-insensitive,
// without a trailing dot, IPs in canonical form.
func normalizeAnswer(rtype, s string) string {
	s = strings.TrimSpace(s)
	switch rtype {
	case "A", "AAAA":
		if ip, err := netip.ParseAddr(s); err == nil {
			return ip.Unmap().String()
		}
	case "MX":
		return hostName(strings.Join(strings.Fields(s), " "))
	case "TXT":
		return strings.ToLower(s) // a dot ending a TXT record is content
	}
	return hostName(s)
}

// answered reports whether the normalized expected value is among the answers; an MX value
// may leave out the preference.
func answered(rtype, want string, have []string) bool {
	for _, h := range have {
		if h == want {
			return true
		}
		if rtype == "MX" && !strings.Contains(want, " ") {
			if _, host, _ := strings.Cut(h, " "); host == want {
				return true
			}
		}
	}
	return false
}
