package support

import "context"

// One trace with the OpenTelemetry Go API (go.opentelemetry.io/otel/trace)
// in the same program: rtool's built-in aspects (rtool's
// src/aspect/builtin/otel.go) call these from inside that package, so that each
// side takes the other's spans as parents while both keep their own
// pipelines. This package never imports OpenTelemetry: ids cross as plain
// arrays.
//
// A context keeps at most one span per side. The OpenTelemetry API's
// ContextWithSpan also stores, under rtool's key, a placeholder: a *Span
// with the foreign span's ids and no recorder, never current, recorded or
// ended. So whichever span was put into a context last is what both sides
// find there: rtool's parentOf takes the placeholder as any other parent,
// and the OpenTelemetry API, finding a placeholder, answers with its own
// span.

// ContextWithForeignSpan returns ctx with the placeholder of the foreign
// span with these ids as rtool's span (an invalid one, all-zero ids,
// stores nil: the foreign side says "no span" there, and rtool then
// parents on the goroutine's current span). Nothing when tracing is off,
// and a nil ctx stays nil (the foreign code's own behaviour follows).
func ContextWithForeignSpan(ctx context.Context, tid [16]byte, sid [8]byte, sampled bool, state string) context.Context {
	if ctx == nil || current() == nil {
		return ctx
	}
	if TraceID(tid) == (TraceID{}) || SpanID(sid) == (SpanID{}) {
		return context.WithValue(ctx, ctxKey{}, (*Span)(nil))
	}
	return context.WithValue(ctx, ctxKey{}, &Span{TraceID: tid, SpanID: sid, Sampled: sampled, State: normalTraceState(state)})
}

// SpanForForeign is the rtool span that foreign code asking ctx for its
// span must get, or nil when the foreign API should answer by itself:
//   - ctx's nearest span is rtool's own (support.Start put it there): it;
//   - it is a placeholder or a stored nil: nil (the foreign span is nearer);
//   - ctx has no span of either side (every foreign span comes with a
//     placeholder): the goroutine's current span, if any.
//
// Nil when tracing is off or ctx is nil.
func SpanForForeign(ctx context.Context) *Span {
	if ctx == nil || current() == nil {
		return nil
	}
	switch v := ctx.Value(ctxKey{}).(type) {
	case nil:
		return CurrentSpan()
	case *Span:
		if v == nil || IsPlaceholder(v) {
			return nil
		}
		return v
	}
	return nil
}

// noSpan is a context in which rtool reports no span (a stored nil).
var noSpan = context.WithValue(context.Background(), ctxKey{}, (*Span)(nil))

// NoSpanContext returns a context in which SpanForForeign finds no span,
// whatever the goroutine's current span: the foreign API answers there by
// itself (the advice makes its span for an rtool span there, without
// recursion even when the advice of ContextWithSpan is switched off).
func NoSpanContext() context.Context { return noSpan }

// IsPlaceholder reports whether s stands for a foreign span (it has ids
// but no recorder: rtool never records, ends or makes it current).
func IsPlaceholder(s *Span) bool { return s != nil && s.recorder == nil }
