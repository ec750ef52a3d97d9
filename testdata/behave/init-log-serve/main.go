package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"

	"example.org/behave/config"
	"example.org/behave/web"
)

func main() {
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "items=%d", config.Items)
	}))
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		panic(err)
	}
	fmt.Fprint(c, "GET /items HTTP/1.0\r\nHost: x\r\n\r\n")
	status, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		panic(err)
	}
	fmt.Print("status: ", status)
}
