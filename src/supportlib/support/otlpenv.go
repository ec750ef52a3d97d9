package support

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// The OTLP exporter's configuration from the environment, as the
// OpenTelemetry specification names it: each OTEL_EXPORTER_OTLP_X has a
// signal-specific OTEL_EXPORTER_OTLP_TRACES_X that takes precedence.

const (
	defaultOTLPTimeout = 10 * time.Second
	otlpAttempts       = 5
	otlpBackoff        = 100 * time.Millisecond
)

// otlpVar is the value of OTEL_EXPORTER_OTLP_TRACES_<x>, else of
// OTEL_EXPORTER_OTLP_<x>, and the name of the variable it came from ("" if
// neither is set).
func otlpVar(x string) (value, name string) {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_" + x, "OTEL_EXPORTER_OTLP_" + x} {
		if v := os.Getenv(name); v != "" {
			return v, name
		}
	}
	return "", ""
}

// otlpConfigFromEnv reads the exporter's variables for the endpoint ep.
// A protocol it does not speak, or headers that cannot be sent, make
// problem non-empty: the configuration cannot work. A compression or
// timeout that means nothing is warned about, and the default used.
func otlpConfigFromEnv(ep string, log *logger) (cfg OTLPConfig, o *otlp, problem string) {
	o = &otlp{endpoint: ep, resource: resourceFromEnv(), attempts: otlpAttempts, backoff: otlpBackoff, timeout: defaultOTLPTimeout, now: time.Now, sleep: time.Sleep}
	cfg.Endpoint = ep

	switch v, name := otlpVar("PROTOCOL"); strings.TrimSpace(v) {
	case "", "http/protobuf":
		cfg.ContentType, o.encode = "application/x-protobuf", AppendOTLPProto
	case "http/json":
		cfg.ContentType, o.encode = "application/json", AppendOTLP
	case "grpc":
		return cfg, nil, name + "=grpc: gRPC is not supported; rtool exports OTLP over HTTP (http/protobuf, the default, or http/json; the collector's port is usually 4318)"
	default:
		return cfg, nil, name + "=" + shown(v) + " is not a protocol rtool speaks (http/protobuf, the default, or http/json)"
	}

	switch v, name := otlpVar("COMPRESSION"); strings.ToLower(strings.TrimSpace(v)) {
	case "gzip":
		cfg.Gzip = true
	case "", "none":
	default:
		log.print(levelWarn, name+"="+shown(v)+" is not a compression (gzip or none); sending uncompressed")
	}

	if v, name := otlpVar("TIMEOUT"); v != "" {
		if d, ok := parseTimeout(v); ok {
			o.timeout = d
		} else {
			log.print(levelWarn, name+"="+shown(v)+" is not a timeout (a number of milliseconds above 0); using "+defaultOTLPTimeout.String())
		}
	}

	headers, name := otlpVar("HEADERS")
	var bad string
	if cfg.Headers, bad = parseHeaders(headers); bad != "" {
		return cfg, nil, name + ": " + bad
	}

	if strings.HasPrefix(strings.ToLower(ep), "https:") {
		cfg.CAFile, cfg.CAVar = otlpVar("CERTIFICATE")
		cfg.CertFile, cfg.CertVar = otlpVar("CLIENT_CERTIFICATE")
		cfg.KeyFile, cfg.KeyVar = otlpVar("CLIENT_KEY")
		// For the message when only one of the pair is set.
		if cfg.CertVar == "" {
			cfg.CertVar = strings.Replace(cfg.KeyVar, "CLIENT_KEY", "CLIENT_CERTIFICATE", 1)
		}
		if cfg.KeyVar == "" {
			cfg.KeyVar = strings.Replace(cfg.CertVar, "CLIENT_CERTIFICATE", "CLIENT_KEY", 1)
		}
	}
	return cfg, o, ""
}

// parseTimeout reads a timeout in milliseconds (an integer above 0).
func parseTimeout(v string) (time.Duration, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > int64(24*time.Hour/time.Millisecond) {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// parseHeaders reads OTEL_EXPORTER_OTLP_HEADERS: "name=value,..." with
// percent-encoded values. A name must be an HTTP token and a value (once
// decoded) free of control characters but tab: a CR or LF would end the
// header and forge others. Anything else is refused whole, bad saying which
// entry and why without showing a value (values carry credentials; a
// malformed entry may be one).
func parseHeaders(s string) (headers [][2]string, bad string) {
	if strings.TrimSpace(s) == "" {
		return nil, ""
	}
	for i, kv := range strings.Split(s, ",") {
		nth := "entry " + strconv.Itoa(i+1)
		if strings.TrimSpace(kv) == "" {
			continue // "a=b," is a common slip, and harmless
		}
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return nil, nth + " has no = (write name=value, with %2C for a comma in a value)"
		}
		if !validToken(k) {
			return nil, nth + "'s name is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"
		}
		v = unescape(strings.TrimSpace(v))
		for j := 0; j < len(v); j++ {
			if c := v[j]; c < 0x20 && c != '\t' || c == 0x7f {
				return nil, "the value of " + k + " (" + nth + ") has a control character (a CR, LF or the like: it would corrupt the request)"
			}
		}
		headers = append(headers, [2]string{k, v})
	}
	return headers, ""
}

// validToken: an HTTP token (RFC 9110), which a header name is.
func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return s != ""
}
