package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"

	"example.org/behave/web"
)

//rtool:span
func lookup(id string) string {
	if id == "bad" {
		panic("lookup: no such id " + id)
	}
	return "found " + id
}

func main() {
	log.SetFlags(0)
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, lookup(r.URL.Query().Get("id")))
	}))
	for _, id := range []string{"bad", "good"} {
		resp, err := http.Get(base + "/item?id=" + id)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // without the URL, which has the port
			}
			fmt.Println(id+":", "error:", err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(id+":", resp.StatusCode, string(body))
	}
}
