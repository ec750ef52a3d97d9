package support

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// The OTLP/HTTP exporter with JSON encoding, as the OpenTelemetry
// specification defines it (POST $endpoint/v1/traces, Content-Type
// application/json, ids as hex, 64-bit integers as decimal strings). It
// speaks HTTP/1.1 over net directly: the exporter's own traffic never goes
// through (instrumented) net/http, and programs that do not use net/http
// do not link it. Plain http:// endpoints only.

func otlpEndpoint() string {
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ep != "" {
		return ep
	}
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); ep != "" {
		return strings.TrimRight(ep, "/") + "/v1/traces"
	}
	return ""
}

type otlp struct {
	url      *url.URL
	headers  [][2]string
	resource []Attr
	attempts int
	backoff  time.Duration
}

func newOTLP(endpoint string) exporter {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		fmt.Fprintf(os.Stderr, "rtool: tracing off: OTLP endpoint %q is not an http:// URL\n", endpoint)
		return nil
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return &otlp{url: u, headers: parseList(os.Getenv("OTEL_EXPORTER_OTLP_HEADERS")), resource: resourceFromEnv(), attempts: 5, backoff: 100 * time.Millisecond}
}

// parseList reads "k=v,k2=v2" with URL-encoded values (the OTEL_* format).
func parseList(s string) [][2]string {
	var out [][2]string
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		if dv, err := url.QueryUnescape(strings.TrimSpace(v)); err == nil {
			v = dv
		}
		out = append(out, [2]string{strings.TrimSpace(k), v})
	}
	return out
}

func resourceFromEnv() []Attr {
	var attrs []Attr
	name := os.Getenv("OTEL_SERVICE_NAME")
	for _, kv := range parseList(os.Getenv("OTEL_RESOURCE_ATTRIBUTES")) {
		if kv[0] == "service.name" && name == "" {
			name = kv[1]
			continue
		}
		if kv[0] != "service.name" {
			attrs = append(attrs, String(kv[0], kv[1]))
		}
	}
	if name == "" {
		name = "unknown_service:" + exeName()
	}
	return append([]Attr{String("service.name", name)}, attrs...)
}

func exeName() string {
	p, err := os.Executable()
	if err != nil {
		return "go"
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

func (o *otlp) export(spans []*Span) error {
	body, err := json.Marshal(encodeOTLP(o.resource, spans))
	if err != nil {
		return err
	}
	wait := o.backoff
	for i := 0; ; i++ {
		status, err := o.post(body)
		if err == nil && status/100 == 2 {
			return nil
		}
		retry := err != nil || status == 429 || status == 503 || status == 502 || status == 504
		if !retry || i+1 >= o.attempts {
			if err == nil {
				err = fmt.Errorf("OTLP endpoint answered %d", status)
			}
			return err
		}
		time.Sleep(wait)
		wait *= 2
	}
}

func (o *otlp) post(body []byte) (int, error) {
	host := o.url.Host
	if o.url.Port() == "" {
		host = net.JoinHostPort(o.url.Hostname(), "80")
	}
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n", o.url.RequestURI(), o.url.Host, len(body))
	for _, h := range o.headers {
		fmt.Fprintf(&req, "%s: %s\r\n", h[0], h[1])
	}
	req.WriteString("\r\n")
	req.Write(body)
	if _, err := c.Write(req.Bytes()); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0, err
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return 0, errors.New("not an HTTP response: " + strings.TrimSpace(line))
	}
	return strconv.Atoi(f[1])
}

// The OTLP JSON shapes (opentelemetry-proto, JSON mapping).
type (
	otlpRequest struct {
		ResourceSpans []otlpResourceSpans `json:"resourceSpans"`
	}
	otlpResourceSpans struct {
		Resource   otlpResource     `json:"resource"`
		ScopeSpans []otlpScopeSpans `json:"scopeSpans"`
	}
	otlpResource struct {
		Attributes []otlpKeyValue `json:"attributes"`
	}
	otlpScopeSpans struct {
		Scope otlpScope  `json:"scope"`
		Spans []otlpSpan `json:"spans"`
	}
	otlpScope struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	}
	otlpSpan struct {
		TraceID           string         `json:"traceId"`
		SpanID            string         `json:"spanId"`
		TraceState        string         `json:"traceState,omitempty"`
		ParentSpanID      string         `json:"parentSpanId,omitempty"`
		Name              string         `json:"name"`
		Kind              int            `json:"kind"`
		StartTimeUnixNano string         `json:"startTimeUnixNano"`
		EndTimeUnixNano   string         `json:"endTimeUnixNano"`
		Attributes        []otlpKeyValue `json:"attributes,omitempty"`
		Events            []otlpEvent    `json:"events,omitempty"`
		Status            otlpStatus     `json:"status"`
	}
	otlpEvent struct {
		TimeUnixNano string         `json:"timeUnixNano"`
		Name         string         `json:"name"`
		Attributes   []otlpKeyValue `json:"attributes,omitempty"`
	}
	otlpStatus struct {
		Code    int    `json:"code,omitempty"`
		Message string `json:"message,omitempty"`
	}
	otlpKeyValue struct {
		Key   string    `json:"key"`
		Value otlpValue `json:"value"`
	}
	otlpValue struct {
		StringValue *string  `json:"stringValue,omitempty"`
		BoolValue   *bool    `json:"boolValue,omitempty"`
		IntValue    *string  `json:"intValue,omitempty"`
		DoubleValue *float64 `json:"doubleValue,omitempty"`
	}
)

func encodeOTLP(resource []Attr, spans []*Span) otlpRequest {
	out := make([]otlpSpan, 0, len(spans))
	for _, s := range spans {
		s.mu.Lock()
		o := otlpSpan{
			TraceID: s.TraceID.String(), SpanID: s.SpanID.String(), TraceState: s.State, Name: s.Name, Kind: int(s.Kind),
			StartTimeUnixNano: nanos(s.Start), EndTimeUnixNano: nanos(s.Start.Add(s.EndTime.Sub(s.Start))),
			Attributes: keyValues(s.Attrs), Status: otlpStatus{Code: int(s.Status), Message: s.Message},
		}
		if s.Parent != (SpanID{}) {
			o.ParentSpanID = s.Parent.String()
		}
		for _, e := range s.Events {
			o.Events = append(o.Events, otlpEvent{TimeUnixNano: nanos(e.Time), Name: e.Name, Attributes: keyValues(e.Attrs)})
		}
		s.mu.Unlock()
		out = append(out, o)
	}
	return otlpRequest{ResourceSpans: []otlpResourceSpans{{
		Resource:   otlpResource{Attributes: keyValues(resource)},
		ScopeSpans: []otlpScopeSpans{{Scope: otlpScope{Name: "rtool"}, Spans: out}},
	}}}
}

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

func keyValues(attrs []Attr) []otlpKeyValue {
	out := make([]otlpKeyValue, 0, len(attrs))
	for _, a := range attrs {
		var v otlpValue
		switch x := a.Value.(type) {
		case string:
			v.StringValue = &x
		case bool:
			v.BoolValue = &x
		case int64:
			s := strconv.FormatInt(x, 10)
			v.IntValue = &s
		case float64:
			v.DoubleValue = &x
		default:
			s := fmt.Sprint(x)
			v.StringValue = &s
		}
		out = append(out, otlpKeyValue{Key: a.Key, Value: v})
	}
	return out
}
