package intercom

import (
	"bufio"
	"bytes"
	"io"
)

// scanner walks a JSON stream without holding more of it than the value it
// is capturing. It counts lines as it consumes bytes, so the line of the
// next unread byte is always known; encoding/json validates what it
// captures.
type scanner struct {
	r    *bufio.Reader
	line int // line of the next unread byte, 1-based
	// spaceLine is the line where the whitespace skipped by the last peek
	// began: where an unexpected end of input is reported.
	spaceLine int
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10), line: 1, spaceLine: 1}
}

// skipBOM drops a UTF-8 byte order mark at the start of the input, which
// editors on Windows like to write.
func (s *scanner) skipBOM() error {
	b, err := s.r.Peek(3)
	if bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = s.r.Discard(3)
		return nil
	}
	if err == io.EOF || err == bufio.ErrBufferFull {
		return nil
	}
	return err
}

// fill returns the buffered bytes, reading more when none are buffered.
// It returns no bytes only with an error (io.EOF at the end of input).
func (s *scanner) fill() ([]byte, error) {
	if s.r.Buffered() == 0 {
		if _, err := s.r.Peek(1); err != nil {
			return nil, err
		}
	}
	b, _ := s.r.Peek(s.r.Buffered())
	return b, nil
}

// peek skips whitespace and returns the next byte without consuming it.
// At the end of input it returns io.EOF.
func (s *scanner) peek() (byte, error) {
	s.spaceLine = s.line
	for {
		chunk, err := s.fill()
		if len(chunk) == 0 {
			return 0, err
		}
		for i, c := range chunk {
			switch c {
			case '\n':
				s.line++
			case ' ', '\t', '\r':
			default:
				_, _ = s.r.Discard(i)
				return c, nil
			}
		}
		_, _ = s.r.Discard(len(chunk))
	}
}

// skip consumes the byte peek returned (never a newline).
func (s *scanner) skip() { _, _ = s.r.Discard(1) }

// capture consumes one JSON value starting at the next byte (after peek)
// and appends it to dst while the value fits in limit bytes. over reports
// a longer value: it is consumed to its end but not kept. The value ends
// after its closing bracket or quote, or before the delimiter that ends a
// literal; the first byte always belongs to it, so a stray ',' or '}' is
// captured and validation names it. A value cut short by the end of input
// is returned as far as it goes; validation reports it. err is only ever a
// read error.
//
// capture only tracks strings and bracket depth; it does not validate.
func (s *scanner) capture(dst []byte, limit int) (raw []byte, over bool, err error) {
	var (
		started, literal  bool
		inString, escaped bool
		depth             int
	)
	for {
		chunk, err := s.fill()
		if len(chunk) == 0 {
			if err == io.EOF {
				err = nil
			}
			return dst, over, err
		}
		end := -1 // how many bytes of chunk belong to the value, once known
	scan:
		for i, c := range chunk {
			switch {
			case !started:
				started = true
				switch c {
				case '{', '[':
					depth = 1
				case '"':
					inString = true
				default:
					literal = true
				}
			case literal:
				if isDelimiter(c) {
					end = i
					break scan
				}
			case inString:
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					if depth == 0 {
						end = i + 1
						break scan
					}
				}
			default:
				switch c {
				case '"':
					inString = true
				case '{', '[':
					depth++
				case '}', ']':
					depth--
					if depth == 0 {
						end = i + 1
						break scan
					}
				}
			}
		}
		part := chunk
		if end >= 0 {
			part = chunk[:end]
		}
		s.line += bytes.Count(part, newline)
		if !over {
			if len(dst)+len(part) > limit {
				over = true
			} else {
				dst = append(dst, part...)
			}
		}
		_, _ = s.r.Discard(len(part))
		if end >= 0 {
			return dst, over, nil
		}
	}
}

var newline = []byte{'\n'}

// isDelimiter reports whether c ends a JSON literal (number, true, false,
// null).
func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ':', ']', '}', '[', '{', '"':
		return true
	}
	return false
}
