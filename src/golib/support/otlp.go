package support

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"time"
)

// The OTLP/HTTP exporter with JSON encoding, as the OpenTelemetry
// specification defines it: POST to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or
// OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces), Content-Type
// application/json, headers from OTEL_EXPORTER_OTLP_HEADERS, the resource
// from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, retrying with
// backoff on 429, 502, 503 and 504. The transport lives in package
// rtool.invalid/support/otlp (it needs the net package), which registers
// itself; a program built without it does not export OTLP.

// Sender posts body to endpoint with the headers and returns the HTTP status.
type Sender func(endpoint string, headers [][2]string, body []byte) (int, error)

var otlpSender Sender

// RegisterOTLPSender installs the OTLP transport (from the init function of
// rtool.invalid/support/otlp).
func RegisterOTLPSender(s Sender) { otlpSender = s }

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
	endpoint string
	headers  [][2]string
	resource []Attr
	send     Sender
	attempts int
	backoff  time.Duration
}

func newOTLP(endpoint string) exporter {
	if otlpSender == nil {
		os.Stderr.WriteString("rtool: tracing off: an OTLP endpoint is set but this program has no OTLP transport (rtool.invalid/support/otlp)\n")
		return nil
	}
	return &otlp{endpoint: endpoint, headers: parseList(os.Getenv("OTEL_EXPORTER_OTLP_HEADERS")), resource: resourceFromEnv(), send: otlpSender, attempts: 5, backoff: 100 * time.Millisecond}
}

// parseList reads "k=v,k2=v2" with percent-encoded values (the OTEL_*
// format).
func parseList(s string) [][2]string {
	var out [][2]string
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		out = append(out, [2]string{strings.TrimSpace(k), unescape(strings.TrimSpace(v))})
	}
	return out
}

// unescape undoes %XX escapes (and nothing else).
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		var v [1]byte
		if s[i] == '%' && i+2 < len(s) && unhex(v[:], strings.ToLower(s[i+1:i+3])) {
			b = append(b, v[0])
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func resourceFromEnv() []Attr {
	var attrs []Attr
	name := os.Getenv("OTEL_SERVICE_NAME")
	for _, kv := range parseList(os.Getenv("OTEL_RESOURCE_ATTRIBUTES")) {
		if kv[0] == "service.name" {
			if name == "" {
				name = kv[1]
			}
			continue
		}
		attrs = append(attrs, String(kv[0], kv[1]))
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
	body := EncodeOTLP(o.resource, spans)
	wait := o.backoff
	for i := 0; ; i++ {
		status, err := o.send(o.endpoint, o.headers, body)
		if err == nil && status/100 == 2 {
			return nil
		}
		retry := err != nil || status == 429 || status == 502 || status == 503 || status == 504
		if !retry || i+1 >= o.attempts {
			if err == nil {
				err = errors.New("OTLP endpoint answered " + strconv.Itoa(status))
			}
			return err
		}
		time.Sleep(wait)
		wait *= 2
	}
}
