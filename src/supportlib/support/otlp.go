package support

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The OTLP/HTTP exporter, as the OpenTelemetry specification defines it:
// POST to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT
// + /v1/traces) in protobuf (the default) or JSON, optionally gzipped,
// over http:// or https://, with the headers and the resource the
// environment gives (otlpenv.go), retrying transient failures within the
// export timeout. The transport lives in package rtool.invalid/support/otlp
// (it needs the net and crypto packages), which registers itself when it
// is initialised; a program built without it does not export OTLP.

// OTLPConfig is what the transport is set up with, from the environment.
type OTLPConfig struct {
	Endpoint    string
	Headers     [][2]string // names are tokens; values have no control characters
	ContentType string      // application/x-protobuf or application/json
	Gzip        bool
	// PEM files for https://, each with the variable it comes from (for
	// messages): the CA certificates to verify the collector with
	// (the system's roots if none), a client certificate and its key.
	CAFile, CAVar     string
	CertFile, CertVar string
	KeyFile, KeyVar   string
}

// OTLPClient posts request bodies to the collector.
type OTLPClient interface {
	// Post sends body, all of it before deadline, and returns the answer's
	// status and Retry-After header. An error with a Permanent() true
	// method is not worth retrying. body is reused once Post returns.
	Post(body []byte, deadline time.Time) (status int, retryAfter string, err error)
}

// OTLPTransport makes a client for a configuration; its error (a
// certificate file that cannot be used) is a configuration error.
type OTLPTransport func(OTLPConfig) (OTLPClient, error)

var (
	otlpTransport  OTLPTransport
	otlpRegistered atomic.Bool // otlpTransport is set (for readers other than init)
	// otlpLinked is true when rtool.invalid/support/otlp is in the
	// program, from its start: that package defines this variable with
	// an initial value (//go:linkname), which the linker prefers to this
	// zero definition. Unlike the registration, it does not wait for
	// package initialisation, whose order follows import paths: a
	// package that sorts first may log (and so ask whether tracing is
	// on) before the transport's package is initialised.
	otlpLinked bool
)

// RegisterOTLPTransport installs the OTLP transport (from the init
// function of rtool.invalid/support/otlp).
func RegisterOTLPTransport(t OTLPTransport) {
	otlpTransport = t
	otlpRegistered.Store(t != nil)
}

// otlpPending: the program has the OTLP transport but it has not
// registered yet (its package is not initialised), so whether OTLP can be
// exported cannot be decided yet. Spans cannot end before then (advice
// that makes spans imports the transport, which is thus initialised
// first); only questions such as a log record's "is a span current" come
// earlier, and they get "tracing is off, for now".
func otlpPending() bool {
	return otlpLinked && !otlpRegistered.Load()
}

// otlpEndpoint is the URL to post spans to, the variable it comes from and
// that variable's value; all "" if neither is set.
func otlpEndpoint() (endpoint, name, value string) {
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ep != "" {
		return ep, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ep
	}
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); ep != "" {
		return strings.TrimRight(ep, "/") + "/v1/traces", "OTEL_EXPORTER_OTLP_ENDPOINT", ep
	}
	return "", "", ""
}

func otlpEndpointVar() string {
	_, name, _ := otlpEndpoint()
	return name
}

type otlp struct {
	endpoint string
	resource []Attr
	encode   func(dst []byte, resource []Attr, spans []*Span) []byte
	buf      []byte // the last batch's encoding, reused
	client   OTLPClient
	// Retries: at most attempts in all, the first pause backoff, doubling
	// (or what Retry-After asks), all within timeout.
	attempts int
	backoff  time.Duration
	timeout  time.Duration
	now      func() time.Time
	sleep    func(time.Duration)
}

// otlpFromEnv is the OTLP exporter the environment asks for, nil if none.
// A configuration that cannot work (checkEndpoint, otlpConfigFromEnv, a
// certificate file the transport cannot use) is said once, here, and
// gives an exporter that drops every span: it is never retried.
func otlpFromEnv(log *logger) exporter {
	ep, name, value := otlpEndpoint()
	if ep == "" {
		return nil
	}
	if problem := checkEndpoint(value); problem != "" {
		log.print(levelError, name+"="+shown(redact(value))+": "+problem+"; no spans will be exported")
		return refused{to: redact(ep)}
	}
	cfg, o, problem := otlpConfigFromEnv(ep, log)
	if problem != "" {
		log.print(levelError, problem+"; no spans will be exported")
		return refused{to: redact(ep)}
	}
	if otlpTransport == nil {
		log.print(levelError, name+" is set but this program has no OTLP transport (rtool.invalid/support/otlp is not linked in); tracing is off")
		return nil
	}
	client, err := otlpTransport(cfg)
	if err != nil {
		log.print(levelError, err.Error()+"; no spans will be exported")
		return refused{to: redact(ep)}
	}
	o.client = client
	return o
}

func (o *otlp) dest() string { return redact(o.endpoint) }

// checkEndpoint says what makes an OTLP endpoint URL unusable, "" if
// nothing: not a URL (spaces, control characters, a bad %-escape or
// port, characters no host has), no scheme, a scheme other than http or
// https, no host. Without net/url, which brings fmt and reflect along: at
// least as strict as the transport's url.Parse.
func checkEndpoint(ep string) string {
	for i := 0; i < len(ep); i++ {
		if c := ep[i]; c <= ' ' || c == 0x7f {
			return "not a URL: it has a space or control character"
		}
	}
	i := strings.Index(ep, "://")
	if i < 0 {
		if s, _, ok := strings.Cut(ep, ":"); ok && (strings.EqualFold(s, "http") || strings.EqualFold(s, "https")) {
			return "not a URL (write " + strings.ToLower(s) + "://HOST:PORT)"
		}
		return "no scheme (write http://" + strings.TrimPrefix(redact(ep), "//") + ")"
	}
	scheme := ep[:i]
	if !validScheme(scheme) {
		return "not a URL: " + shown(scheme) + " is not a scheme"
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
	default:
		return "unsupported scheme " + strings.ToLower(scheme) + "://: rtool's exporter speaks OTLP over http:// and https://"
	}
	rest := ep[i+3:]
	authority := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		authority = rest[:j]
	}
	// url.Parse checks the escapes of all but the query.
	hostAndPath, fragment := rest, ""
	if j := strings.IndexAny(rest, "?#"); j >= 0 {
		hostAndPath = rest[:j]
	}
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		fragment = rest[j+1:]
	}
	if !validEscapes(hostAndPath) || !validEscapes(fragment) {
		return "not a URL: a % not followed by two hex digits"
	}
	if j := strings.LastIndexByte(authority, '@'); j >= 0 {
		if !validUserinfo(authority[:j]) { // not shown: it may hold a password
			return "not a URL: the user information before @ has a character a URL cannot have there"
		}
		authority = authority[j+1:]
	}
	host, port := authority, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "not a URL: a [ without ] in the host"
		}
		host, port = host[1:end], host[end+1:]
		if port != "" && port[0] != ':' {
			return "not a URL: " + shown(port) + " after the host's ]"
		}
		if !validIPv6(host) {
			return "not a URL: " + shown(host) + " is not an IPv6 address"
		}
	} else {
		if j := strings.LastIndexByte(host, ':'); j >= 0 {
			host, port = host[:j], host[j:]
		}
		for _, c := range []byte(host) {
			if !(isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=", c) >= 0) {
				return "not a URL: " + shown(host) + " is not a host name"
			}
		}
	}
	if host == "" {
		return "no host"
	}
	if port = strings.TrimPrefix(port, ":"); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '-' {
			return "not a URL: " + shown(port) + " is not a port"
		}
	}
	return ""
}

// validZone: an IPv6 zone as url.Parse takes it: bytes a host name may
// have, or non-ASCII ones, written as they are, or escaped if they are
// such a byte, a space or a percent sign (%25).
func validZone(z string) bool {
	hostByte := func(c byte) bool { return isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:[]<>\"", c) >= 0 }
	for i := 0; i < len(z); i++ {
		c := z[i]
		if c != '%' {
			if c < 0x80 && !hostByte(c) {
				return false
			}
			continue
		}
		var v [1]byte
		if i+3 > len(z) || !unhex(v[:], strings.ToLower(z[i+1:i+3])) {
			return false
		}
		if v[0] != '%' && v[0] != ' ' && !hostByte(v[0]) {
			return false
		}
		i += 2
	}
	return true
}

// validIPv6: what net/netip takes between a URL's brackets: eight groups
// of up to four hex digits (the last two may be an IPv4 address), one ::
// standing for at least one group of zeros, and a zone after %25.
func validIPv6(s string) bool {
	if i := strings.Index(s, "%25"); i >= 0 {
		if i+3 == len(s) || !validZone(s[i+3:]) {
			return false // an empty zone, or one url.Parse refuses
		}
		s = s[:i]
	}
	groups, ellipsis := 0, false
	if strings.HasPrefix(s, "::") {
		ellipsis, s = true, s[2:]
	}
	for s != "" {
		part, rest, more := strings.Cut(s, ":")
		if !more && strings.Contains(part, ".") {
			if !validIPv4(part) {
				return false
			}
			groups += 2
			break
		}
		if part == "" || len(part) > 4 || strings.Trim(part, "0123456789abcdefABCDEF") != "" {
			return false
		}
		groups++
		s = rest
		if more && s == "" {
			return false // a trailing single :
		}
		if strings.HasPrefix(s, ":") {
			if ellipsis {
				return false
			}
			ellipsis, s = true, s[1:]
		}
	}
	if ellipsis {
		return groups < 8
	}
	return groups == 8
}

// validIPv4: four decimal bytes, without leading zeros.
func validIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p[0] == '+' || p[0] == '-' || len(p) > 1 && p[0] == '0' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// validUserinfo: what url.Parse takes before a host's @ (letters,
// digits, -._:~!$&'()*+,;=%@).
func validUserinfo(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte("-._:~!$&'()*+,;=%@", c) < 0 {
			return false
		}
	}
	return true
}

// validScheme: a letter, then letters, digits, +, - or . (RFC 3986).
func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// validEscapes: every % starts an escape of two hex digits.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			var v [1]byte
			if i+3 > len(s) || !unhex(v[:], strings.ToLower(s[i+1:i+3])) {
				return false
			}
			i += 2
		}
	}
	return true
}

// redact hides the password of a URL's user information, as url.Redacted
// does: messages name endpoints, never secrets.
func redact(ep string) string {
	i := strings.Index(ep, "://") + 3
	if i < 3 {
		i = 0 // no scheme: user information may still come first,
		if strings.HasPrefix(ep, "//") {
			i = 2 // or after the // that starts an authority
		}
	}
	rest := ep[i:]
	end := len(rest)
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		end = j
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return ep
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return ep
	}
	return ep[:i] + user + ":xxxxx" + rest[at:]
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

// export posts the spans. Transient failures (a transport error that is
// not Permanent, HTTP 429, 502, 503 and 504) are retried after a pause
// that doubles from o.backoff, or what Retry-After asks on 429 and 503, up
// to o.attempts in all and only while the pause ends within o.timeout of
// the start: one batch holds the exporter for at most the export timeout
// (plus the last attempt's own, bounded by the same deadline). The error
// says what the last attempt got, and how many there were.
func (o *otlp) export(spans []*Span, cut time.Time) error {
	body := o.encode(o.buf[:0], o.resource, spans)
	if cap(body) <= maxKeptBuffer {
		o.buf = body
	}
	start := o.now()
	deadline, budget := start.Add(o.timeout), "the export timeout of "+o.timeout.String()
	if !cut.IsZero() && cut.Before(deadline) {
		deadline, budget = cut, "the program's end"
	}
	wait := o.backoff
	for i := 1; ; i++ {
		status, retryAfter, err := o.client.Post(body, deadline)
		if err == nil && status/100 == 2 {
			return nil
		}
		if err != nil && deadline.Equal(cut) && isTimeout(err) {
			return cutShort{err}
		}
		msg, retry := "", false
		if err != nil {
			msg = err.Error()
			p, ok := err.(interface{ Permanent() bool })
			retry = !ok || !p.Permanent()
		} else {
			msg = "the collector answered HTTP " + strconv.Itoa(status)
			retry = status == 429 || status == 502 || status == 503 || status == 504
		}
		attempts := ""
		if i > 1 {
			attempts = " (" + strconv.Itoa(i) + " attempts)"
		}
		if !retry {
			return errors.New(msg + attempts)
		}
		if i >= o.attempts {
			return retriesExhausted{errors.New(msg + attempts)}
		}
		pause := wait
		if status == 429 || status == 503 {
			if d, ok := parseRetryAfter(retryAfter, o.now()); ok {
				pause = d
			}
		}
		now := o.now()
		if now.Add(pause).After(deadline) {
			if pause != wait {
				msg += ", retry after " + pause.String()
			}
			if i > 1 {
				attempts = ", " + strconv.Itoa(i) + " attempts"
			}
			return retriesExhausted{errors.New(msg + " (giving up within " + budget + attempts + ")")}
		}
		o.sleep(pause)
		wait *= 2
	}
}

// maxKeptBuffer bounds the encoding buffer kept between batches (a batch
// of large spans may need more once).
const maxKeptBuffer = 4 << 20

// retriesExhausted: a transient failure that outlasted its retries.
type retriesExhausted struct{ error }

// cutShort: the program's end came while the collector had not answered.
// The spans are reported as not exported at exit, the way a flush that
// stops waiting reports them, whichever of the two notices first.
type cutShort struct{ error }

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an
// HTTP-date (RFC 9110); false if it is neither. A date in the past is no
// wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > 1<<31 {
			n = 1 << 31 // beyond any export timeout anyway
		}
		return time.Duration(n) * time.Second, true
	}
	for _, layout := range []string{"Mon, 02 Jan 2006 15:04:05 GMT", "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan _2 15:04:05 2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	return 0, false
}
