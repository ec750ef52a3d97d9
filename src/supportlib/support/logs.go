package support

import "context"

// Log correlation: rtool's built-in aspects inside log/slog (rtool's
// src/aspect/builtin/slog.go) add the trace_id and span_id of this span to every
// record logged while it is current.

// LogSpan is the span a log call made with ctx belongs to: the span ctx
// carries (an OpenTelemetry API span's placeholder included, see
// foreign.go), else the goroutine's current span. Nil when tracing is off
// or there is none, so that logging outside spans gains nothing.
func LogSpan(ctx context.Context) *Span {
	if current() == nil {
		return nil
	}
	return parentOf(ctx)
}
