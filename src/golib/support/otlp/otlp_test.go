package otlp

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPost(t *testing.T) {
	var path, auth, ctype, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, auth, ctype = r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	status, err := post(srv.URL+"/v1/traces", [][2]string{{"Authorization", "Bearer x"}}, []byte(`{"resourceSpans":[]}`))
	if err != nil || status != 202 {
		t.Fatalf("status %d, err %v", status, err)
	}
	if path != "/v1/traces" || auth != "Bearer x" || ctype != "application/json" || body != `{"resourceSpans":[]}` {
		t.Fatalf("path %q auth %q type %q body %q", path, auth, ctype, body)
	}
	if _, err := post("https://example.com/v1/traces", nil, nil); err == nil {
		t.Fatal("https is not supported and must say so")
	}
}

func TestPostErrorsNameNoHeaderValues(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = post("http://"+addr+"/v1/traces", [][2]string{{"Authorization", "Bearer hunter2"}}, []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v: want connection refused, without the header's value", err)
	}
}
