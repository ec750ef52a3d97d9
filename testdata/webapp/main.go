// Command webapp is rtool's bundled example: an HTTP service that answers
// from a database/sql database. With -selftest it serves one request on a
// loopback port, prints the answer and exits.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	_ "example.com/webapp/memdb"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to serve on")
	selftest := flag.Bool("selftest", false, "serve one request on a free loopback port, print the answer, exit")
	flag.Parse()

	db, err := sql.Open("memdb", "greetings")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		var greeting string
		if err := db.QueryRowContext(r.Context(), "SELECT greeting FROM greetings WHERE name = ?", r.URL.Query().Get("name")).Scan(&greeting); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, greeting)
	})

	if !*selftest {
		log.Printf("serving on http://%s/hello?name=you", *addr)
		log.Fatal(http.ListenAndServe(*addr, mux))
	}

	os.Exit(selfTest(mux))
}

// selfTest serves one request on a free loopback port and prints the
// answer. (An aspect in testdata/webapp-aspects reports counts from here.)
//
//rtool:report
func selfTest(mux *http.ServeMux) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, mux)
	resp, err := http.Get("http://" + ln.Addr().String() + "/hello?name=rtool")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %s", resp.StatusCode, body)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
