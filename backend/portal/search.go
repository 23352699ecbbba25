package portal

import (
	"html"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Search limits: longer queries are cut, never refused.
const (
	maxSearchTerms   = 16
	maxSearchTermLen = 64
	// SnippetMax is the most characters of text a snippet shows.
	SnippetMax = 160
)

// isTokenRune reports whether r belongs to a search token: letters, digits
// and private-use characters, as SQLite FTS5's unicode61 tokenizer splits.
func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}

// Tokens returns the search tokens of s: folded (case and diacritics),
// split on everything but letters and digits.
func Tokens(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !isTokenRune(r) })
}

// SearchBody returns what the search index holds for a ticket: the
// tokens of its searchable text (SearchText) separated by single spaces.
// It is strings.Join(Tokens(SearchText(t)), " ") made in one pass over
// each text that is ASCII, without the pieces between: a bulk load makes
// it for every ticket, ahead of the writer.
func SearchBody(t *Ticket) string {
	n := len(t.Title) + len(t.Description)
	for _, p := range t.Parts {
		n += len(p.Body)
	}
	b := make([]byte, 0, n)
	b = appendTokens(b, t.Title)
	b = appendTokens(b, t.Description)
	for _, p := range t.Parts {
		if !CustomerVisible(p.PartType) {
			continue
		}
		body := p.Body
		if strings.ContainsAny(body, "<&") {
			body = PlainText(body)
		}
		b = appendTokens(b, body)
	}
	return string(b)
}

// appendTokens appends the tokens of s (Tokens) to dst, each after a
// space when dst is not empty.
func appendTokens(dst []byte, s string) []byte {
	start, in := len(dst), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			// Not ASCII: folded and split as Tokens does.
			dst = dst[:start]
			for _, tok := range Tokens(s) {
				if len(dst) > 0 {
					dst = append(dst, ' ')
				}
				dst = append(dst, tok...)
			}
			return dst
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		default:
			in = false
			continue
		}
		if !in && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		in = true
		dst = append(dst, c)
	}
	return dst
}

// SearchTerms returns the terms of a search query: its tokens, at most 16,
// each cut to 64 bytes. Characters with a meaning in search syntax
// (quotes, *, -, parentheses, colons) are plain separators.
func SearchTerms(q string) []string {
	terms := Tokens(q)
	if len(terms) > maxSearchTerms {
		terms = terms[:maxSearchTerms]
	}
	for i, t := range terms {
		if len(t) > maxSearchTermLen {
			cut := maxSearchTermLen
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			terms[i] = t[:cut]
		}
	}
	return terms
}

// termHits reports which terms the tokens contain: every term as a whole
// token, the last also as a prefix of one.
func termHits(tokens, terms []string) []int {
	hits := make([]int, len(terms))
	for _, tok := range tokens {
		for i, term := range terms {
			if tok == term || (i == len(terms)-1 && strings.HasPrefix(tok, term)) {
				hits[i]++
			}
		}
	}
	return hits
}

// MatchesTerms reports whether tokens contain every term (the last as a
// prefix). No terms match nothing.
func MatchesTerms(tokens, terms []string) bool {
	if len(terms) == 0 {
		return false
	}
	for _, h := range termHits(tokens, terms) {
		if h == 0 {
			return false
		}
	}
	return true
}

// SearchSource is one searchable text of a ticket: its title, its
// description, or one customer-visible part, with who wrote it and when.
type SearchSource struct {
	Kind   string // "title", "description" or "part"
	Text   string // plain text
	Author string
	At     time.Time
}

// SearchSources returns the texts of t that portal search reads: the title
// and description (by the creator, at the ticket's creation) and every
// customer-visible part with a body. Notes are never among them.
func SearchSources(t *Ticket, creatorName string) []SearchSource {
	out := []SearchSource{
		{Kind: "title", Text: t.Title, Author: creatorName, At: t.CreatedAt},
	}
	// The description is plain text (Intercom's _default_description_):
	// only its white space is tidied; a "<b>" in it is text.
	if d := strings.Join(strings.Fields(t.Description), " "); d != "" {
		out = append(out, SearchSource{Kind: "description", Text: d, Author: creatorName, At: t.CreatedAt})
	}
	for _, p := range VisibleParts(t) {
		if txt := PlainText(p.Body); txt != "" {
			out = append(out, SearchSource{Kind: "part", Text: txt, Author: p.AuthorName, At: p.CreatedAt})
		}
	}
	return out
}

// SearchText returns all the searchable text of a ticket in one string:
// what the search index holds for it.
func SearchText(t *Ticket) string {
	var b strings.Builder
	for i, s := range SearchSources(t, "") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

// MatchesSearch reports whether ticket t holds every term of a search
// somewhere in its searchable text.
func MatchesSearch(t *Ticket, terms []string) bool {
	return MatchesTerms(Tokens(SearchText(t)), terms)
}

// BestSource returns the index of the source that matches the search best:
// the most distinct terms, then the most hits; ties go to the title, the
// description, then the newest part.
func BestSource(srcs []SearchSource, terms []string) int {
	best, bestDistinct, bestHits := -1, 0, 0
	for i, s := range srcs {
		hits := termHits(Tokens(s.Text), terms)
		distinct, total := 0, 0
		for _, h := range hits {
			if h > 0 {
				distinct++
			}
			total += h
		}
		if distinct == 0 {
			continue
		}
		better := distinct > bestDistinct || (distinct == bestDistinct && total > bestHits)
		// Among equal parts, the newer (later) one wins.
		if !better && distinct == bestDistinct && total == bestHits && s.Kind == "part" && best >= 0 && srcs[best].Kind == "part" {
			better = true
		}
		if better {
			best, bestDistinct, bestHits = i, distinct, total
		}
	}
	return best
}

// Highlight returns an HTML snippet of text around its first match: at
// most max characters of text, cut at word boundaries (with "…" where
// cut), escaped, with every matched word wrapped in <mark>…</mark>.
func Highlight(text string, terms []string, max int) string {
	runes := []rune(strings.Join(strings.Fields(text), " "))
	// Find the token spans and which of them match.
	type span struct{ start, end int }
	var matches []span
	first := -1
	for i := 0; i < len(runes); {
		if !isTokenRune(runes[i]) {
			i++
			continue
		}
		j := i
		// Combining marks belong to their word, as Fold removes them:
		// decomposed "e\u0301te\u0301" is the one token "ete".
		for j < len(runes) && (isTokenRune(runes[j]) || unicode.Is(unicode.Mn, runes[j])) {
			j++
		}
		if MatchesAny(Fold(string(runes[i:j])), terms) {
			matches = append(matches, span{i, j})
			if first < 0 {
				first = i
			}
		}
		i = j
	}
	if first < 0 {
		first = 0
	}
	// Choose a window of at most max runes around the first match, a
	// little context before it, then snap it to word boundaries.
	start, end := 0, len(runes)
	if len(runes) > max {
		start = first - max/4
		if start < 0 {
			start = 0
		}
		end = start + max
		if end > len(runes) {
			end = len(runes)
			start = end - max
		}
		if start > 0 {
			start++ // room for the leading "…"
			for start < first && runes[start-1] != ' ' {
				start++
			}
		}
		if end < len(runes) {
			end-- // room for the trailing "…"
			for end > start && runes[end] != ' ' && end > first {
				end--
			}
			if end <= first {
				// The first match's word runs past the window: show it
				// from its start, whole if it fits, else cut inside it.
				start = first
				end = start + max - 1 // room for the trailing "…"
				if start > 0 {
					end-- // and the leading one
				}
				if end+1 >= len(runes) {
					end = len(runes)
				} else {
					for e := end; e > first; e-- {
						if runes[e] == ' ' {
							end = e
							break
						}
					}
				}
			}
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, m := range matches {
		if m.end <= start || m.start >= end {
			continue
		}
		s, e := m.start, m.end
		if s < start {
			s = start
		}
		if e > end {
			e = end
		}
		b.WriteString(html.EscapeString(string(runes[pos:s])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(runes[s:e])))
		b.WriteString("</mark>")
		pos = e
	}
	b.WriteString(html.EscapeString(strings.TrimRight(string(runes[pos:end]), " ")))
	if end < len(runes) {
		b.WriteString("…")
	}
	return b.String()
}

// MatchesAny reports whether a folded token matches one of the terms (the
// last as a prefix).
func MatchesAny(token string, terms []string) bool {
	for i, t := range terms {
		if token == t || (i == len(terms)-1 && strings.HasPrefix(token, t)) {
			return true
		}
	}
	return false
}

// blockTags end a line of text when stripped.
var blockTags = map[string]bool{"p": true, "br": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true, "blockquote": true, "pre": true,
	"h5": true, "h6": true, "hr": true, "td": true, "th": true, "ul": true, "ol": true, "table": true, "dl": true, "dt": true, "dd": true}

// PlainText reduces an HTML body to its text: tags removed (block tags
// become spaces), script and style contents dropped, entities decoded,
// white space collapsed. It reads the body once, left to right: its time
// is linear in the body's size, whatever the tags (a body is customer
// input, and megabytes of nested or repeated tags must not stall an
// import or a page).
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:i]))
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 {
			// A lone "<" is text.
			b.WriteString(html.UnescapeString(s))
			break
		}
		closing := strings.HasPrefix(s, "</")
		tag := tagName(s[1:j])
		s = s[j+1:]
		// An opening script or style tag: skip its contents to the
		// closing tag, or to the end when it is never closed. The search
		// starts here and stops at the closing tag, so no byte is read
		// twice.
		if (tag == "script" || tag == "style") && !closing {
			if end := indexCloseTag(s, tag); end >= 0 {
				s = s[end:]
			} else {
				s = ""
			}
		}
		if blockTags[tag] {
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// tagName returns the lower-case name of the tag whose text (between "<"
// and ">") is inside: without leading slashes, up to the first space,
// tab, newline or slash.
func tagName(inside string) string {
	inside = strings.TrimLeft(inside, "/")
	if k := strings.IndexAny(inside, " \t\n/"); k >= 0 {
		inside = inside[:k]
	}
	return strings.ToLower(inside)
}

// indexCloseTag returns the offset in s of the first "</" + name, the
// letters of s compared without ASCII case (name is lower case), or -1.
func indexCloseTag(s, name string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], "</")
		if i < 0 {
			return -1
		}
		at := off + i
		rest := s[at+2:]
		if len(rest) >= len(name) && equalFoldASCII(rest[:len(name)], name) {
			return at
		}
		off = at + 2
	}
}

// equalFoldASCII reports whether s equals the lower-case ASCII lower once
// its ASCII capitals are lowered (other bytes must match exactly).
func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
