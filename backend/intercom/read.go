package intercom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"portalstudio/backend/portal"
)

// MaxRecordSize is the largest record Read accepts, in bytes of JSON. A
// larger record is rejected (and skipped without being held in memory).
const MaxRecordSize = 16 << 20

// Object types and the reason given for any other.
const (
	typeContact = "contact"
	typeCompany = "company"
	typeTicket  = "ticket"

	takes = "import takes contacts, companies and tickets"
)

// listKeys are the keys under which an envelope holds its elements, with
// the object type an element without its own "type" is taken to be.
var listKeys = map[string]string{
	"data":      "",
	"contacts":  typeContact,
	"companies": typeCompany,
	"tickets":   typeTicket,
}

// listTypes are the envelope types whose "data" elements have a known
// type.
var listTypes = map[string]string{
	"contact.list": typeContact,
	"company.list": typeCompany,
	"ticket.list":  typeTicket,
}

// Read reads one import file (name is used in positions and messages) and
// calls fn for each record in order.
//
// The file holds Intercom REST API objects as the API returns them: single
// contacts, companies and tickets, list envelopes ("list", "contact.list",
// "company.list", "ticket.list") and JSON arrays of them, one after another
// in any mix, pretty-printed or as JSON Lines. Each record's Source names
// the file and the 1-based line where the object starts (for an envelope's
// elements, the element's own line).
//
// Read returns the records it rejected (with file, line, kind, id and
// reason): objects of other types, records without an id, standard fields
// of the wrong JSON type, tickets without a valid category, records larger
// than MaxRecordSize. Rejections do not stop reading.
//
// A file that is not JSON or JSON Lines returns an *portal.Error with code
// portal.EINVALID naming the file and line ("contacts.json:3: not valid
// JSON: ..."). Records are delivered as they are read, so fn may have seen
// records before such an error: callers that want all or nothing undo
// them. An error returned by fn stops reading and is returned as is; a read
// error of r is returned wrapped.
func Read(name string, r io.Reader, fn func(portal.Record) error) ([]portal.Rejection, error) {
	rd := &reader{name: name, s: newScanner(r), fn: fn}
	err := rd.run()
	return rd.rejected, err
}

// reader holds the state of one Read.
type reader struct {
	name     string
	s        *scanner
	fn       func(portal.Record) error
	rejected []portal.Rejection
	buf      []byte // capture buffer, reused for envelope elements
}

func (rd *reader) run() error {
	if err := rd.s.skipBOM(); err != nil {
		return rd.readError(err)
	}
	for {
		c, err := rd.s.peek()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return rd.readError(err)
		}
		line := rd.s.line
		switch c {
		case '{':
			err = rd.topObject(line)
		case '[':
			err = rd.array("")
		default:
			err = rd.element(line, "")
		}
		if err != nil {
			return err
		}
	}
}

// topObject reads a top-level object: either an envelope, whose elements
// become records one by one, or a record. It walks the object key by key
// so an envelope's elements never have to be in memory together.
func (rd *reader) topObject(line int) error {
	s := rd.s
	s.skip() // '{'
	var (
		fields   = map[string]json.RawMessage{}
		typ      string
		typeSeen bool
		envelope bool // an element array was found: this is not a record
		size     int  // bytes kept in fields
		over     bool // the object is too large to be a record
	)
	c, err := s.peek()
	if err != nil {
		return rd.peekError(err)
	}
	if c == '}' {
		s.skip()
		return rd.record(line, fields, "")
	}
	for {
		c, err := s.peek()
		if err != nil {
			return rd.peekError(err)
		}
		if c != '"' {
			return rd.syntaxError(s.line, "invalid character %s looking for beginning of object key string", quoteChar(c))
		}
		keyLine := s.line
		raw, keyOver, err := s.capture(nil, MaxRecordSize)
		if err != nil {
			return rd.readError(err)
		}
		var key string
		if !keyOver {
			if err := rd.validate(raw, keyLine); err != nil {
				return err
			}
			_ = json.Unmarshal(raw, &key)
		}
		if c, err = s.peek(); err != nil {
			return rd.peekError(err)
		}
		if c != ':' {
			return rd.syntaxError(s.line, "invalid character %s after object key", quoteChar(c))
		}
		s.skip()
		if c, err = s.peek(); err != nil {
			return rd.peekError(err)
		}
		valueLine := s.line
		if hint, isList := listKeys[key]; isList && c == '[' && (!typeSeen || isListType(typ)) {
			if hint == "" {
				hint = listTypes[typ]
			}
			envelope = true
			if err := rd.array(hint); err != nil {
				return err
			}
		} else {
			limit := MaxRecordSize
			if !envelope {
				limit = max(MaxRecordSize-size-len(key), 0)
			}
			raw, valueOver, err := s.capture(nil, limit)
			if err != nil {
				return rd.readError(err)
			}
			switch {
			case keyOver || valueOver:
				over = over || !envelope
			default:
				if err := rd.validate(raw, valueLine); err != nil {
					return err
				}
				fields[key] = raw
				size += len(key) + len(raw)
				if key == "type" {
					typeSeen = true
					typ = ""
					_ = json.Unmarshal(raw, &typ)
				}
			}
		}
		if c, err = s.peek(); err != nil {
			return rd.peekError(err)
		}
		if c != ',' && c != '}' {
			return rd.syntaxError(s.line, "invalid character %s after object key:value pair", quoteChar(c))
		}
		s.skip()
		if c == '}' {
			break
		}
	}
	switch {
	case envelope:
		return nil
	case typ == "list" || listTypes[typ] != "":
		return nil // an envelope without elements
	case over:
		kind, id := kindAndID(fields)
		rd.reject(line, kind, id, tooLarge)
		return nil
	}
	return rd.record(line, fields, "")
}

// array reads a JSON array whose elements are records (an envelope's list
// or a top-level array). hint is the object type of elements that do not
// name their own.
func (rd *reader) array(hint string) error {
	s := rd.s
	s.skip() // '['
	c, err := s.peek()
	if err != nil {
		return rd.peekError(err)
	}
	if c == ']' {
		s.skip()
		return nil
	}
	for {
		if _, err := s.peek(); err != nil {
			return rd.peekError(err)
		}
		if err := rd.element(s.line, hint); err != nil {
			return err
		}
		c, err := s.peek()
		if err != nil {
			return rd.peekError(err)
		}
		switch c {
		case ',':
			s.skip()
		case ']':
			s.skip()
			return nil
		default:
			return rd.syntaxError(s.line, "invalid character %s after array element", quoteChar(c))
		}
	}
}

// element reads one value that should be a record, starting at line.
func (rd *reader) element(line int, hint string) error {
	raw, over, err := rd.s.capture(rd.buf[:0], MaxRecordSize)
	rd.buf = raw
	if err != nil {
		return rd.readError(err)
	}
	if over {
		rd.reject(line, "", "", tooLarge)
		return nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		if err := rd.validate(raw, line); err != nil {
			return err
		}
		rd.reject(line, "", "", "expected a JSON object, found "+describe(raw))
		return nil
	}
	// Unmarshal validates the whole value before it decodes any of it.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		if verr := rd.validate(raw, line); verr != nil {
			return verr
		}
		return rd.syntaxError(line, "%v", err) // not reached: a valid '{' value is an object
	}
	return rd.record(line, fields, hint)
}

const tooLarge = "record is larger than 16 MiB; import takes records up to 16 MiB each"

// record turns one object into a record and hands it to fn, or rejects it.
func (rd *reader) record(line int, fields map[string]json.RawMessage, hint string) error {
	typ := hint
	if raw, ok := fields["type"]; ok && jsonKind(raw) != kindNull {
		if jsonKind(raw) != kindString {
			rd.reject(line, "", idOf(fields), `"type" must be a string, not `+describe(raw))
			return nil
		}
		_ = json.Unmarshal(raw, &typ)
	}
	rec := portal.Record{Source: portal.Source{File: rd.name, Line: line}}
	var err error
	switch typ {
	case typeContact:
		rec.User, err = decodeContact(fields)
	case typeCompany:
		rec.Company, err = decodeCompany(fields)
	case typeTicket:
		rec.Ticket, rec.TicketType, err = decodeTicket(fields)
	case "":
		rd.reject(line, "", idOf(fields), `object has no "type"; `+takes)
		return nil
	default:
		rd.reject(line, typ, idOf(fields), fmt.Sprintf("unsupported object type %q; %s", typ, takes))
		return nil
	}
	if err != nil {
		rd.reject(line, typ, idOf(fields), err.Error())
		return nil
	}
	return rd.fn(rec)
}

func (rd *reader) reject(line int, kind, id, reason string) {
	rd.rejected = append(rd.rejected, portal.Rejection{
		Source: portal.Source{File: rd.name, Line: line},
		Kind:   kind,
		ID:     id,
		Reason: reason,
	})
}

// validate checks that raw, which starts at line and was just captured,
// is one JSON value.
func (rd *reader) validate(raw []byte, line int) error {
	var v json.RawMessage
	err := json.Unmarshal(raw, &v)
	if err == nil {
		return nil
	}
	if len(raw) > 0 && !strings.ContainsRune(`{["`, rune(raw[0])) {
		// A literal ends at the next delimiter, which is what is wrong
		// with "tru}": validate with it, so the message names it.
		if next, peekErr := rd.s.r.Peek(1); peekErr == nil {
			raw = append(raw[:len(raw):len(raw)], next[0])
			err = json.Unmarshal(raw, &v)
		}
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return rd.syntaxError(line, "%v", err)
	}
	// The offending byte is raw[Offset-1]; an unexpected end is reported
	// where the last value byte is, not after trailing blank lines.
	pos := min(int(se.Offset)-1, len(raw)-1)
	if pos >= len(raw)-1 {
		for pos > 0 && isSpace(raw[pos]) {
			pos--
		}
	}
	pos = max(pos, 0)
	return rd.syntaxError(line+bytes.Count(raw[:pos], newline), "%v", se)
}

// peekError turns an error of peek inside a value into the error Read
// returns: the end of input there means the JSON is cut short.
func (rd *reader) peekError(err error) error {
	if err == io.EOF {
		return rd.syntaxError(rd.s.spaceLine, "unexpected end of JSON input")
	}
	return rd.readError(err)
}

func (rd *reader) syntaxError(line int, format string, args ...any) error {
	return portal.Errorf(portal.EINVALID,
		"%s:%d: not valid JSON: %s; import takes Intercom API objects as JSON or JSON Lines",
		rd.name, line, fmt.Sprintf(format, args...))
}

func (rd *reader) readError(err error) error {
	return fmt.Errorf("read %s: %w", rd.name, err)
}

// isListType reports whether typ names a list envelope: "list",
// "ticket.list" and the like.
func isListType(typ string) bool {
	return typ == "list" || strings.HasSuffix(typ, ".list")
}

// kindAndID returns an object's type and id when they are strings, for
// rejections.
func kindAndID(fields map[string]json.RawMessage) (kind, id string) {
	if raw, ok := fields["type"]; ok && jsonKind(raw) == kindString {
		_ = json.Unmarshal(raw, &kind)
	}
	return kind, idOf(fields)
}

// idOf returns an object's id when it is a string.
func idOf(fields map[string]json.RawMessage) string {
	var id string
	if raw, ok := fields["id"]; ok && jsonKind(raw) == kindString {
		_ = json.Unmarshal(raw, &id)
	}
	return id
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("'\\x%02x'", c)
	}
	return "'" + string(c) + "'"
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
