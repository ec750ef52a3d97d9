// Package otlp is the HTTP transport of rtool's OTLP exporter: importing it
// (advice does) registers it with rtool.invalid/support. It speaks HTTP/1.1
// over package net directly, so the exporter's own requests never pass
// through (instrumented) net/http. Plain http:// endpoints only. Its errors
// never name header values (they may carry credentials).
package otlp

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/url"
	_ "os/signal" // its built-in advice flushes spans on SIGTERM and SIGINT
	"strconv"
	"strings"
	"time"

	"rtool.invalid/support"
)

func init() { support.RegisterOTLPSender(post) }

// Enabled is support.Enabled. Advice that may export calls it from here,
// which links this transport into the program.
func Enabled() bool { return support.Enabled() }

func post(endpoint string, headers [][2]string, body []byte) (int, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return 0, errors.New("not an http:// URL") // the message names the endpoint
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var req bytes.Buffer
	path := u.RequestURI()
	req.WriteString("POST " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n")
	for _, h := range headers {
		req.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	req.WriteString("\r\n")
	req.Write(body)
	if _, err := c.Write(req.Bytes()); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0, err
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return 0, errors.New("not an HTTP response: " + strings.TrimSpace(line))
	}
	return strconv.Atoi(f[1])
}
