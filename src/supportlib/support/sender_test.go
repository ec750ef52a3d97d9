package support

import "time"

// Sender posts body to endpoint with the headers and returns the HTTP
// status: a transport without TLS, compression or Retry-After, for tests.
type Sender func(endpoint string, headers [][2]string, body []byte) (int, error)

// RegisterOTLPSender installs s as the transport (nil: none).
func RegisterOTLPSender(s Sender) {
	otlpTransport = nil
	if s != nil {
		otlpTransport = func(c OTLPConfig) (OTLPClient, error) { return senderClient{c, s}, nil }
	}
}

type senderClient struct {
	cfg  OTLPConfig
	send Sender
}

func (c senderClient) Post(body []byte, _ time.Time) (int, string, error) {
	status, err := c.send(c.cfg.Endpoint, c.cfg.Headers, body)
	return status, "", err
}
