// Command caddybench is caddy's own cmd/caddy/main.go (v2.11.9): the caddy
// server with its standard modules, about a thousand packages. scripts/bench
// builds it, plain and through rtool, to measure a large whole build.
package main

import (
	_ "time/tzdata"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	// plug in Caddy modules here
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func main() {
	caddycmd.Main()
}
