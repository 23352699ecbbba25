package portal_test

import (
	"fmt"
	"html"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"portalstudio/backend/portal"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   \t\n ", nil},
		{"Hello, World!", []string{"hello", "world"}},
		{"Café au lait", []string{"cafe", "au", "lait"}},
		{"ÉLODIE Łódź Straße Øresund", []string{"elodie", "lodz", "strasse", "oresund"}},
		{"e-mail snake_case a.b/c", []string{"e", "mail", "snake", "case", "a", "b", "c"}},
		{"v2.3 123abc", []string{"v2", "3", "123abc"}},
		{"don't", []string{"don", "t"}},
		{"Привет мир", []string{"привет", "мир"}},
		{"日本語", []string{"日本語"}},
		{"😀 smile 😀", []string{"smile"}},
		{"\uE000x", []string{"\uE000x"}},                        // private use is a token character
		{"e\u0301te\u0301", []string{"ete"}},                    // decomposed (NFD) text folds the same
		{"<p>a&amp;b</p>", []string{"p", "a", "amp", "b", "p"}}, // Tokens does not parse HTML
	}
	for _, tt := range tests {
		got := portal.Tokens(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchTerms(t *testing.T) {
	many := make([]string, 20)
	for i := range many {
		many[i] = fmt.Sprintf("w%d", i)
	}
	tests := []struct {
		name string
		q    string
		want []string
	}{
		{"empty", "", nil},
		{"white space only", " \t\n  ", nil},
		{"punctuation only", `"*()-:^+`, nil},
		{"plain words", "printer broken", []string{"printer", "broken"}},
		{"case and diacritics folded", "Café", []string{"cafe"}},
		{"uppercase diacritics", "CAFÉ ÉLODIE", []string{"cafe", "elodie"}},
		{"quotes are separators", `"printer broken"`, []string{"printer", "broken"}},
		{"unbalanced quote", `"printer`, []string{"printer"}},
		{"star is a separator", "print*", []string{"print"}},
		{"star alone", "*", nil},
		{"parentheses", "(a OR b)", []string{"a", "or", "b"}},
		{"column filter colon", "title:secret", []string{"title", "secret"}},
		{"column filter braces", "{body vis}: x", []string{"body", "vis", "x"}},
		{"minus", "-foo", []string{"foo"}},
		{"NOT", "foo NOT bar", []string{"foo", "not", "bar"}},
		{"NEAR", "NEAR(a b, 5)", []string{"near", "a", "b", "5"}},
		{"AND OR are words", "a AND b OR c", []string{"a", "and", "b", "or", "c"}},
		{"caret and plus", "^start a+b", []string{"start", "a", "b"}},
		{"hyphenated", "e-mail", []string{"e", "mail"}},
		{"more than 16 terms", strings.Join(many, " "), many[:16]},
		{"exactly 16 terms", strings.Join(many[:16], " "), many[:16]},
		{"long ascii term cut to 64 bytes", strings.Repeat("a", 70), []string{strings.Repeat("a", 64)}},
		{"64 bytes kept", strings.Repeat("b", 64), []string{strings.Repeat("b", 64)}},
		{"cut at a rune boundary (2-byte runes)", "a" + strings.Repeat("ж", 40), []string{"a" + strings.Repeat("ж", 31)}},
		{"cut at a rune boundary (3-byte runes)", strings.Repeat("日", 30), []string{strings.Repeat("日", 21)}},
		{"long term with diacritics folded first", strings.Repeat("é", 70), []string{strings.Repeat("e", 64)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := portal.SearchTerms(tt.q)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SearchTerms(%q) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

// TestSearchTermsLimits checks, over many queries, that terms are never
// empty, never longer than 64 bytes, valid UTF-8, free of search syntax,
// at most 16, and already folded.
func TestSearchTermsLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune(`aZé日ж"*()-:^+{} NEARANDOR😀ß_0.`)
	for n := 0; n < 2000; n++ {
		q := make([]rune, r.IntN(300))
		for i := range q {
			q[i] = alphabet[r.IntN(len(alphabet))]
		}
		terms := portal.SearchTerms(string(q))
		if len(terms) > 16 {
			t.Fatalf("SearchTerms(%q): %d terms", string(q), len(terms))
		}
		for _, term := range terms {
			if term == "" || len(term) > 64 || !utf8.ValidString(term) {
				t.Fatalf("SearchTerms(%q): bad term %q", string(q), term)
			}
			if strings.ContainsAny(term, `"*()-:^+{} `) {
				t.Fatalf("SearchTerms(%q): term %q holds search syntax", string(q), term)
			}
			if portal.Fold(term) != term {
				t.Fatalf("SearchTerms(%q): term %q not folded", string(q), term)
			}
		}
	}
}

func TestMatchesTerms(t *testing.T) {
	tok := func(s string) []string { return strings.Fields(s) }
	tests := []struct {
		name   string
		tokens []string
		terms  []string
		want   bool
	}{
		{"no terms match nothing", tok("a b c"), nil, false},
		{"empty terms slice", tok("a b c"), []string{}, false},
		{"no tokens", nil, []string{"a"}, false},
		{"single exact", tok("printer broken"), []string{"printer"}, true},
		{"every term needed", tok("printer broken"), []string{"printer", "fire"}, false},
		{"all terms any order", tok("printer broken on fire"), []string{"fire", "printer"}, true},
		{"last term as prefix", tok("printer broken"), []string{"broken", "print"}, true},
		{"last term exact", tok("printer broken"), []string{"broken", "printer"}, true},
		{"non-last term is not a prefix", tok("printer broken"), []string{"print", "broken"}, false},
		{"prefix is not infix", tok("reprint"), []string{"print"}, false},
		{"term longer than token", tok("print"), []string{"printer"}, false},
		{"same term twice", tok("a"), []string{"a", "a"}, true},
		{"single term prefix", tok("café"), []string{"caf"}, true},
		{"one of many missing", tok("a b c d"), []string{"a", "b", "x", "d"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := portal.MatchesTerms(tt.tokens, tt.terms); got != tt.want {
				t.Errorf("MatchesTerms(%q, %q) = %v, want %v", tt.tokens, tt.terms, got, tt.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain text collapsed", "  plain   text\n\there  ", "plain text here"},
		{"paragraphs do not glue", "<p>a</p><p>b</p>", "a b"},
		{"br", "a<br>b", "a b"},
		{"br self-closing", "a<br/>b", "a b"},
		{"BR uppercase with space", "a<BR />b", "a b"},
		{"divs", "<div>a</div><div>b</div>", "a b"},
		{"list items", "<ul><li>a</li><li>b</li></ul>", "a b"},
		{"headings", "<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4>", "a b c d"},
		{"h5 h6", "<h5>a</h5><h6>b</h6>", "a b"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", "a b c"},
		{"hr", "a<hr>b", "a b"},
		{"blockquote pre", "<blockquote>a</blockquote><pre>b</pre>", "a b"},
		{"inline tags do not split words", "<b>bo</b>ld <i>it</i>", "bold it"},
		{"attributes", `<p class="x" data-secret="hidden">a</p>`, "a"},
		{"tag with newline", "<p\nclass=x>a</p>", "a"},
		{"link text kept, href dropped", `<a href="https://secret.example">click</a>`, "click"},
		{"amp", "a &amp; b", "a & b"},
		{"escaped script is text", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
		{"escaped script in paragraph", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"},
		{"named entity", "caf&eacute; &quot;q&quot; &#39;s&#39;", `café "q" 's'`},
		{"nbsp collapses", "a&nbsp;&nbsp;b", "a b"},
		{"lone less-than is text", "1 < 2", "1 < 2"},
		{"script dropped", "<script>alert(1)</script>Hello", "Hello"},
		{"script with attributes, uppercase", `<SCRIPT type="text/javascript">x()</SCRIPT>ok`, "ok"},
		{"style dropped", "<style>p{color:red}</style><p>Hi</p>", "Hi"},
		{"empty script", "x<script></script>y", "xy"},
		{"script holding a tag", "<script>document.write('<b>x</b>')</script>ok", "ok"},
		{"script in a paragraph", "<p>before<script>evil()</script> after</p>", "before after"},
		{"text between two styles kept", "<style>a{}</style><p>Hello</p><style>b{}</style>", "Hello"},
		{"text between two scripts kept", "<script>x()</script>hello<script>y()</script>world", "helloworld"},
		{"script with non-ASCII case changes", "<script>var s='İİİ';</script>after", "after"},
		{"script with invalid UTF-8", "<script>var s='\xff\xfe';</script>after", "after"},
		{"unclosed script dropped", "<p>ok</p><script>alert(1)", "ok"},
		{"comment dropped", "<!-- hidden --><p>x</p>", "x"},
		{"white space between blocks", "<p>a</p>\n\n  <p>b</p>", "a b"},
		{"nested", "<div><p>Hello <b>world</b></p></div>", "Hello world"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := portal.PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

var (
	t0      = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	hiddenT = []string{"note", "note_and_reopen", "assignment", "default_assignment", "away_mode_assignment",
		"assign_and_reopen", "assign_and_unsnooze", "snoozed", "unsnoozed", "timer_unsnooze"}
)

func searchTicket() *portal.Ticket {
	parts := []portal.Part{
		{ID: "p1", PartType: "comment", Body: "<p>The printer is <b>on fire</b></p>", AuthorName: "Agent Smith", CreatedAt: t0.Add(time.Hour)},
		{ID: "p2", PartType: "comment", Body: "<p></p>", AuthorName: "Empty", CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "p3", PartType: "close", Body: "Closing &amp; done", AuthorName: "Agent Jones", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "p4", PartType: "open", Body: "", AuthorName: "Nobody", CreatedAt: t0.Add(4 * time.Hour)},
	}
	for i, pt := range hiddenT {
		parts = append(parts, portal.Part{ID: "h" + pt, PartType: pt, Body: "<p>secret internal words</p>",
			AuthorName: "Internal", CreatedAt: t0.Add(time.Duration(10+i) * time.Hour)})
	}
	return &portal.Ticket{
		ID:          "t1",
		Title:       "Printer broken",
		Description: "It makes  smoke\n and noise",
		Category:    portal.CategoryCustomer,
		IsShared:    true,
		CreatedAt:   t0,
		Parts:       parts,
	}
}

func TestSearchSources(t *testing.T) {
	t.Run("title description visible parts", func(t *testing.T) {
		got := portal.SearchSources(searchTicket(), "Ada Creator")
		want := []portal.SearchSource{
			{Kind: "title", Text: "Printer broken", Author: "Ada Creator", At: t0},
			{Kind: "description", Text: "It makes smoke and noise", Author: "Ada Creator", At: t0},
			{Kind: "part", Text: "The printer is on fire", Author: "Agent Smith", At: t0.Add(time.Hour)},
			{Kind: "part", Text: "Closing & done", Author: "Agent Jones", At: t0.Add(3 * time.Hour)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SearchSources =\n%+v\nwant\n%+v", got, want)
		}
	})
	t.Run("no description", func(t *testing.T) {
		tk := &portal.Ticket{Title: "Only title", CreatedAt: t0}
		got := portal.SearchSources(tk, "C")
		want := []portal.SearchSource{{Kind: "title", Text: "Only title", Author: "C", At: t0}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SearchSources = %+v, want %+v", got, want)
		}
	})
	t.Run("a blank description is left out", func(t *testing.T) {
		tk := &portal.Ticket{Title: "T", Description: " \n\t ", CreatedAt: t0}
		if got := portal.SearchSources(tk, "C"); len(got) != 1 {
			t.Errorf("SearchSources = %+v, want the title only", got)
		}
	})
	for _, pt := range hiddenT {
		t.Run("never "+pt, func(t *testing.T) {
			tk := &portal.Ticket{Title: "T", CreatedAt: t0, Parts: []portal.Part{
				{PartType: pt, Body: "secret", AuthorName: "Internal", CreatedAt: t0},
			}}
			for _, s := range portal.SearchSources(tk, "C") {
				if strings.Contains(s.Text, "secret") || s.Author == "Internal" {
					t.Errorf("%s part in sources: %+v", pt, s)
				}
			}
			if strings.Contains(portal.SearchText(tk), "secret") {
				t.Errorf("%s part in SearchText %q", pt, portal.SearchText(tk))
			}
		})
	}
}

func TestMatchesSearch(t *testing.T) {
	tk := searchTicket()
	tests := []struct {
		q    string
		want bool
	}{
		{"printer", true},
		{"PRINTER", true},
		{"printer fire", true},     // title and a part
		{"broken fire", true},      // only title + only part
		{"smoke fire noise", true}, // description and part
		{"broken smoke", true},     // title and description
		{"fire printer", true},     // order does not matter
		{"printer fir", true},      // last term as prefix
		{"fir printer", false},     // only the last term is a prefix
		{"closing &", true},        // "&" is no term
		{"secret", false},          // only in notes and internal parts
		{"internal", false},        // only in notes and internal parts
		{"printer secret", false},  // every term needed
		{"makes smoke", true},      // the description is plain text
		{"", false},                // no terms match nothing
		{"printer dragon", false},  // a missing term
		{"Printér brokèn", true},   // diacritics folded
		{`"printer" AND fire*`, true},
	}
	for _, tt := range tests {
		if got := portal.MatchesSearch(tk, portal.SearchTerms(tt.q)); got != tt.want {
			t.Errorf("MatchesSearch(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestBestSource(t *testing.T) {
	src := func(kind, text string, h int) portal.SearchSource {
		return portal.SearchSource{Kind: kind, Text: text, Author: kind, At: t0.Add(time.Duration(h) * time.Hour)}
	}
	tests := []struct {
		name  string
		srcs  []portal.SearchSource
		terms []string
		want  int
	}{
		{"no match", []portal.SearchSource{src("title", "a", 0), src("part", "b", 1)}, []string{"z"}, -1},
		{"no terms", []portal.SearchSource{src("title", "a", 0)}, nil, -1},
		{"no sources", nil, []string{"a"}, -1},
		{"only a part matches", []portal.SearchSource{src("title", "a", 0), src("description", "b", 0), src("part", "c", 1)}, []string{"c"}, 2},
		{"more distinct terms win", []portal.SearchSource{src("title", "printer", 0), src("part", "printer fire", 1)}, []string{"printer", "fire"}, 1},
		{"distinct terms beat hits", []portal.SearchSource{
			src("title", "x", 0),
			src("part", "printer printer printer printer", 1),
			src("part", "printer fire", 2),
			src("part", "fire fire fire", 3),
		}, []string{"printer", "fire"}, 2},
		{"then more hits", []portal.SearchSource{src("title", "printer", 0), src("description", "printer and printer", 0)}, []string{"printer"}, 1},
		{"prefix hits count", []portal.SearchSource{src("title", "print", 0), src("part", "printer printing", 1)}, []string{"print"}, 1},
		{"tie: title before description", []portal.SearchSource{src("title", "printer", 0), src("description", "the printer", 0)}, []string{"printer"}, 0},
		{"tie: title before parts", []portal.SearchSource{src("title", "printer", 0), src("part", "printer", 1), src("part", "printer", 2)}, []string{"printer"}, 0},
		{"tie: description before parts", []portal.SearchSource{src("title", "x", 0), src("description", "printer", 0), src("part", "printer", 1)}, []string{"printer"}, 1},
		{"tie: newer part", []portal.SearchSource{src("title", "x", 0), src("part", "printer", 1), src("part", "a printer", 2), src("part", "nothing", 3)}, []string{"printer"}, 2},
		{"tie: newest of three parts", []portal.SearchSource{src("title", "x", 0), src("part", "printer", 1), src("part", "printer", 2), src("part", "printer", 3)}, []string{"printer"}, 3},
		{"older part with more hits wins", []portal.SearchSource{src("title", "x", 0), src("part", "printer printer", 1), src("part", "printer", 2)}, []string{"printer"}, 1},
		{"diacritics and case", []portal.SearchSource{src("title", "x", 0), src("part", "CAFÉ", 1)}, []string{"cafe"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := portal.BestSource(tt.srcs, tt.terms); got != tt.want {
				t.Errorf("BestSource = %d, want %d", got, tt.want)
			}
		})
	}
}

// visibleText returns the text a snippet shows: marks removed, entities
// decoded.
func visibleText(snippet string) string {
	s := strings.ReplaceAll(snippet, "<mark>", "")
	s = strings.ReplaceAll(s, "</mark>", "")
	return html.UnescapeString(s)
}

// isWordRune reports what a word is made of: letters, digits,
// private-use characters and combining marks.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Mn, r)
}

// termMatch reports whether a word matches a term (the last as a prefix),
// folding it first.
func termMatch(word string, terms []string) bool {
	w := portal.Fold(word)
	for i, t := range terms {
		if w == t || (i == len(terms)-1 && strings.HasPrefix(w, t)) {
			return true
		}
	}
	return false
}

type span struct{ start, end int }

func wordSpans(rs []rune) []span {
	var out []span
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordRune(rs[j]) {
			j++
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// checkSnippet checks every promise of Highlight for one call. longWord
// allows a cut inside a word (a single word longer than the window).
func checkSnippet(t *testing.T, text string, terms []string, max int, got string, longWord bool) {
	t.Helper()
	// Escaped: no raw markup other than the marks.
	stripped := strings.ReplaceAll(strings.ReplaceAll(got, "<mark>", ""), "</mark>", "")
	if strings.ContainsAny(stripped, "<>") {
		t.Fatalf("snippet %q holds raw markup", got)
	}
	if html.EscapeString(html.UnescapeString(stripped)) != stripped {
		t.Fatalf("snippet %q is not escaped text", got)
	}
	if strings.Count(got, "<mark>") != strings.Count(got, "</mark>") || strings.Contains(got, "<mark><mark>") {
		t.Fatalf("snippet %q: unbalanced marks", got)
	}
	vis := visibleText(got)
	if n := utf8.RuneCountInString(vis); n > max {
		t.Fatalf("snippet %q shows %d characters, more than %d", got, n, max)
	}
	all := []rune(strings.Join(strings.Fields(text), " "))
	lead, trail := strings.HasPrefix(vis, "…"), strings.HasSuffix(vis, "…")
	core := strings.TrimPrefix(vis, "…")
	if trail && len(core) > 0 {
		core = strings.TrimSuffix(core, "…")
	}
	if strings.Contains(core, "…") {
		t.Fatalf("snippet %q: … not at a cut end", got)
	}
	coreR := []rune(core)
	// Where the shown text sits in the whole text (test texts are unique).
	idx := strings.Index(string(all), core)
	if idx < 0 {
		t.Fatalf("snippet %q: %q is not a piece of the text", got, core)
	}
	p := utf8.RuneCountInString(string(all)[:idx])
	q := p + len(coreR)
	if lead != (p > 0) {
		t.Fatalf("snippet %q: leading … is %v, but cut at %d", got, lead, p)
	}
	if trail != (q < len(all)) {
		t.Fatalf("snippet %q: trailing … is %v, but cut at %d of %d", got, trail, q, len(all))
	}
	if len(all) <= max && (lead || trail || string(coreR) != string(all)) {
		t.Fatalf("short text cut: %q", got)
	}
	// A cut inside a word only when that word (up to white space) is
	// longer than the window.
	cutOK := func(at int) bool {
		if at <= 0 || at >= len(all) || !isWordRune(all[at-1]) || !isWordRune(all[at]) {
			return true
		}
		i, j := at, at
		for i > 0 && all[i-1] != ' ' {
			i--
		}
		for j < len(all) && all[j] != ' ' {
			j++
		}
		return longWord && j-i > max-2
	}
	if !cutOK(p) {
		t.Fatalf("snippet %q starts inside a word", got)
	}
	if !cutOK(q) {
		t.Fatalf("snippet %q ends inside a word", got)
	}
	// The first match is shown.
	firstMatch := -1
	for _, w := range wordSpans(all) {
		if termMatch(string(all[w.start:w.end]), terms) {
			firstMatch = w.start
			break
		}
	}
	if firstMatch >= 0 && (firstMatch < p || firstMatch >= q) {
		t.Fatalf("snippet %q does not show the first match at %d (shows %d..%d)", got, firstMatch, p, q)
	}
	// Every matching word shown is marked, and only those.
	marks := map[span]bool{}
	rest := strings.TrimPrefix(got, "…")
	pos := 0
	for {
		i := strings.Index(rest, "<mark>")
		if i < 0 {
			break
		}
		pos += utf8.RuneCountInString(html.UnescapeString(rest[:i]))
		rest = rest[i+len("<mark>"):]
		j := strings.Index(rest, "</mark>")
		n := utf8.RuneCountInString(html.UnescapeString(rest[:j]))
		marks[span{pos, pos + n}] = true
		pos += n
		rest = rest[j+len("</mark>"):]
	}
	for _, w := range wordSpans(coreR) {
		word := string(coreR[w.start:w.end])
		m := termMatch(word, terms)
		if m != marks[w] {
			t.Fatalf("snippet %q: word %q matches=%v marked=%v", got, word, m, marks[w])
		}
		delete(marks, w)
	}
	if len(marks) > 0 {
		t.Fatalf("snippet %q: marks %v are not whole words", got, marks)
	}
}

// words returns n distinct filler words "w0 w1 …".
func words(from, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("w%d", from+i)
	}
	return strings.Join(ws, " ")
}

func TestHighlight(t *testing.T) {
	longBefore := words(0, 60) // about 290 characters
	tests := []struct {
		name     string
		text     string
		terms    []string
		max      int
		want     string // "" to check only the invariants
		longWord bool
	}{
		{"short text whole", "Hello café world", []string{"cafe"}, 160, "Hello <mark>café</mark> world", false},
		{"no match short", "Hello world", []string{"zzz"}, 160, "Hello world", false},
		{"no terms", "Hello world", nil, 160, "Hello world", false},
		{"empty text", "", []string{"a"}, 160, "", false},
		{"white space collapsed", "  Hello \n\t café  ", []string{"cafe"}, 160, "Hello <mark>café</mark>", false},
		{"original kept inside mark", "CAFÉ au lait", []string{"cafe"}, 160, "<mark>CAFÉ</mark> au lait", false},
		{"term with diacritic in text", "Élodie wrote", []string{"elodie"}, 160, "<mark>Élodie</mark> wrote", false},
		{"every match marked", "printer fire, printer again on FIRE", []string{"printer", "fire"}, 160,
			"<mark>printer</mark> <mark>fire</mark>, <mark>printer</mark> again on <mark>FIRE</mark>", false},
		{"last term as prefix", "the printer prints", []string{"print"}, 160, "the <mark>printer</mark> <mark>prints</mark>", false},
		{"only the last term as prefix", "the printer prints print fire", []string{"print", "fir"}, 160,
			"the printer prints <mark>print</mark> <mark>fire</mark>", false},
		{"no infix match", "reprint", []string{"print"}, 160, "reprint", false},
		{"punctuation around match", "(café), «café»!", []string{"cafe"}, 160, "(<mark>café</mark>), «<mark>café</mark>»!", false},
		{"escaped", "<script>alert(1)</script> café", []string{"cafe"}, 160,
			"&lt;script&gt;alert(1)&lt;/script&gt; <mark>café</mark>", false},
		{"escaped marked word neighbours", "a<b>café</b>&amp;", []string{"cafe"}, 160,
			"a&lt;b&gt;<mark>café</mark>&lt;/b&gt;&amp;amp;", false},
		{"quotes escaped", `O'Brien said "café"`, []string{"cafe"}, 160, "O&#39;Brien said &#34;<mark>café</mark>&#34;", false},
		{"script term marked and escaped", "<script>", []string{"script"}, 160, "&lt;<mark>script</mark>&gt;", false},
		{"decomposed diacritics", "e\u0301te\u0301 chaud", []string{"ete"}, 160, "<mark>e\u0301te\u0301</mark> chaud", false},
		{"exactly max", strings.Repeat("a", 160), []string{"zzz"}, 160, strings.Repeat("a", 160), false},
		{"exactly max, marked", strings.Repeat("a", 160), []string{"a"}, 160, "<mark>" + strings.Repeat("a", 160) + "</mark>", false},
		{"match at start of long text", "café " + longBefore, []string{"cafe"}, 160, "", false},
		{"match in the middle", longBefore + " café " + words(100, 60), []string{"cafe"}, 160, "", false},
		{"match at the very end", longBefore + " café", []string{"cafe"}, 160, "", false},
		{"match at the very end, punctuation", longBefore + " the café.", []string{"cafe"}, 160, "", false},
		{"prefix match at the very end", longBefore + " caféteria", []string{"cafe"}, 160, "", false},
		{"several terms, far apart", words(0, 20) + " printer " + words(20, 60) + " fire " + words(80, 10), []string{"printer", "fire"}, 160, "", false},
		{"no match long text", longBefore, []string{"zzz"}, 160, "", false},
		{"multibyte text counted in characters", strings.Repeat("éàü ", 30) + "café " + strings.Repeat("ñöç ", 40) + "x", []string{"cafe"}, 160, "", false},
		{"escaping does not count", strings.Repeat("<&> ", 60) + "café " + strings.Repeat("\"' ", 60), []string{"cafe"}, 160, "", false},
		{"long word before match", strings.Repeat("x", 100) + " café " + longBefore, []string{"cafe"}, 160, "", false},
		{"long word after match", "café " + strings.Repeat("y", 300) + " end", []string{"cafe"}, 160, "", false},
		{"long match word then more", strings.Repeat("x", 50) + " café" + strings.Repeat("y", 150) + " " + longBefore, []string{"cafe"}, 160, "", false},
		{"long match word with context", words(0, 8) + " café" + strings.Repeat("y", 140) + " " + longBefore, []string{"cafe"}, 160, "", false},
		{"long match word at start", "café" + strings.Repeat("y", 140) + " " + longBefore, []string{"cafe"}, 160, "", false},
		{"single word longer than window", strings.Repeat("z", 50) + " café" + strings.Repeat("y", 300) + " end", []string{"cafe"}, 160, "", true},
		{"single word text", "café" + strings.Repeat("y", 300), []string{"cafe"}, 160, "", true},
		{"small window", words(0, 30) + " café " + words(30, 30), []string{"cafe"}, 40, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := portal.Highlight(tt.text, tt.terms, tt.max)
			if tt.want != "" && got != tt.want {
				t.Errorf("Highlight(%q, %q) =\n %q\nwant\n %q", tt.text, tt.terms, got, tt.want)
			}
			if tt.text == "" {
				if got != "" {
					t.Errorf("Highlight of empty text = %q", got)
				}
				return
			}
			checkSnippet(t, tt.text, tt.terms, tt.max, got, tt.longWord)
		})
	}
}

func TestHighlightMatchAtEnd(t *testing.T) {
	text := words(0, 80) + " the café"
	got := portal.Highlight(text, []string{"cafe"}, portal.SnippetMax)
	if !strings.HasPrefix(got, "…") || strings.HasSuffix(got, "…") {
		t.Errorf("Highlight = %q: want a leading … only", got)
	}
	if !strings.HasSuffix(got, "the <mark>café</mark>") {
		t.Errorf("Highlight = %q: want it to end with the match", got)
	}
}

func TestHighlightLongMatchAtStart(t *testing.T) {
	text := "café " + words(0, 80)
	got := portal.Highlight(text, []string{"cafe"}, portal.SnippetMax)
	if !strings.HasPrefix(got, "<mark>café</mark> w0 w1") || !strings.HasSuffix(got, "…") {
		t.Errorf("Highlight = %q: want the start of the text and a trailing … only", got)
	}
}

// TestHighlightRandom checks Highlight's promises over many generated
// texts: words of mixed lengths and scripts, some matching, with markup
// characters and punctuation.
func TestHighlightRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	vocab := []string{"café", "CAFÉ", "cafés", "printer", "Printer", "print", "fire", "<b>", "&amp;", "a&b", "O'Brien",
		"\"quoted\"", "(paren)", "ж", "日本", "-", "—", "é", "x", "12", "printing", "Élodie"}
	termSets := [][]string{{"cafe"}, {"printer"}, {"print"}, {"printer", "fire"}, {"fire", "cafe"}, {"elodie"}, {"zzz"}, {"b"}, {"amp"}}
	for n := 0; n < 3000; n++ {
		ws := make([]string, r.IntN(120))
		for i := range ws {
			switch k := r.IntN(10); {
			case k < 5:
				ws[i] = fmt.Sprintf("q%dq", i) // unique, so the snippet's place is known
			case k < 9:
				ws[i] = vocab[r.IntN(len(vocab))] + fmt.Sprintf("·q%dq", i)
			default:
				ws[i] = strings.Repeat("l", 1+r.IntN(60)) + fmt.Sprintf("·q%dq", i)
			}
			if r.IntN(4) == 0 {
				ws[i] = vocab[r.IntN(len(vocab))] + " " + ws[i]
			}
		}
		text := strings.Join(ws, " ")
		terms := termSets[r.IntN(len(termSets))]
		max := []int{160, 160, 80, 40}[r.IntN(4)]
		got := portal.Highlight(text, terms, max)
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if text == "" {
				return
			}
			checkSnippet(t, text, terms, max, got, true)
		})
		if t.Failed() {
			t.Logf("text %q terms %q max %d", text, terms, max)
			return
		}
	}
}

// TestSearchBody makes random tickets, their texts drawn from ASCII
// letters, digits, punctuation and white space, accented and non-Latin
// letters, marks, private-use characters and HTML, and checks SearchBody
// against its definition: the tokens of SearchText, joined by spaces.
func TestSearchBody(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 17))
	pieces := []string{"a", "Z", "q", "Mail", "7", "42", " ", "  ", "\t", "\n", ".", ",", "-", "_", "'", "!", "@",
		"é", "É", "ß", "Ø", "æ", "e\u0301", "日本", "мир", "😀", "\uE000", "<p>", "</p>", "<br>", "&amp;", "&lt;b&gt;", "&"}
	text := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	ascii := func(s string) string { // the same draw, its non-ASCII bytes dropped
		return strings.Map(func(r rune) rune {
			if r >= utf8.RuneSelf {
				return -1
			}
			return r
		}, s)
	}
	partTypes := []string{"comment", "note", "assignment", "open", "close"}
	for i := range 5000 {
		tk := &portal.Ticket{Title: text(), Description: text()}
		for range rng.IntN(4) {
			tk.Parts = append(tk.Parts, portal.Part{PartType: partTypes[rng.IntN(len(partTypes))], Body: text()})
		}
		if i%2 == 0 { // half the tickets all ASCII: the fast path throughout
			tk.Title, tk.Description = ascii(tk.Title), ascii(tk.Description)
			for j := range tk.Parts {
				tk.Parts[j].Body = ascii(tk.Parts[j].Body)
			}
		}
		want := strings.Join(portal.Tokens(portal.SearchText(tk)), " ")
		if got := portal.SearchBody(tk); got != want {
			t.Fatalf("ticket %+v:\nSearchBody %q\n      want %q", tk, got, want)
		}
	}
}
