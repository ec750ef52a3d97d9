package otlp

import (
	"io"
	"net/http"
	"net/http/httptest"
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
