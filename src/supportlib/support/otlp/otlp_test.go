package otlp

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rtool.invalid/support"
)

func mustClient(t *testing.T, cfg support.OTLPConfig) support.OTLPClient {
	t.Helper()
	if cfg.ContentType == "" {
		cfg.ContentType = "application/x-protobuf"
	}
	c, err := newClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func soon() time.Time { return time.Now().Add(5 * time.Second) }

// One kept-alive connection carries every export; headers, type and
// gzip are on the wire as configured.
func TestPostKeepsOneConnection(t *testing.T) {
	var conns atomic.Int64
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rd io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Error(err)
				return
			}
			rd = zr
		}
		b, _ := io.ReadAll(rd)
		mu.Lock()
		bodies = append(bodies, r.URL.Path+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(bytes.Repeat([]byte("x"), 10000)) // chunked: longer than the server's buffer
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	for _, gz := range []bool{false, true} {
		c := mustClient(t, support.OTLPConfig{Endpoint: srv.URL + "/v1/traces", Headers: [][2]string{{"Authorization", "Bearer x"}}, Gzip: gz})
		for i := 0; i < 5; i++ {
			status, _, err := c.Post([]byte("body"), soon())
			if err != nil || status != 200 {
				t.Fatalf("post %d: %d %v", i, status, err)
			}
		}
	}
	if conns.Load() != 2 {
		t.Fatalf("%d connections for two clients' 5 posts each, want 2", conns.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bodies {
		if b != "/v1/traces Bearer x application/x-protobuf body" {
			t.Fatalf("received %q", b)
		}
	}
}

// rawServer answers each connection's requests with the replies given,
// one per request, then closes it.
func rawServer(t *testing.T, replies ...string) (url string, conns *atomic.Int64) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns = new(atomic.Int64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for _, reply := range replies {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					io.WriteString(c, reply)
				}
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/v1/traces", conns
}

func TestResponses(t *testing.T) {
	// Chunked with an extension and a trailer, then a plain length: both
	// read through, the connection reused; then the server closes it
	// silently and the next post redials.
	url, conns := rawServer(t,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\nno")
	c := mustClient(t, support.OTLPConfig{Endpoint: url})
	want := []struct {
		status int
		ra     string
	}{{200, ""}, {503, "7"}, {200, ""}, {503, "7"}}
	for i, w := range want {
		status, ra, err := c.Post([]byte("b"), soon())
		if err != nil || status != w.status || ra != w.ra {
			t.Fatalf("post %d: %d %q %v, want %d %q", i, status, ra, err, w.status, w.ra)
		}
	}
	if conns.Load() != 2 {
		t.Fatalf("%d connections, want 2", conns.Load())
	}
	// HTTP/1.0 without a length: the body ends with the connection.
	url, conns = rawServer(t, "HTTP/1.0 202 Accepted\r\n\r\n{}")
	c = mustClient(t, support.OTLPConfig{Endpoint: url})
	for i := 0; i < 2; i++ {
		if status, _, err := c.Post([]byte("b"), soon()); err != nil || status != 202 {
			t.Fatalf("HTTP/1.0: %d %v", status, err)
		}
	}
	if conns.Load() != 2 {
		t.Fatalf("HTTP/1.0: %d connections, want 2", conns.Load())
	}
	// Not HTTP.
	url, _ = rawServer(t, "SSH-2.0-OpenSSH\r\n")
	if _, _, err := mustClient(t, support.OTLPConfig{Endpoint: url}).Post([]byte("b"), soon()); err == nil || !strings.Contains(err.Error(), "not an HTTP/1 response") {
		t.Fatalf("not HTTP: %v", err)
	}
}

func TestPostErrorsNameNoHeaderValues(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := mustClient(t, support.OTLPConfig{Endpoint: "http://" + addr + "/v1/traces", Headers: [][2]string{{"Authorization", "Bearer hunter2"}}})
	_, _, err = c.Post([]byte(`{}`), soon())
	if err == nil || !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v: want connection refused, without the header's value", err)
	}
	if p, ok := err.(interface{ Permanent() bool }); ok && p.Permanent() {
		t.Fatal("a refused connection is transient")
	}
}

func isPermanent(err error) bool {
	p, ok := err.(interface{ Permanent() bool })
	return ok && p.Permanent()
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	// httptest's certificate is for 127.0.0.1 and example.com.
	c := mustClient(t, support.OTLPConfig{Endpoint: srv.URL + "/v1/traces", CAFile: ca, CAVar: "OTEL_EXPORTER_OTLP_CERTIFICATE"})
	if status, _, err := c.Post([]byte("b"), soon()); err != nil || status != 200 {
		t.Fatalf("with the CA: %d %v", status, err)
	}
	// The system's roots do not know httptest's CA: permanent.
	c = mustClient(t, support.OTLPConfig{Endpoint: srv.URL + "/v1/traces"})
	if _, _, err := c.Post([]byte("b"), soon()); err == nil || !isPermanent(err) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v (permanent %v)", err, isPermanent(err))
	}
	// TLS to a plain-HTTP server: permanent too.
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	c = mustClient(t, support.OTLPConfig{Endpoint: strings.Replace(plain.URL, "http:", "https:", 1), CAFile: ca, CAVar: "V"})
	if _, _, err := c.Post([]byte("b"), soon()); err == nil || !isPermanent(err) {
		t.Fatalf("https to http: %v", err)
	}
}

func TestTLSConfigurationErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate\n"), 0o644)
	for _, c := range []struct {
		cfg  support.OTLPConfig
		want string
	}{
		{support.OTLPConfig{CAFile: filepath.Join(dir, "none.pem"), CAVar: "OTEL_EXPORTER_OTLP_CERTIFICATE"},
			"OTEL_EXPORTER_OTLP_CERTIFICATE=" + dir + "/none.pem: cannot read it (no such file or directory)"},
		{support.OTLPConfig{CAFile: junk, CAVar: "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE"},
			"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE=" + junk + ": no PEM certificate in the file"},
		{support.OTLPConfig{CertFile: junk, CertVar: "C", KeyVar: "K"}, "C is set without K (mutual TLS needs both)"},
		{support.OTLPConfig{KeyFile: junk, CertVar: "C", KeyVar: "K"}, "K is set without C (mutual TLS needs both)"},
		{support.OTLPConfig{CertFile: junk, KeyFile: junk, CertVar: "C", KeyVar: "K"},
			"C=" + junk + " and K=" + junk + ": failed to find any PEM data in certificate input"},
	} {
		c.cfg.Endpoint = "https://collector:4318/v1/traces"
		if _, err := newClient(c.cfg); err == nil || err.Error() != c.want {
			t.Errorf("got %v\nwant %s", err, c.want)
		}
		// Over http:// the files are not used.
		c.cfg.Endpoint = "http://collector:4318/v1/traces"
		if _, err := newClient(c.cfg); err != nil {
			t.Errorf("http://: %v", err)
		}
	}
}
