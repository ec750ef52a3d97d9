package otlp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strings"

	"rtool.invalid/support"
)

// tlsConfig is the client's TLS set-up for an https:// endpoint: the
// system's roots, or the CA certificates of OTEL_EXPORTER_OTLP_CERTIFICATE
// instead; a client certificate and key for mutual TLS. A file that cannot
// be read or holds no usable PEM is a configuration error, its message
// naming the variable and the file (never the key's contents).
func tlsConfig(cfg support.OTLPConfig, host string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := readFile(cfg.CAVar, cfg.CAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New(cfg.CAVar + "=" + cfg.CAFile + ": no PEM certificate in the file")
		}
		tc.RootCAs = pool
	}
	switch {
	case cfg.CertFile != "" && cfg.KeyFile != "":
		certPEM, err := readFile(cfg.CertVar, cfg.CertFile)
		if err != nil {
			return nil, err
		}
		keyPEM, err := readFile(cfg.KeyVar, cfg.KeyFile)
		if err != nil {
			return nil, err
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil { // X509KeyPair's errors describe, never quote, the key
			return nil, errors.New(cfg.CertVar + "=" + cfg.CertFile + " and " + cfg.KeyVar + "=" + cfg.KeyFile + ": " + strings.TrimPrefix(err.Error(), "tls: "))
		}
		tc.Certificates = []tls.Certificate{cert}
	case cfg.CertFile != "":
		return nil, errors.New(cfg.CertVar + " is set without " + cfg.KeyVar + " (mutual TLS needs both)")
	case cfg.KeyFile != "":
		return nil, errors.New(cfg.KeyVar + " is set without " + cfg.CertVar + " (mutual TLS needs both)")
	}
	return tc, nil
}

// readFile reads the file a variable names; its error says
// "VAR=PATH: cannot read it (reason)".
func readFile(name, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errors.New(name + "=" + path + ": cannot read it (" + err.Error() + ")")
	}
	return b, nil
}
