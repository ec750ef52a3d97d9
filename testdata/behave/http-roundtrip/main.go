package main

import (
	"fmt"
	"io"
	"net/http"

	"example.org/behave/web"
)

//rtool:span
func greet(name string) string { return "hello, " + name }

func main() {
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Answer", "42")
		fmt.Fprintln(w, greet(r.URL.Query().Get("name")))
	}))
	for _, name := range []string{"ann", "bob"} {
		resp, err := http.Get(base + "/hello?name=" + name)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s %q", resp.StatusCode, resp.Header.Get("X-Answer"), body)
		fmt.Println()
	}
}
