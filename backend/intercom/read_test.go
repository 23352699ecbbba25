package intercom_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
)

// fixtures is the shared directory of real Intercom API objects.
const fixtures = "../../testdata/intercom-api/"

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func num(f float64) *float64 { return &f }

// read runs Read over input and collects what it returns.
func read(t *testing.T, name, input string) ([]portal.Record, []portal.Rejection, error) {
	t.Helper()
	var recs []portal.Record
	rej, err := intercom.Read(name, strings.NewReader(input), func(r portal.Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, rej, err
}

// mustRead is read for input that must be valid JSON.
func mustRead(t *testing.T, input string) ([]portal.Record, []portal.Rejection) {
	t.Helper()
	recs, rej, err := read(t, "in.json", input)
	if err != nil {
		t.Fatalf("Read: unexpected error: %v", err)
	}
	return recs, rej
}

// mustOne reads input that must hold exactly one accepted record.
func mustOne(t *testing.T, input string) portal.Record {
	t.Helper()
	recs, rej := mustRead(t, input)
	if len(recs) != 1 || len(rej) != 0 {
		t.Fatalf("got %d records and rejections %v, want 1 record and none", len(recs), rej)
	}
	return recs[0]
}

// equal fails the test with both values as JSON when they differ.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

func TestReadFixtures(t *testing.T) {
	tests := map[string][]portal.Record{
		"contact.json": {{
			Source: portal.Source{File: "contact.json", Line: 1},
			User: &portal.User{
				ID:         "6762f0d01bb69f9f2193bb7d",
				ExternalID: "70",
				Email:      "joe@bloggs.com",
				Name:       "Joe Bloggs",
				Role:       "user",
				CreatedAt:  unix(1734537424),
				SignedUpAt: unix(1734537424),
			},
		}},
		"company.json": {{
			Source: portal.Source{File: "company.json", Line: 1},
			Company: &portal.Company{
				ID:           "6762f07f1bb69f9f2193baf5",
				CompanyID:    "1",
				Name:         "company1",
				MonthlySpend: num(0),
				CreatedAt:    unix(1734537343),
			},
		}},
		"companies_list.json": {{
			Source: portal.Source{File: "companies_list.json", Line: 4},
			Company: &portal.Company{
				ID:           "6762f07a1bb69f9f2193baea",
				CompanyID:    "remote_companies_scroll_2",
				Name:         "IntercomQATest1",
				MonthlySpend: num(0),
				CreatedAt:    unix(1734537338),
			},
		}},
		"contact_companies.json": {{
			Source: portal.Source{File: "contact_companies.json", Line: 4},
			Company: &portal.Company{
				ID:           "6762f0a61bb69f9f2193bb55",
				CompanyID:    "1",
				Name:         "company12",
				MonthlySpend: num(0),
				CreatedAt:    unix(1734537382),
			},
		}},
		"ticket.json": {{
			Source: portal.Source{File: "ticket.json", Line: 1},
			Ticket: &portal.Ticket{
				ID:            "631",
				TicketID:      "38",
				Title:         "attribute_value",
				Category:      portal.CategoryBackOffice,
				StateCategory: "submitted",
				StateLabel:    "Submitted",
				TypeID:        "95",
				TypeName:      "my-ticket-type-30",
				ContactIDs:    []string{"6762f2f61bb69f9f2193bc59"},
				CreatedAt:     unix(1734537974),
				UpdatedAt:     unix(1734537976),
				Open:          true,
				Parts: []portal.Part{{
					ID:         "185",
					PartType:   "ticket_state_updated_by_admin",
					AuthorType: "admin",
					AuthorID:   "991268047",
					AuthorName: "Ciaran509 Lee",
					CreatedAt:  unix(1734537975),
				}},
			},
			TicketType: &portal.TicketType{ID: "95", Name: "my-ticket-type-30", Category: portal.CategoryBackOffice},
		}},
		"tickets_search.json": {{
			Source: portal.Source{File: "tickets_search.json", Line: 11},
			Ticket: &portal.Ticket{
				ID:            "633",
				TicketID:      "40",
				Title:         "attribute_value",
				Category:      portal.CategoryBackOffice,
				StateCategory: "submitted",
				StateLabel:    "Submitted",
				TypeID:        "100",
				TypeName:      "my-ticket-type-35",
				ContactIDs:    []string{"6762f3061bb69f9f2193bc5b"},
				CreatedAt:     unix(1734537990),
				UpdatedAt:     unix(1734537992),
				Open:          true,
				Parts: []portal.Part{{
					ID:         "188",
					PartType:   "ticket_state_updated_by_admin",
					AuthorType: "admin",
					AuthorID:   "991268079",
					AuthorName: "Ciaran539 Lee",
					CreatedAt:  unix(1734537991),
				}},
			},
			TicketType: &portal.TicketType{ID: "100", Name: "my-ticket-type-35", Category: portal.CategoryBackOffice},
		}},
	}

	// Every fixture has expectations: a new one must be added here.
	paths, err := filepath.Glob(fixtures + "*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures at %s (err %v)", fixtures, err)
	}
	var names, want []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	for name := range tests {
		want = append(want, name)
	}
	sort.Strings(names)
	sort.Strings(want)
	equal(t, "fixture files", names, want)

	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(fixtures + name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got []portal.Record
			rej, err := intercom.Read(name, f, func(r portal.Record) error {
				got = append(got, r)
				return nil
			})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(rej) != 0 {
				t.Errorf("rejections: %v", rej)
			}
			equal(t, "records", got, want)
		})
	}
}

// pos is what the position tests compare: where a record starts and what
// it is.
type pos struct {
	Line int
	Kind string
	ID   string
}

func positions(recs []portal.Record) []pos {
	var out []pos
	for _, r := range recs {
		out = append(out, pos{r.Source.Line, r.Kind(), r.ID()})
	}
	return out
}

func rejectedPositions(rej []portal.Rejection) []pos {
	var out []pos
	for _, r := range rej {
		out = append(out, pos{r.Line, r.Kind, r.ID})
	}
	return out
}

func TestReadPositions(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		want     []pos
		rejected []pos
	}{{
		name: "JSON Lines of mixed objects",
		input: `{"type":"contact","id":"u1","email":"a@x.com"}
{"type":"company","id":"c1","name":"Acme"}

{"type":"ticket","id":"t1","category":"Customer"}
{"type":"admin","id":"a1"}
{"type":"list","data":[{"type":"company","id":"c2"},{"type":"contact","id":"u2"}]}
{"type":"contact","id":"u3"}
`,
		want:     []pos{{1, "contact", "u1"}, {2, "company", "c1"}, {4, "ticket", "t1"}, {6, "company", "c2"}, {6, "contact", "u2"}, {7, "contact", "u3"}},
		rejected: []pos{{5, "admin", "a1"}},
	}, {
		name: "CRLF line ends",
		input: "{\"type\":\"contact\",\"id\":\"u1\"}\r\n" +
			"{\"type\":\"contact\",\"id\":\"u2\"}\r\n",
		want: []pos{{1, "contact", "u1"}, {2, "contact", "u2"}},
	}, {
		name: "pretty-printed values one after another",
		input: `{
  "type": "contact",
  "id": "u1",
  "name": "multi\nline"
}
{
  "type": "company",
  "id": "c1"
}{"type":"company","id":"c2"}
   {
     "type": "ticket", "id": "t1", "category": "Tracker"
   }`,
		want: []pos{{1, "contact", "u1"}, {6, "company", "c1"}, {9, "company", "c2"}, {10, "ticket", "t1"}},
	}, {
		name: "list envelope elements",
		input: `{
  "type": "list",
  "data": [
    {
      "type": "company",
      "id": "c1"
    },
    {"type": "company", "id": "c2"},

    {
      "type": "contact",
      "id": "u1"
    }
  ],
  "pages": {"type": "pages", "next": null},
  "total_count": 3
}
{"type":"contact","id":"u2"}`,
		want: []pos{{4, "company", "c1"}, {8, "company", "c2"}, {10, "contact", "u1"}, {18, "contact", "u2"}},
	}, {
		name: "ticket.list envelope, type first and pages before tickets",
		input: `{"type": "ticket.list",
 "pages": {"type": "pages", "page": 1},
 "tickets": [
  {"type": "ticket", "id": "t1", "category": "Customer"},
  {"type": "ticket", "id": "t2", "category": "Tracker"}
 ]}`,
		want: []pos{{4, "ticket", "t1"}, {5, "ticket", "t2"}},
	}, {
		name: "contact.list and company.list with untyped elements",
		input: `{"type":"contact.list","contacts":[{"id":"u1"}]}
{"type":"contact.list","data":[{"id":"u2"}]}
{"type":"company.list","companies":[{"id":"c1"}]}
{"type":"company.list","data":[{"id":"c2"}]}
{"type":"list","data":[{"id":"x1"}]}`,
		want:     []pos{{1, "contact", "u1"}, {2, "contact", "u2"}, {3, "company", "c1"}, {4, "company", "c2"}},
		rejected: []pos{{5, "", "x1"}},
	}, {
		name: "envelope whose type comes after its data",
		input: `{"data":[
{"type":"company","id":"c1"}
],"type":"list"}`,
		want: []pos{{2, "company", "c1"}},
	}, {
		name: "top-level array",
		input: `[
  {"type":"contact","id":"u1"},
  {"type":"company","id":"c1"}
]`,
		want: []pos{{2, "contact", "u1"}, {3, "company", "c1"}},
	}, {
		name: "empty envelopes",
		input: `{"type":"list","data":[]}
{"type":"ticket.list","tickets":[ ]}
{"type":"list"}
{"type":"contact","id":"u1"}`,
		want: []pos{{4, "contact", "u1"}},
	}, {
		name: "list fields inside a record are not envelopes",
		input: `{"type":"contact","id":"u1","data":[{"type":"contact","id":"u9"}],
 "companies":{"type":"list","data":[{"type":"company","id":"c1"}]}}`,
		want: []pos{{1, "contact", "u1"}},
	}, {
		name: "lists of unknown things",
		input: `{"type":"list","data":[
 {"type":"admin","id":"a1"},
 {"type":"company","id":"c1"},
 {"type":"tag","id":"g1"}
]}
{"type":"tag.list","tags":[{"type":"tag","id":"g2"}]}`,
		want:     []pos{{3, "company", "c1"}},
		rejected: []pos{{2, "admin", "a1"}, {4, "tag", "g1"}, {6, "tag.list", ""}},
	}, {
		name:  "byte order mark",
		input: "\xEF\xBB\xBF{\"type\":\"contact\",\"id\":\"u1\"}\n{\"type\":\"contact\",\"id\":\"u2\"}",
		want:  []pos{{1, "contact", "u1"}, {2, "contact", "u2"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, rej := mustRead(t, tt.input)
			equal(t, "records", positions(recs), tt.want)
			equal(t, "rejections", rejectedPositions(rej), tt.rejected)
			for _, r := range recs {
				if r.Source.File != "in.json" {
					t.Errorf("record %s: file %q, want in.json", r.ID(), r.Source.File)
				}
			}
			for _, r := range rej {
				if r.File != "in.json" {
					t.Errorf("rejection %v: file %q, want in.json", r, r.File)
				}
			}
		})
	}
}

func TestReadContact(t *testing.T) {
	rec := mustOne(t, `{
  "type": "contact",
  "id": "u1",
  "external_id": 70,
  "email": "ann@acme.com",
  "name": null,
  "role": "lead",
  "created_at": 1700000000,
  "signed_up_at": null,
  "last_seen_at": 1700000100,
  "custom_attributes": {
    "plan_name": "Pro",
    "empty": "",
    "seats": 12,
    "ratio": 0.5,
    "trial_ends_at": 1700003600,
    "Renewal_Date": 1700007200,
    "vip": true,
    "churned": false,
    "birthday": "1990-05-01T00:00:00+02:00",
    "not_a_date": "2024-13-45",
    "address": {"city": "Lyon"},
    "tags": ["a", "b"],
    "nothing": null
  },
  "companies": {"type": "list", "data": [
    {"type": "company", "id": "c1", "url": "/companies/c1"},
    {"type": "company", "id": "c2"},
    {"type": "company", "id": "c1"}
  ]},
  "location": {"type": "location", "country": null},
  "social_profiles": {"type": "list", "data": []}
}`)
	want := &portal.User{
		ID:         "u1",
		ExternalID: "70",
		Email:      "ann@acme.com",
		Role:       "lead",
		CreatedAt:  unix(1700000000),
		LastSeenAt: unix(1700000100),
		Custom: map[string]portal.Value{
			"plan_name":     {Kind: portal.KindString, Str: "Pro"},
			"seats":         {Kind: portal.KindNumber, Num: 12},
			"ratio":         {Kind: portal.KindNumber, Num: 0.5},
			"trial_ends_at": {Kind: portal.KindDate, Time: unix(1700003600)},
			"Renewal_Date":  {Kind: portal.KindDate, Time: unix(1700007200)},
			"vip":           {Kind: portal.KindBoolean, Bool: true},
			"churned":       {Kind: portal.KindBoolean, Bool: false},
			"birthday":      {Kind: portal.KindDate, Time: time.Date(1990, 4, 30, 22, 0, 0, 0, time.UTC)},
			"not_a_date":    {Kind: portal.KindString, Str: "2024-13-45"},
		},
		CompanyIDs: []string{"c1", "c2"},
	}
	equal(t, "user", rec.User, want)
}

func TestReadCompany(t *testing.T) {
	rec := mustOne(t, `{"type":"company","id":"c1","company_id":"acme","name":"Acme",
"plan":{"type":"plan","id":"1","name":"Pro"},"size":250,"industry":"Retail",
"website":"https://acme.com","monthly_spend":99.5,"created_at":1600000000,
"custom_attributes":{"region":"EU","renewal_at":1700000000,"meta":{"x":1}},
"tags":{"type":"tag.list","tags":[]}}`)
	want := &portal.Company{
		ID:           "c1",
		CompanyID:    "acme",
		Name:         "Acme",
		Plan:         "Pro",
		Size:         num(250),
		Industry:     "Retail",
		Website:      "https://acme.com",
		MonthlySpend: num(99.5),
		CreatedAt:    unix(1600000000),
		Custom: map[string]portal.Value{
			"region":     {Kind: portal.KindString, Str: "EU"},
			"renewal_at": {Kind: portal.KindDate, Time: unix(1700000000)},
		},
	}
	equal(t, "company", rec.Company, want)
}

func TestReadPlan(t *testing.T) {
	tests := []struct {
		plan string
		want string
	}{
		{`{}`, ""},
		{`{"id":"1","name":"Pro","type":"plan"}`, "Pro"},
		{`{"id":"1","type":"plan"}`, ""},
		{`"Enterprise"`, "Enterprise"},
		{`""`, ""},
		{`null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			rec := mustOne(t, `{"type":"company","id":"c1","plan":`+tt.plan+`}`)
			if rec.Company.Plan != tt.want {
				t.Errorf("plan %s: got %q, want %q", tt.plan, rec.Company.Plan, tt.want)
			}
		})
	}
}

func TestReadTicket(t *testing.T) {
	rec := mustOne(t, `{"type":"ticket","id":"t1","ticket_id":42,
"ticket_attributes":{"_default_title_":"Printer on fire","_default_description_":"<p>Help</p>","_custom_":{"x":1}},
"category":"Customer","is_shared":true,
"ticket_state":{"type":"ticket_state","id":"9","category":"in_progress","internal_label":"Triage","external_label":"In progress"},
"ticket_type":{"type":"ticket_type","id":"7","name":"Bug","category":"Customer"},
"contacts":{"type":"contact.list","contacts":[{"type":"contact","id":"u1"},{"type":"contact","id":"u2"}]},
"company_id":"c1","created_at":1700000000,"updated_at":1700000500,"open":true,
"ticket_parts":{"type":"ticket_part.list","ticket_parts":[
 {"type":"ticket_part","id":"p1","part_type":"comment","body":"<p>Hi</p>","created_at":1700000100,
  "author":{"type":"user","id":"u1","name":"Ann","email":"ann@acme.com"}},
 {"type":"ticket_part","id":"p2","part_type":"note","body":null,"created_at":1700000200,
  "author":{"type":"admin","id":991,"name":"Bob"}}
]}}`)
	want := &portal.Ticket{
		ID:            "t1",
		TicketID:      "42",
		Title:         "Printer on fire",
		Description:   "<p>Help</p>",
		Category:      portal.CategoryCustomer,
		IsShared:      true,
		StateCategory: "in_progress",
		StateLabel:    "In progress",
		TypeID:        "7",
		TypeName:      "Bug",
		ContactIDs:    []string{"u1", "u2"},
		CompanyID:     "c1",
		CreatedAt:     unix(1700000000),
		UpdatedAt:     unix(1700000500),
		Open:          true,
		Parts: []portal.Part{
			{ID: "p1", PartType: "comment", Body: "<p>Hi</p>", AuthorType: "user", AuthorID: "u1", AuthorName: "Ann", CreatedAt: unix(1700000100)},
			{ID: "p2", PartType: "note", AuthorType: "admin", AuthorID: "991", AuthorName: "Bob", CreatedAt: unix(1700000200)},
		},
	}
	equal(t, "ticket", rec.Ticket, want)
	equal(t, "ticket type", rec.TicketType, &portal.TicketType{ID: "7", Name: "Bug", Category: portal.CategoryCustomer})
	if rec.Ticket.CreatorID() != "u1" {
		t.Errorf("creator %q, want u1", rec.Ticket.CreatorID())
	}
}

func TestReadTicketFields(t *testing.T) {
	type got struct {
		Category, StateCategory, StateLabel, CompanyID string
		Shared, Open                                   bool
		Type                                           *portal.TicketType
	}
	tests := []struct {
		name   string
		fields string // added to a ticket with id t1
		want   got
	}{{
		name:   "ticket_state as a string with ticket_state_external_label",
		fields: `"category":"Customer","ticket_state":"submitted","ticket_state_external_label":"Received"`,
		want:   got{Category: "Customer", StateCategory: "submitted", StateLabel: "Received"},
	}, {
		name:   "ticket_state as a string without a label",
		fields: `"category":"Customer","ticket_state":"resolved"`,
		want:   got{Category: "Customer", StateCategory: "resolved", StateLabel: "resolved"},
	}, {
		name:   "ticket_state object without external_label",
		fields: `"category":"Customer","ticket_state":{"category":"waiting_on_customer","internal_label":"Internal name"}`,
		want:   got{Category: "Customer", StateCategory: "waiting_on_customer", StateLabel: "waiting_on_customer"},
	}, {
		name:   "category from ticket_type, type category kept",
		fields: `"ticket_type":{"id":"3","name":"Ops","category":"Back-office"}`,
		want:   got{Category: "Back-office", Type: &portal.TicketType{ID: "3", Name: "Ops", Category: "Back-office"}},
	}, {
		name:   "type category falls back to the ticket's",
		fields: `"category":"Tracker","ticket_type":{"id":3,"name":"Outage"}`,
		want:   got{Category: "Tracker", Type: &portal.TicketType{ID: "3", Name: "Outage", Category: "Tracker"}},
	}, {
		name:   "top-level category wins over the type's",
		fields: `"category":"Customer","ticket_type":{"id":"3","name":"Q","category":"Tracker"}`,
		want:   got{Category: "Customer", Type: &portal.TicketType{ID: "3", Name: "Q", Category: "Tracker"}},
	}, {
		name:   "numeric company_id, shared, open",
		fields: `"category":"Customer","company_id":1234,"is_shared":true,"open":true`,
		want:   got{Category: "Customer", CompanyID: "1234", Shared: true, Open: true},
	}, {
		name:   "empty and null company_id, null flags",
		fields: `"category":"Customer","company_id":"","is_shared":null,"open":null,"ticket_type":null`,
		want:   got{Category: "Customer"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := mustOne(t, `{"type":"ticket","id":"t1",`+tt.fields+`}`)
			tk := rec.Ticket
			equal(t, "ticket", got{tk.Category, tk.StateCategory, tk.StateLabel, tk.CompanyID, tk.IsShared, tk.Open, rec.TicketType}, tt.want)
		})
	}
}

func TestReadRejects(t *testing.T) {
	tests := []struct {
		name   string
		record string
		kind   string
		id     string
		reason string
	}{
		{"no id", `{"type":"contact","email":"a@x.com"}`, "contact", "", "id is missing"},
		{"empty id", `{"type":"company","id":""}`, "company", "", "id is missing"},
		{"null id", `{"type":"ticket","id":null,"category":"Customer"}`, "ticket", "", "id is missing"},
		{"numeric id", `{"type":"contact","id":5}`, "contact", "", "id must be a string, not a number"},
		{"email a number", `{"type":"contact","id":"u1","email":42}`, "contact", "u1", "email must be a string, not a number"},
		{"created_at a string", `{"type":"contact","id":"u1","created_at":"yesterday"}`, "contact", "u1", "created_at must be a Unix time in seconds, not a string"},
		{"last_seen_at a boolean", `{"type":"contact","id":"u1","last_seen_at":true}`, "contact", "u1", "last_seen_at must be a Unix time in seconds, not a boolean"},
		{"custom_attributes a string", `{"type":"contact","id":"u1","custom_attributes":"x"}`, "contact", "u1", "custom_attributes must be an object, not a string"},
		{"companies an array", `{"type":"contact","id":"u1","companies":[]}`, "contact", "u1", "companies must be an object, not an array"},
		{"company reference id a number", `{"type":"contact","id":"u1","companies":{"type":"list","data":[{"id":"c1"},{"id":7}]}}`, "contact", "u1", "companies.data[1].id must be a string, not a number"},
		{"company reference without id", `{"type":"contact","id":"u1","companies":{"data":[{"type":"company"}]}}`, "contact", "u1", "companies.data[0].id is missing"},
		{"company reference a string", `{"type":"contact","id":"u1","companies":{"data":["c1"]}}`, "contact", "u1", "companies.data[0] must be an object, not a string"},
		{"size a string", `{"type":"company","id":"c1","size":"big"}`, "company", "c1", "size must be a number, not a string"},
		{"monthly_spend an object", `{"type":"company","id":"c1","monthly_spend":{}}`, "company", "c1", "monthly_spend must be a number, not an object"},
		{"plan a number", `{"type":"company","id":"c1","plan":3}`, "company", "c1", "plan must be an object or a string, not a number"},
		{"plan name a number", `{"type":"company","id":"c1","plan":{"name":3}}`, "company", "c1", "plan.name must be a string, not a number"},
		{"company_id an object", `{"type":"company","id":"c1","company_id":{}}`, "company", "c1", "company_id must be a string or a number, not an object"},
		{"category unknown", `{"type":"ticket","id":"t1","category":"Sales"}`, "ticket", "t1", `category must be "Customer", "Back-office" or "Tracker", not "Sales"`},
		{"category missing", `{"type":"ticket","id":"t1"}`, "ticket", "t1", `category is missing; it must be "Customer", "Back-office" or "Tracker"`},
		{"category a number", `{"type":"ticket","id":"t1","category":1}`, "ticket", "t1", "category must be a string, not a number"},
		{"is_shared a string", `{"type":"ticket","id":"t1","category":"Customer","is_shared":"yes"}`, "ticket", "t1", "is_shared must be true or false, not a string"},
		{"ticket_state a number", `{"type":"ticket","id":"t1","category":"Customer","ticket_state":3}`, "ticket", "t1", "ticket_state must be an object or a string, not a number"},
		{"title a number", `{"type":"ticket","id":"t1","category":"Customer","ticket_attributes":{"_default_title_":5}}`, "ticket", "t1", "ticket_attributes._default_title_ must be a string, not a number"},
		{"contact reference id missing", `{"type":"ticket","id":"t1","category":"Customer","contacts":{"type":"contact.list","contacts":[{"type":"contact"}]}}`, "ticket", "t1", "contacts.contacts[0].id is missing"},
		{"part body a number", `{"type":"ticket","id":"t1","category":"Customer","ticket_parts":{"ticket_parts":[{"id":"p1","body":1}]}}`, "ticket", "t1", "ticket_parts.ticket_parts[0].body must be a string, not a number"},
		{"ticket_parts an array", `{"type":"ticket","id":"t1","category":"Customer","ticket_parts":[]}`, "ticket", "t1", "ticket_parts must be an object, not an array"},
		{"admin", `{"type":"admin","id":"a1","email":"a@x.com"}`, "admin", "a1", `unsupported object type "admin"; import takes contacts, companies and tickets`},
		{"tag", `{"type":"tag","id":"g1"}`, "tag", "g1", `unsupported object type "tag"; import takes contacts, companies and tickets`},
		{"conversation", `{"type":"conversation","id":"1"}`, "conversation", "1", `unsupported object type "conversation"; import takes contacts, companies and tickets`},
		{"no type", `{"id":"x1","email":"a@x.com"}`, "", "x1", `object has no "type"; import takes contacts, companies and tickets`},
		{"type a number", `{"type":1,"id":"x1"}`, "", "x1", `"type" must be a string, not a number`},
		{"a number", `42`, "", "", "expected a JSON object, found a number"},
		{"a string", `"contact"`, "", "", "expected a JSON object, found a string"},
		{"null", `null`, "", "", "expected a JSON object, found null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad record sits on line 2, between good ones, and
			// again inside an envelope: neither stops the file.
			input := `{"type":"contact","id":"before"}
` + tt.record + `
{"type":"list","data":[
` + tt.record + `
]}
{"type":"contact","id":"after"}`
			recs, rej := mustRead(t, input)
			equal(t, "records", positions(recs), []pos{{1, "contact", "before"}, {6, "contact", "after"}})
			want := []portal.Rejection{
				{Source: portal.Source{File: "in.json", Line: 2}, Kind: tt.kind, ID: tt.id, Reason: tt.reason},
				{Source: portal.Source{File: "in.json", Line: 4}, Kind: tt.kind, ID: tt.id, Reason: tt.reason},
			}
			equal(t, "rejections", rej, want)
		})
	}
}

func TestReadMalformed(t *testing.T) {
	tests := []struct {
		name  string
		input string
		line  int
		want  string // in the message after "in.json:<line>: not valid JSON: "
	}{
		{"CSV", "id,email\nu1,a@x.com\n", 1, "invalid character 'i'"},
		{"bad literal on line 3", "{\"type\": \"contact\",\n \"id\": \"u1\",\n \"email\": tru}", 3, "invalid character '}'"},
		{"bad JSON Lines line", "{\"type\":\"contact\",\"id\":\"u1\"}\n{\"type\":\"contact\",\"id\":\"u2\"}\n{\"type\":\"contact\",\"id\":\"u3\"\n", 3, "unexpected end of JSON input"},
		{"cut short", "{\n  \"type\": \"contact\",\n  \"id\": \"u1\",\n\n\n", 3, "unexpected end of JSON input"},
		{"cut short in a value", "{\n  \"type\": \"contact\",\n  \"id\": \"u1\",\n  \"custom_attributes\": {\"a\": [1,\n2", 5, "unexpected end of JSON input"},
		{"missing colon", "{\"type\" \"contact\"}", 1, "invalid character '\"' after object key"},
		{"trailing comma in object", "{\"type\":\"contact\",\n\"id\":\"u1\",\n}", 3, "invalid character '}' looking for beginning of object key string"},
		{"single quotes", "{'type':'contact'}", 1, "invalid character '\\'' looking for beginning of object key string"},
		{"missing comma between fields", "{\"type\":\"contact\"\n\"id\":\"u1\"}", 2, "invalid character '\"' after object key:value pair"},
		{"bad element in an envelope", "{\"type\":\"list\",\"data\":[\n{\"type\":\"company\",\"id\":\"c1\"},\n{\"type\":\"company\",\n\"id\":c2}\n]}", 4, "invalid character 'c'"},
		{"trailing comma in an envelope", "{\"type\":\"list\",\"data\":[\n{\"type\":\"company\",\"id\":\"c1\"},\n]}", 3, "invalid character ']' looking for beginning of value"},
		{"missing comma in an envelope", "{\"type\":\"list\",\"data\":[\n{\"type\":\"company\",\"id\":\"c1\"}\n{\"type\":\"company\",\"id\":\"c2\"}]}", 3, "invalid character '{' after array element"},
		{"comma between top-level values", "{\"type\":\"company\",\"id\":\"c1\"},\n{\"type\":\"company\",\"id\":\"c2\"}", 1, "invalid character ','"},
		{"envelope cut short", "{\"type\":\"list\",\"data\":[\n{\"type\":\"company\",\"id\":\"c1\"},\n", 2, "unexpected end of JSON input"},
		{"bad string escape", "{\"type\":\"contact\",\"id\":\"u\\x\"}", 1, "invalid character 'x' in string escape code"},
		{"control character in a string", "{\"type\":\"contact\",\n\"name\":\"a\tb\"}", 2, "invalid character '\\t' in string literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := read(t, "in.json", tt.input)
			if err == nil {
				t.Fatal("Read: no error")
			}
			if code := portal.ErrorCode(err); code != portal.EINVALID {
				t.Errorf("code %q, want %q (error %v)", code, portal.EINVALID, err)
			}
			prefix := "in.json:" + strconv.Itoa(tt.line) + ": not valid JSON: "
			msg := err.Error()
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg[len(prefix):], tt.want) {
				t.Errorf("error %q, want %q followed by %q", msg, prefix, tt.want)
			}
		})
	}
}

func TestReadEmpty(t *testing.T) {
	for name, input := range map[string]string{
		"empty":      "",
		"blank":      "  \n\n\t\r\n",
		"BOM only":   "\xEF\xBB\xBF",
		"BOM, blank": "\xEF\xBB\xBF\n\n",
	} {
		t.Run(name, func(t *testing.T) {
			recs, rej, err := read(t, "empty.json", input)
			if err != nil || len(recs) != 0 || len(rej) != 0 {
				t.Errorf("got records %v, rejections %v, error %v; want nothing", recs, rej, err)
			}
		})
	}
}

func TestReadCallbackError(t *testing.T) {
	stop := errors.New("stop here")
	input := `{"type":"list","data":[{"type":"contact","id":"u1"},{"type":"contact","id":"u2"},{"type":"contact","id":"u3"}]}
{"type":"contact","id":"u4"}`
	for _, at := range []int{1, 2, 4} {
		var seen []string
		calls := 0
		_, err := intercom.Read("in.json", strings.NewReader(input), func(r portal.Record) error {
			calls++
			seen = append(seen, r.ID())
			if calls == at {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Errorf("stop at %d: error %v, want the callback's error as is", at, err)
		}
		if calls != at {
			t.Errorf("stop at %d: fn called %d times (%v)", at, calls, seen)
		}
	}
}

func TestReadReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(`{"type":"contact","id":"u1"}`+"\n"), iotest.ErrReader(boom))
	var ids []string
	_, err := intercom.Read("in.json", r, func(rec portal.Record) error {
		ids = append(ids, rec.ID())
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want it to wrap %v", err, boom)
	}
	if portal.ErrorCode(err) == portal.EINVALID {
		t.Errorf("a read error is not the file's fault: code %q", portal.ErrorCode(err))
	}
	equal(t, "records before the error", ids, []string{"u1"})
}

func TestReadTooLarge(t *testing.T) {
	big := strings.Repeat("x", intercom.MaxRecordSize)
	huge := `{"type":"contact","id":"big","name":"` + big + `",
"email":"a@x.com"}`
	input := `{"type":"contact","id":"u1"}
` + huge + `
{"type":"list","data":[
{"type":"company","id":"c1"},
` + huge + `,
{"type":"company","id":"c2"}
]}
{"type":"contact","id":"u2"}`
	recs, rej := mustRead(t, input)
	equal(t, "records", positions(recs), []pos{{1, "contact", "u1"}, {5, "company", "c1"}, {8, "company", "c2"}, {10, "contact", "u2"}})
	if len(rej) != 2 {
		t.Fatalf("rejections %v, want 2", rej)
	}
	equal(t, "rejection lines", []int{rej[0].Line, rej[1].Line}, []int{2, 6})
	for _, r := range rej {
		if !strings.Contains(r.Reason, "larger than 16 MiB") {
			t.Errorf("reason %q, want it to say the record is larger than 16 MiB", r.Reason)
		}
	}
	// A top-level record's type and id are known when they come first.
	equal(t, "top-level rejection", pos{rej[0].Line, rej[0].Kind, rej[0].ID}, pos{2, "contact", "big"})

	// Just under the cap is accepted.
	fits := `{"type":"contact","id":"ok","name":"` + strings.Repeat("y", intercom.MaxRecordSize-100) + `"}`
	recs, rej = mustRead(t, fits+"\n"+`{"type":"list","data":[`+fits+`]}`)
	if len(recs) != 2 || len(rej) != 0 {
		t.Errorf("records just under the cap: %d records, rejections %v; want 2 and none", len(recs), rej)
	}
}

// TestReadStreams proves that Read hands over an envelope's elements as it
// reads them: the writer sends the rest of the envelope only after fn has
// seen the first element.
func TestReadStreams(t *testing.T) {
	pr, pw := io.Pipe()
	first := make(chan string, 1)
	streamed := make(chan bool, 1)
	go func() {
		_, _ = io.WriteString(pw, `{"type":"list","data":[{"type":"contact","id":"u1"},`)
		select {
		case <-first:
			streamed <- true
		case <-time.After(5 * time.Second):
			streamed <- false
		}
		_, _ = io.WriteString(pw, `{"type":"contact","id":"u2"}],"total_count":2}`)
		_ = pw.Close()
	}()
	var ids []string
	_, err := intercom.Read("in.json", pr, func(r portal.Record) error {
		ids = append(ids, r.ID())
		if len(ids) == 1 {
			first <- r.ID()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !<-streamed {
		t.Error("the first element was not delivered before the rest of the envelope arrived")
	}
	equal(t, "ids", ids, []string{"u1", "u2"})
}

func TestCustomValue(t *testing.T) {
	may1 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		key  string
		raw  any
		want portal.Value
		ok   bool
	}{
		{"plan", "Pro", portal.Value{Kind: portal.KindString, Str: "Pro"}, true},
		{"plan", "", portal.Value{}, false},
		{"since", "2024-05-01T10:00:00+02:00", portal.Value{Kind: portal.KindDate, Time: may1}, true},
		{"since", "2024-05-01T08:00:00.5Z", portal.Value{Kind: portal.KindDate, Time: may1.Add(500 * time.Millisecond)}, true},
		{"since", "2024-05-01", portal.Value{Kind: portal.KindString, Str: "2024-05-01"}, true},
		{"seats", 12.0, portal.Value{Kind: portal.KindNumber, Num: 12}, true},
		{"seats", json.Number("12"), portal.Value{Kind: portal.KindNumber, Num: 12}, true},
		{"seats", 12, portal.Value{Kind: portal.KindNumber, Num: 12}, true},
		{"format", 3.0, portal.Value{Kind: portal.KindNumber, Num: 3}, true},
		{"renewed_at", 1714550400.0, portal.Value{Kind: portal.KindDate, Time: may1}, true},
		{"renewed_at", json.Number("1714550400"), portal.Value{Kind: portal.KindDate, Time: may1}, true},
		{"Contract_Date", 1714550400.0, portal.Value{Kind: portal.KindDate, Time: may1}, true},
		{"renewed_at", "soon", portal.Value{Kind: portal.KindString, Str: "soon"}, true},
		{"vip", true, portal.Value{Kind: portal.KindBoolean, Bool: true}, true},
		{"vip", false, portal.Value{Kind: portal.KindBoolean}, true},
		{"meta", map[string]any{"a": 1.0}, portal.Value{}, false},
		{"list", []any{"a"}, portal.Value{}, false},
		{"gone", nil, portal.Value{}, false},
	}
	for _, tt := range tests {
		got, ok := intercom.CustomValue(tt.key, tt.raw)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CustomValue(%q, %#v) = %+v, %v; want %+v, %v", tt.key, tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}
