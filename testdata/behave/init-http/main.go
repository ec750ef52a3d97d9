package main

import (
	"fmt"
	"io"
	"net/http"

	"example.org/behave/web"
)

var answer string

func init() {
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from init")
	}))
	resp, err := http.Get(base + "/init")
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	answer = fmt.Sprint(resp.StatusCode, " ", string(b))
}

func main() {
	fmt.Println(answer)
}
