package otlp

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
)

// response is what the exporter needs of an HTTP response.
type response struct {
	status     int
	retryAfter string
	keepAlive  bool // the connection may carry the next request
	started    bool // some of the response arrived (then it is not redialled)
}

// maxDrain: a body longer than this is not read through; the connection
// is closed instead (a collector's answer is a few bytes).
const maxDrain = 1 << 20

// readResponse reads a response's head and its whole body (Content-Length,
// chunked, or up to the connection's close), so that the connection can
// carry the next request; interim 1xx responses are skipped.
func readResponse(br *bufio.Reader) (response, error) {
	var r response
	for {
		line, err := readLine(br)
		if err != nil {
			if line != "" {
				r.started = true
			}
			return r, err
		}
		r.started = true
		proto, rest, _ := strings.Cut(line, " ")
		code, _, _ := strings.Cut(rest, " ")
		status, err := strconv.Atoi(code)
		if !strings.HasPrefix(proto, "HTTP/1.") || len(proto) != 8 || proto[7] < '0' || proto[7] > '9' || len(code) != 3 || err != nil || status < 100 {
			return r, errors.New("not an HTTP/1 response: " + strconv.Quote(truncate(line, 40)))
		}
		r.status = status
		r.keepAlive = proto != "HTTP/1.0"
		length, chunked, err := readHeaders(br, &r, proto)
		if err != nil {
			return r, err
		}
		if status >= 100 && status < 200 {
			continue // 100 Continue and the like: the answer follows
		}
		switch {
		case status == 204 || status == 304:
		case chunked:
			if err := drainChunked(br, &r); err != nil {
				return r, err
			}
		case length >= 0:
			if length > maxDrain {
				r.keepAlive = false
				break
			}
			if _, err := io.CopyN(io.Discard, br, length); err != nil {
				return r, err
			}
		default: // the body ends with the connection
			r.keepAlive = false
			io.CopyN(io.Discard, br, maxDrain)
		}
		return r, nil
	}
}

// readHeaders reads a response's header lines up to the blank line, noting
// in r what the connection's reuse and a retry depend on; it returns the
// body's framing: its Content-Length (-1: none) and whether it is chunked.
func readHeaders(br *bufio.Reader, r *response, proto string) (length int64, chunked bool, err error) {
	length = -1
	for {
		h, err := readLine(br)
		if err != nil {
			return length, chunked, err
		}
		if h == "" {
			return length, chunked, nil
		}
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return length, chunked, errors.New("a malformed header line in the response")
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-length":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return length, chunked, errors.New("a malformed Content-Length in the response")
			}
			length = n
		case "transfer-encoding":
			chunked = strings.EqualFold(v, "chunked")
			if !chunked {
				r.keepAlive = false // read to the close
			}
		case "connection":
			for _, t := range strings.Split(v, ",") {
				switch strings.ToLower(strings.TrimSpace(t)) {
				case "close":
					r.keepAlive = false
				case "keep-alive":
					r.keepAlive = r.keepAlive || proto == "HTTP/1.0"
				}
			}
		case "retry-after":
			r.retryAfter = v
		}
	}
}

// drainChunked reads a chunked body and its trailers.
func drainChunked(br *bufio.Reader, r *response) error {
	var total int64
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return errors.New("a malformed chunk in the response")
		}
		if n == 0 {
			for { // trailers, up to the blank line
				t, err := readLine(br)
				if err != nil || t == "" {
					return err
				}
			}
		}
		if total += n; total > maxDrain {
			r.keepAlive = false
			return nil
		}
		if _, err := io.CopyN(io.Discard, br, n); err != nil {
			return err
		}
		if crlf, err := readLine(br); err != nil || crlf != "" {
			if err == nil {
				err = errors.New("a malformed chunk in the response")
			}
			return err
		}
	}
}

// readLine reads one line without its CRLF (or LF); lines over 8 KiB are
// an error.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		part, err := br.ReadSlice('\n')
		b = append(b, part...)
		if err == bufio.ErrBufferFull && len(b) < 8<<10 {
			continue
		}
		if err == bufio.ErrBufferFull {
			return "", errors.New("a response line over 8 KiB")
		}
		if err != nil {
			if err == io.EOF && len(b) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return string(b), err
		}
		return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
