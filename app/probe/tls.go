package probe

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"

	"statusthing/app/monitor"
)

// probeTLS completes a handshake and verifies the chain and name itself, after checking the
// validity dates, so that an expired certificate is reported as such (class cert, with its
// date) rather than as a generic verification failure.
func (p *Prober) probeTLS(r *run, s monitor.TLSSettings) verdict {
	conn, v := r.dial(s.Address)
	if conn == nil {
		return v
	}
	defer conn.Close()
	name := s.ServerName
	if name == "" {
		name, _, _ = net.SplitHostPort(s.Address)
	}
	// Verification happens below, with the same roots and clock crypto/tls would use.
	tc := tls.Client(conn, &tls.Config{ServerName: name, InsecureSkipVerify: true, Time: p.now})
	defer tc.Close()
	t0 := time.Now()
	err := tc.HandshakeContext(r.ctx)
	r.details.TLS = time.Since(t0)
	if err != nil {
		return r.classify(err, "doing the TLS handshake", s.Address, monitor.ClassTLS)
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return down(monitor.ClassTLS, "server sent no certificate")
	}
	leaf, now := certs[0], p.now()
	r.details.CertExpiry = leaf.NotAfter
	if now.After(leaf.NotAfter) {
		return down(monitor.ClassCert, "certificate expired on %s", day(leaf.NotAfter))
	}
	opts := x509.VerifyOptions{DNSName: name, Roots: p.roots, CurrentTime: now, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := leaf.Verify(opts); err != nil {
		if v, ok := tlsVerdict(err, r); ok {
			return v
		}
		return down(monitor.ClassTLS, "%s", cleanError(err))
	}
	return certVerdict(leaf.NotAfter, now, s.CertDegradedDays, s.CertDownDays)
}
