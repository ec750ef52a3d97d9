//go:build rtool

// A realistic aspect set for the bundled example (testdata/webapp), used by
// scripts/bench and testdata/script/webapp-aspects.txtar: it counts HTTP
// requests served and sent inside net/http itself, database/sql queries
// inside database/sql, and reports the counts from a function of main
// marked //rtool:report.
package aspects

import (
	"database/sql"
	"net/http"
	"sync/atomic"
)

//rtool:aspect http-counters
//rtool:where package(net/http)
//rtool:inject
var rtoolServed, rtoolSent atomic.Int64

// RtoolStats reports the requests served and sent so far.
func RtoolStats() (served, sent int64) { return rtoolServed.Load(), rtoolSent.Load() }

//rtool:aspect http-server
//rtool:where package(net/http) && function(name=ServeHTTP, receiver=serverHandler)
//rtool:prepend
func _() { rtoolServed.Add(1) }

//rtool:aspect http-client
//rtool:where package(net/http) && function(name=send, receiver=none)
//rtool:prepend
func _() { rtoolSent.Add(1) }

//rtool:aspect sql-counters
//rtool:where package(database/sql)
//rtool:inject
var rtoolQueries atomic.Int64

// RtoolQueries reports the queries, statements and transactions begun.
func RtoolQueries() int64 { return rtoolQueries.Load() }

//rtool:aspect sql-calls
//rtool:where package(database/sql) && function(name=*Context, receiver=*DB) || package(database/sql) && function(name=BeginTx, receiver=*DB)
//rtool:prepend
func _() { rtoolQueries.Add(1) }

//rtool:aspect report
//rtool:where main-module && package-name(main) && directive(rtool:report)
//rtool:prepend
func _() {
	defer func() {
		served, sent := http.RtoolStats()
		println("rtool: served", served, "sent", sent, "sql calls", sql.RtoolQueries())
	}()
}
