package support

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// TraceID and SpanID are W3C Trace Context identifiers.
type (
	TraceID [16]byte
	SpanID  [8]byte
)

func (t TraceID) String() string { return hex.EncodeToString(t[:]) }
func (s SpanID) String() string  { return hex.EncodeToString(s[:]) }

// SpanKind says what role a span plays (OpenTelemetry's SpanKind).
type SpanKind int

const (
	KindInternal SpanKind = 1
	KindServer   SpanKind = 2
	KindClient   SpanKind = 3
)

// StatusCode is a span's outcome (OpenTelemetry's Status code).
type StatusCode int

const (
	StatusUnset StatusCode = 0
	StatusOK    StatusCode = 1
	StatusError StatusCode = 2
)

// Attr is a span or event attribute; Value is a string, bool, int64 or
// float64 (other integers are stored as int64, anything else as its
// fmt.Sprint text).
type Attr struct {
	Key   string
	Value any
}

// String, Int, Bool and Float make attributes.
func String(k, v string) Attr      { return Attr{k, v} }
func Int(k string, v int64) Attr   { return Attr{k, v} }
func Bool(k string, v bool) Attr   { return Attr{k, v} }
func Float(k string, v float64) Attr { return Attr{k, v} }

func normalize(a Attr) Attr {
	switch v := a.Value.(type) {
	case string, bool, int64, float64:
		return a
	case int:
		return Attr{a.Key, int64(v)}
	case int32:
		return Attr{a.Key, int64(v)}
	case uint32:
		return Attr{a.Key, int64(v)}
	case float32:
		return Attr{a.Key, float64(v)}
	default:
		return Attr{a.Key, fmt.Sprint(v)}
	}
}

// Event is something that happened during a span.
type Event struct {
	Name  string
	Time  time.Time
	Attrs []Attr
}

// Span is one operation of a trace. A span that is not sampled still
// carries its ids (so that children and remote calls follow the decision)
// but records nothing. Methods are safe on a nil *Span.
type Span struct {
	TraceID  TraceID
	SpanID   SpanID
	Parent   SpanID
	Name     string
	Kind     SpanKind
	Sampled  bool
	Start    time.Time
	EndTime  time.Time
	Attrs    []Attr
	Events   []Event
	Status   StatusCode
	Message  string
	State    string // W3C tracestate, passed on as received
	mu       sync.Mutex
	ended    bool
	recorder *recorder
}

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

// Start begins a span, the child of the span ctx carries (if any).
func Start(ctx context.Context, name string, kind SpanKind, attrs ...Attr) (context.Context, *Span) {
	s := start(SpanFromContext(ctx), TraceID{}, SpanID{}, false, "", name, kind, attrs)
	return ContextWithSpan(ctx, s), s
}

// StartRemote begins a span whose parent is the remote one named by a W3C
// traceparent header (and tracestate); an invalid header starts a new trace.
func StartRemote(ctx context.Context, traceparent, tracestate, name string, kind SpanKind, attrs ...Attr) (context.Context, *Span) {
	tid, sid, sampled, ok := ParseTraceParent(traceparent)
	if !ok {
		return Start(ctx, name, kind, attrs...)
	}
	s := start(nil, tid, sid, sampled, tracestate, name, kind, attrs)
	return ContextWithSpan(ctx, s), s
}

func start(parent *Span, tid TraceID, pid SpanID, remoteSampled bool, state, name string, kind SpanKind, attrs []Attr) *Span {
	rec := current()
	s := &Span{Name: name, Kind: kind, recorder: rec, State: state}
	hasParent := false
	switch {
	case parent != nil:
		s.TraceID, s.Parent, s.State, hasParent = parent.TraceID, parent.SpanID, parent.State, true
		remoteSampled = parent.Sampled
	case tid != TraceID{}:
		s.TraceID, s.Parent, hasParent = tid, pid, true
	default:
		binary.BigEndian.PutUint64(s.TraceID[:8], rand.Uint64())
		binary.BigEndian.PutUint64(s.TraceID[8:], rand.Uint64()|1)
	}
	binary.BigEndian.PutUint64(s.SpanID[:], rand.Uint64()|1)
	s.Sampled = rec != nil && rec.sampler.sample(s.TraceID, hasParent, remoteSampled)
	if s.Sampled {
		s.Start = time.Now()
		for _, a := range attrs {
			s.Attrs = append(s.Attrs, normalize(a))
		}
	}
	return s
}

// SetAttributes adds attributes to a recording span.
func (s *Span) SetAttributes(attrs ...Attr) {
	if s == nil || !s.Sampled {
		return
	}
	s.mu.Lock()
	for _, a := range attrs {
		s.Attrs = append(s.Attrs, normalize(a))
	}
	s.mu.Unlock()
}

// SetStatus sets the span's outcome.
func (s *Span) SetStatus(code StatusCode, message string) {
	if s == nil || !s.Sampled {
		return
	}
	s.mu.Lock()
	s.Status, s.Message = code, message
	s.mu.Unlock()
}

// AddEvent records an event now.
func (s *Span) AddEvent(name string, attrs ...Attr) {
	if s == nil || !s.Sampled {
		return
	}
	e := Event{Name: name, Time: time.Now()}
	for _, a := range attrs {
		e.Attrs = append(e.Attrs, normalize(a))
	}
	s.mu.Lock()
	s.Events = append(s.Events, e)
	s.mu.Unlock()
}

// RecordPanic records a recovered panic value as an "exception" event and
// an error status; the caller re-panics with the value unchanged.
func (s *Span) RecordPanic(v any) {
	s.AddEvent("exception", String("exception.type", fmt.Sprintf("%T", v)), String("exception.message", fmt.Sprint(v)))
	s.SetStatus(StatusError, fmt.Sprint(v))
}

// End finishes the span and hands it to the exporter. Later calls do
// nothing.
func (s *Span) End() {
	if s == nil || !s.Sampled {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.EndTime = time.Now() // monotonic: Sub(Start) is the duration
	s.mu.Unlock()
	s.recorder.enqueue(s)
}

// TraceParent is the W3C traceparent header naming s as the parent.
func (s *Span) TraceParent() string {
	if s == nil {
		return ""
	}
	flags := "00"
	if s.Sampled {
		flags = "01"
	}
	return "00-" + s.TraceID.String() + "-" + s.SpanID.String() + "-" + flags
}

// ParseTraceParent reads a W3C traceparent header (version 00, or a later
// version's first four fields).
func ParseTraceParent(h string) (tid TraceID, sid SpanID, sampled, ok bool) {
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' || h[:2] == "ff" || (h[:2] == "00" && len(h) != 55) {
		return
	}
	if _, err := hex.Decode(tid[:], []byte(h[3:35])); err != nil || tid == (TraceID{}) {
		return
	}
	if _, err := hex.Decode(sid[:], []byte(h[36:52])); err != nil || sid == (SpanID{}) {
		return
	}
	var f [1]byte
	if _, err := hex.Decode(f[:], []byte(h[53:55])); err != nil {
		return
	}
	return tid, sid, f[0]&1 == 1, true
}
