package portal

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// UnmarshalCustom decodes custom attributes as the stores keep them (the
// JSON of a map[string]Value) into *into: exactly what json.Unmarshal
// gives, several times faster for the form the stores write (a flat
// object of Values with their own fields in lower case, strings without
// escapes), which a preview reads for the user and each of their
// companies and an impact for every user it lists. Anything else is left
// to json.Unmarshal.
func UnmarshalCustom(data []byte, into *map[string]Value) error {
	if m, ok := fastCustom(data); ok {
		if m == nil || *into == nil { // null sets the map to nil
			*into = m
		} else {
			for k, v := range m {
				(*into)[k] = v
			}
		}
		return nil
	}
	return json.Unmarshal(data, into)
}

// customReader reads the stores' form of custom attributes; any byte it
// does not expect makes it give up (ok false).
type customReader struct {
	b  []byte
	i  int
	ok bool
}

// fastCustom decodes data when it is in the stores' form.
func fastCustom(data []byte) (map[string]Value, bool) {
	r := customReader{b: data, ok: true}
	r.ws()
	if r.peek() == 'n' {
		r.word("null")
		r.ws()
		return nil, r.ok && r.i == len(r.b)
	}
	m := map[string]Value{}
	r.object(func(key string) {
		var v Value
		r.object(func(field string) { r.field(&v, field) })
		m[key] = v
	})
	r.ws()
	return m, r.ok && r.i == len(r.b)
}

func (r *customReader) peek() byte {
	if r.ok && r.i < len(r.b) {
		return r.b[r.i]
	}
	r.ok = false
	return 0
}

func (r *customReader) ws() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

func (r *customReader) expect(c byte) {
	if r.peek() != c {
		r.ok = false
		return
	}
	r.i++
}

func (r *customReader) word(w string) {
	if !r.ok || len(r.b)-r.i < len(w) || string(r.b[r.i:r.i+len(w)]) != w {
		r.ok = false
		return
	}
	r.i += len(w)
}

// object reads {"key": …, …}, calling member for each key with the
// reader at its value.
func (r *customReader) object(member func(key string)) {
	r.ws()
	r.expect('{')
	r.ws()
	if r.peek() == '}' {
		r.i++
		return
	}
	for r.ok {
		key := r.str()
		r.ws()
		r.expect(':')
		r.ws()
		if !r.ok {
			return
		}
		member(key)
		r.ws()
		switch r.peek() {
		case ',':
			r.i++
			r.ws()
		case '}':
			r.i++
			return
		default:
			r.ok = false
		}
	}
}

// str reads a string without escapes or control characters, of valid
// UTF-8 (json.Unmarshal would change the others).
func (r *customReader) str() string {
	s, ok := r.quoted()
	if !ok {
		return ""
	}
	return string(s[1 : len(s)-1])
}

// quoted reads such a string and returns it with its quotes.
func (r *customReader) quoted() ([]byte, bool) {
	r.expect('"')
	if !r.ok {
		return nil, false
	}
	start := r.i - 1
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			s := r.b[start:r.i]
			if !utf8.Valid(s) {
				r.ok = false
				return nil, false
			}
			return s, true
		case c == '\\' || c < 0x20:
			r.ok = false
			return nil, false
		}
		r.i++
	}
	r.ok = false
	return nil, false
}

// field reads the value of one of a Value's fields.
func (r *customReader) field(v *Value, name string) {
	switch name {
	case "kind":
		s, ok := r.quoted()
		if !ok {
			return
		}
		switch string(s[1 : len(s)-1]) { // no copy for the kinds there are
		case string(KindString):
			v.Kind = KindString
		case string(KindNumber):
			v.Kind = KindNumber
		case string(KindBoolean):
			v.Kind = KindBoolean
		case string(KindDate):
			v.Kind = KindDate
		default:
			v.Kind = ValueKind(s[1 : len(s)-1])
		}
	case "str":
		v.Str = r.str()
	case "num":
		v.Num = r.num()
	case "bool":
		switch r.peek() {
		case 't':
			r.word("true")
			v.Bool = true
		case 'f':
			r.word("false")
			v.Bool = false
		default:
			r.ok = false
		}
	case "time":
		s, ok := r.quoted()
		if ok {
			var t time.Time
			if err := t.UnmarshalJSON(s); err != nil {
				r.ok = false
				return
			}
			v.Time = t
		}
	default:
		r.ok = false
	}
}

// num reads a JSON number that is a float64.
func (r *customReader) num() float64 {
	start := r.i
	if r.peek() == '-' {
		r.i++
	}
	switch {
	case r.peek() == '0':
		r.i++
	case r.peek() >= '1' && r.peek() <= '9':
		r.digits()
	default:
		r.ok = false
		return 0
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		r.digits1()
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		r.digits1()
	}
	if !r.ok {
		return 0
	}
	f, err := strconv.ParseFloat(string(r.b[start:r.i]), 64)
	if err != nil {
		r.ok = false // out of range: json.Unmarshal says so
	}
	return f
}

func (r *customReader) digits() {
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
}

// digits1 reads one digit or more.
func (r *customReader) digits1() {
	if r.i >= len(r.b) || r.b[r.i] < '0' || r.b[r.i] > '9' {
		r.ok = false
		return
	}
	r.digits()
}
