package audience

import (
	"errors"
	"fmt"

	"portalstudio/backend/portal"
)

// The port the engine is filled through: an adapter reads its rows (in
// whatever transactions it likes) and pushes them, row by row in
// increasing order, into three builders, which NewColumns then
// assembles. The builders are independent, so each may be filled on a
// goroutine of its own; a builder alone is not safe for concurrent use.

// ErrOrder says rows were pushed out of order (or a seq out of the range
// the builder was made for): the columns need rows increasing.
var ErrOrder = errors.New("rows came out of order")

// UserField names a standard attribute of users the columns hold.
type UserField int

// The standard user attributes: folded strings, then dates (Unix
// seconds).
const (
	UserID UserField = iota
	UserExternalID
	UserEmail
	UserName
	UserRole
	UserCreatedAt
	UserSignedUpAt
	UserLastSeenAt
	userFields
)

// userFieldNames are the attributes' fields, as portal.Attribute.Field
// names them.
var userFieldNames = [userFields]string{"id", "external_id", "email", "name", "role", "created_at", "signed_up_at", "last_seen_at"}

// CompanyField names a standard attribute of companies the columns hold.
type CompanyField int

// The standard company attributes: folded strings, then numbers (the
// creation date in Unix seconds).
const (
	CompanyID CompanyField = iota
	CompanyCompanyID
	CompanyName
	CompanyPlan
	CompanyIndustry
	CompanyWebsite
	CompanySize
	CompanyMonthlySpend
	CompanyCreatedAt
	companyFields
)

var companyFieldNames = [companyFields]string{"id", "company_id", "name", "plan", "industry", "website", "size", "monthly_spend", "created_at"}

// UserBuilder collects the users and their standard attributes.
type UserBuilder struct {
	rows  int
	all   bitset
	strs  [UserCreatedAt]strBuilder
	dates [userFields - UserCreatedAt]numBuilder
}

// NewUserBuilder returns a builder for users numbered (by seq) from 0 to
// rows-1.
func NewUserBuilder(rows int) *UserBuilder {
	return &UserBuilder{rows: rows, all: newBitset(rows)}
}

// Add records the user with seq. Returns ErrOrder when seq is not below
// the builder's rows.
func (b *UserBuilder) Add(seq uint32) error {
	if int64(seq) >= int64(b.rows) {
		return ErrOrder
	}
	b.all.set(seq)
	return nil
}

// String records the folded value of a string attribute (UserID to
// UserRole) of the user with seq; seqs must increase for each field.
func (b *UserBuilder) String(f UserField, seq uint32, folded string) error {
	if f < 0 || f >= UserCreatedAt {
		return fmt.Errorf("the user field %d holds no strings", f)
	}
	if !b.strs[f].add(seq, folded) {
		return ErrOrder
	}
	return nil
}

// Date records a date attribute (UserCreatedAt to UserLastSeenAt) of the
// user with seq, in Unix seconds; seqs must increase for each field.
func (b *UserBuilder) Date(f UserField, seq uint32, unix int64) error {
	if f < UserCreatedAt || f >= userFields {
		return fmt.Errorf("the user field %d holds no dates", f)
	}
	if !b.dates[f-UserCreatedAt].add(seq, float64(unix)) {
		return ErrOrder
	}
	return nil
}

// AttrBuilder collects the custom attributes of one scope (users by seq,
// or companies by their CompanyBuilder row), rows increasing for each
// attribute.
type AttrBuilder struct {
	strs map[attrKey]*strBuilder
	nums map[attrKey]*numBuilder
}

// NewAttrBuilder returns an empty AttrBuilder.
func NewAttrBuilder() *AttrBuilder {
	return &AttrBuilder{strs: map[attrKey]*strBuilder{}, nums: map[attrKey]*numBuilder{}}
}

// String records the folded value of the string attribute key of row.
func (b *AttrBuilder) String(row uint32, key, folded string) error {
	k := attrKey{key, portal.KindString}
	sb := b.strs[k]
	if sb == nil {
		sb = &strBuilder{}
		b.strs[k] = sb
	}
	if !sb.add(row, folded) {
		return ErrOrder
	}
	return nil
}

// Number records the value of the attribute key of kind (a number, a
// boolean as 0 or 1, a date in Unix seconds) of row. A NaN is refused
// as ErrOrder: no store holds one.
func (b *AttrBuilder) Number(row uint32, key string, kind portal.ValueKind, v float64) error {
	if kind == portal.KindString {
		return fmt.Errorf("the attribute %q holds strings, not numbers", key)
	}
	k := attrKey{key, kind}
	nb := b.nums[k]
	if nb == nil {
		nb = &numBuilder{}
		b.nums[k] = nb
	}
	if !nb.add(row, v) {
		return ErrOrder
	}
	return nil
}

func (b *AttrBuilder) finish(n int) map[attrKey]*column {
	out := map[attrKey]*column{}
	for k, sb := range b.strs {
		out[k] = &column{str: sb.finish(n)}
	}
	for k, nb := range b.nums {
		out[k] = &column{num: nb.finish(n)}
	}
	return out
}

// CompanyBuilder collects the companies, their attributes and then the
// memberships of users in them. Every company comes before the first
// membership.
type CompanyBuilder struct {
	rows  int // user rows
	ix    map[string]uint32
	strs  [CompanySize]strBuilder
	nums  [companyFields - CompanySize]numBuilder
	attrs *AttrBuilder
	// The memberships (see Columns): first is nil until the first.
	first, more, off, comp []uint32
	last                   int64
}

// NewCompanyBuilder returns a builder whose memberships name users
// numbered from 0 to userRows-1.
func NewCompanyBuilder(userRows int) *CompanyBuilder {
	return &CompanyBuilder{rows: userRows, ix: map[string]uint32{}, attrs: NewAttrBuilder(), last: -1}
}

// Add records the company with id and returns its row. Companies come
// before every membership.
func (b *CompanyBuilder) Add(id string) (uint32, error) {
	if b.first != nil {
		return 0, errors.New("a company came after the memberships")
	}
	r := uint32(len(b.ix))
	b.ix[id] = r
	return r, nil
}

// String records the folded value of a string attribute (CompanyID to
// CompanyWebsite) of the company at row; rows must increase for each
// field.
func (b *CompanyBuilder) String(f CompanyField, row uint32, folded string) error {
	if f < 0 || f >= CompanySize {
		return fmt.Errorf("the company field %d holds no strings", f)
	}
	if !b.strs[f].add(row, folded) {
		return ErrOrder
	}
	return nil
}

// Number records a numeric attribute (CompanySize to CompanyCreatedAt)
// of the company at row; rows must increase for each field.
func (b *CompanyBuilder) Number(f CompanyField, row uint32, v float64) error {
	if f < CompanySize || f >= companyFields {
		return fmt.Errorf("the company field %d holds no numbers", f)
	}
	if !b.nums[f-CompanySize].add(row, v) {
		return ErrOrder
	}
	return nil
}

// Attrs returns the builder of the companies' custom attributes, whose
// rows are the companies' (see Row).
func (b *CompanyBuilder) Attrs() *AttrBuilder { return b.attrs }

// Row returns the row of the company with id, and whether there is one.
func (b *CompanyBuilder) Row(id string) (uint32, bool) {
	r, ok := b.ix[id]
	return r, ok
}

// Member records that the user with seq belongs to the company with id.
// Memberships come by seq, increasing; one naming a company that was not
// added, or a seq out of range, gives the user no attributes and is
// skipped.
func (b *CompanyBuilder) Member(seq int64, companyID string) error {
	b.startMembers()
	nc := uint32(len(b.ix))
	if seq < b.last {
		return ErrOrder
	}
	b.last = seq
	r, ok := b.ix[companyID]
	if !ok || seq < 0 || seq >= int64(b.rows) {
		return nil
	}
	u := uint32(seq)
	switch {
	case b.first[u] == nc:
		b.first[u] = r
	case len(b.more) == 0 || b.more[len(b.more)-1] != u:
		b.more = append(b.more, u)
		b.off = append(b.off, uint32(len(b.comp)))
		fallthrough
	default:
		b.comp = append(b.comp, r)
	}
	return nil
}

// startMembers starts the memberships, once: every user with none.
func (b *CompanyBuilder) startMembers() {
	if b.first != nil {
		return
	}
	nc := uint32(len(b.ix))
	b.first = make([]uint32, b.rows)
	for i := range b.first {
		b.first[i] = nc
	}
}

// finish puts the companies and the memberships into c.
func (b *CompanyBuilder) finish(c *Columns) {
	n := len(b.ix)
	c.nComp = n
	c.comp = map[string]*colPart{}
	for f := CompanyID; f < companyFields; f++ {
		if f < CompanySize {
			c.comp[companyFieldNames[f]] = readyCol(&column{str: b.strs[f].finish(n)})
		} else {
			c.comp[companyFieldNames[f]] = readyCol(&column{num: b.nums[f-CompanySize].finish(n)})
		}
	}
	c.compAttr = readyCols(b.attrs.finish(n))
	b.startMembers()
	c.mem = readyMembers(newMembers(c.rows, b.first, b.more, append(b.off, uint32(len(b.comp))), b.comp))
	b.ix = nil
}
