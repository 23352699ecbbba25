package portal

import (
	"sort"
	"strings"
)

// Scope is whose attribute a rule condition reads.
type Scope string

// Scopes: the person, or any of their companies.
const (
	ScopeUser    Scope = "user"
	ScopeCompany Scope = "company"
)

// Attribute describes one attribute rules may name, such as "user.email"
// or "company.custom.seats".
type Attribute struct {
	Name   string    `json:"name"`  // full name: "user.email", "company.custom.seats"
	Scope  Scope     `json:"scope"` // user or company
	Field  string    `json:"field"` // "email", or the custom attribute's key
	Custom bool      `json:"custom"`
	Kind   ValueKind `json:"kind"`
	Label  string    `json:"label"` // shown in the UI: "Email", "seats"
}

// standardAttributes are the attributes every workspace has.
var standardAttributes = []Attribute{
	{Name: "user.id", Scope: ScopeUser, Field: "id", Kind: KindString, Label: "User id"},
	{Name: "user.external_id", Scope: ScopeUser, Field: "external_id", Kind: KindString, Label: "External id"},
	{Name: "user.email", Scope: ScopeUser, Field: "email", Kind: KindString, Label: "Email"},
	{Name: "user.name", Scope: ScopeUser, Field: "name", Kind: KindString, Label: "Name"},
	{Name: "user.role", Scope: ScopeUser, Field: "role", Kind: KindString, Label: "Role"},
	{Name: "user.created_at", Scope: ScopeUser, Field: "created_at", Kind: KindDate, Label: "Created"},
	{Name: "user.signed_up_at", Scope: ScopeUser, Field: "signed_up_at", Kind: KindDate, Label: "Signed up"},
	{Name: "user.last_seen_at", Scope: ScopeUser, Field: "last_seen_at", Kind: KindDate, Label: "Last seen"},
	{Name: "company.id", Scope: ScopeCompany, Field: "id", Kind: KindString, Label: "Company id"},
	{Name: "company.company_id", Scope: ScopeCompany, Field: "company_id", Kind: KindString, Label: "Company external id"},
	{Name: "company.name", Scope: ScopeCompany, Field: "name", Kind: KindString, Label: "Company name"},
	{Name: "company.plan", Scope: ScopeCompany, Field: "plan", Kind: KindString, Label: "Plan"},
	{Name: "company.size", Scope: ScopeCompany, Field: "size", Kind: KindNumber, Label: "Company size"},
	{Name: "company.industry", Scope: ScopeCompany, Field: "industry", Kind: KindString, Label: "Industry"},
	{Name: "company.website", Scope: ScopeCompany, Field: "website", Kind: KindString, Label: "Website"},
	{Name: "company.monthly_spend", Scope: ScopeCompany, Field: "monthly_spend", Kind: KindNumber, Label: "Monthly spend"},
	{Name: "company.created_at", Scope: ScopeCompany, Field: "created_at", Kind: KindDate, Label: "Company created"},
}

// StandardAttributes returns the attributes every workspace has.
func StandardAttributes() []Attribute {
	return append([]Attribute(nil), standardAttributes...)
}

// Schema is the set of attributes rules may name in one workspace: the
// standard ones plus the custom attributes discovered on import.
type Schema struct {
	byName map[string]Attribute
	list   []Attribute
}

// NewSchema returns the schema of the standard attributes plus custom.
// A custom attribute is given with Scope, Field and Kind; its Name and
// Label are filled in.
func NewSchema(custom []Attribute) *Schema {
	s := &Schema{byName: map[string]Attribute{}}
	for _, a := range standardAttributes {
		s.add(a)
	}
	for _, a := range custom {
		label := a.Label
		a = CustomAttribute(a.Scope, a.Field, a.Kind)
		if label != "" {
			a.Label = label
		}
		s.add(a)
	}
	sort.SliceStable(s.list, func(i, j int) bool {
		a, b := s.list[i], s.list[j]
		if a.Scope != b.Scope {
			return a.Scope == ScopeUser
		}
		if a.Custom != b.Custom {
			return !a.Custom
		}
		if a.Custom {
			return a.Field < b.Field
		}
		return false
	})
	return s
}

func (s *Schema) add(a Attribute) {
	if _, dup := s.byName[a.Name]; dup {
		return
	}
	s.byName[a.Name] = a
	s.list = append(s.list, a)
}

// CustomAttribute returns the custom attribute of a scope's field
// holding kind, as a store records it (scope, field, kind): its rule
// name, and the field as its label.
func CustomAttribute(scope Scope, field string, kind ValueKind) Attribute {
	return Attribute{Scope: scope, Field: field, Kind: kind, Custom: true, Name: CustomAttributeName(scope, field), Label: field}
}

// CustomAttributeName returns the rule name of a custom attribute:
// "user.custom.seats".
func CustomAttributeName(scope Scope, key string) string {
	return string(scope) + ".custom." + key
}

// Lookup returns the attribute of that name.
func (s *Schema) Lookup(name string) (Attribute, bool) {
	a, ok := s.byName[name]
	return a, ok
}

// Attributes returns every attribute, person attributes first.
func (s *Schema) Attributes() []Attribute {
	return append([]Attribute(nil), s.list...)
}

// suggest returns a short hint naming attributes close to name.
func (s *Schema) suggest(name string) string {
	var close []string
	_, field, _ := strings.Cut(name, ".")
	for _, a := range s.list {
		if field != "" && (strings.Contains(a.Name, field) || strings.Contains(field, a.Field)) {
			close = append(close, a.Name)
		}
	}
	if len(close) == 0 || len(close) > 4 {
		return "attributes are named user.<field>, company.<field>, user.custom.<key> or company.custom.<key>"
	}
	return "did you mean " + strings.Join(close, " or ") + "?"
}

// UserAttr returns the value of a user attribute (Scope user) for u.
func UserAttr(u *User, a Attribute) Value {
	if a.Custom {
		return u.Custom[a.Field]
	}
	switch a.Field {
	case "id":
		return StringValue(u.ID)
	case "external_id":
		return StringValue(u.ExternalID)
	case "email":
		return StringValue(u.Email)
	case "name":
		return StringValue(u.Name)
	case "role":
		return StringValue(u.Role)
	case "created_at":
		return DateValue(u.CreatedAt)
	case "signed_up_at":
		return DateValue(u.SignedUpAt)
	case "last_seen_at":
		return DateValue(u.LastSeenAt)
	}
	return Value{}
}

// CompanyAttr returns the value of a company attribute (Scope company).
func CompanyAttr(c *Company, a Attribute) Value {
	if a.Custom {
		return c.Custom[a.Field]
	}
	switch a.Field {
	case "id":
		return StringValue(c.ID)
	case "company_id":
		return StringValue(c.CompanyID)
	case "name":
		return StringValue(c.Name)
	case "plan":
		return StringValue(c.Plan)
	case "size":
		return NumberValue(c.Size)
	case "industry":
		return StringValue(c.Industry)
	case "website":
		return StringValue(c.Website)
	case "monthly_spend":
		return NumberValue(c.MonthlySpend)
	case "created_at":
		return DateValue(c.CreatedAt)
	}
	return Value{}
}
