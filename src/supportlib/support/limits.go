package support

import (
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What a span keeps of the strings it is given: valid UTF-8 on the wire
// (validUTF8, applied by both encoders), and attribute values no longer
// than the OpenTelemetry SDK's limit (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
// else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT; no limit by default), applied
// when a value enters a span and again when it ends (for what integrations
// record directly), so that the export queue never holds a long value
// whole. Query text (db.query.text) always has a limit: the variable's, or
// defaultQueryTextMax.

// defaultQueryTextMax bounds db.query.text, in characters, when no limit
// is set: a multi-megabyte bulk INSERT is not kept whole until exported.
const defaultQueryTextMax = 4096

// limits are attribute value length limits, in characters; -1: none.
type limits struct {
	value int // every span and event attribute
	query int // db.query.text
}

var noLimits = limits{value: -1, query: defaultQueryTextMax}

// limitsFromEnv reads the limits; a value that is not a non-negative
// integer is said, and ignored.
func limitsFromEnv(log *logger) limits {
	l := noLimits
	for _, name := range []string{"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"} {
		v := os.Getenv(name)
		if strings.TrimSpace(v) == "" {
			continue
		}
		n, ok := parseLimit(v)
		if !ok {
			log.print(levelWarn, name+"="+shown(v)+" is not a length (a number of characters, 0 or more); ignored")
			continue
		}
		l.value, l.query = n, n
		break
	}
	return l
}

// parseLimit reads a non-negative integer; one beyond maxLimit (digits
// only, so just very large) is maxLimit.
func parseLimit(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > maxLimit {
		return maxLimit, true
	}
	return int(n), true
}

// maxLimit: a limit beyond any string worth keeping (utf8.UTFMax times
// it is an int, even a 32-bit one).
const maxLimit = 1 << 28

// validUTF8 is s with each run of bytes that are not UTF-8 replaced by
// U+FFFD, as strings.ToValidUTF8 does: OTLP's strings must be UTF-8, and a
// strict receiver rejects a whole request for one bad string (a request
// path of %C0%AF, say). A valid string, nearly every one, costs a check
// and no allocation.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cutChars is s cut to at most max characters (max < 0: not cut), never
// inside one; a byte that is not UTF-8 counts as one character (the
// encoders replace it).
func cutChars(s string, max int) string {
	if max < 0 || len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// truncate is cutChars making a copy of a value it cut, so that the long
// one is not kept alive by its prefix.
func truncate(s string, max int) string {
	if c := cutChars(s, max); len(c) < len(s) {
		return strings.Clone(c)
	}
	return s
}

// limitAttrs truncates the string values of attrs in place (attrs belong
// to the span).
func limitAttrs(attrs []Attr, max int) {
	if max < 0 {
		return
	}
	for i := range attrs {
		if a := &attrs[i]; a.kind == kindString && len(a.str) > max {
			a.str = truncate(a.str, max)
		}
	}
}

// limitSpan applies the value limit to everything s records; the caller
// holds s.mu.
func (s *Span) limitSpan(max int) {
	if max < 0 {
		return
	}
	limitAttrs(s.Attrs, max)
	for i := range s.Events {
		limitAttrs(s.Events[i].Attrs, max)
	}
	if h := s.http; h != nil {
		h.method, h.path, h.host = truncate(h.method, max), truncate(h.path, max), truncate(h.host, max)
		if len(h.route) > max && !h.named { // the name keeps the whole route
			s.Name, h.named = s.Name+" "+h.route, true
			h.route = truncate(h.route, max)
		}
	}
}

// textBuilder builds a text of at most max characters (max < 0: any
// length) from pieces, taking at most the bytes max characters can need,
// however long the pieces: a long query costs no more than its limit.
type textBuilder struct {
	b    strings.Builder
	room int // bytes still taken
	max  int
}

func newTextBuilder(max, size int) *textBuilder {
	t := &textBuilder{room: int(^uint(0) >> 1), max: max}
	if max >= 0 {
		t.room = utf8.UTFMax * min(max, maxLimit)
		size = min(size, t.room)
	}
	t.b.Grow(size)
	return t
}

// full: nothing more is taken.
func (t *textBuilder) full() bool { return t.room <= 0 }

func (t *textBuilder) str(s string) {
	if len(s) > t.room {
		s = s[:max(t.room, 0)]
	}
	t.b.WriteString(s)
	t.room -= len(s)
}

func (t *textBuilder) char(c byte) {
	if t.room > 0 {
		t.b.WriteByte(c)
		t.room--
	}
}

// String is the text, cut to max characters. The first max characters
// of the whole text fit in the utf8.UTFMax*max bytes taken, so this is
// the whole text cut, whatever piece was cut off.
func (t *textBuilder) String() string { return cutChars(t.b.String(), t.max) }
