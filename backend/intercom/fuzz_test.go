package intercom_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
)

// FuzzRead: the import reader never panics on any input; every record it
// delivers names the file and a line within the input and has exactly one
// object with an id; every rejection names the file and a line and says
// why; a reading error is EINVALID with a message.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "intercom-api", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"type": "contact", "id": "u1", "email": "a@b.c", "companies": {"type": "list", "data": [{"type": "company", "id": "c1"}]}}` + "\n" + `{"type": "company", "id": "c1", "plan": {}}`,
		`{"type": "ticket.list", "tickets": [{"type": "ticket", "id": "t1", "category": "Customer", "is_shared": true, "ticket_state": "submitted", "ticket_state_external_label": "Sent"}]}`,
		`[{"type": "contact", "id": 1}, {"type": "contact"}, {"type": "admin", "id": "a"}]`,
		"\ufeff{\"type\": \"company\", \"id\": \"c\", \"custom_attributes\": {\"x_at\": 1700000000, \"d\": \"2024-05-01T10:00:00Z\", \"o\": {}}}",
		`{"type": "list", "data": [{"type": "contact", "id": "u", "created_at": "yesterday"}`,
		`{"type": "ticket", "id": "t", "category": "Nope"}`,
		`nul`, `{"a":`, `}`, "\x00", `[[[[[[[[[[`, `"just a string"`, `42`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := 1 + bytes.Count(b, []byte("\n"))
		n := 0
		rej, err := intercom.Read("in.json", bytes.NewReader(b), func(r portal.Record) error {
			n++
			if r.Source.File != "in.json" || r.Source.Line < 1 || r.Source.Line > lines {
				t.Fatalf("record %d has source %+v (input of %d lines)", n, r.Source, lines)
			}
			set := 0
			for _, p := range []bool{r.User != nil, r.Company != nil, r.Ticket != nil} {
				if p {
					set++
				}
			}
			if set != 1 || r.ID() == "" {
				t.Fatalf("record %d: %d objects, id %q", n, set, r.ID())
			}
			return nil
		})
		for _, x := range rej {
			if x.File != "in.json" || x.Line < 1 || x.Line > lines || strings.TrimSpace(x.Reason) == "" {
				t.Fatalf("rejection without a place or a reason: %+v", x)
			}
		}
		if err != nil {
			var pe *portal.Error
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("read error is not a *portal.Error: %T %v", err, err)
			}
		}
	})
}
