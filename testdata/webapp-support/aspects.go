//go:build rtool && ignore

// The injection benchmark's aspect set (scripts/bench (e)): every net/http
// handler, however registered, calls rtool's support library, because the
// definition that runs them (serverHandler.ServeHTTP) is instrumented; main
// reports the count from its function marked //rtool:report.
package aspects

import "rtool.invalid/support"

//rtool:aspect handler-hits
//rtool:where package(net/http) && function(name=ServeHTTP, receiver=serverHandler)
//rtool:prepend
func _() { support.Hit() }

//rtool:aspect report-hits
//rtool:where main-module && package-name(main) && directive(rtool:report)
//rtool:prepend
func _() { defer func() { println("rtool: handler hits", support.Hits()) }() }
