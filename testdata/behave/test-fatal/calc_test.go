package calc

import (
	"io"
	"net/http"
	"testing"

	"example.org/behave/web"
)

func TestHTTP(t *testing.T) {
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestDouble(t *testing.T) {
	if got := Double(2); got != 5 {
		t.Fatalf("Double(2) = %d, want 5", got)
	}
	t.Log("not reached")
}
