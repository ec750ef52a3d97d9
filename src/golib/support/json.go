package support

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// A small JSON writer for the OTLP JSON encoding (opentelemetry-proto's
// JSON mapping: ids as hex, 64-bit integers as decimal strings), so that
// the support library does not pull encoding/json and reflect into every
// instrumented program.

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
	}
	return append(b, '"')
}

func appendNanos(b []byte, t time.Time) []byte {
	return strconv.AppendInt(append(b, '"'), t.UnixNano(), 10)
}

func appendAttrs(b []byte, attrs []Attr) []byte {
	b = append(b, '[')
	for i, a := range attrs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		b = appendString(b, a.Key)
		b = append(b, `,"value":{`...)
		switch v := a.Value.(type) {
		case bool:
			b = strconv.AppendBool(append(b, `"boolValue":`...), v)
		case int64:
			b = append(strconv.AppendInt(append(b, `"intValue":"`...), v, 10), '"')
		case float64:
			b = strconv.AppendFloat(append(b, `"doubleValue":`...), v, 'g', -1, 64)
		case string:
			b = appendString(append(b, `"stringValue":`...), v)
		}
		b = append(b, "}}"...)
	}
	return append(b, ']')
}

// appendSpan writes one span as an OTLP JSON Span object.
func appendSpan(b []byte, s *Span) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b = append(b, `{"traceId":"`...)
	b = append(append(b, s.TraceID.String()...), `","spanId":"`...)
	b = append(append(b, s.SpanID.String()...), '"')
	if s.Parent != (SpanID{}) {
		b = append(append(append(b, `,"parentSpanId":"`...), s.Parent.String()...), '"')
	}
	if s.State != "" {
		b = appendString(append(b, `,"traceState":`...), s.State)
	}
	b = appendString(append(b, `,"name":`...), s.Name)
	b = strconv.AppendInt(append(b, `,"kind":`...), int64(s.Kind), 10)
	b = append(appendNanos(append(b, `,"startTimeUnixNano":`...), s.Start), '"')
	// The end from the monotonic duration, not a second wall-clock reading.
	b = append(appendNanos(append(b, `,"endTimeUnixNano":`...), s.Start.Add(s.EndTime.Sub(s.Start))), '"')
	b = appendAttrs(append(b, `,"attributes":`...), s.Attrs)
	b = append(b, `,"events":[`...)
	for i, e := range s.Events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendNanos(append(b, `{"timeUnixNano":`...), e.Time), '"')
		b = appendString(append(b, `,"name":`...), e.Name)
		b = append(appendAttrs(append(b, `,"attributes":`...), e.Attrs), '}')
	}
	b = strconv.AppendInt(append(b, `],"status":{"code":`...), int64(s.Status), 10)
	if s.Message != "" {
		b = appendString(append(b, `,"message":`...), s.Message)
	}
	return append(b, "}}"...)
}

// EncodeOTLP is an OTLP ExportTraceServiceRequest in JSON: the spans under
// one resource with the given attributes.
func EncodeOTLP(resource []Attr, spans []*Span) []byte {
	b := append([]byte(`{"resourceSpans":[{"resource":{"attributes":`), nil...)
	b = appendAttrs(b, resource)
	b = append(b, `},"scopeSpans":[{"scope":{"name":"rtool"},"spans":[`...)
	for i, s := range spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSpan(b, s)
	}
	return append(b, "]}]}]}"...)
}
