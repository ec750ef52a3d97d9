package support

import "strings"

// W3C Trace Context: the traceparent header read and written, and the
// tracestate list kept as the specification bounds it.

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

// remoteParent is the remote span a received traceparent and tracestate
// name, or nothing (a new trace: never the span the receiving goroutine
// inherited) when the header is missing or invalid; the trace state is
// what normalTraceState keeps of it.
func remoteParent(traceparent, tracestate string) (TraceID, SpanID, bool, string) {
	tid, sid, sampled, ok := ParseTraceParent(traceparent)
	if !ok {
		return TraceID{}, SpanID{}, false, ""
	}
	return tid, sid, sampled, normalTraceState(tracestate)
}

// ParseTraceParent reads a W3C traceparent header: version 00, or a later
// version's first four fields (the flags then end the header or are
// followed by a dash). The version is two lowercase hex digits, not ff.
func ParseTraceParent(h string) (tid TraceID, sid SpanID, sampled, ok bool) {
	var version [1]byte
	if len(h) < 55 || !unhex(version[:], h[:2]) || version[0] == 0xff || h[2] != '-' || h[35] != '-' || h[52] != '-' ||
		(version[0] == 0 && len(h) != 55) || (len(h) > 55 && h[55] != '-') {
		return
	}
	if !unhex(tid[:], h[3:35]) || tid == (TraceID{}) || !unhex(sid[:], h[36:52]) || sid == (SpanID{}) {
		return
	}
	var f [1]byte
	if !unhex(f[:], h[53:55]) {
		return
	}
	return tid, sid, f[0]&1 == 1, true
}

// The bounds of a trace state: at most traceStateMembers list members (the
// specification's limit), and traceStateMax characters in all, the size
// every vendor should propagate: every span of the trace carries it to the
// exporter, and a peer may send anything.
const (
	traceStateMembers = 32
	traceStateMax     = 512
	// Members longer than this go first when the list is too long.
	traceStateLong = 128
)

// TraceStateOf is the trace state of a request whose tracestate header
// fields (received as several fields, in order) are these: one list, as
// normalTraceState keeps it.
func TraceStateOf(fields []string) string {
	switch len(fields) {
	case 0:
		return ""
	case 1:
		return normalTraceState(fields[0])
	}
	return normalTraceState(strings.Join(fields, ","))
}

// normalTraceState is what rtool keeps of a tracestate list, following
// the W3C specification: the list members that are valid (the
// specification's key and value grammar; a repeated key's first member),
// the first 32 of them, joined by commas without whitespace; if that is
// over traceStateMax characters, whole members are left out until it
// fits, those over traceStateLong first, then from the right. A list
// already so is returned as it is, without allocating.
func normalTraceState(s string) string {
	var kept [traceStateMembers]string
	n, same := 0, true
	for i := 0; ; {
		end := len(s)
		if j := strings.IndexByte(s[i:], ','); j >= 0 {
			end = i + j
		}
		item := s[i:end]
		if m := strings.Trim(item, " \t"); validMember(m) && !hasMemberKey(kept[:n], m) {
			kept[n] = m
			n++
			same = same && len(m) == len(item)
		} else {
			same = false // an empty, invalid or repeated member
		}
		if end == len(s) {
			break
		}
		if n == traceStateMembers {
			same = false // what follows is beyond the limit
			break
		}
		i = end + 1
	}
	size := n - 1
	for _, m := range kept[:n] {
		size += len(m)
	}
	for size > traceStateMax {
		same = false
		drop := n - 1 // the right-most long member, else the last
		for i := n - 1; i >= 0; i-- {
			if len(kept[i]) > traceStateLong {
				drop = i
				break
			}
		}
		size -= len(kept[drop]) + 1
		copy(kept[drop:n], kept[drop+1:n])
		n--
	}
	if same {
		return s
	}
	return strings.Join(kept[:n], ",")
}

// hasMemberKey: one of kept has the key of m (a valid member).
func hasMemberKey(kept []string, m string) bool {
	key := m[:strings.IndexByte(m, '=')+1]
	for _, k := range kept {
		if strings.HasPrefix(k, key) {
			return true
		}
	}
	return false
}

// validMember: key=value as the specification's grammar has them: a key of
// up to 256 lowercase letters, digits and _-*/@, starting with a letter or
// a digit; a value of up to 256 printable ASCII characters but , and =,
// not ending with a space.
func validMember(m string) bool {
	eq := strings.IndexByte(m, '=')
	if eq < 1 || eq > 256 || len(m)-eq-1 < 1 || len(m)-eq-1 > 256 || m[len(m)-1] == ' ' {
		return false
	}
	if c := m[0]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
		return false
	}
	for i := 1; i < eq; i++ {
		if c := m[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '*' || c == '/' || c == '@') {
			return false
		}
	}
	for i := eq + 1; i < len(m); i++ {
		if c := m[i]; c < 0x20 || c > 0x7e || c == ',' || c == '=' {
			return false
		}
	}
	return true
}
