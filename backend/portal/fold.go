package portal

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold returns s case-folded and without diacritics ("Élodie" → "elodie",
// "Łódź" → "lodz", "Straße" → "strasse"),
// the form in which every string comparison of rules and search is made.
// Storage keeps folded copies made with this very function, so the Go and
// the SQL paths compare the same bytes.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return unfolded.Replace(strings.ToLower(out))
}

// unfolded maps the lowercase letters that NFKD does not decompose (they
// are letters of their own, not a base letter with a mark) to the Latin
// letters people type for them: "Øresund" → "oresund", "Straße" →
// "strasse". Their uppercase forms are lowercased first.
var unfolded = strings.NewReplacer(
	"ø", "o",
	"ł", "l",
	"đ", "d",
	"ß", "ss",
	"æ", "ae",
	"œ", "oe",
	"þ", "th",
)
