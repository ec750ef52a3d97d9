// Package web serves HTTP on loopback for the corpus's programs, whose
// output must not depend on ports: connections report the fixed remote
// address 127.0.0.1:1 (net/http names it in its log lines), and callers
// never print the server's address.
package web

import (
	"net"
	"net/http"
)

// Serve serves h on a free loopback port until the program ends and
// returns its base URL ("http://127.0.0.1:PORT").
func Serve(h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(fixedAddr{ln}, h)
	return "http://" + ln.Addr().String()
}

// Server starts a server for h that the caller shuts down (for programs
// that check that no goroutine is left).
func Server(h http.Handler) (*http.Server, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(fixedAddr{ln})
	return srv, "http://" + ln.Addr().String()
}

type fixedAddr struct{ net.Listener }

func (l fixedAddr) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return fixedConn{c}, nil
}

type fixedConn struct{ net.Conn }

var client = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}

func (fixedConn) RemoteAddr() net.Addr { return client }
