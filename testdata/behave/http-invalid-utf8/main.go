package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"example.org/behave/web"
)

func main() {
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "path %q", r.URL.Path)
	}))
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		panic(err)
	}
	fmt.Fprint(c, "GET /%C0%AF HTTP/1.0\r\nHost: x\r\n\r\n")
	status, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		panic(err)
	}
	fmt.Print("raw: ", status)
	resp, err := http.Get(base + "/%FF%FE")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("client:", resp.StatusCode, string(body))
}
