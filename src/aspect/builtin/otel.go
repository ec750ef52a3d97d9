//go:build rtool

// One trace with the OpenTelemetry Go API: instrumented inside
// go.opentelemetry.io/otel/trace (the API every SDK, bridge and
// instrumentation library goes through), using only its exported surface.
// Spans the OpenTelemetry API starts under an rtool span are its children,
// and rtool spans started under an OpenTelemetry span are that span's;
// each side keeps exporting through its own pipeline, joined by trace and
// span ids and the sampled flag. Nothing is changed while rtool's tracing
// is off. The aspects make sense together (RTOOL_DISABLE=builtin.otel
// switches them off), but each of the three join points works alone
// (otel-span and otel-spancontext with otel-helpers). See rtool.invalid/support's
// foreign.go.
package aspects

import "rtool.invalid/support"

// rtoolSpanContext is an rtool span's ids, sampled flag and trace state as
// the OpenTelemetry API's span context.
//
//rtool:aspect builtin.otel-helpers
//rtool:where package(go.opentelemetry.io/otel/trace)
//rtool:inject
func rtoolSpanContext(s *support.Span) SpanContext {
	cfg := SpanContextConfig{TraceID: TraceID(s.TraceID), SpanID: SpanID(s.SpanID)}
	if s.Sampled {
		cfg.TraceFlags = FlagsSampled
	}
	if ts, err := ParseTraceState(s.State); err == nil {
		cfg.TraceState = ts
	}
	return NewSpanContext(cfg)
}

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
		return SpanFromContext(ContextWithSpanContext(support.NoSpanContext(), rtoolSpanContext(rtoolSpan)))
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
		return rtoolSpanContext(rtoolSpan)
	}
}
