package support

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// A small JSON writer for the OTLP JSON encoding (opentelemetry-proto's
// JSON mapping: ids as hex, 64-bit integers as decimal strings), so that
// the support library does not pull encoding/json and reflect into every
// instrumented program.

func appendString(b []byte, s string) []byte {
	return append(appendStringBody(append(b, '"'), s), '"')
}

// appendStringBody is s escaped as a JSON string's contents, unquoted.
func appendStringBody(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		// Runs of plain ASCII are copied whole.
		j := i
		for j < len(s) && s[j] >= 0x20 && s[j] < utf8.RuneSelf && s[j] != '"' && s[j] != '\\' {
			j++
		}
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&15])
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				// A run of bytes that are not UTF-8 is one U+FFFD, as
				// strings.ToValidUTF8 (validUTF8, for protobuf) has it.
				b = append(b, `\ufffd`...)
				for i++; i < len(s) && invalidAt(s, i); i++ {
				}
				continue
			}
			b = append(b, s[i:i+n]...)
			i += n
		}
	}
	return b
}

// invalidAt: s[i:] does not start with a UTF-8 character.
func invalidAt(s string, i int) bool {
	r, n := utf8.DecodeRuneInString(s[i:])
	return r == utf8.RuneError && n == 1
}

func appendHex(b, id []byte) []byte {
	for _, c := range id {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

func appendNanos(b []byte, ns int64) []byte {
	return strconv.AppendInt(append(b, '"'), ns, 10)
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
		switch a.kind {
		case kindBool:
			b = strconv.AppendBool(append(b, `"boolValue":`...), a.num == 1)
		case kindInt:
			b = append(strconv.AppendInt(append(b, `"intValue":"`...), int64(a.num), 10), '"')
		case kindFloat:
			b = strconv.AppendFloat(append(b, `"doubleValue":`...), math.Float64frombits(a.num), 'g', -1, 64)
		default:
			b = appendString(append(b, `"stringValue":`...), a.str)
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
	b = append(appendHex(b, s.TraceID[:]), `","spanId":"`...)
	b = append(appendHex(b, s.SpanID[:]), '"')
	if s.Parent != (SpanID{}) {
		b = append(appendHex(append(b, `,"parentSpanId":"`...), s.Parent[:]), '"')
	}
	if s.State != "" {
		b = appendString(append(b, `,"traceState":`...), s.State)
	}
	if name, route := s.exportName(); route == "" {
		b = appendString(append(b, `,"name":`...), name)
	} else {
		b = append(appendStringBody(append(appendStringBody(append(b, `,"name":"`...), name), ' '), route), '"')
	}
	b = strconv.AppendInt(append(b, `,"kind":`...), int64(s.Kind), 10)
	b = append(appendNanos(append(b, `,"startTimeUnixNano":`...), s.StartNano), '"')
	// The end from the monotonic duration, not a second wall-clock reading.
	b = append(appendNanos(append(b, `,"endTimeUnixNano":`...), s.EndNano), '"')
	var scratch [12]Attr // on the stack
	b = appendAttrs(append(b, `,"attributes":`...), s.exportAttrs(scratch[:0]))
	b = append(b, `,"events":[`...)
	for i, e := range s.Events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendNanos(append(b, `{"timeUnixNano":`...), e.TimeNano), '"')
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
// one resource with the given attributes and one instrumentation scope,
// rtool's (name rtool, version Version).
func EncodeOTLP(resource []Attr, spans []*Span) []byte { return AppendOTLP(nil, resource, spans) }

// AppendOTLP is EncodeOTLP appending to b.
func AppendOTLP(b []byte, resource []Attr, spans []*Span) []byte {
	b = append(b, `{"resourceSpans":[{"resource":{"attributes":`...)
	b = appendAttrs(b, resource)
	b = appendString(append(b, `},"scopeSpans":[{"scope":{"name":"rtool","version":`...), Version)
	b = append(b, `},"spans":[`...)
	for i, s := range spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSpan(b, s)
	}
	return append(b, "]}]}]}"...)
}
