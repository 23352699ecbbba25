package portal_test

import (
	"strings"
	"testing"

	"portalstudio/backend/portal"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		// ASCII: lowercased, nothing else.
		{"", ""},
		{"elodie", "elodie"},
		{"Ana@Examply.COM", "ana@examply.com"},
		{"  Mixed 123 _-+ ", "  mixed 123 _-+ "},
		// Case and diacritics.
		{"ÉLODIE", "elodie"},
		{"Élodie", "elodie"},
		{"élodie", "elodie"},
		{"Müller", "muller"},
		{"MÜLLER", "muller"},
		{"façade", "facade"},
		{"Ångström", "angstrom"},
		{"Crème Brûlée", "creme brulee"},
		{"Ñúñez", "nunez"},
		{"Dvořák", "dvorak"},
		{"Şişli", "sisli"},
		{"İstanbul", "istanbul"},
		{"e\u0301lodie", "elodie"}, // already decomposed
		// Compatibility forms (NFKD).
		{"ﬁle", "file"},
		{"ＡＢＣ", "abc"},
		{"x²", "x2"},
		// Letters NFKD does not decompose, mapped explicitly.
		{"Øresund", "oresund"},
		{"ØRESUND", "oresund"},
		{"Łódź", "lodz"},
		{"ŁÓDŹ", "lodz"},
		{"Đorđe", "dorde"},
		{"Straße", "strasse"},
		{"STRAẞE", "strasse"},
		{"Æsir", "aesir"},
		{"Œuvre", "oeuvre"},
		{"cœur", "coeur"},
		{"Þór", "thor"},
		// Other scripts keep their letters, lowercased.
		{"ΑΘΗΝΑ", "αθηνα"},
		{"Ωμέγα", "ωμεγα"},
		{"МОСКВА", "москва"},
		{"東京", "東京"},
	}
	for _, tt := range tests {
		got := portal.Fold(tt.in)
		if got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Folding is idempotent: folded copies fold to themselves.
		if again := portal.Fold(got); again != got {
			t.Errorf("Fold(Fold(%q)) = %q, not %q", tt.in, again, got)
		}
	}
}

// TestFoldEquivalents checks that the forms people type compare equal.
func TestFoldEquivalents(t *testing.T) {
	groups := [][]string{
		{"ÉLODIE", "elodie", "Élodie", "ELODIE", "e\u0301lodie"},
		{"Øresund", "ØRESUND", "oresund", "Oresund"},
		{"Łódź", "lodz", "LODZ"},
		{"Straße", "STRASSE", "strasse", "STRAẞE"},
		{"Æsir", "AESIR"},
		{"Œuvre", "OEUVRE"},
		{"Þór", "THOR"},
		{"Đorđe", "DORDE"},
	}
	for _, g := range groups {
		for _, s := range g[1:] {
			if portal.Fold(s) != portal.Fold(g[0]) {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q; want equal", s, portal.Fold(s), g[0], portal.Fold(g[0]))
			}
		}
	}
}

// TestFoldASCIIFastPath checks that ASCII input is just lowercased, and
// that already folded ASCII costs no allocation.
func TestFoldASCIIFastPath(t *testing.T) {
	var b strings.Builder
	for c := 0; c < 0x80; c++ {
		b.WriteByte(byte(c))
	}
	all := b.String()
	if got := portal.Fold(all); got != strings.ToLower(all) {
		t.Errorf("Fold(ASCII) = %q, want %q", got, strings.ToLower(all))
	}
	lower := "support@examply.com plan pro"
	if n := testing.AllocsPerRun(100, func() { _ = portal.Fold(lower) }); n != 0 {
		t.Errorf("Fold of folded ASCII allocates %v times", n)
	}
}

// TestFoldInRules checks that rule comparisons use the folding.
func TestFoldInRules(t *testing.T) {
	s := testSchema()
	sub := portal.Subject{
		User:      &portal.User{ID: "u1", Name: "Jørgen Łukasz Weiß"},
		Companies: []*portal.Company{{ID: "c1", Name: "Øresund Æble A/S"}},
	}
	tests := []struct {
		rule *portal.Rule
		want bool
	}{
		{portal.Cond("user.name", portal.OpStartsWith, "jorgen"), true},
		{portal.Cond("user.name", portal.OpContains, "LUKASZ"), true},
		{portal.Cond("user.name", portal.OpEndsWith, "weiss"), true},
		{portal.Cond("user.name", portal.OpEquals, "Jorgen Lukasz Weiss"), true},
		{portal.Cond("company.name", portal.OpStartsWith, "oresund aeble"), true},
		{portal.Cond("company.name", portal.OpNotContains, "AEBLE"), false},
		{portal.Cond("company.name", portal.OpContains, "orsund"), false},
	}
	for _, tt := range tests {
		if got := portal.Eval(tt.rule, s, sub, now); got != tt.want {
			t.Errorf("Eval(%s) = %v, want %v", tt.rule, got, tt.want)
		}
	}
}
