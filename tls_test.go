package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"statusthing/app/config"
)

// selfSignedCert writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "statusthing test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServesHTTPSDirectly(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t)
	s := startServer(t, nil, func(c *config.Config) {
		c.Server.TLSCert, c.Server.TLSKey = certFile, keyFile
	})
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("URL %s", s.URL)
	}
	c := browserClient(t)
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	if res := do(t, c, "GET", s.URL+"/healthz", nil, nil); res.Status != http.StatusOK {
		t.Fatalf("healthz over TLS: %d", res.Status)
	}
	page := do(t, c, "GET", s.URL+"/login", nil, nil)
	if !strings.Contains(strings.Join(page.Header.Values("Set-Cookie"), ";"), "Secure") {
		t.Errorf("cookie over TLS is not Secure: %v", page.Header.Values("Set-Cookie"))
	}
	if page.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over TLS")
	}
	// Plain HTTP on the TLS port is refused, not served.
	plain := "http://" + strings.TrimPrefix(s.URL, "https://")
	if res, err := http.Get(plain + "/healthz"); err == nil && res.StatusCode == http.StatusOK {
		t.Error("plain HTTP served on the TLS listener")
	}
}
