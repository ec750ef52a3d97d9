package support

import (
	"context"
	"strings"
)

// Messaging spans (rtool's src/aspect/builtin/nats.go calls these), after
// OpenTelemetry semantic conventions v1.44.0 for messaging spans: a
// PRODUCER span per message sent (messaging.operation.type `send`), whose
// context is injected into the message as its creation context; a
// CONSUMER span around a handler's processing (`process`), the child of
// the creation context the message carries (the conventions allow that
// for single messages; rtool records no span links), else a new trace,
// never of whatever span the delivering goroutine inherited; a CLIENT span
// for a message the application pulled (`receive`), the child of the
// creation context too (where the conventions would link to it), else of
// the goroutine's current span. Spans are named `{operation} {subject}`,
// or `{operation}` alone for a temporary destination (a reply inbox).
// The body size is opt-in in the conventions: not recorded.

// MessagingDest describes where a message goes: the system
// (messaging.system), the destination's name, whether it is temporary
// (a reply inbox), the consumer group (a queue group), and the server's
// URL as the client connected to it (userinfo is never recorded).
type MessagingDest struct {
	System, Name, Group, ServerURL string
	Temporary                      bool
}

// StartMessagingSend begins the span of sending one message (op: the
// client's name for it, `publish`, `request`), the child of ctx's span or
// the goroutine's current one. Its TraceParent (and State) is the
// creation context to put into the message.
func StartMessagingSend(ctx context.Context, op string, d *MessagingDest) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", messagingName(op, d), KindProducer, nil)
	if s.Sampled {
		s.Attrs = messagingAttrs(op, "send", d)
	}
	return s
}

// StartMessagingProcess begins the span of a handler processing a message
// that carried traceparent and tracestate (empty if none): see above for
// its parent. It is the goroutine's current span until it ends.
func StartMessagingProcess(traceparent, tracestate string, d *MessagingDest) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	tid, sid, sampled, tracestate := remoteParent(traceparent, tracestate)
	s := startOwning(rec, nil, tid, sid, sampled, tracestate, messagingName("process", d), KindConsumer, nil)
	if s.Sampled {
		s.Attrs = messagingAttrs("process", "process", d)
	}
	return s
}

// ReceiveStart is the time a pull starts, for RecordMessagingReceive (0
// when tracing is off).
func ReceiveStart() int64 {
	if current() == nil {
		return 0
	}
	return nowNano()
}

// RecordMessagingReceive records the span of a pull that began at start
// (ReceiveStart) and ends now: with a message (ok) that carried
// traceparent and tracestate, or with err (nil and !ok: nothing came).
func RecordMessagingReceive(start int64, ok bool, traceparent, tracestate string, err error, d *MessagingDest) {
	rec := current()
	if rec == nil || start == 0 {
		return
	}
	var parent *Span
	tid, sid, sampled, remote := ParseTraceParent(traceparent)
	if !ok || !remote {
		parent, tid, sid, sampled, tracestate = CurrentSpan(), TraceID{}, SpanID{}, false, ""
	}
	s := startOwning(rec, parent, tid, sid, sampled, tracestate, messagingName("receive", d), KindClient, nil)
	if s.Sampled {
		s.StartNano = start
		s.Attrs = messagingAttrs("receive", "receive", d)
		if !ok {
			s.Attrs = append(s.Attrs, Int("messaging.batch.message_count", 0))
		}
	}
	EndMessaging(s, err)
}

// EndMessaging ends a messaging span with the operation's error.
func EndMessaging(s *Span, err error) {
	if s != nil && err != nil {
		s.SetAttributes(String("error.type", ErrorType(err)))
		s.SetStatus(StatusError, err.Error())
	}
	s.EndDeferred()
}

func messagingName(op string, d *MessagingDest) string {
	if d.Temporary || d.Name == "" {
		return op
	}
	return op + " " + d.Name
}

func messagingAttrs(op, typ string, d *MessagingDest) []Attr {
	attrs := make([]Attr, 0, 10) // room for error.type
	attrs = append(attrs,
		String("messaging.system", d.System),
		String("messaging.operation.name", op),
		String("messaging.operation.type", typ),
		String("messaging.destination.name", d.Name),
	)
	if d.Temporary {
		attrs = append(attrs, Bool("messaging.destination.temporary", true))
	}
	if d.Group != "" {
		attrs = append(attrs, String("messaging.consumer.group.name", d.Group))
	}
	if host, port := serverOfURL(d.ServerURL); host != "" {
		attrs = append(attrs, String("server.address", host))
		if port > 0 {
			attrs = append(attrs, Int("server.port", port))
		}
	}
	return attrs
}

// serverOfURL is the host and port of `scheme://user:pass@host:port/…`
// (userinfo dropped).
func serverOfURL(u string) (string, int64) {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndexByte(u, '@'); i >= 0 {
		u = u[i+1:]
	}
	return splitHostPort(u)
}
