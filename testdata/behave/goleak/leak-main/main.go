package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"go.uber.org/goleak"
)

//rtool:span
func greet(name string) string { return "hello, " + name }

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, greet(r.URL.Query().Get("name")))
	})}
	done := make(chan struct{})
	go func() {
		srv.Serve(ln)
		close(done)
	}()
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get("http://" + ln.Addr().String() + "/?name=leak")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	client.CloseIdleConnections()
	srv.Shutdown(context.Background())
	<-done
	if err := goleak.Find(); err != nil {
		fmt.Println("leaks:", err)
		return
	}
	fmt.Println("no leaks")
}
