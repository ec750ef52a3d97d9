//go:build rtool

// Built-in log correlation for log/slog: instrumented inside log/slog, so
// every Logger (the default one included) and every handler (JSON, text,
// custom) is covered.
package aspects

import "rtool.invalid/support"

// A record logged through a Logger while a span is current (the span of
// the context passed to the call, else the goroutine's current span) gets
// the attributes trace_id and span_id (lowercase hex, as OpenTelemetry's
// log correlation names them), after the call's own. Only when tracing is
// on and a span is current, and only for records the handler is enabled
// for (it is asked a second time then); otherwise a check costs nothing
// else. The caller's argument slice is never written to.
//
//rtool:aspect builtin.slog-args
//rtool:where std && package(log/slog) && function(name=log, receiver=*Logger)
//rtool:prepend
func _() {
	if rtoolSpan := support.LogSpan(RtoolParam0); rtoolSpan != nil && RtoolReceiver.Enabled(RtoolParam0, RtoolParam1) {
		RtoolParam3 = append(RtoolParam3[:len(RtoolParam3):len(RtoolParam3)], String("trace_id", rtoolSpan.TraceID.String()), String("span_id", rtoolSpan.SpanID.String()))
	}
}

// The same for LogAttrs and the other ...Attr entry points.
//
//rtool:aspect builtin.slog-attrs
//rtool:where std && package(log/slog) && function(name=logAttrs, receiver=*Logger)
//rtool:prepend
func _() {
	if rtoolSpan := support.LogSpan(RtoolParam0); rtoolSpan != nil && RtoolReceiver.Enabled(RtoolParam0, RtoolParam1) {
		RtoolParam3 = append(RtoolParam3[:len(RtoolParam3):len(RtoolParam3)], String("trace_id", rtoolSpan.TraceID.String()), String("span_id", rtoolSpan.SpanID.String()))
	}
}
