// Package words says the portal's rules, conditions, decisions and
// changes in the admin's language, with the schema's labels: "Plan is
// Pro", "Signed up more than 30 days ago", "SLA tier is not Premier —
// Cobaltyard Games has Standard". It is the one place such sentences are
// made: the studio's preview, explain, portal tests, impact, validation
// and change summary, the command line's human output and the UI all
// use it. Pure Go over the domain's types (the WebAssembly UI imports it
// too).
//
// How each operator reads comes from the domain's operator table
// (portal.Operators: the menu label and, per attribute type, the sentence
// when the condition holds and when it does not); this package fills in
// the attribute's label and the value.
package words

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"portalstudio/backend/portal"
)

// Label is an attribute's name for people: the schema's label, or for a
// custom attribute its key in words ("sla_tier" → "SLA tier",
// "trial_ends_at" → "Trial ends at"). See portal.Attribute.Title.
func Label(a portal.Attribute) string { return a.Title() }

// attribute returns the schema's attribute of that name, or one labelled
// with the name itself when the schema does not know it.
//
// Without a schema (a merge of two documents knows none) a standard
// attribute still has its label and a custom one its key in words.
func attribute(name string, s *portal.Schema) portal.Attribute {
	if s != nil {
		if a, ok := s.Lookup(name); ok {
			return a
		}
		return portal.Attribute{Name: name, Label: name}
	}
	for _, a := range portal.StandardAttributes() {
		if a.Name == name {
			return a
		}
	}
	for _, scope := range []portal.Scope{portal.ScopeUser, portal.ScopeCompany} {
		if key, ok := strings.CutPrefix(name, string(scope)+".custom."); ok && key != "" {
			return portal.Attribute{Name: name, Scope: scope, Field: key, Custom: true, Label: key}
		}
	}
	return portal.Attribute{Name: name, Label: name}
}

// Condition says a condition as it reads when it holds: "Plan is Pro".
func Condition(c portal.Condition, s *portal.Schema) string {
	return say(c, s, true)
}

// Failed says a condition as it reads when it does not hold: "Plan is
// not Pro".
func Failed(c portal.Condition, s *portal.Schema) string {
	return say(c, s, false)
}

func say(c portal.Condition, s *portal.Schema, holds bool) string {
	a := attribute(c.Attribute, s)
	o, ok := portal.LookupOperator(c.Operator)
	if !ok {
		// Validation keeps unknown operators out of saved settings; say
		// it plainly all the same.
		return Label(a) + " " + string(c.Operator) + " " + Value(c.Value)
	}
	kind := a.Kind
	if !o.Fits(kind) {
		kind = o.Kinds[0]
	}
	form := o.Says[kind]
	if !holds {
		form = o.Fails[kind]
	}
	return fill(form, Label(a), c.Value)
}

// fill replaces {attr}, {value} and {days} in a sentence form (a
// strings.Replacer built for each sentence cost the impact's list of
// users a tenth of its time).
func fill(form, label string, v any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(form, '{')
		if i < 0 {
			b.WriteString(form)
			return b.String()
		}
		b.WriteString(form[:i])
		form = form[i:]
		switch {
		case strings.HasPrefix(form, "{attr}"):
			b.WriteString(label)
			form = form[len("{attr}"):]
		case strings.HasPrefix(form, "{value}"):
			b.WriteString(Value(v))
			form = form[len("{value}"):]
		case strings.HasPrefix(form, "{days}"):
			b.WriteString(Days(v))
			form = form[len("{days}"):]
		default:
			b.WriteByte('{')
			form = form[1:]
		}
	}
}

// Value is a condition's value as people read it: Pro, 10, true. Text
// is quoted only when it would be misread: empty, with spaces at its
// ends, or holding the words that join conditions and values in a
// sentence ("Pro or Enterprise").
func Value(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		l := " " + strings.ToLower(x) + " "
		if x == "" || strings.TrimSpace(x) != x || strings.Contains(l, " and ") || strings.Contains(l, " or ") ||
			strings.ContainsAny(x, "—;()\"") {
			return strconv.Quote(x)
		}
		return x
	case float64:
		return number(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return "?"
}

// Days says a number of days: "30 days", "1 day".
func Days(v any) string {
	f, ok := v.(float64)
	if !ok {
		return Value(v) + " days"
	}
	if f == 1 {
		return "1 day"
	}
	return number(f) + " days"
}

func number(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Attr is an attribute value as people read it: Standard, 12, true,
// 2025-05-16.
func Attr(v portal.Value) string {
	switch v.Kind {
	case portal.KindString:
		return Value(v.Str)
	case portal.KindNumber:
		return number(v.Num)
	case portal.KindBoolean:
		return strconv.FormatBool(v.Bool)
	case portal.KindDate:
		return v.Time.UTC().Format(time.DateOnly)
	}
	return "unknown"
}

// Evidence says whose value decided a condition, right after the
// condition's sentence (which names the attribute): "Cobaltyard Games has
// Standard", "Acme has no plan", "Ana: 2025-05-16", "Ana: false", "Ana:
// unknown".
func Evidence(e portal.Evidence, a portal.Attribute) string {
	switch {
	case !e.Value.IsSet():
		if a.Kind == portal.KindString {
			return e.Of + " has no " + lowerFirst(Label(a))
		}
		return e.Of + ": unknown"
	case e.Value.Kind == portal.KindString:
		return e.Of + " has " + Attr(e.Value)
	}
	return e.Of + ": " + Attr(e.Value)
}

// maxEvidence bounds the values listed for one condition.
const maxEvidence = 3

// evidence says the values of a trace leaf, after a dash.
func evidence(t portal.Trace, a portal.Attribute) string {
	if len(t.Evidence) == 0 {
		if a.Scope == portal.ScopeCompany {
			return " — they belong to no company"
		}
		return ""
	}
	parts := make([]string, 0, maxEvidence+1)
	for i, e := range t.Evidence {
		if i == maxEvidence {
			parts = append(parts, "and "+plural(len(t.Evidence)-maxEvidence, "more company", "more companies"))
			break
		}
		parts = append(parts, Evidence(e, a))
	}
	return " — " + strings.Join(parts, ", ")
}

// Node says one node of a trace: a condition as it came out, with the
// values that decided it ("SLA tier is not Premier — Cobaltyard Games has
// Standard"), or a group.
func Node(t portal.Trace, s *portal.Schema) string {
	if t.Condition == nil {
		switch t.Rule {
		case "everyone":
			return "Everyone"
		case "any of":
			return "Any of these"
		case "all of":
			return "All of these"
		case "no rule":
			return "No rule"
		}
		return upperFirst(t.Rule)
	}
	a := attribute(t.Condition.Attribute, s)
	// Without a schema (a trace said where none is at hand) every
	// attribute is taken as known, with its standard label.
	known := s == nil
	if s != nil {
		_, known = s.Lookup(t.Condition.Attribute)
	}
	if !known {
		return say(*t.Condition, s, t.Result) + " — " + t.Condition.Attribute + " is not an attribute of this workspace"
	}
	return say(*t.Condition, s, t.Result) + evidence(t, a)
}

// Annotate fills the Sentence of every node of a trace (a copy: the
// trace given is not changed).
func Annotate(t portal.Trace, s *portal.Schema) portal.Trace {
	t.Sentence = Node(t, s)
	if len(t.Children) > 0 {
		kids := make([]portal.Trace, len(t.Children))
		for i, k := range t.Children {
			kids[i] = Annotate(k, s)
		}
		t.Children = kids
	}
	return t
}

// Reason says why a trace came out as it did, in a few words: the
// conditions that made an "all" hold, the first that made it fail, the
// condition that made an "any" hold, or that none of its conditions did.
func Reason(t portal.Trace, s *portal.Schema) string {
	if t.Condition != nil {
		return Node(t, s)
	}
	if len(t.Children) == 0 {
		switch t.Rule {
		case "everyone":
			return "everyone matches"
		case "any of":
			return "an empty any group matches no one"
		case "no rule":
			return "no rule is set, so no one matches"
		}
		return t.Rule
	}
	all := t.Rule == "all of"
	var parts []string
	for _, k := range t.Children {
		switch {
		case all && t.Result, !all && !t.Result:
			parts = append(parts, Reason(k, s))
		case all && !k.Result, !all && k.Result:
			return Reason(k, s)
		}
	}
	if !all {
		return "none of these holds: " + strings.Join(parts, "; ")
	}
	return strings.Join(parts, "; ")
}

// Rule says a rule: "Everyone", "No one", "Email contains examply.com and
// (Plan is Pro or Seats is greater than 10)". A nil rule is "No one (no
// rule is set)".
func Rule(r *portal.Rule, s *portal.Schema) string {
	switch {
	case r == nil:
		return "No one (no rule is set)"
	case r.IsEveryone():
		return "Everyone"
	}
	return upperFirst(rule(r, s, true))
}

func rule(r *portal.Rule, s *portal.Schema, top bool) string {
	if r == nil {
		return "no one"
	}
	if r.Cond != nil {
		return Condition(*r.Cond, s)
	}
	kids := r.Children()
	if r.IsEveryone() {
		return "everyone"
	}
	if len(kids) == 0 {
		return "no one"
	}
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = rule(k, s, false)
	}
	sep := " and "
	if r.IsAny() {
		sep = " or "
	}
	out := strings.Join(parts, sep)
	if !top && len(kids) > 1 {
		out = "(" + out + ")"
	}
	return out
}

// Whose says a condition after "users": "whose department is IT", "whose
// signed up date is more than 30 days ago", or "who match: (A or B)" for
// a group.
func Whose(r *portal.Rule, s *portal.Schema) string {
	if r == nil || r.Cond == nil {
		return "who match: " + rule(r, s, false)
	}
	c := *r.Cond
	a := attribute(c.Attribute, s)
	o, ok := portal.LookupOperator(c.Operator)
	if !ok {
		return "who match: " + Condition(c, s)
	}
	label := lowerFirst(Label(a))
	for _, verb := range []string{"is ", "has ", "can "} {
		if strings.HasPrefix(label, verb) {
			// "whose is admin is false" would not read.
			return "who match: " + Condition(c, s)
		}
	}
	if o.Value == portal.ValueDays {
		label += " date is"
	}
	kind := a.Kind
	if !o.Fits(kind) {
		kind = o.Kinds[0]
	}
	return "whose " + fill(o.Says[kind], label, c.Value)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return portal.Thousands(n) + " " + many
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lowers the first letter of a label, unless the label starts
// with an acronym ("SLA tier").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// sentence ends s with a full stop unless it ends with one already.
func sentence(s string) string {
	s = upperFirst(strings.TrimSpace(s))
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}
