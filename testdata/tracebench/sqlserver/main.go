// The server of scripts/bench's database/sql throughput comparison: the
// route of testdata/tracebench, whose handler makes one database/sql query
// per request (to memdb, an in-memory driver: the query costs next to
// nothing, so what is measured is the server and its tracing), built
// plainly and with rtool (whose built-in net/http and database/sql tracing
// then covers it). It prints its address and serves until killed.
package main

import (
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"

	_ "example.com/webapp/memdb"
)

func main() {
	db, err := sql.Open("memdb", "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		var name string
		if err := db.QueryRowContext(r.Context(), "SELECT greeting FROM items WHERE id = ?", id).Scan(&name); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"id\":%d,\"name\":%q}\n", id, name)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(l.Addr())
	http.Serve(l, mux)
}
