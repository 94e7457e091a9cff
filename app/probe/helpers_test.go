package probe_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"statusthing/app/monitor"
	"statusthing/app/probe"
)

// testCA issues certificates for the TLS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "statusthing test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leafTemplate describes a server certificate for localhost and 127.0.0.1.
func leafTemplate(notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
}

// issue returns a certificate signed by the CA, valid until notAfter.
func (ca *testCA) issue(t *testing.T, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key := newKey(t)
	der, err := x509.CreateCertificate(rand.Reader, leafTemplate(notBefore, notAfter), ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// selfSigned returns a self-signed certificate valid until notAfter and a pool trusting it.
func selfSigned(t *testing.T, notBefore, notAfter time.Time) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key := newKey(t)
	tmpl := leafTemplate(notBefore, notAfter)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// want is the expected verdict of a probe; msg is matched as a substring ("" = must be empty
// when up).
type want struct {
	outcome monitor.Outcome
	class   monitor.ErrorClass
	msg     string
}

var up = want{outcome: monitor.OutcomeUp}

func check(t *testing.T, res monitor.Result, w want) {
	t.Helper()
	t.Logf("%s %s %q %+v", res.Outcome, res.ErrorClass, res.Message, res.Details)
	if res.Outcome != w.outcome || res.ErrorClass != w.class || !strings.Contains(res.Message, w.msg) {
		t.Fatalf("got %s/%q %q, want %s/%q containing %q", res.Outcome, res.ErrorClass, res.Message, w.outcome, w.class, w.msg)
	}
	if res.Outcome == monitor.OutcomeUp && (res.Message != "" || res.ErrorClass != "" || res.Details.BodySnippet != "") {
		t.Fatalf("up result carries failure fields: %+v", res)
	}
	if res.Outcome != monitor.OutcomeUp && (res.Message == "" || strings.ContainsAny(res.Message, "\r\n")) {
		t.Fatalf("failure message must be one non-empty line: %q", res.Message)
	}
	if res.Duration <= 0 {
		t.Fatalf("duration not recorded: %v", res.Duration)
	}
}

func run(t *testing.T, p *probe.Prober, m monitor.Monitor) monitor.Result {
	t.Helper()
	if m.Timeout == 0 {
		m.Timeout = 2 * time.Second
	}
	m.ID = 42
	res := p.Probe(context.Background(), m)
	if res.MonitorID != 42 {
		t.Fatalf("MonitorID = %d", res.MonitorID)
	}
	return res
}
