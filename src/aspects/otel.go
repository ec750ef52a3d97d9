//go:build rtool

// One trace with the OpenTelemetry Go API: instrumented inside
// go.opentelemetry.io/otel/trace (the API every SDK, bridge and
// instrumentation library goes through), using only its exported surface.
// Spans the OpenTelemetry API starts under an rtool span are its children,
// and rtool spans started under an OpenTelemetry span are that span's;
// each side keeps exporting through its own pipeline, joined by trace and
// span ids and the sampled flag. Nothing is changed while rtool's tracing
// is off. The three aspects make sense together (RTOOL_DISABLE=builtin.otel
// switches them off), but each works alone. See rtool.invalid/support's
// foreign.go.
package aspects

import "rtool.invalid/support"

// A span put into a context also becomes rtool's parent there (a
// placeholder with its ids), so that rtool spans started with that context
// (an HTTP client request, a database call) are its children.
//
//rtool:aspect builtin.otel-context
//rtool:where package(go.opentelemetry.io/otel/trace) && function(name=ContextWithSpan, receiver=none)
//rtool:prepend
func _() {
	if support.Enabled() {
		if RtoolParam1 == nil {
			RtoolParam0 = support.ContextWithForeignSpan(RtoolParam0, [16]byte{}, [8]byte{}, false, "")
		} else {
			rtoolSC := RtoolParam1.SpanContext()
			RtoolParam0 = support.ContextWithForeignSpan(RtoolParam0, rtoolSC.TraceID(), rtoolSC.SpanID(), rtoolSC.IsSampled(), rtoolSC.TraceState().String())
		}
	}
}

// The span of a context whose nearest span is rtool's, or of a context
// with no span while an rtool span is current on the goroutine (a handler
// under rtool's server span, a //rtool:span function), is that rtool span,
// as a non-recording span: new spans become its children. (The span is
// made in a context where rtool reports no span, so the inner call
// answers by itself.)
//
//rtool:aspect builtin.otel-span
//rtool:where package(go.opentelemetry.io/otel/trace) && function(name=SpanFromContext, receiver=none)
//rtool:prepend
func _() {
	if rtoolSpan := support.SpanForForeign(RtoolParam0); rtoolSpan != nil {
		rtoolCfg := SpanContextConfig{TraceID: TraceID(rtoolSpan.TraceID), SpanID: SpanID(rtoolSpan.SpanID)}
		if rtoolSpan.Sampled {
			rtoolCfg.TraceFlags = FlagsSampled
		}
		if rtoolTS, err := ParseTraceState(rtoolSpan.State); err == nil {
			rtoolCfg.TraceState = rtoolTS
		}
		return SpanFromContext(ContextWithSpanContext(support.NoSpanContext(), NewSpanContext(rtoolCfg)))
	}
}

// The same for the span context alone (the SDK reads a new span's parent
// and its sampler's input here), without making a span.
//
//rtool:aspect builtin.otel-spancontext
//rtool:where package(go.opentelemetry.io/otel/trace) && function(name=SpanContextFromContext, receiver=none)
//rtool:prepend
func _() {
	if rtoolSpan := support.SpanForForeign(RtoolParam0); rtoolSpan != nil {
		rtoolCfg := SpanContextConfig{TraceID: TraceID(rtoolSpan.TraceID), SpanID: SpanID(rtoolSpan.SpanID)}
		if rtoolSpan.Sampled {
			rtoolCfg.TraceFlags = FlagsSampled
		}
		if rtoolTS, err := ParseTraceState(rtoolSpan.State); err == nil {
			rtoolCfg.TraceState = rtoolTS
		}
		return NewSpanContext(rtoolCfg)
	}
}
