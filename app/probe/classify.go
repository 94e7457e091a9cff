package probe

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"statusthing/app/monitor"
)

// classify turns an error met during phase ("connecting to host:port", "waiting for the
// response"...) into a verdict. addr names the target when the error does not; fallback is the
// class of errors nothing more specific is known about.
func (r *run) classify(err error, phase, addr string, fallback monitor.ErrorClass) verdict {
	if v, ok := r.ended(phase); ok {
		return v
	}
	if e, ok := errors.AsType[*net.DNSError](err); ok {
		return r.dnsError(e)
	}
	if v, ok := tlsVerdict(err, r); ok {
		return v
	}
	if errors.Is(err, http.ErrSchemeMismatch) {
		return down(monitor.ClassTLS, "server answered plain HTTP to an HTTPS request")
	}
	if e, ok := errors.AsType[*net.OpError](err); ok && e.Addr != nil {
		addr = e.Addr.String()
	}
	at := ""
	if addr != "" {
		at = " (" + addr + ")"
	}
	ne, isNetErr := errors.AsType[net.Error](err)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return down(monitor.ClassRefused, "connection refused%s", at)
	case errors.Is(err, syscall.ECONNRESET):
		return down(monitor.ClassRefused, "connection reset by the server while %s%s", phase, at)
	case errors.Is(err, syscall.EHOSTUNREACH):
		return down(monitor.ClassNetwork, "host unreachable%s", at)
	case errors.Is(err, syscall.ENETUNREACH):
		return down(monitor.ClassNetwork, "network unreachable%s", at)
	case errors.Is(err, syscall.ETIMEDOUT), isNetErr && ne.Timeout():
		return r.timeout(phase)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		return down(fallback, "connection closed by the server while %s%s", phase, at)
	}
	return down(fallback, "%s", cleanError(err))
}

// dnsError describes a failed name resolution.
func (r *run) dnsError(e *net.DNSError) verdict {
	name := strings.TrimSuffix(e.Name, ".")
	switch {
	case e.IsNotFound:
		return down(monitor.ClassDNS, "no such host %s", name)
	case e.IsTimeout:
		return r.timeout("resolving " + name)
	}
	server := ""
	if e.Server != "" {
		server = " " + e.Server
	}
	// The resolver keeps only the text of the underlying network error.
	if strings.HasSuffix(e.Err, "connection refused") {
		return down(monitor.ClassDNS, "DNS server%s refused the connection (looking up %s)", server, name)
	}
	return down(monitor.ClassDNS, "DNS lookup of %s failed: %s", name, e.Err)
}

// tlsVerdict describes handshake and certificate errors; an expired certificate gets its own
// class and date because that is the one failure people must act on by a deadline.
func tlsVerdict(err error, r *run) (verdict, bool) {
	if e, ok := errors.AsType[*tls.CertificateVerificationError](err); ok && len(e.UnverifiedCertificates) > 0 {
		r.details.CertExpiry = e.UnverifiedCertificates[0].NotAfter
	}
	if e, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		if e.Reason == x509.Expired && e.Cert != nil {
			if r.now().After(e.Cert.NotAfter) {
				if e.Cert.IsCA { // the leaf is fine, the chain is not
					return down(monitor.ClassCert, "issuer certificate %s expired on %s", quote(e.Cert.Subject.CommonName, 60), day(e.Cert.NotAfter)), true
				}
				return down(monitor.ClassCert, "certificate expired on %s", day(e.Cert.NotAfter)), true
			}
			return down(monitor.ClassTLS, "certificate is not valid before %s", day(e.Cert.NotBefore)), true
		}
		return down(monitor.ClassTLS, "%s", cleanError(e)), true
	}
	if e, ok := errors.AsType[x509.HostnameError](err); ok {
		return down(monitor.ClassTLS, "%s", cleanError(e)), true
	}
	if e, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		msg := "certificate signed by unknown authority"
		if c := e.Cert; c != nil {
			if bytes.Equal(c.RawIssuer, c.RawSubject) {
				msg += " (self-signed)"
			} else if c.Issuer.CommonName != "" {
				msg += " (issuer " + quote(c.Issuer.CommonName, 60) + ")"
			}
		}
		return down(monitor.ClassTLS, "%s", msg), true
	}
	if e, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return down(monitor.ClassTLS, "%s", cleanError(e.Err)), true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return down(monitor.ClassTLS, "server did not answer with TLS"), true
	}
	if e, ok := errors.AsType[*net.OpError](err); ok && e.Op == "remote error" {
		return down(monitor.ClassTLS, "server rejected the TLS handshake: %s", strings.TrimPrefix(e.Err.Error(), "tls: ")), true
	}
	if e, ok := errors.AsType[tls.AlertError](err); ok {
		return down(monitor.ClassTLS, "TLS alert: %s", strings.TrimPrefix(e.Error(), "tls: ")), true
	}
	return verdict{}, false
}

// cleanError drops the wrapping that says nothing to a human: the request line of url.Error
// and package prefixes like "x509: ".
func cleanError(err error) string {
	if e, ok := errors.AsType[*url.Error](err); ok {
		err = e.Err
	}
	s := err.Error()
	for {
		t := s
		for _, p := range []string{"tls: failed to verify certificate: ", "x509: ", "net/http: ", "tls: ", "HTTP/1.x transport connection broken: "} {
			t = strings.TrimPrefix(t, p)
		}
		if t == s {
			return s
		}
		s = t
	}
}
