package intercom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"portalstudio/backend/portal"
)

// JSON value kinds, as named in rejection reasons.
const (
	kindNull   = "null"
	kindString = "a string"
	kindNumber = "a number"
	kindBool   = "true or false"
	kindObject = "an object"
	kindArray  = "an array"
)

// jsonKind returns the kind of a valid JSON value.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return kindNull
	}
	switch raw[0] {
	case 'n':
		return kindNull
	case '"':
		return kindString
	case 't', 'f':
		return kindBool
	case '{':
		return kindObject
	case '[':
		return kindArray
	}
	return kindNumber
}

// describe names the kind of a value for "found ..." and "not ...".
func describe(raw json.RawMessage) string {
	k := jsonKind(raw)
	if k == kindBool {
		return "a boolean"
	}
	return k
}

// object reads the fields of one JSON object. Each getter treats a missing
// field and null alike (the zero value) and records the first field of the
// wrong JSON type in *err, naming it by its path; later getters then do
// nothing useful, and the caller rejects the record with that error.
type object struct {
	fields map[string]json.RawMessage
	path   string // prefix of field names in messages: "", "ticket_state."
	err    *error
}

func newObject(fields map[string]json.RawMessage) object {
	return object{fields: fields, err: new(error)}
}

// get returns the raw value of key, or nil when it is missing or null or an
// error was already found.
func (o object) get(key string) json.RawMessage {
	if *o.err != nil {
		return nil
	}
	raw := bytes.TrimSpace(o.fields[key])
	if len(raw) == 0 || jsonKind(raw) == kindNull {
		return nil
	}
	return raw
}

func (o object) fail(key, format string, args ...any) {
	if *o.err == nil {
		*o.err = errors.New(o.path + key + " " + fmt.Sprintf(format, args...))
	}
}

func (o object) wrongType(key, want string, raw json.RawMessage) {
	o.fail(key, "must be %s, not %s", want, describe(raw))
}

// str returns a string field.
func (o object) str(key string) string {
	raw := o.get(key)
	if raw == nil {
		return ""
	}
	var s string
	if jsonKind(raw) != kindString || json.Unmarshal(raw, &s) != nil {
		o.wrongType(key, "a string", raw)
	}
	return s
}

// ident returns an identifier that may be written as a string or a number
// (ticket_id, company_id): a number keeps its JSON spelling.
func (o object) ident(key string) string {
	raw := o.get(key)
	if raw == nil {
		return ""
	}
	switch jsonKind(raw) {
	case kindString:
		return o.str(key)
	case kindNumber:
		return string(bytes.TrimSpace(raw))
	}
	o.wrongType(key, "a string or a number", raw)
	return ""
}

// id returns the required id of a record.
func (o object) id() string {
	id := o.str("id")
	if id == "" && *o.err == nil {
		o.fail("id", "is missing")
	}
	return id
}

// number returns a number field, nil when missing or null.
func (o object) number(key string) *float64 {
	raw := o.get(key)
	if raw == nil {
		return nil
	}
	if jsonKind(raw) != kindNumber {
		o.wrongType(key, "a number", raw)
		return nil
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil {
		o.fail(key, "is out of range")
		return nil
	}
	return &f
}

// timestamp returns a Unix time in seconds, UTC; the zero time when
// missing or null.
func (o object) timestamp(key string) time.Time {
	raw := o.get(key)
	if raw == nil {
		return time.Time{}
	}
	if jsonKind(raw) != kindNumber {
		o.wrongType(key, "a Unix time in seconds", raw)
		return time.Time{}
	}
	t, ok := unixTime(string(bytes.TrimSpace(raw)))
	if !ok {
		o.fail(key, "is out of range for a Unix time in seconds")
	}
	return t
}

// unixTime parses a JSON number of Unix seconds; a fraction is dropped.
func unixTime(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Abs(f) > 1<<53 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

// boolean returns a boolean field, false when missing or null.
func (o object) boolean(key string) bool {
	raw := o.get(key)
	if raw == nil {
		return false
	}
	if jsonKind(raw) != kindBool {
		o.wrongType(key, "true or false", raw)
		return false
	}
	return raw[0] == 't'
}

// object returns a nested object field; ok is false when it is missing,
// null or of the wrong type (then the error is recorded).
func (o object) object(key string) (object, bool) {
	raw := o.get(key)
	if raw == nil {
		return object{}, false
	}
	if jsonKind(raw) != kindObject {
		o.wrongType(key, "an object", raw)
		return object{}, false
	}
	return o.sub(key, raw)
}

func (o object) sub(path string, raw json.RawMessage) (object, bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		o.fail(path, "must be an object")
		return object{}, false
	}
	return object{fields: fields, path: o.path + path + ".", err: o.err}, true
}

// objects returns the elements of an array of objects, each able to name
// itself "key[i]" in messages.
func (o object) objects(key string) []object {
	raw := o.get(key)
	if raw == nil {
		return nil
	}
	if jsonKind(raw) != kindArray {
		o.wrongType(key, "an array", raw)
		return nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		o.wrongType(key, "an array", raw)
		return nil
	}
	out := make([]object, 0, len(elems))
	for i, e := range elems {
		path := fmt.Sprintf("%s[%d]", key, i)
		if jsonKind(e) != kindObject {
			o.wrongType(path, "an object", e)
			return nil
		}
		sub, ok := o.sub(path, e)
		if !ok {
			return nil
		}
		out = append(out, sub)
	}
	return out
}

// listIDs returns the ids of a nested list such as a contact's companies
// ({"type":"list","data":[{"id":...}]}) or a ticket's contacts
// ({"type":"contact.list","contacts":[{"id":...}]}), deduplicated in
// order. keys are the names the list's array may have, first found wins.
func (o object) listIDs(key string, keys ...string) []string {
	list, ok := o.object(key)
	if !ok {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, k := range keys {
		if _, present := list.fields[k]; !present {
			continue
		}
		for _, elem := range list.objects(k) {
			id := elem.id()
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		break
	}
	return ids
}

// custom returns the custom attributes, typed by CustomValue; nil when
// there are none.
func (o object) custom(key string) map[string]portal.Value {
	raw := o.get(key)
	if raw == nil {
		return nil
	}
	if jsonKind(raw) != kindObject {
		o.wrongType(key, "an object", raw)
		return nil
	}
	var attrs map[string]any
	if err := json.Unmarshal(raw, &attrs); err != nil {
		o.wrongType(key, "an object", raw)
		return nil
	}
	var out map[string]portal.Value
	for k, v := range attrs {
		if k == "" {
			continue
		}
		if val, ok := CustomValue(k, v); ok {
			if out == nil {
				out = map[string]portal.Value{}
			}
			out[k] = val
		}
	}
	return out
}

// decodeContact maps an Intercom contact to a user.
func decodeContact(fields map[string]json.RawMessage) (*portal.User, error) {
	o := newObject(fields)
	u := &portal.User{
		ID:         o.id(),
		ExternalID: o.ident("external_id"),
		Email:      o.str("email"),
		Name:       o.str("name"),
		Role:       o.str("role"),
		CreatedAt:  o.timestamp("created_at"),
		SignedUpAt: o.timestamp("signed_up_at"),
		LastSeenAt: o.timestamp("last_seen_at"),
		Custom:     o.custom("custom_attributes"),
		// API 2.x: {"type":"list","data":[...]}; 1.x: {"type":"company.list","companies":[...]}.
		CompanyIDs: o.listIDs("companies", "data", "companies"),
	}
	if *o.err != nil {
		return nil, *o.err
	}
	return u, nil
}

// decodeCompany maps an Intercom company.
func decodeCompany(fields map[string]json.RawMessage) (*portal.Company, error) {
	o := newObject(fields)
	c := &portal.Company{
		ID:           o.id(),
		CompanyID:    o.ident("company_id"),
		Name:         o.str("name"),
		Plan:         o.plan("plan"),
		Size:         o.number("size"),
		Industry:     o.str("industry"),
		Website:      o.str("website"),
		MonthlySpend: o.number("monthly_spend"),
		CreatedAt:    o.timestamp("created_at"),
		Custom:       o.custom("custom_attributes"),
	}
	if *o.err != nil {
		return nil, *o.err
	}
	return c, nil
}

// plan returns a company's plan name: the API gives a plan object
// ({"type":"plan","id":"1","name":"Pro"}, or {} for none); a plain string
// is taken as the name.
func (o object) plan(key string) string {
	raw := o.get(key)
	if raw == nil {
		return ""
	}
	switch jsonKind(raw) {
	case kindString:
		return o.str(key)
	case kindObject:
		p, ok := o.object(key)
		if !ok {
			return ""
		}
		return p.str("name")
	}
	o.wrongType(key, "an object or a string", raw)
	return ""
}

// ticketCategories are the valid ticket categories.
var ticketCategories = map[string]bool{
	portal.CategoryCustomer:   true,
	portal.CategoryBackOffice: true,
	portal.CategoryTracker:    true,
}

// decodeTicket maps an Intercom ticket, with its parts and its type.
func decodeTicket(fields map[string]json.RawMessage) (*portal.Ticket, *portal.TicketType, error) {
	o := newObject(fields)
	t := &portal.Ticket{
		ID:        o.id(),
		TicketID:  o.ident("ticket_id"),
		IsShared:  o.boolean("is_shared"),
		CompanyID: o.ident("company_id"),
		CreatedAt: o.timestamp("created_at"),
		UpdatedAt: o.timestamp("updated_at"),
		Open:      o.boolean("open"),
		// The first contact is the creator.
		ContactIDs: o.listIDs("contacts", "contacts", "data"),
	}
	if attrs, ok := o.object("ticket_attributes"); ok {
		t.Title = attrs.str("_default_title_")
		t.Description = attrs.str("_default_description_")
	}
	o.ticketState(t)

	var typ *portal.TicketType
	typeCategory := ""
	if tt, ok := o.object("ticket_type"); ok {
		t.TypeID = tt.ident("id")
		t.TypeName = tt.str("name")
		typeCategory = tt.str("category")
		typ = &portal.TicketType{ID: t.TypeID, Name: t.TypeName, Category: typeCategory}
	}

	t.Category = o.str("category")
	if t.Category == "" {
		t.Category = typeCategory
	}
	if *o.err == nil && !ticketCategories[t.Category] {
		if t.Category == "" {
			o.fail("category", `is missing; it must be "Customer", "Back-office" or "Tracker"`)
		} else {
			o.fail("category", `must be "Customer", "Back-office" or "Tracker", not %q`, t.Category)
		}
	}
	if typ != nil && typ.Category == "" {
		typ.Category = t.Category
	}

	t.Parts = o.ticketParts()
	if *o.err != nil {
		return nil, nil, *o.err
	}
	if typ != nil && typ.ID == "" {
		typ = nil // a type without an id cannot be stored; the ticket keeps its name
	}
	return t, typ, nil
}

// ticketState sets the state category and the customer-facing label. The
// API gives ticket_state as an object (category, external_label); older
// versions give the category as a string and the label beside it in
// ticket_state_external_label.
func (o object) ticketState(t *portal.Ticket) {
	raw := o.get("ticket_state")
	topLabel := o.str("ticket_state_external_label")
	switch {
	case raw == nil:
		t.StateLabel = topLabel
		return
	case jsonKind(raw) == kindString:
		t.StateCategory = o.str("ticket_state")
		t.StateLabel = topLabel
	case jsonKind(raw) == kindObject:
		st, ok := o.object("ticket_state")
		if !ok {
			return
		}
		t.StateCategory = st.str("category")
		t.StateLabel = st.str("external_label")
		if t.StateLabel == "" {
			t.StateLabel = topLabel
		}
	default:
		o.wrongType("ticket_state", "an object or a string", raw)
		return
	}
	if t.StateLabel == "" {
		t.StateLabel = t.StateCategory
	}
}

// ticketParts returns a ticket's conversation parts
// ({"type":"ticket_part.list","ticket_parts":[...]}).
func (o object) ticketParts() []portal.Part {
	list, ok := o.object("ticket_parts")
	if !ok {
		return nil
	}
	var parts []portal.Part
	for _, p := range list.objects("ticket_parts") {
		part := portal.Part{
			ID:        p.ident("id"),
			PartType:  p.str("part_type"),
			Body:      p.str("body"),
			CreatedAt: p.timestamp("created_at"),
		}
		if a, ok := p.object("author"); ok {
			part.AuthorType = a.str("type")
			part.AuthorID = a.ident("id")
			part.AuthorName = a.str("name")
		}
		parts = append(parts, part)
	}
	return parts
}
