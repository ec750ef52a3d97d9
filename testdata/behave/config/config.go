// Package config logs from its init(), as configuration packages do: its
// import path sorts before the support library's, so its init runs first
// (issue 19, finding 3). Log flags are cleared first so that the default
// logger's output has no time stamp.
package config

import (
	"log"
	"log/slog"
)

// Items is what the configuration "loaded".
var Items int

func init() {
	log.SetFlags(0)
	slog.Debug("config: loading")
	Items = 3
	slog.Info("config: loaded", "items", Items)
}
