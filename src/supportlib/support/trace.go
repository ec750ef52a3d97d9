package support

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// TraceID and SpanID are W3C Trace Context identifiers.
type (
	TraceID [16]byte
	SpanID  [8]byte
)

func (t TraceID) String() string { return hexString(t[:]) }
func (s SpanID) String() string  { return hexString(s[:]) }

const hexDigits = "0123456789abcdef"

func hexString(b []byte) string {
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = hexDigits[c>>4], hexDigits[c&15]
	}
	return string(out)
}

// unhex decodes lowercase hex into dst; false if s is not that.
func unhex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	val := func(c byte) (byte, bool) {
		switch {
		case '0' <= c && c <= '9':
			return c - '0', true
		case 'a' <= c && c <= 'f':
			return c - 'a' + 10, true
		}
		return 0, false
	}
	for i := range dst {
		hi, ok1 := val(s[2*i])
		lo, ok2 := val(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// SpanKind says what role a span plays (OpenTelemetry's SpanKind).
type SpanKind int

const (
	KindInternal SpanKind = 1
	KindServer   SpanKind = 2
	KindClient   SpanKind = 3
	KindProducer SpanKind = 4
	KindConsumer SpanKind = 5
)

// StatusCode is a span's outcome (OpenTelemetry's Status code).
type StatusCode int

const (
	StatusUnset StatusCode = 0
	StatusOK    StatusCode = 1
	StatusError StatusCode = 2
)

// Attr is a span or event attribute: a key and a string, bool, int64 or
// float64 value, stored without boxing so that attributes cost no
// allocation of their own. The support library avoids fmt and reflect: it
// is linked into every instrumented program.
type Attr struct {
	Key  string
	kind valueKind
	str  string
	num  uint64 // int64, bool (0/1) or float64 bits
}

type valueKind uint8

const (
	kindString valueKind = iota
	kindInt
	kindBool
	kindFloat
)

// String, Int, Bool and Float make attributes.
func String(k, v string) Attr        { return Attr{Key: k, kind: kindString, str: v} }
func Int(k string, v int64) Attr     { return Attr{Key: k, kind: kindInt, num: uint64(v)} }
func Float(k string, v float64) Attr { return Attr{Key: k, kind: kindFloat, num: math.Float64bits(v)} }
func Bool(k string, v bool) Attr {
	a := Attr{Key: k, kind: kindBool}
	if v {
		a.num = 1
	}
	return a
}

// Any makes an attribute of any value: every integer type gives an
// integer (an unsigned value above math.MaxInt64, which OTLP's int64
// cannot hold, gives its decimal text instead of a wrong number), float32
// a float, errors and Stringers their text.
func Any(k string, v any) Attr {
	switch x := v.(type) {
	case string:
		return String(k, x)
	case bool:
		return Bool(k, x)
	case int:
		return Int(k, int64(x))
	case int8:
		return Int(k, int64(x))
	case int16:
		return Int(k, int64(x))
	case int32:
		return Int(k, int64(x))
	case int64:
		return Int(k, x)
	case uint:
		return unsigned(k, uint64(x))
	case uint8:
		return Int(k, int64(x))
	case uint16:
		return Int(k, int64(x))
	case uint32:
		return Int(k, int64(x))
	case uint64:
		return unsigned(k, x)
	case uintptr:
		return unsigned(k, uint64(x))
	case float64:
		return Float(k, x)
	case float32:
		return Float(k, float64(x))
	}
	return String(k, text(v))
}

func unsigned(k string, v uint64) Attr {
	if v > math.MaxInt64 {
		return String(k, strconv.FormatUint(v, 10))
	}
	return Int(k, int64(v))
}

// Value is the attribute's value: a string, bool, int64 or float64.
func (a Attr) Value() any {
	switch a.kind {
	case kindInt:
		return int64(a.num)
	case kindBool:
		return a.num == 1
	case kindFloat:
		return math.Float64frombits(a.num)
	}
	return a.str
}

// text is a value's text without fmt: strings, errors, Stringers and
// numbers; other values give a placeholder.
func text(v any) string {
	switch x := v.(type) {
	case nil: // panic(nil) under GODEBUG=panicnil=1
		return "nil"
	case string:
		return x
	case error:
		return x.Error()
	case interface{ String() string }:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "(value)"
}

// typeName names the common panic value types (without reflect): an
// error's as ErrorType does, falling back to "error".
func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case error:
		if t := ErrorType(x); t != ErrorTypeOther {
			return t
		}
		return "error"
	case int:
		return "int"
	}
	return "unknown"
}

// Event is something that happened during a span.
type Event struct {
	Name     string
	TimeNano int64 // Unix nanoseconds
	Attrs    []Attr
}

// Span is one operation of a trace. A span that is not sampled still
// carries its ids (so that children and remote calls follow the decision)
// but records nothing. Methods are safe on a nil *Span, and do nothing on
// a Span made without Start (no recorder: a parent that only names a
// span, such as one from another tracing API) and on an ended span.
type Span struct {
	TraceID TraceID
	SpanID  SpanID
	Parent  SpanID
	Name    string // an HTTP server span's route is added at export (exportName)
	Kind    SpanKind
	Sampled bool
	// Unix nanoseconds, read from a monotonic clock (nowNano).
	StartNano int64
	EndNano   int64
	Attrs     []Attr
	Events    []Event
	Status    StatusCode
	Message   string
	State     string // W3C tracestate, passed on as received
	mu        sync.Mutex
	ended     bool        // under mu: later changes are ignored
	done      atomic.Bool // End was called (read by any goroutine)
	recorder  *recorder
	// The span current when this one started on its goroutine: current
	// again after it ends, or the nearest of its prevs not yet ended.
	prev *Span
	// What an HTTP server span records (StartHTTPServer), if recording.
	http       *httpServerFacts
	httpServer bool // made by StartHTTPServer: SetHTTPRoute's target
	// Panics in flight on the starting goroutine when it began: a panic
	// begun later and unwinding the starting frame is its own (unwinding).
	panics int32
}

// live is s or the nearest of its prevs that has not ended; nil if none.
// A goroutine's current span is read through it, so that spans ended out
// of order or on another goroutine are never current, nor parents.
func live(s *Span) *Span {
	for s != nil && s.done.Load() {
		s = s.prev
	}
	return s
}

// Span times are a wall-clock base plus monotonic time since: one clock
// read per timestamp (time.Now reads two), and durations never go
// backwards.
var (
	clockBase     = time.Now()
	clockBaseNano = clockBase.UnixNano()
)

func nowNano() int64 { return clockBaseNano + int64(time.Since(clockBase)) }

type ctxKey struct{}

// ContextWithSpan returns ctx carrying s as the current span.
func ContextWithSpan(ctx context.Context, s *Span) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, ctxKey{}, s)
}

// SpanFromContext returns the span ctx carries, or nil.
func SpanFromContext(ctx context.Context) *Span {
	if ctx == nil {
		return nil
	}
	s, _ := ctx.Value(ctxKey{}).(*Span)
	return s
}

// Start begins a span, the child of the span ctx carries or else of this
// goroutine's current span (CurrentSpan), and makes it the current span
// until it ends. With no exporter configured it returns ctx and a nil span
// (whose methods do nothing).
func Start(ctx context.Context, name string, kind SpanKind, attrs ...Attr) (context.Context, *Span) {
	rec := current()
	if rec == nil {
		return ctx, nil
	}
	s := start(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", name, kind, attrs)
	return ContextWithSpan(ctx, s), s
}

// StartSpan is Start without a context: the parent is this goroutine's
// current span.
func StartSpan(name string, kind SpanKind, attrs ...Attr) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	return start(rec, CurrentSpan(), TraceID{}, SpanID{}, false, "", name, kind, attrs)
}

// StartRemote begins a span whose parent is the remote one named by a W3C
// traceparent header (and tracestate); an invalid or empty header makes it
// Start's.
func StartRemote(ctx context.Context, traceparent, tracestate, name string, kind SpanKind, attrs ...Attr) (context.Context, *Span) {
	rec := current()
	if rec == nil {
		return ctx, nil
	}
	tid, sid, sampled, state := remoteParent(traceparent, tracestate)
	if tid == (TraceID{}) {
		return Start(ctx, name, kind, attrs...)
	}
	s := start(rec, nil, tid, sid, sampled, state, name, kind, attrs)
	return ContextWithSpan(ctx, s), s
}

// parentOf is the span ctx carries (ended or not: passing a context is
// asking for that parent), else the goroutine's current span (never an
// ended one: see CurrentSpan).
func parentOf(ctx context.Context) *Span {
	if p := SpanFromContext(ctx); p != nil {
		return p
	}
	return CurrentSpan()
}

// start begins a span: a copy of attrs becomes its attributes.
func start(rec *recorder, parent *Span, tid TraceID, pid SpanID, remoteSampled bool, state, name string, kind SpanKind, attrs []Attr) *Span {
	var own []Attr
	if len(attrs) > 0 {
		own = make([]Attr, len(attrs), len(attrs)+4)
		copy(own, attrs)
	}
	return startOwning(rec, parent, tid, pid, remoteSampled, state, name, kind, own)
}

// startOwning is start taking attrs (and its spare capacity) as the
// span's own.
func startOwning(rec *recorder, parent *Span, tid TraceID, pid SpanID, remoteSampled bool, state, name string, kind SpanKind, attrs []Attr) *Span {
	return begin(new(Span), newIDs(rec, parent, tid, pid, remoteSampled, state), rec, name, kind, attrs)
}

// spanIDs is who a new span is: its ids, trace state and sampling
// decision, known before it is allocated (so that what only a recorded
// span needs is allocated only for one).
type spanIDs struct {
	trace   TraceID
	span    SpanID
	parent  SpanID
	state   string
	sampled bool
}

// newIDs names a new span: the child of parent if any, else of the remote
// span tid/pid if any, else the root of a new trace.
func newIDs(rec *recorder, parent *Span, tid TraceID, pid SpanID, remoteSampled bool, state string) spanIDs {
	id := spanIDs{state: state}
	hasParent := false
	switch {
	case parent != nil:
		id.trace, id.parent, id.state, hasParent = parent.TraceID, parent.SpanID, parent.State, true
		remoteSampled = parent.Sampled
	case tid != TraceID{}:
		id.trace, id.parent, hasParent = tid, pid, true
	default:
		putUint64(id.trace[:8], rand.Uint64())
		putUint64(id.trace[8:], rand.Uint64()|1)
	}
	putUint64(id.span[:], rand.Uint64()|1)
	id.sampled = rec.sampler.sample(id.trace, hasParent, remoteSampled)
	return id
}

// begin makes s (zero, allocated by the caller, possibly with what it
// records beside it) the span id names, and this goroutine's current span.
func begin(s *Span, id spanIDs, rec *recorder, name string, kind SpanKind, attrs []Attr) *Span {
	s.TraceID, s.SpanID, s.Parent, s.State, s.Sampled = id.trace, id.span, id.parent, id.state, id.sampled
	s.Name, s.Kind, s.recorder = name, kind, rec
	if s.Sampled {
		s.StartNano = nowNano()
		limitAttrs(attrs, rec.limits.value)
		s.Attrs = attrs
	}
	s.prev = setCurrent(s)
	s.panics = int32(runtime_rtglsPanicDepth())
	return s
}

// unwinding reports the value of a panic that is unwinding the frame that
// started s, if one is: called from that frame's deferred function. The
// panic is only seen, never recovered, so that it goes on (and prints)
// exactly as without rtool.
func (s *Span) unwinding() (any, bool) {
	return runtime_rtglsUnwinding(int(s.panics))
}

// putUint64 and getUint64 are big-endian (encoding/binary would bring
// reflect along).
func putUint64(b []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

func getUint64(b []byte) (v uint64) {
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// exportAttrs is the span's attributes as exported: those it records as
// plain values (an HTTP server span's) appended to dst, then Attrs. The
// caller holds s.mu (or s has not been shared).
func (s *Span) exportAttrs(dst []Attr) []Attr {
	if s.http == nil {
		return s.Attrs
	}
	return append(s.http.appendAttrs(dst), s.Attrs...)
}

// Recording reports whether changes to s are recorded (it is sampled and
// tracing is on): what only a recorded span needs can be skipped when not.
func (s *Span) Recording() bool { return s.recording() }

// recording reports whether changes to s are recorded: it is sampled
// and was made by Start (the caller then checks s.ended under s.mu).
func (s *Span) recording() bool { return s != nil && s.Sampled && s.recorder != nil }

// SetAttributes adds attributes to a recording span.
func (s *Span) SetAttributes(attrs ...Attr) {
	if !s.recording() {
		return
	}
	s.mu.Lock()
	if !s.ended {
		s.Attrs = append(s.Attrs, attrs...)
		limitAttrs(s.Attrs[len(s.Attrs)-len(attrs):], s.recorder.limits.value)
	}
	s.mu.Unlock()
}

// SetStatus sets the span's outcome.
func (s *Span) SetStatus(code StatusCode, message string) {
	if !s.recording() {
		return
	}
	s.mu.Lock()
	if !s.ended {
		s.Status, s.Message = code, message
	}
	s.mu.Unlock()
}

// AddEvent records an event now.
func (s *Span) AddEvent(name string, attrs ...Attr) {
	if !s.recording() {
		return
	}
	e := Event{Name: name, TimeNano: nowNano(), Attrs: append([]Attr(nil), attrs...)}
	limitAttrs(e.Attrs, s.recorder.limits.value)
	s.mu.Lock()
	if !s.ended {
		s.Events = append(s.Events, e)
	}
	s.mu.Unlock()
}

// RecordPanic records a panic value as an "exception" event and an error
// status.
func (s *Span) RecordPanic(v any) {
	if !s.recording() {
		return
	}
	s.AddEvent("exception", String("exception.type", typeName(v)), String("exception.message", text(v)))
	s.SetStatus(StatusError, text(v))
}

// End finishes the span and hands it to the exporter, on any goroutine.
// From then on it is current nowhere: where it was, the nearest span
// current before it that has not ended is (see CurrentSpan). Later calls
// do nothing.
func (s *Span) End() {
	if !s.claimEnd() {
		return
	}
	endCurrent(s)
	if !s.Sampled {
		return
	}
	s.mu.Lock()
	s.stop()
	s.recorder.enqueue(s)
}

// claimEnd reports whether this call is the one that ends s: a span of a
// recorder, not ended before.
func (s *Span) claimEnd() bool {
	return s != nil && s.recorder != nil && s.done.CompareAndSwap(false, true)
}

// stop takes the end time and unlocks s.mu, which the caller holds: later
// changes are ignored.
func (s *Span) stop() {
	s.ended = true
	s.EndNano = nowNano()
	s.limitSpan(s.recorder.limits.value) // what integrations recorded directly
	s.mu.Unlock()
}

// exportName is the span's name in two parts, joined by a space where the
// second is not empty: an HTTP server span's route is kept apart until
// export (joining them per request cost an allocation). The caller holds
// s.mu, or s has not been shared.
func (s *Span) exportName() (string, string) {
	if s.http != nil && !s.http.named {
		return s.Name, s.http.route
	}
	return s.Name, ""
}
