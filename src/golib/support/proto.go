package support

// The OTLP protobuf encoding of an ExportTraceServiceRequest, written by
// hand (opentelemetry-proto's trace.proto, common.proto, resource.proto):
// the support library stays free of generated code and of any protobuf
// runtime. Fields at their default value are left out, as proto3 does.

// Field numbers of opentelemetry.proto messages, as the encoder uses them.
const (
	fieldRequestResourceSpans = 1 // ExportTraceServiceRequest

	fieldResourceSpansResource   = 1 // ResourceSpans
	fieldResourceSpansScopeSpans = 2

	fieldResourceAttributes = 1 // Resource

	fieldScopeSpansScope = 1 // ScopeSpans
	fieldScopeSpansSpans = 2

	fieldScopeName    = 1 // InstrumentationScope
	fieldScopeVersion = 2

	fieldSpanTraceID      = 1 // Span
	fieldSpanSpanID       = 2
	fieldSpanTraceState   = 3
	fieldSpanParentSpanID = 4
	fieldSpanName         = 5
	fieldSpanKind         = 6
	fieldSpanStart        = 7
	fieldSpanEnd          = 8
	fieldSpanAttributes   = 9
	fieldSpanEvents       = 11
	fieldSpanStatus       = 15

	fieldEventTime       = 1 // Span.Event
	fieldEventName       = 2
	fieldEventAttributes = 3

	fieldStatusMessage = 2 // Status (field 1 is reserved)
	fieldStatusCode    = 3

	fieldKeyValueKey   = 1 // KeyValue
	fieldKeyValueValue = 2

	fieldAnyString = 1 // AnyValue's oneof
	fieldAnyBool   = 2
	fieldAnyInt    = 3
	fieldAnyDouble = 4
)

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
)

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field, wire int) []byte {
	return appendVarint(b, uint64(field)<<3|uint64(wire))
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = appendVarint(appendTag(b, field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

func appendStringField(b []byte, field int, v string) []byte {
	if v == "" {
		return b
	}
	b = appendVarint(appendTag(b, field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

func appendVarintField(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendVarint(appendTag(b, field, wireVarint), v)
}

func appendFixed64Field(b []byte, field int, v uint64) []byte {
	b = appendTag(b, field, wireFixed64)
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
}

// openMessage starts an embedded message: its tag, then one byte reserved
// for its length, which fits messages under 128 bytes (most attributes
// and events). It returns where the message's bytes start.
func openMessage(b []byte, field int) ([]byte, int) {
	b = append(appendTag(b, field, wireBytes), 0)
	return b, len(b)
}

// closeMessage writes the length of the message begun at start, moving
// its bytes along when the length needs more than the reserved byte.
func closeMessage(b []byte, start int) []byte {
	n := len(b) - start
	if n < 0x80 {
		b[start-1] = byte(n)
		return b
	}
	var lenBuf [10]byte
	l := appendVarint(lenBuf[:0], uint64(n))
	extra := len(l) - 1
	b = append(b, lenBuf[:extra]...) // grow by the extra length bytes
	copy(b[start+extra:], b[start:start+n])
	copy(b[start-1:], l)
	return b
}

// varintLen is the number of bytes appendVarint writes for v.
func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendProtoAttrs writes each attribute as a KeyValue message. The
// lengths are known before writing (a KeyValue holds an AnyValue holding
// one scalar), so nothing is moved afterwards: attributes are most of what
// a span's encoding costs.
func appendProtoAttrs(b []byte, field int, attrs []Attr) []byte {
	for _, a := range attrs {
		var value int // the AnyValue's length
		switch a.kind {
		case kindBool:
			value = 2
		case kindInt:
			value = 1 + varintLen(a.num) // int64: two's complement
		case kindFloat:
			value = 9
		default:
			// Written even when empty: the value is then known to be a string.
			value = 1 + varintLen(uint64(len(a.str))) + len(a.str)
		}
		key := 1 + varintLen(uint64(len(a.Key))) + len(a.Key)
		if a.Key == "" {
			key = 0
		}
		b = appendVarint(appendTag(b, field, wireBytes), uint64(key+1+varintLen(uint64(value))+value))
		b = appendStringField(b, fieldKeyValueKey, a.Key)
		b = appendVarint(appendTag(b, fieldKeyValueValue, wireBytes), uint64(value))
		switch a.kind {
		case kindBool:
			b = append(appendTag(b, fieldAnyBool, wireVarint), byte(a.num))
		case kindInt:
			b = appendVarint(appendTag(b, fieldAnyInt, wireVarint), a.num)
		case kindFloat:
			b = appendFixed64Field(b, fieldAnyDouble, a.num) // float64 bits
		default:
			b = appendVarint(appendTag(b, fieldAnyString, wireBytes), uint64(len(a.str)))
			b = append(b, a.str...)
		}
	}
	return b
}

// appendProtoSpan writes one span as an embedded Span message.
func appendProtoSpan(b []byte, s *Span) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var start int
	b, start = openMessage(b, fieldScopeSpansSpans)
	b = appendBytesField(b, fieldSpanTraceID, s.TraceID[:])
	b = appendBytesField(b, fieldSpanSpanID, s.SpanID[:])
	b = appendStringField(b, fieldSpanTraceState, s.State)
	if s.Parent != (SpanID{}) {
		b = appendBytesField(b, fieldSpanParentSpanID, s.Parent[:])
	}
	if name, route := s.exportName(); route == "" {
		b = appendStringField(b, fieldSpanName, name)
	} else {
		b = appendVarint(appendTag(b, fieldSpanName, wireBytes), uint64(len(name)+1+len(route)))
		b = append(append(append(b, name...), ' '), route...)
	}
	b = appendVarintField(b, fieldSpanKind, uint64(s.Kind))
	b = appendFixed64Field(b, fieldSpanStart, uint64(s.StartNano))
	b = appendFixed64Field(b, fieldSpanEnd, uint64(s.EndNano))
	var scratch [12]Attr // on the stack
	b = appendProtoAttrs(b, fieldSpanAttributes, s.exportAttrs(scratch[:0]))
	for _, e := range s.Events {
		var ev int
		b, ev = openMessage(b, fieldSpanEvents)
		b = appendFixed64Field(b, fieldEventTime, uint64(e.TimeNano))
		b = appendStringField(b, fieldEventName, e.Name)
		b = appendProtoAttrs(b, fieldEventAttributes, e.Attrs)
		b = closeMessage(b, ev)
	}
	if s.Status != StatusUnset || s.Message != "" {
		var st int
		b, st = openMessage(b, fieldSpanStatus)
		b = appendStringField(b, fieldStatusMessage, s.Message)
		b = appendVarintField(b, fieldStatusCode, uint64(s.Status))
		b = closeMessage(b, st)
	}
	return closeMessage(b, start)
}

// EncodeOTLPProto is an OTLP ExportTraceServiceRequest in the protobuf
// encoding: the spans under one resource with the given attributes and
// one instrumentation scope, rtool's.
func EncodeOTLPProto(resource []Attr, spans []*Span) []byte {
	return AppendOTLPProto(make([]byte, 0, 256+200*len(spans)), resource, spans)
}

// AppendOTLPProto is EncodeOTLPProto appending to b (the exporter reuses
// one buffer: a batch's encoding is not garbage for every batch).
func AppendOTLPProto(b []byte, resource []Attr, spans []*Span) []byte {
	var rs, res, ss, scope int
	b, rs = openMessage(b, fieldRequestResourceSpans)
	b, res = openMessage(b, fieldResourceSpansResource)
	b = appendProtoAttrs(b, fieldResourceAttributes, resource)
	b = closeMessage(b, res)
	b, ss = openMessage(b, fieldResourceSpansScopeSpans)
	b, scope = openMessage(b, fieldScopeSpansScope)
	b = appendStringField(b, fieldScopeName, "rtool")
	b = appendStringField(b, fieldScopeVersion, Version)
	b = closeMessage(b, scope)
	for _, s := range spans {
		b = appendProtoSpan(b, s)
	}
	b = closeMessage(b, ss)
	return closeMessage(b, rs)
}
