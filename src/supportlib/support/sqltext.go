package support

import "strings"

// SQL text, read the way OpenTelemetry's database conventions ask: one
// pass over the query's tokens gives it back with every literal replaced
// by `?` (strings, including E'…', N'…', X'…', B'…' and PostgreSQL's
// dollar quotes; numbers, hexadecimal ones too; TRUE and FALSE), with
// identifiers, keywords, comments and parameters ($1, ?, :name, @p1) as
// written, and its summary: the operations and their targets in order
// (`SELECT users`, `INSERT shipping_details SELECT orders`). Dialects
// differ where it matters for secrets: MySQL and MariaDB quote strings
// with "…" too and escape with backslashes; elsewhere "…" is an
// identifier and a backslash is a character. An unterminated literal
// runs to the end of the query (all of it is replaced).

// summaryMax bounds db.query.summary, as the conventions ask (cut at a
// token, never inside one).
const summaryMax = 255

// Operations that count anywhere (subqueries, CTEs) and those that count
// only as a statement's first word (elsewhere they are functions or
// clauses: REPLACE(…), ON CONFLICT DO UPDATE SET…).
var (
	sqlOps      = map[string]bool{"SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true}
	sqlFirstOps = map[string]bool{"MERGE": true, "REPLACE": true, "UPSERT": true, "CREATE": true, "ALTER": true, "DROP": true,
		"TRUNCATE": true, "CALL": true, "EXEC": true, "EXECUTE": true, "SHOW": true, "SET": true, "BEGIN": true, "COMMIT": true,
		"ROLLBACK": true, "GRANT": true, "REVOKE": true, "EXPLAIN": true, "ANALYZE": true, "VACUUM": true, "COPY": true,
		"LOCK": true, "USE": true, "DECLARE": true}
	// Object kinds that join a DDL operation's name (CREATE TABLE).
	sqlObjects = map[string]bool{"TABLE": true, "INDEX": true, "VIEW": true, "SEQUENCE": true, "SCHEMA": true, "DATABASE": true,
		"FUNCTION": true, "PROCEDURE": true, "TRIGGER": true, "TYPE": true, "EXTENSION": true}
	// Words that introduce a target.
	sqlTargetAfter = map[string]bool{"FROM": true, "JOIN": true, "INTO": true, "UPDATE": true, "TABLE": true, "CALL": true,
		"EXEC": true, "EXECUTE": true, "TRUNCATE": true, "VIEW": true}
	// Words skipped where a target is expected.
	sqlTargetNoise = map[string]bool{"ONLY": true, "LATERAL": true, "IF": true, "NOT": true, "EXISTS": true, "TEMP": true,
		"TEMPORARY": true, "UNLOGGED": true, "OR": true, "MATERIALIZED": true, "UNIQUE": true, "IGNORE": true, "LOW_PRIORITY": true,
		"DELAYED": true, "HIGH_PRIORITY": true, "CONCURRENTLY": true}
	// Keywords that end a FROM list (anything else after a target is an
	// alias).
	sqlClauses = map[string]bool{"WHERE": true, "GROUP": true, "ORDER": true, "HAVING": true, "LIMIT": true, "OFFSET": true,
		"UNION": true, "INTERSECT": true, "EXCEPT": true, "ON": true, "USING": true, "SET": true, "VALUES": true, "RETURNING": true,
		"WINDOW": true, "FOR": true, "FETCH": true, "SELECT": true, "INNER": true, "LEFT": true, "RIGHT": true, "FULL": true,
		"CROSS": true, "NATURAL": true, "OUTER": true, "DEFAULT": true}
)

// scanSQL returns q with its literals replaced by `?`, cut to max
// characters (max < 0: whole), and its summary. The text is cut as it is
// built, so a long query costs the limit, not its length, in memory.
func scanSQL(q, system string, max int) (sanitized, summary string) {
	mysql := system == "mysql" || system == "mariadb"
	out := newTextBuilder(max, len(q))
	var sum summarizer
	n := len(q)
	for i := 0; i < n; {
		c := q[i]
		switch {
		case c == '-' && i+1 < n && q[i+1] == '-', c == '#' && mysql:
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = n - i
			}
			out.str(q[i : i+j])
			i += j
		case c == '/' && i+1 < n && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := n
			if j >= 0 {
				end = i + 2 + j + 2
			}
			out.str(q[i:end])
			i = end
		case c == '\'':
			i = skipQuoted(q, i, '\'', mysql)
			out.char('?')
			sum.literal()
		case c == '"' && mysql:
			i = skipQuoted(q, i, '"', true)
			out.char('?')
			sum.literal()
		case c == '"' || c == '`' || c == '[' && system == "microsoft.sql_server":
			close := c
			if c == '[' {
				close = ']'
			}
			end := skipQuoted(q, i, close, false)
			out.str(q[i:end])
			sum.word(q[i:end], true)
			i = end
		case c == '$' && i+1 < n && isDigit(q[i+1]): // $1
			j := i + 1
			for j < n && isDigit(q[j]) {
				j++
			}
			out.str(q[i:j])
			sum.literal()
			i = j
		case c == '$' && !mysql:
			if end, ok := dollarQuoted(q, i); ok {
				out.char('?')
				sum.literal()
				i = end
				break
			}
			out.char(c)
			i++
		case isDigit(c) || c == '.' && i+1 < n && isDigit(q[i+1]):
			i = skipNumber(q, i)
			out.char('?')
			sum.literal()
		case isIdentStart(c):
			i = scanWord(q, i, mysql, out, &sum)
		default:
			out.char(c)
			sum.punct(c)
			i++
		}
	}
	return out.String(), sum.String()
}

// scanWord copies or replaces the word starting at q[i] (a prefixed
// string literal, TRUE/FALSE, a parameter or a word of the summary) and
// returns where it ends.
func scanWord(q string, i int, mysql bool, out *textBuilder, sum *summarizer) int {
	n := len(q)
	j := i + 1
	for j < n && isIdentPart(q[j]) {
		j++
	}
	w := q[i:j]
	if j < n && q[j] == '\'' && len(w) == 1 && strings.ContainsAny(w, "EeNnXxBb") {
		// E'…' (backslash escapes), N'…', X'…', B'…'
		out.char('?')
		sum.literal()
		return skipQuoted(q, j, '\'', mysql || w == "E" || w == "e")
	}
	if strings.EqualFold(w, "TRUE") || strings.EqualFold(w, "FALSE") {
		out.char('?')
		sum.literal()
		return j
	}
	out.str(w)
	// :name and @name are parameters, not words.
	param := i > 0 && (q[i-1] == ':' && (i < 2 || q[i-2] != ':') || q[i-1] == '@')
	if param {
		sum.literal()
	} else {
		sum.word(w, false)
	}
	return j
}

// skipQuoted returns the end of the quoted text starting at q[i]: a
// doubled close character is one inside it; with backslash, a backslash
// escapes the next character.
func skipQuoted(q string, i int, close byte, backslash bool) int {
	for j := i + 1; j < len(q); j++ {
		switch {
		case backslash && q[j] == '\\':
			j++
		case q[j] == close:
			if j+1 < len(q) && q[j+1] == close {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// dollarQuoted: a PostgreSQL $tag$…$tag$ string at q[i]; its end.
func dollarQuoted(q string, i int) (int, bool) {
	j := i + 1
	for j < len(q) && q[j] != '$' {
		if !isIdentPart(q[j]) || q[j] == '$' || j == i+1 && isDigit(q[j]) {
			return 0, false
		}
		j++
	}
	if j >= len(q) {
		return 0, false
	}
	tag := q[i : j+1]
	k := strings.Index(q[j+1:], tag)
	if k < 0 {
		return len(q), true
	}
	return j + 1 + k + len(tag), true
}

// skipNumber returns the end of the number at q[i]: decimal, with a
// fraction and an exponent, or 0x hexadecimal.
func skipNumber(q string, i int) int {
	n := len(q)
	if q[i] == '0' && i+1 < n && (q[i+1] == 'x' || q[i+1] == 'X') {
		j := i + 2
		for j < n && isHex(q[j]) {
			j++
		}
		return j
	}
	j := i
	for j < n && (isDigit(q[j]) || q[j] == '.') {
		j++
	}
	if j < n && (q[j] == 'e' || q[j] == 'E') {
		k := j + 1
		if k < n && (q[k] == '+' || q[k] == '-') {
			k++
		}
		if k < n && isDigit(q[k]) {
			for k < n && isDigit(q[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// summarizer builds db.query.summary from the words and punctuation of a
// query: each operation, and after FROM, JOIN, INTO, UPDATE, TABLE… the
// target named there (qualified names kept whole, as written; a FROM
// list's names all, their aliases not).
type summarizer struct {
	parts   []string
	first   bool // a statement's first word is next
	started bool
	want    int  // a target is expected: wantOne, or wantList (FROM)
	inName  bool // the last word was a target that a '.' may continue
	afterOp bool // the last part is a DDL operation an object kind joins
	dot     bool // a '.' follows the target: its next word continues it
	// The summary is bounded as it is built (a query of a million
	// qualified names costs no more): size is the length of parts joined;
	// full, a part did not fit, so neither does anything after it.
	size int
	full bool
}

const (
	wantNone = iota
	wantOne
	wantList
	wantListMore // a FROM list's target was read: ',' asks for another
)

func (s *summarizer) add(part string) {
	if s.full {
		return
	}
	size := s.size + len(part)
	if len(s.parts) > 0 {
		size++
	}
	if size > summaryMax {
		s.full = true
		return
	}
	s.parts, s.size = append(s.parts, part), size
}

// extend continues the last part (a qualified name, an object kind); if
// it no longer fits, it is left out, and all after it.
func (s *summarizer) extend(more string) {
	if s.full || len(s.parts) == 0 {
		return
	}
	last := len(s.parts) - 1
	if s.size+len(more) > summaryMax {
		s.size -= len(s.parts[last])
		if last > 0 {
			s.size--
		}
		s.parts, s.full = s.parts[:last], true
		return
	}
	s.parts[last] += more
	s.size += len(more)
}

func (s *summarizer) word(w string, quoted bool) {
	isFirst := !s.started || s.first
	s.started, s.first = true, false
	if s.dot && s.inName && len(s.parts) > 0 {
		s.extend("." + w)
		s.dot = false
		return
	}
	s.dot = false
	up := strings.ToUpper(w)
	if !quoted {
		if s.afterOp && sqlObjects[up] {
			s.extend(" " + w)
			s.afterOp = false
			s.want, s.inName = wantOne, false
			return
		}
		if s.afterOp && sqlTargetNoise[up] {
			return
		}
		if sqlOps[up] || isFirst && sqlFirstOps[up] {
			s.add(w)
			s.inName = false
			s.afterOp = up == "CREATE" || up == "ALTER" || up == "DROP"
			s.want = wantNone
			if up == "UPDATE" || up == "TRUNCATE" || up == "CALL" || up == "EXEC" || up == "EXECUTE" {
				s.want = wantOne
			}
			return
		}
		s.afterOp = false
		if up == "FROM" {
			s.want, s.inName = wantList, false
			return
		}
		if sqlTargetAfter[up] {
			s.want, s.inName = wantOne, false
			return
		}
		if s.want != wantNone && sqlTargetNoise[up] {
			return
		}
		if sqlClauses[up] || up == "AS" {
			if up != "AS" {
				s.want = wantNone
			}
			s.inName = false
			return
		}
	}
	switch s.want {
	case wantOne:
		s.add(w)
		s.want, s.inName = wantNone, true
	case wantList:
		s.add(w)
		s.want, s.inName = wantListMore, true
	default:
		s.inName = false // an alias, a column, a function…
	}
}

// literal: a value or parameter, never part of a name.
func (s *summarizer) literal() {
	s.started, s.first, s.inName, s.dot, s.afterOp = true, false, false, false, false
}

func (s *summarizer) punct(c byte) {
	switch c {
	case '.':
		s.dot = s.inName
		return
	case ',':
		if s.want == wantListMore {
			s.want = wantList
		}
	case '(':
		if s.want == wantList || s.want == wantOne {
			s.want = wantNone // a subquery or a function: its own words
		}
	case ';':
		s.first, s.want = true, wantNone
	case ' ', '\t', '\n', '\r':
		return
	}
	s.inName, s.dot, s.afterOp = false, false, false
}

func (s *summarizer) String() string { return strings.Join(s.parts, " ") }
