// Package otlp is the HTTP transport of rtool's OTLP exporter: importing it
// (advice does) registers it with rtool.invalid/support. It speaks HTTP/1.1
// over package net (and crypto/tls for https://) directly, so the
// exporter's own requests never pass through (instrumented) net/http. One
// connection is kept alive across exports and redialled when the
// collector closes it. Its errors never name header values (they may carry
// credentials).
package otlp

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	_ "os/signal" // its built-in advice flushes spans on SIGTERM and SIGINT
	"strconv"
	"sync"
	"time"
	_ "unsafe" // go:linkname

	"rtool.invalid/support"
)

func init() { support.RegisterOTLPTransport(newClient) }

// linked tells the support library, from the program's start, that this
// transport is in the program (see support's otlpLinked): a static value,
// set before any package is initialised.
//
//go:linkname linked rtool.invalid/support.otlpLinked
var linked = true

// Enabled is support.Enabled. Advice that may export calls it from here,
// which links this transport into the program.
func Enabled() bool { return support.Enabled() }

// client posts to one endpoint over one kept-alive connection. Exports
// come from the recorder's single goroutine; the mutex only guards
// against a second caller.
type client struct {
	addr    string // host:port to dial
	tls     *tls.Config
	request []byte // the request line and headers up to Content-Length's value
	gzip    bool

	hasCert bool // a client certificate is configured

	mu        sync.Mutex
	certAsked bool // the collector asked this connection for a client certificate
	conn      net.Conn
	br        *bufio.Reader
	zbuf      bytes.Buffer
	zw        *gzip.Writer
}

func newClient(cfg support.OTLPConfig) (support.OTLPClient, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("not an http:// or https:// URL") // the caller names the endpoint
	}
	c := &client{addr: u.Host, gzip: cfg.Gzip}
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		c.addr = net.JoinHostPort(u.Hostname(), port)
	}
	if u.Scheme == "https" {
		if c.tls, err = tlsConfig(cfg, u.Hostname()); err != nil {
			return nil, err
		}
		// Noted, for the failure that follows when the collector takes
		// no certificate or not ours: with TLS 1.3 its refusal comes
		// after our handshake, often as a mere reset.
		var mine *tls.Certificate
		if len(c.tls.Certificates) > 0 {
			mine = &c.tls.Certificates[0]
		}
		c.hasCert = mine != nil
		c.tls.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			c.certAsked = true
			if mine == nil {
				return &tls.Certificate{}, nil
			}
			return mine, nil
		}
	}
	var b bytes.Buffer
	b.WriteString("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: rtool/" + support.Version + "\r\nContent-Type: " + cfg.ContentType + "\r\n")
	if cfg.Gzip {
		b.WriteString("Content-Encoding: gzip\r\n")
	}
	for _, h := range cfg.Headers { // validated by the support package: no CR, LF or other control character
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("Content-Length: ")
	c.request = b.Bytes()
	return c, nil
}

// Post sends body and reads the answer, all before deadline. A connection
// kept from an earlier export that turns out closed by the collector
// (nothing at all comes back) is redialled once: the collector never saw
// the request.
func (c *client) Post(body []byte, deadline time.Time) (int, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gzip {
		c.zbuf.Reset()
		if c.zw == nil { // the fastest level: the program's CPU matters more than bytes on the wire
			c.zw, _ = gzip.NewWriterLevel(&c.zbuf, gzip.BestSpeed)
		} else {
			c.zw.Reset(&c.zbuf)
		}
		c.zw.Write(body)
		c.zw.Close()
		body = c.zbuf.Bytes()
	}
	req := make([]byte, 0, len(c.request)+24+len(body))
	req = append(strconv.AppendInt(append(req, c.request...), int64(len(body)), 10), "\r\n\r\n"...)
	req = append(req, body...)
	for redial := false; ; redial = true {
		reused := c.conn != nil
		if !reused {
			if err := c.dial(deadline); err != nil {
				return 0, "", classify(err)
			}
		}
		c.conn.SetDeadline(deadline)
		r, err := c.roundTrip(req)
		if err != nil && r.status >= 200 { // answered; the body was cut short
			c.close()
			return r.status, r.retryAfter, nil
		}
		if err != nil {
			c.close()
			if reused && !redial && !r.started && !isTimeout(err) {
				continue
			}
			if !reused && c.certAsked && !r.started && !isTimeout(err) {
				return 0, "", c.certRefused(err)
			}
			return 0, "", classify(err)
		}
		if !r.keepAlive {
			c.close()
		} else {
			// A deadline left set is a runtime timer: until it fires, the
			// runtime cannot see that the program deadlocked or that main
			// called Goexit with no goroutine left (it waits in netpoll).
			c.conn.SetDeadline(time.Time{})
		}
		return r.status, r.retryAfter, nil
	}
}

// certRefused: a new connection on which the collector asked for a
// client certificate failed before any answer: it refused the one we
// have, or our having none. Permanent, as retrying changes neither.
func (c *client) certRefused(err error) error {
	why := " (the collector asks for a client certificate and none is configured: OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and _CLIENT_KEY)"
	if c.hasCert {
		why = " (the collector asked for our client certificate: it does not accept it, or the connection broke)"
	}
	return permanent{errors.New(classify(err).Error() + why)}
}

func (c *client) dial(deadline time.Time) error {
	c.certAsked = false
	d := net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}
	conn, err := d.Dial("tcp", c.addr)
	if err != nil {
		return err
	}
	if c.tls != nil {
		tc := tls.Client(conn, c.tls)
		tc.SetDeadline(deadline)
		if err := tc.Handshake(); err != nil {
			conn.Close()
			return err
		}
		conn = tc
	}
	c.conn = conn
	if c.br == nil {
		c.br = bufio.NewReaderSize(conn, 4096)
	} else {
		c.br.Reset(conn)
	}
	return nil
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

func (c *client) roundTrip(req []byte) (response, error) {
	if _, err := c.conn.Write(req); err != nil {
		return response{}, err
	}
	return readResponse(c.br)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// permanent is a transport failure that retrying cannot mend: the
// collector's certificate does not verify, it does not speak TLS, or it
// refused ours. The support package does not retry it.
type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() error   { return p.err }
func (p permanent) Permanent() bool { return true }

// classify marks TLS failures permanent; anything else (refused, reset,
// timed out, a name that does not resolve yet) may mend by itself.
func classify(err error) error {
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var op *net.OpError
	if errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &op) && op.Op == "remote error" {
		return permanent{err}
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("the collector closed the connection without an answer")
	}
	return err
}
