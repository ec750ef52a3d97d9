//go:build rtool

// Built-in tracing of marked functions.
package aspects

import (
	"rtool.invalid/support"
	"rtool.invalid/support/otlp"
)

// A function, method or function literal marked
//
//	//rtool:span [NAME] [params=p1,p2]
//
// runs in a span named NAME (default: the function's name, as in
// `(*Store).Get`), the child of the goroutine's current span, with the
// listed parameters as attributes. A panic is recorded, never recovered:
// it goes on as without rtool. Not
// in the standard library, so that its compiles do not search for the
// directive.
//
//rtool:aspect builtin.span
//rtool:where !std && directive(rtool:span)
//rtool:prepend
func _() {
	if otlp.Enabled() {
		rtoolSpan := support.StartFunc(RtoolArg_0, RtoolPackage, RtoolFuncName, RtoolArgParams_params)
		defer rtoolSpan.EndDeferred()
	}
}
