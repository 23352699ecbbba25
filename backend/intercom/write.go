package intercom

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"portalstudio/backend/portal"
)

// Writer writes domain records back as Intercom REST API objects, one per
// line (JSON Lines), in the shapes Read accepts: reading the output gives
// back the same records. A dataset snapshot is written this way, so that
// a copy is imported by the very same path as the helpdesk's own files.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a Writer on w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc}
}

// Flush writes any buffered output.
func (w *Writer) Flush() error { return w.w.Flush() }

// WriteValue writes any JSON value as one line (a snapshot's header).
func (w *Writer) WriteValue(v any) error { return w.enc.Encode(v) }

// Write writes one record as an Intercom contact, company or ticket.
func (w *Writer) Write(r portal.Record) error {
	switch {
	case r.User != nil:
		return w.enc.Encode(contactObject(r.User))
	case r.Company != nil:
		return w.enc.Encode(companyObject(r.Company))
	case r.Ticket != nil:
		return w.enc.Encode(ticketObject(r.Ticket, r.TicketType))
	}
	return nil
}

type ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type contactJSON struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	ExternalID string         `json:"external_id,omitempty"`
	Email      string         `json:"email,omitempty"`
	Name       string         `json:"name,omitempty"`
	Role       string         `json:"role,omitempty"`
	CreatedAt  *int64         `json:"created_at,omitempty"`
	SignedUpAt *int64         `json:"signed_up_at,omitempty"`
	LastSeenAt *int64         `json:"last_seen_at,omitempty"`
	Custom     map[string]any `json:"custom_attributes,omitempty"`
	Companies  *struct {
		Type string `json:"type"`
		Data []ref  `json:"data"`
	} `json:"companies,omitempty"`
}

func contactObject(u *portal.User) contactJSON {
	c := contactJSON{Type: typeContact, ID: u.ID, ExternalID: u.ExternalID, Email: u.Email, Name: u.Name, Role: u.Role,
		CreatedAt: unix(u.CreatedAt), SignedUpAt: unix(u.SignedUpAt), LastSeenAt: unix(u.LastSeenAt), Custom: customJSON(u.Custom)}
	if len(u.CompanyIDs) > 0 {
		c.Companies = &struct {
			Type string `json:"type"`
			Data []ref  `json:"data"`
		}{Type: "list"}
		for _, id := range u.CompanyIDs {
			c.Companies.Data = append(c.Companies.Data, ref{typeCompany, id})
		}
	}
	return c
}

type companyJSON struct {
	Type         string         `json:"type"`
	ID           string         `json:"id"`
	CompanyID    string         `json:"company_id,omitempty"`
	Name         string         `json:"name,omitempty"`
	Plan         *planJSON      `json:"plan,omitempty"`
	Size         *float64       `json:"size,omitempty"`
	Industry     string         `json:"industry,omitempty"`
	Website      string         `json:"website,omitempty"`
	MonthlySpend *float64       `json:"monthly_spend,omitempty"`
	CreatedAt    *int64         `json:"created_at,omitempty"`
	Custom       map[string]any `json:"custom_attributes,omitempty"`
}

type planJSON struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

func companyObject(c *portal.Company) companyJSON {
	out := companyJSON{Type: typeCompany, ID: c.ID, CompanyID: c.CompanyID, Name: c.Name, Size: c.Size, Industry: c.Industry,
		Website: c.Website, MonthlySpend: c.MonthlySpend, CreatedAt: unix(c.CreatedAt), Custom: customJSON(c.Custom)}
	if c.Plan != "" {
		out.Plan = &planJSON{Type: "plan", Name: c.Plan}
	}
	return out
}

type ticketJSON struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	TicketID    string `json:"ticket_id"`
	Category    string `json:"category"`
	IsShared    bool   `json:"is_shared"`
	CompanyID   string `json:"company_id,omitempty"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
	Open        bool   `json:"open"`
	TicketAttrs struct {
		Title       string `json:"_default_title_"`
		Description string `json:"_default_description_"`
	} `json:"ticket_attributes"`
	TicketState struct {
		Type          string `json:"type"`
		Category      string `json:"category"`
		ExternalLabel string `json:"external_label"`
	} `json:"ticket_state"`
	TicketType *struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Name     string `json:"name"`
		Category string `json:"category,omitempty"`
	} `json:"ticket_type,omitempty"`
	Contacts struct {
		Type     string `json:"type"`
		Contacts []ref  `json:"contacts"`
	} `json:"contacts"`
	Parts struct {
		Type  string     `json:"type"`
		Parts []partJSON `json:"ticket_parts"`
	} `json:"ticket_parts"`
}

type partJSON struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	PartType  string `json:"part_type"`
	Body      string `json:"body"`
	CreatedAt int64  `json:"created_at"`
	Author    struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"author"`
}

func ticketObject(t *portal.Ticket, tt *portal.TicketType) ticketJSON {
	out := ticketJSON{Type: typeTicket, ID: t.ID, TicketID: t.TicketID, Category: t.Category, IsShared: t.IsShared,
		CompanyID: t.CompanyID, CreatedAt: t.CreatedAt.Unix(), UpdatedAt: t.UpdatedAt.Unix(), Open: t.Open}
	out.TicketAttrs.Title, out.TicketAttrs.Description = t.Title, t.Description
	out.TicketState.Type, out.TicketState.Category, out.TicketState.ExternalLabel = "ticket_state", t.StateCategory, t.StateLabel
	if t.TypeID != "" || t.TypeName != "" {
		out.TicketType = &struct {
			Type     string `json:"type"`
			ID       string `json:"id"`
			Name     string `json:"name"`
			Category string `json:"category,omitempty"`
		}{Type: "ticket_type", ID: t.TypeID, Name: t.TypeName}
		if tt != nil {
			out.TicketType.Category = tt.Category
		}
	}
	out.Contacts.Type, out.Contacts.Contacts = "contact.list", []ref{}
	for _, id := range t.ContactIDs {
		out.Contacts.Contacts = append(out.Contacts.Contacts, ref{typeContact, id})
	}
	out.Parts.Type, out.Parts.Parts = "ticket_part.list", []partJSON{}
	for _, p := range t.Parts {
		pj := partJSON{Type: "ticket_part", ID: p.ID, PartType: p.PartType, Body: p.Body, CreatedAt: p.CreatedAt.Unix()}
		pj.Author.Type, pj.Author.ID, pj.Author.Name = p.AuthorType, p.AuthorID, p.AuthorName
		out.Parts.Parts = append(out.Parts.Parts, pj)
	}
	return out
}

// unix returns Unix seconds, nil for the zero time (left out).
func unix(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.Unix()
	return &n
}

// customJSON writes custom attribute values as the API gives them; a date
// becomes an RFC 3339 string, which CustomValue reads back as a date
// under any key.
func customJSON(m map[string]portal.Value) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch v.Kind {
		case portal.KindString:
			out[k] = v.Str
		case portal.KindNumber:
			out[k] = json.Number(strconv.FormatFloat(v.Num, 'g', -1, 64))
		case portal.KindBoolean:
			out[k] = v.Bool
		case portal.KindDate:
			out[k] = v.Time.UTC().Format(time.RFC3339Nano)
		}
	}
	return out
}
