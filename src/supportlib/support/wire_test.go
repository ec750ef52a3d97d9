package support

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// A checker of the OTLP protobuf encoding independent of the encoder: it
// walks an ExportTraceServiceRequest with the schema of the messages rtool
// writes (opentelemetry-proto's field numbers and types, written out
// again here), and fails on anything a strict receiver would reject: a
// malformed tag, varint or length, a field of the wrong wire type, a
// string that is not UTF-8.

type fieldKind int

const (
	kString fieldKind = iota
	kBytes
	kVarint
	kFixed64
	kMessage
)

type wireField struct {
	name string
	kind fieldKind
	msg  map[int]wireField // kMessage's fields
}

func message(name string, fields map[int]wireField) wireField {
	return wireField{name: name, kind: kMessage, msg: fields}
}

var (
	wireKeyValue = func(name string) wireField {
		return message(name, map[int]wireField{
			1: {name: "key", kind: kString},
			2: message("value", map[int]wireField{
				1: {name: "string", kind: kString}, 2: {name: "bool", kind: kVarint},
				3: {name: "int", kind: kVarint}, 4: {name: "double", kind: kFixed64},
			}),
		})
	}
	wireSpan = message("span", map[int]wireField{
		1: {name: "trace_id", kind: kBytes}, 2: {name: "span_id", kind: kBytes}, 3: {name: "trace_state", kind: kString},
		4: {name: "parent_span_id", kind: kBytes}, 5: {name: "name", kind: kString}, 6: {name: "kind", kind: kVarint},
		7: {name: "start", kind: kFixed64}, 8: {name: "end", kind: kFixed64}, 9: wireKeyValue("attr"),
		11: message("event", map[int]wireField{1: {name: "time", kind: kFixed64}, 2: {name: "name", kind: kString}, 3: wireKeyValue("attr")}),
		15: message("status", map[int]wireField{2: {name: "message", kind: kString}, 3: {name: "code", kind: kVarint}}),
	})
	wireRequest = message("", map[int]wireField{
		1: message("resource_spans", map[int]wireField{
			1: message("resource", map[int]wireField{1: wireKeyValue("attr")}),
			2: message("scope_spans", map[int]wireField{
				1: message("scope", map[int]wireField{1: {name: "name", kind: kString}, 2: {name: "version", kind: kString}}),
				2: wireSpan,
			}),
		}),
	})
)

// wireString is a string field found by walkWire: where (the field names
// from the request down, dot-separated) and its value.
type wireString struct{ path, value string }

// walkWire checks b as the message m and returns its string fields, in
// order.
func walkWire(b []byte, m wireField) ([]wireString, error) {
	var out []wireString
	err := walkMessage(b, m, "", &out)
	return out, err
}

func walkMessage(b []byte, m wireField, path string, out *[]wireString) error {
	varint := func() (uint64, error) {
		var v uint64
		for shift := 0; ; shift += 7 {
			if len(b) == 0 || shift > 63 {
				return 0, errors.New(path + ": a truncated varint")
			}
			c := b[0]
			b = b[1:]
			if shift == 63 && c > 1 {
				return 0, errors.New(path + ": a varint over 64 bits")
			}
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				if c == 0 && shift > 0 {
					return 0, errors.New(path + ": a varint with a padding byte")
				}
				return v, nil
			}
		}
	}
	for len(b) > 0 {
		tag, err := varint()
		if err != nil {
			return err
		}
		num, wire := int(tag>>3), int(tag&7)
		f, ok := m.msg[num]
		if !ok {
			return errors.New(path + ": field " + strconv.Itoa(num) + " is not in the schema")
		}
		where := f.name
		if path != "" {
			where = path + "." + f.name
		}
		want := map[fieldKind]int{kString: wireBytes, kBytes: wireBytes, kMessage: wireBytes, kVarint: wireVarint, kFixed64: wireFixed64}[f.kind]
		if wire != want {
			return errors.New(where + ": wire type " + strconv.Itoa(wire))
		}
		switch wire {
		case wireVarint:
			if _, err := varint(); err != nil {
				return err
			}
		case wireFixed64:
			if len(b) < 8 {
				return errors.New(where + ": a truncated fixed64")
			}
			b = b[8:]
		case wireBytes:
			n, err := varint()
			if err != nil {
				return err
			}
			if uint64(len(b)) < n {
				return errors.New(where + ": a length beyond the message")
			}
			v := b[:n]
			b = b[n:]
			switch f.kind {
			case kString:
				if !utf8.Valid(v) {
					return errors.New(where + ": not UTF-8: " + strconv.Quote(string(v)))
				}
				*out = append(*out, wireString{where, string(v)})
			case kMessage:
				if err := walkMessage(v, f, where, out); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
