//go:build rtool

// Built-in aspects, embedded in rtool and written in the format of user
// aspect files. `rtool aspects` lists them; RTOOL_DISABLE=ID switches one
// off.
package aspects

// A function or function literal marked //rtool:log-enter prints its name
// to stderr (with the builtin println, so no import is needed) each time it
// is entered. Not in the standard library, so that its compiles pay
// nothing for this aspect.
//
//rtool:aspect builtin.log-enter
//rtool:where !std && directive(rtool:log-enter)
//rtool:prepend
func _() {
	println("rtool: enter", RtoolPackage+"."+RtoolFuncName)
}
