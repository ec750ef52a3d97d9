package otlp

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadResponse: whatever a collector (or anything listening on its
// port) answers, reading it ends, with a status of a final response or an
// error, and leaves the connection reusable only after a complete answer.
func FuzzReadResponse(f *testing.F) {
	for _, r := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\nno",
		"HTTP/1.0 202 Accepted\r\n\r\n{}", "SSH-2.0-OpenSSH\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n", "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
	} {
		f.Add([]byte(r))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(b), 4096)
		r, err := readResponse(br)
		if err != nil {
			return
		}
		if r.status < 200 || r.status > 999 || !r.started {
			t.Fatalf("%q: status %d, started %v", b, r.status, r.started)
		}
	})
}
