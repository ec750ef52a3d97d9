package support

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// field is one decoded protobuf field: a varint or fixed64 value, or
// bytes (a string or an embedded message).
type field struct {
	num   int
	wire  int
	value uint64
	bytes []byte
}

// decode reads a message's fields, failing the test on malformed input:
// a minimal reader of the wire format, independent of the encoder.
func decode(t *testing.T, b []byte) []field {
	t.Helper()
	var out []field
	varint := func() uint64 {
		var v uint64
		for shift := 0; ; shift += 7 {
			if len(b) == 0 || shift > 63 {
				t.Fatalf("truncated varint")
			}
			c := b[0]
			b = b[1:]
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return v
			}
		}
	}
	for len(b) > 0 {
		tag := varint()
		f := field{num: int(tag >> 3), wire: int(tag & 7)}
		switch f.wire {
		case wireVarint:
			f.value = varint()
		case wireFixed64:
			if len(b) < 8 {
				t.Fatalf("truncated fixed64")
			}
			for i := 7; i >= 0; i-- {
				f.value = f.value<<8 | uint64(b[i])
			}
			b = b[8:]
		case wireBytes:
			n := varint()
			if uint64(len(b)) < n {
				t.Fatalf("field %d: length %d beyond the %d bytes left", f.num, n, len(b))
			}
			f.bytes, b = b[:n], b[n:]
		default:
			t.Fatalf("wire type %d", f.wire)
		}
		out = append(out, f)
	}
	return out
}

func only(t *testing.T, fs []field, num int) field {
	t.Helper()
	var found []field
	for _, f := range fs {
		if f.num == num {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("field %d occurs %d times, want once", num, len(found))
	}
	return found[0]
}

func all(fs []field, num int) (out []field) {
	for _, f := range fs {
		if f.num == num {
			out = append(out, f)
		}
	}
	return out
}

// attrs decodes KeyValue messages into key → value (string, int64, bool
// or float64).
func attrs(t *testing.T, fs []field) map[string]any {
	out := map[string]any{}
	for _, f := range fs {
		kv := decode(t, f.bytes)
		key := string(only(t, kv, fieldKeyValueKey).bytes)
		v := decode(t, only(t, kv, fieldKeyValueValue).bytes)
		if len(v) != 1 {
			t.Fatalf("%s: %d values", key, len(v))
		}
		switch v[0].num {
		case fieldAnyString:
			out[key] = string(v[0].bytes)
		case fieldAnyInt:
			out[key] = int64(v[0].value)
		case fieldAnyBool:
			out[key] = v[0].value == 1
		case fieldAnyDouble:
			out[key] = math.Float64frombits(v[0].value)
		default:
			t.Fatalf("%s: value field %d", key, v[0].num)
		}
	}
	return out
}

func TestEncodeOTLPProto(t *testing.T) {
	long := strings.Repeat("x", 20000) // lengths of two and three varint bytes
	parent := &Span{TraceID: TraceID{1, 2, 3}, SpanID: SpanID{9}, Parent: SpanID{}, Name: "GET /items/{id}", Kind: KindServer,
		StartNano: 1700000000000000000, EndNano: 1700000000500000000, Status: StatusError, Message: "boom",
		Attrs:  []Attr{String("http.route", "/items/{id}"), Int("http.response.status_code", 500), Int("neg", -3), Bool("ok", true), Bool("no", false), Float("ratio", 0.25), String("empty", ""), String("long", long)},
		Events: []Event{{Name: "exception", TimeNano: 1700000000400000000, Attrs: []Attr{String("exception.message", "boom")}}}}
	child := &Span{TraceID: TraceID{1, 2, 3}, SpanID: SpanID{10}, Parent: SpanID{9}, Name: "SELECT", Kind: KindClient, State: "k=v", StartNano: 5, EndNano: 6}
	body := EncodeOTLPProto([]Attr{String("service.name", "svc")}, []*Span{parent, child})

	rs := decode(t, only(t, decode(t, body), fieldRequestResourceSpans).bytes)
	res := decode(t, only(t, rs, fieldResourceSpansResource).bytes)
	if got := attrs(t, all(res, fieldResourceAttributes)); got["service.name"] != "svc" || len(got) != 1 {
		t.Errorf("resource attributes %v", got)
	}
	ss := decode(t, only(t, rs, fieldResourceSpansScopeSpans).bytes)
	scope := decode(t, only(t, ss, fieldScopeSpansScope).bytes)
	if n, v := string(only(t, scope, fieldScopeName).bytes), string(only(t, scope, fieldScopeVersion).bytes); n != "rtool" || v != Version {
		t.Errorf("scope %q %q", n, v)
	}
	spans := all(ss, fieldScopeSpansSpans)
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}

	p := decode(t, spans[0].bytes)
	if !bytes.Equal(only(t, p, fieldSpanTraceID).bytes, parent.TraceID[:]) || !bytes.Equal(only(t, p, fieldSpanSpanID).bytes, parent.SpanID[:]) {
		t.Errorf("ids")
	}
	if len(all(p, fieldSpanParentSpanID)) != 0 || len(all(p, fieldSpanTraceState)) != 0 {
		t.Errorf("a root span without trace state has neither field")
	}
	if string(only(t, p, fieldSpanName).bytes) != parent.Name || only(t, p, fieldSpanKind).value != uint64(KindServer) {
		t.Errorf("name or kind")
	}
	if only(t, p, fieldSpanStart).value != uint64(parent.StartNano) || only(t, p, fieldSpanEnd).value != uint64(parent.EndNano) {
		t.Errorf("times")
	}
	want := map[string]any{"http.route": "/items/{id}", "http.response.status_code": int64(500), "neg": int64(-3), "ok": true, "no": false, "ratio": 0.25, "empty": "", "long": long}
	got := attrs(t, all(p, fieldSpanAttributes))
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d attributes, want %d", len(got), len(want))
	}
	ev := decode(t, only(t, p, fieldSpanEvents).bytes)
	if string(only(t, ev, fieldEventName).bytes) != "exception" || only(t, ev, fieldEventTime).value != 1700000000400000000 ||
		attrs(t, all(ev, fieldEventAttributes))["exception.message"] != "boom" {
		t.Errorf("event")
	}
	st := decode(t, only(t, p, fieldSpanStatus).bytes)
	if only(t, st, fieldStatusCode).value != uint64(StatusError) || string(only(t, st, fieldStatusMessage).bytes) != "boom" {
		t.Errorf("status")
	}

	c := decode(t, spans[1].bytes)
	if !bytes.Equal(only(t, c, fieldSpanParentSpanID).bytes, child.Parent[:]) || string(only(t, c, fieldSpanTraceState).bytes) != "k=v" {
		t.Errorf("child's parent or trace state")
	}
	if len(all(c, fieldSpanStatus)) != 0 || len(all(c, fieldSpanAttributes)) != 0 || len(all(c, fieldSpanEvents)) != 0 {
		t.Errorf("unset status, no attributes, no events: no fields")
	}
}

// Attributes whose key, value and KeyValue lengths cross varint sizes:
// the lengths the encoder computes before writing are the real ones.
func TestEncodeOTLPProtoAttrLengths(t *testing.T) {
	for _, k := range []int{0, 1, 120, 127, 128, 16384} {
		for _, v := range []int{0, 1, 115, 120, 125, 126, 127, 128, 16370, 16380, 16383, 16384, 1 << 21} {
			key, val := strings.Repeat("k", k), strings.Repeat("v", v)
			s := &Span{TraceID: TraceID{1}, SpanID: SpanID{1}, Name: "n", Attrs: []Attr{String(key, val), Int(key, int64(v)-64), Float(key, 0.5), Bool(key, true)}}
			rs := decode(t, only(t, decode(t, EncodeOTLPProto(nil, []*Span{s})), fieldRequestResourceSpans).bytes)
			ss := decode(t, only(t, rs, fieldResourceSpansScopeSpans).bytes)
			kvs := all(decode(t, only(t, ss, fieldScopeSpansSpans).bytes), fieldSpanAttributes)
			if len(kvs) != 4 {
				t.Fatalf("key %d, value %d: %d attributes", k, v, len(kvs))
			}
			if k == 0 { // no key field: the value alone
				for i, num := range []int{fieldAnyString, fieldAnyInt, fieldAnyDouble, fieldAnyBool} {
					only(t, decode(t, only(t, decode(t, kvs[i].bytes), fieldKeyValueValue).bytes), num)
				}
				continue
			}
			if got := attrs(t, kvs[:1]); got[key] != val {
				t.Errorf("key %d, value %d: string value of %d bytes", k, v, len(got[key].(string)))
			}
			if got := attrs(t, kvs[1:2]); got[key] != int64(v)-64 {
				t.Errorf("key %d, value %d: int %v", k, v, got[key])
			}
		}
	}
}

// Messages of every length class around the reserved length byte.
func TestEncodeOTLPProtoLengths(t *testing.T) {
	for _, n := range []int{0, 1, 100, 120, 127, 128, 129, 200, 16383, 16384, 1 << 21} {
		s := &Span{TraceID: TraceID{1}, SpanID: SpanID{1}, Name: strings.Repeat("n", n), Kind: KindInternal}
		body := EncodeOTLPProto(nil, []*Span{s})
		rs := decode(t, only(t, decode(t, body), fieldRequestResourceSpans).bytes)
		ss := decode(t, only(t, rs, fieldResourceSpansScopeSpans).bytes)
		sp := decode(t, only(t, ss, fieldScopeSpansSpans).bytes)
		name := all(sp, fieldSpanName)
		if n == 0 && len(name) != 0 || n > 0 && len(name[0].bytes) != n {
			t.Fatalf("name of %d bytes decoded wrong", n)
		}
	}
}

func BenchmarkEncodeOTLPProto(b *testing.B) {
	spans := benchSpans()
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendOTLPProto(buf[:0], nil, spans)
	}
}

func BenchmarkEncodeOTLPJSON(b *testing.B) {
	spans := benchSpans()
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendOTLP(buf[:0], nil, spans)
	}
}

func benchSpans() []*Span {
	spans := make([]*Span, 512)
	for i := range spans {
		spans[i] = &Span{TraceID: TraceID{byte(i)}, SpanID: SpanID{1}, Name: "GET /items/{id}", Kind: KindServer, StartNano: 1, EndNano: 2,
			Attrs: []Attr{String("http.request.method", "GET"), String("url.path", "/items/42"), Int("http.response.status_code", 200)}}
	}
	return spans
}
