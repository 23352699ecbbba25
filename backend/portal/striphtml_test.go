package portal_test

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"portalstudio/backend/portal"
)

// refPlainText is PlainText as it was before it became one pass: correct,
// but each opening script or style tag lowercased a copy of the whole rest
// of the body, so a body of many of them took time quadratic in its size.
// The fuzzer checks that PlainText still agrees with it.
func refPlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	blockTags := map[string]bool{"p": true, "br": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true, "blockquote": true, "pre": true,
		"h5": true, "h6": true, "hr": true, "td": true, "th": true, "ul": true, "ol": true, "table": true, "dl": true, "dt": true, "dd": true}
	lowerASCII := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
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
			b.WriteString(html.UnescapeString(s))
			break
		}
		closing := strings.HasPrefix(s, "</")
		tag := strings.ToLower(strings.TrimLeft(s[1:j], "/"))
		if k := strings.IndexAny(tag, " \t\n/"); k >= 0 {
			tag = tag[:k]
		}
		s = s[j+1:]
		if (tag == "script" || tag == "style") && !closing {
			if end := strings.Index(lowerASCII(s), "</"+tag); end >= 0 {
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

// hostileBodies are bodies built to make a tag stripper slow: n deeply
// nested tags, n script or style elements one after the other, n opening
// script tags never closed, n lone "<".
func hostileBodies(n int) map[string]string {
	return map[string]string{
		"nested-div":      strings.Repeat("<div><b>", n) + "x" + strings.Repeat("</b></div>", n),
		"script-elements": strings.Repeat("<script>a</script>", n),
		"style-elements":  strings.Repeat("<STYLE>a</Style>x", n),
		"nested-script":   strings.Repeat("<script>", n) + strings.Repeat("</script>", n),
		"lone-lt":         strings.Repeat("a <b ", n),
		"entities":        strings.Repeat("&amp;<i>&lt;x&gt;</i>", n),
	}
}

// TestPlainTextMegabytes: megabyte bodies of nested tags and of script
// elements are stripped (the old code took minutes on these; no time is
// asserted, but the package's test run must end).
func TestPlainTextMegabytes(t *testing.T) {
	for name, body := range hostileBodies(200_000) {
		got := portal.PlainText(body)
		if strings.Contains(got, "<script") || strings.Contains(got, "<div") {
			t.Errorf("%s (%d bytes): a tag survived stripping: %.80q", name, len(body), got)
		}
	}
	if got := portal.PlainText(strings.Repeat("<script>a</script>", 200_000) + "<p>the end"); got != "the end" {
		t.Errorf("script elements then text: got %.80q, want %q", got, "the end")
	}
}

// TestPlainTextAgreesWithReference: on small bodies the one-pass
// PlainText gives what the old one did.
func TestPlainTextAgreesWithReference(t *testing.T) {
	for _, body := range stripSeeds {
		if got, want := portal.PlainText(body), refPlainText(body); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", body, got, want)
		}
	}
	for name, body := range hostileBodies(200) {
		if got, want := portal.PlainText(body), refPlainText(body); got != want {
			t.Errorf("%s: PlainText = %.80q, want %.80q", name, got, want)
		}
	}
}

var stripSeeds = []string{
	"", "plain text", "<p>Hello <b>world</b></p>", "a < b", "a<b>c", "<",
	"x<script>alert(1)</script>y", "x<SCRIPT type=x>alert(1)</ScRiPt>y", "<script>never closed",
	"<style>p{}</style>after", "<style><script>x</style>y</script>z", "</script>x",
	"&amp;&lt;b&gt; &nGt; &#0; &#x80;", "<br/>a<br />b<hr>c", "<p\nclass=x>a</p\n>",
	"<div/>a", "<<p>>x", "a <b c", "<a title='<b>'>t</a>", "<script>a</scrip>b</script>c",
	"<script>\u00e9</SCRİPT>x</script>y", "<DİV>x</DİV>",
}

// FuzzStripHTML: PlainText never panics, agrees with the reference, and
// leaves no tag: in a body without entities, the output is no longer than
// the input and any "<" left is a lone one, with no ">" after it.
func FuzzStripHTML(f *testing.F) {
	for _, s := range stripSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := portal.PlainText(body)
		if len(body) <= 4096 {
			if want := refPlainText(body); got != want {
				t.Fatalf("PlainText(%q) = %q, reference %q", body, got, want)
			}
		}
		if got != strings.Join(strings.Fields(got), " ") {
			t.Fatalf("PlainText(%q) = %q: white space not collapsed", body, got)
		}
		if strings.Contains(body, "&") {
			return
		}
		if len(got) > len(body) {
			t.Fatalf("PlainText(%q) = %q: longer than its input", body, got)
		}
		if i := strings.IndexByte(got, '<'); i >= 0 && strings.IndexByte(got[i:], '>') >= 0 {
			t.Fatalf("PlainText(%q) = %q: a tag survived", body, got)
		}
	})
}

// BenchmarkPlainText: the time per byte stays flat from 10,000 to
// 1,000,000 tags (compare ns/op across sizes: ~10x per step is linear).
func BenchmarkPlainText(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		for _, kind := range []string{"nested-div", "script-elements"} {
			body := hostileBodies(n)[kind]
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					portal.PlainText(body)
				}
			})
		}
	}
}
