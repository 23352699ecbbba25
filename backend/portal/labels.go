package portal

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// acronyms are written in capitals when a custom attribute's key is
// turned into a label ("sla_tier" → "SLA tier").
var acronyms = map[string]string{
	"id": "id", "sla": "SLA", "url": "URL", "api": "API", "sso": "SSO", "vip": "VIP", "crm": "CRM",
	"nps": "NPS", "arr": "ARR", "mrr": "MRR", "csm": "CSM", "it": "IT", "hr": "HR", "eu": "EU", "us": "US", "uk": "UK",
}

// Title is an attribute's name for people: the schema's label, or for a
// custom attribute its key in words ("sla_tier" → "SLA tier",
// "trial_ends_at" → "Trial ends at").
func (a Attribute) Title() string {
	if !a.Custom || a.Label != a.Field {
		if a.Label != "" {
			return a.Label
		}
		return a.Name
	}
	parts := strings.FieldsFunc(a.Field, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' })
	if len(parts) == 0 {
		return a.Field
	}
	for i, p := range parts {
		if up, ok := acronyms[strings.ToLower(p)]; ok && (i > 0 || up != "id") {
			parts[i] = up
			continue
		}
		parts[i] = strings.ToLower(p)
	}
	joined := strings.Join(parts, " ")
	r, n := utf8.DecodeRuneInString(joined)
	return string(unicode.ToUpper(r)) + joined[n:]
}

// Named is how the attribute menu and validation name an attribute: its
// Title, with "(custom)" after a custom attribute's ("Seats (custom)").
func (a Attribute) Named() string {
	if a.Custom {
		return a.Title() + " (custom)"
	}
	return a.Title()
}
