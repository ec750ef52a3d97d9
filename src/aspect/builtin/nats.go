//go:build rtool

// Built-in tracing of github.com/nats-io/nats.go, on its exported API
// (the library has no interceptors): a producer span per message
// published (Publish, PublishRequest and Respond go through PublishMsg;
// Request and RequestWithContext through RequestMsg and
// RequestMsgWithContext), its context put into a copy of the message's
// headers as `traceparent`/`tracestate` when the server supports headers;
// a consumer span around each call of a handler given to Subscribe or
// QueueSubscribe, current on the handler's goroutine, so that the spans
// the handler makes are its children; a receive span for each message
// NextMsg or NextMsgWithContext returns. See rtool.invalid/support's
// messaging.go for parents and attributes. Kept to v1.30.0 and later v1
// versions (tested: v1.30.0 and v1.55.0); older ones build unchanged.
package aspects

import (
	"context"
	"strings"

	"rtool.invalid/support"
)

//rtool:aspect builtin.nats-otlp
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0")
//rtool:import rtool.invalid/support/otlp

//rtool:aspect builtin.nats-helpers
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0")
//rtool:inject

// rtoolDest describes subj as reached through nc (nil: no server known).
func rtoolDest(nc *Conn, subj, queue string) *support.MessagingDest {
	d := &support.MessagingDest{System: "nats", Name: subj, Group: queue}
	prefix := InboxPrefix
	if nc != nil {
		d.ServerURL = nc.ConnectedUrl()
		if nc.Opts.InboxPrefix != "" {
			prefix = nc.Opts.InboxPrefix + "."
		}
	}
	d.Temporary = strings.HasPrefix(subj, prefix)
	return d
}

// rtoolTraceParent is the creation context a message carries.
func rtoolTraceParent(h Header) (string, string) {
	tp, ts := h["traceparent"], h["tracestate"]
	if tp == nil {
		tp, ts = h["Traceparent"], h["Tracestate"]
	}
	var p, s string
	if len(tp) > 0 {
		p = tp[0]
	}
	s = support.TraceStateOf(ts)
	return p, s
}

// rtoolSend begins the producer span of sending m, and returns the
// message to send: a copy carrying the span's context in its headers (the
// caller's message and headers unchanged), unless the server takes no
// headers or m carries a creation context of its own.
func rtoolSend(ctx context.Context, nc *Conn, op string, m *Msg) (*support.Span, *Msg) {
	if nc == nil || m == nil || !support.Enabled() {
		return nil, m
	}
	s := support.StartMessagingSend(ctx, op, rtoolDest(nc, m.Subject, ""))
	if s == nil || !nc.HeadersSupported() {
		return s, m
	}
	if tp, _ := rtoolTraceParent(m.Header); tp != "" {
		return s, m
	}
	h := make(Header, len(m.Header)+2)
	for k, v := range m.Header {
		h[k] = v
	}
	h["traceparent"] = []string{s.TraceParent()}
	if s.State != "" {
		h["tracestate"] = []string{s.State}
	}
	return s, &Msg{Subject: m.Subject, Reply: m.Reply, Header: h, Data: m.Data, Sub: m.Sub}
}

// rtoolHandler wraps a subscription's handler in a consumer span.
func rtoolHandler(nc *Conn, queue string, cb MsgHandler) MsgHandler {
	if cb == nil || !support.Enabled() {
		return cb
	}
	return func(m *Msg) {
		if m == nil {
			cb(m)
			return
		}
		tp, ts := rtoolTraceParent(m.Header)
		s := support.StartMessagingProcess(tp, ts, rtoolDest(nc, m.Subject, queue))
		defer func() { support.EndMessaging(s, nil) }()
		cb(m)
	}
}

// rtoolReceived records the receive span of a message a pull returned
// (none for a pull that timed out or failed).
func rtoolReceived(sub *Subscription, start int64, m *Msg) {
	if m == nil || sub == nil {
		return
	}
	tp, ts := rtoolTraceParent(m.Header)
	support.RecordMessagingReceive(start, true, tp, ts, nil, rtoolDest(nil, m.Subject, sub.Queue))
}

// Publish, PublishRequest (and Respond, which calls Publish) send through
// PublishMsg while tracing is on.
//
//rtool:aspect builtin.nats-publish
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=Publish, receiver=*Conn)
//rtool:prepend
func _() {
	if RtoolReceiver != nil && support.Enabled() {
		return RtoolReceiver.PublishMsg(&Msg{Subject: RtoolParam0, Data: RtoolParam1})
	}
}

//rtool:aspect builtin.nats-publishrequest
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=PublishRequest, receiver=*Conn)
//rtool:prepend
func _() {
	if RtoolReceiver != nil && support.Enabled() {
		return RtoolReceiver.PublishMsg(&Msg{Subject: RtoolParam0, Reply: RtoolParam1, Data: RtoolParam2})
	}
}

//rtool:aspect builtin.nats-publishmsg
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=PublishMsg, receiver=*Conn)
//rtool:prepend
func _() {
	if rtoolSpan, rtoolMsg := rtoolSend(nil, RtoolReceiver, "publish", RtoolParam0); rtoolSpan != nil {
		RtoolParam0 = rtoolMsg
		defer func() { support.EndMessaging(rtoolSpan, RtoolResult0) }()
	}
}

//rtool:aspect builtin.nats-request
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=Request, receiver=*Conn)
//rtool:prepend
func _() {
	if RtoolReceiver != nil && support.Enabled() {
		return RtoolReceiver.RequestMsg(&Msg{Subject: RtoolParam0, Data: RtoolParam1}, RtoolParam2)
	}
}

//rtool:aspect builtin.nats-requestctx
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=RequestWithContext, receiver=*Conn)
//rtool:prepend
func _() {
	if RtoolReceiver != nil && support.Enabled() {
		return RtoolReceiver.RequestMsgWithContext(RtoolParam0, &Msg{Subject: RtoolParam1, Data: RtoolParam2})
	}
}

// A request's span lasts until the reply comes (or the wait ends).
//
//rtool:aspect builtin.nats-requestmsg
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=RequestMsg, receiver=*Conn)
//rtool:prepend
func _() {
	if rtoolSpan, rtoolMsg := rtoolSend(nil, RtoolReceiver, "request", RtoolParam0); rtoolSpan != nil {
		RtoolParam0 = rtoolMsg
		defer func() { support.EndMessaging(rtoolSpan, RtoolResult1) }()
	}
}

//rtool:aspect builtin.nats-requestmsgctx
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=RequestMsgWithContext, receiver=*Conn)
//rtool:prepend
func _() {
	if rtoolSpan, rtoolMsg := rtoolSend(RtoolParam0, RtoolReceiver, "request", RtoolParam1); rtoolSpan != nil {
		RtoolParam1 = rtoolMsg
		defer func() { support.EndMessaging(rtoolSpan, RtoolResult1) }()
	}
}

//rtool:aspect builtin.nats-subscribe
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=Subscribe, receiver=*Conn)
//rtool:prepend
func _() {
	RtoolParam1 = rtoolHandler(RtoolReceiver, "", RtoolParam1)
}

//rtool:aspect builtin.nats-queuesubscribe
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && function(name=QueueSubscribe, receiver=*Conn)
//rtool:prepend
func _() {
	RtoolParam2 = rtoolHandler(RtoolReceiver, RtoolParam1, RtoolParam2)
}

//rtool:aspect builtin.nats-nextmsg
//rtool:where package(github.com/nats-io/nats.go) && module-version(min="v1.30.0", below="v2.0.0") && (function(name=NextMsg) || function(name=NextMsgWithContext)) && function(receiver=*Subscription)
//rtool:prepend
func _() {
	if rtoolStart := support.ReceiveStart(); rtoolStart != 0 {
		defer func() { rtoolReceived(RtoolReceiver, rtoolStart, RtoolResult0) }()
	}
}
