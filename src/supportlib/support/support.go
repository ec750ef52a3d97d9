// Package support is rtool's Go support library: code that injected advice
// calls, importable as "rtool.invalid/support" without any go.mod change.
// It depends on the standard library only. rtool embeds these sources and
// compiles them with the build's own toolchain and flags.
package support

import "sync/atomic"

var hits atomic.Int64

// Hit records one pass through an instrumented place and returns how many
// there have been.
func Hit() int64 { return hits.Add(1) }

// Hits reports how many passes Hit has recorded.
func Hits() int64 { return hits.Load() }
