package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"time"

	"github.com/phigate/phigate"
)

// DefaultCertValidity is how long a self-signed certificate is valid.
const DefaultCertValidity = 365 * 24 * time.Hour

// SelfSignedCert makes an ECDSA P-256 certificate for hosts (names or IP
// addresses) valid from now for DefaultCertValidity, for a first start
// without a certificate of the customer's CA. It returns the certificate and
// key in PEM; write the key with mode 0600 (WriteSelfSignedCert does).
// Security-sensitive: keyPEM is a private key.
func SelfSignedCert(rnd io.Reader, hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	const op = "keys.SelfSignedCert"
	if rnd == nil {
		rnd = rand.Reader
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rnd)
	if err != nil {
		return nil, nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("generate key: %w", err))
	}
	serial, err := rand.Int(rnd, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("generate serial: %w", err))
	}
	tmpl := certTemplate(serial, hosts, now)
	der, err := x509.CreateCertificate(rnd, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("create certificate: %w", err))
	}
	kder, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("encode key: %w", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

func certTemplate(serial *big.Int, hosts []string, now time.Time) *x509.Certificate {
	t := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"phigate"}, CommonName: "phigate self-signed"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(DefaultCertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			t.IPAddresses = append(t.IPAddresses, ip)
		} else {
			t.DNSNames = append(t.DNSNames, h)
		}
	}
	return t
}

// WriteSelfSignedCert makes a self-signed certificate for hosts and writes
// it to certPath and its key to keyPath (both 0600), atomically, and
// returns it ready for a tls.Config.
func WriteSelfSignedCert(rnd io.Reader, certPath, keyPath string, hosts []string, now time.Time) (tls.Certificate, error) {
	c, k, err := SelfSignedCert(rnd, hosts, now)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFile(keyPath, k, false); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFile(certPath, c, false); err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(c, k)
	if err != nil {
		return tls.Certificate{}, phigate.E(phigate.EINTERNAL, "keys.WriteSelfSignedCert", fmt.Errorf("load key pair: %w", err))
	}
	return cert, nil
}
