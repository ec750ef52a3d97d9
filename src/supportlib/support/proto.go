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

// appendStringField writes a string field (every string is written
// through validUTF8: OTLP's strings are UTF-8, whatever a program hands
// its spans).
func appendStringField(b []byte, field int, v string) []byte {
	if v == "" {
		return b
	}
	v = validUTF8(v)
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

// openMessage starts an embedded message: its tag, then `reserve` bytes
// for its length, as many as the length is expected to need (1: under 128
// bytes, 2: under 16 KiB, 3: under 2 MiB), so that closing it rarely moves
// its bytes. It returns where the message's bytes start.
func openMessage(b []byte, field, reserve int) ([]byte, int) {
	b = appendTag(b, field, wireBytes)
	for range reserve {
		b = append(b, 0)
	}
	return b, len(b)
}

// closeMessage writes the length of the message begun at start with
// `reserve` bytes reserved, moving its bytes along when the length needs
// more or fewer (a varint has one shortest form; decoders need not accept
// padded ones).
func closeMessage(b []byte, start, reserve int) []byte {
	n := len(b) - start
	need := varintLen(uint64(n))
	switch {
	case need > reserve:
		b = append(b, make([]byte, need-reserve)...) // grow (the append does not allocate when b has room)
		copy(b[start+need-reserve:], b[start:start+n])
	case need < reserve:
		copy(b[start-reserve+need:], b[start:start+n])
		b = b[:len(b)-(reserve-need)]
	}
	appendVarint(b[start-reserve:start-reserve], uint64(n))
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
		switch a.kind {
		case kindBool:
			b = appendKeyValue(b, field, a.Key, 2)
			b = append(appendTag(b, fieldAnyBool, wireVarint), byte(a.num))
		case kindInt:
			b = appendProtoInt(b, field, a.Key, int64(a.num))
		case kindFloat:
			b = appendKeyValue(b, field, a.Key, 9)
			b = appendFixed64Field(b, fieldAnyDouble, a.num) // float64 bits
		default:
			b = appendProtoString(b, field, a.Key, a.str)
		}
	}
	return b
}

// appendKeyValue opens a KeyValue message whose AnyValue's contents are
// `value` bytes long, and writes its key: the caller writes the value.
func appendKeyValue(b []byte, field int, key string, value int) []byte {
	key = validUTF8(key)
	kv := 1 + varintLen(uint64(value)) + value
	if key != "" {
		kv += 1 + varintLen(uint64(len(key))) + len(key)
	}
	b = appendVarint(appendTag(b, field, wireBytes), uint64(kv))
	b = appendStringField(b, fieldKeyValueKey, key)
	return appendVarint(appendTag(b, fieldKeyValueValue, wireBytes), uint64(value))
}

// appendProtoString writes a string attribute (written even when empty:
// the value is then known to be a string).
func appendProtoString(b []byte, field int, key, v string) []byte {
	v = validUTF8(v)
	b = appendKeyValue(b, field, key, 1+varintLen(uint64(len(v)))+len(v))
	b = appendVarint(appendTag(b, fieldAnyString, wireBytes), uint64(len(v)))
	return append(b, v...)
}

// appendProtoInt writes an integer attribute (int64: two's complement).
func appendProtoInt(b []byte, field int, key string, v int64) []byte {
	b = appendKeyValue(b, field, key, 1+varintLen(uint64(v)))
	return appendVarint(appendTag(b, fieldAnyInt, wireVarint), uint64(v))
}

// appendProtoSpan writes one span as an embedded Span message.
func appendProtoSpan(b []byte, s *Span) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var start int
	b, start = openMessage(b, fieldScopeSpansSpans, 2)
	b = appendBytesField(b, fieldSpanTraceID, s.TraceID[:])
	b = appendBytesField(b, fieldSpanSpanID, s.SpanID[:])
	b = appendStringField(b, fieldSpanTraceState, s.State)
	if s.Parent != (SpanID{}) {
		b = appendBytesField(b, fieldSpanParentSpanID, s.Parent[:])
	}
	if name, route := s.exportName(); route == "" {
		b = appendStringField(b, fieldSpanName, name)
	} else {
		name, route = validUTF8(name), validUTF8(route)
		b = appendVarint(appendTag(b, fieldSpanName, wireBytes), uint64(len(name)+1+len(route)))
		b = append(append(append(b, name...), ' '), route...)
	}
	b = appendVarintField(b, fieldSpanKind, uint64(s.Kind))
	b = appendFixed64Field(b, fieldSpanStart, uint64(s.StartNano))
	b = appendFixed64Field(b, fieldSpanEnd, uint64(s.EndNano))
	if s.http != nil {
		b = s.http.appendProto(b, fieldSpanAttributes)
	}
	b = appendProtoAttrs(b, fieldSpanAttributes, s.Attrs)
	for _, e := range s.Events {
		var ev int
		b, ev = openMessage(b, fieldSpanEvents, 1)
		b = appendFixed64Field(b, fieldEventTime, uint64(e.TimeNano))
		b = appendStringField(b, fieldEventName, e.Name)
		b = appendProtoAttrs(b, fieldEventAttributes, e.Attrs)
		b = closeMessage(b, ev, 1)
	}
	if s.Status != StatusUnset || s.Message != "" {
		var st int
		b, st = openMessage(b, fieldSpanStatus, 1)
		b = appendStringField(b, fieldStatusMessage, s.Message)
		b = appendVarintField(b, fieldStatusCode, uint64(s.Status))
		b = closeMessage(b, st, 1)
	}
	return closeMessage(b, start, 2)
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
	b, rs = openMessage(b, fieldRequestResourceSpans, 3)
	b, res = openMessage(b, fieldResourceSpansResource, 1)
	b = appendProtoAttrs(b, fieldResourceAttributes, resource)
	b = closeMessage(b, res, 1)
	b, ss = openMessage(b, fieldResourceSpansScopeSpans, 3)
	b, scope = openMessage(b, fieldScopeSpansScope, 1)
	b = appendStringField(b, fieldScopeName, "rtool")
	b = appendStringField(b, fieldScopeVersion, Version)
	b = closeMessage(b, scope, 1)
	for _, s := range spans {
		b = appendProtoSpan(b, s)
	}
	b = closeMessage(b, ss, 3)
	return closeMessage(b, rs, 3)
}
