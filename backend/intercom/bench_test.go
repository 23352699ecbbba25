package intercom_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
)

// envelope returns a list envelope of n copies of the contact fixture (a
// real API contact with some fifty fields), each with its own id.
func envelope(tb testing.TB, n int) []byte {
	contact, err := os.ReadFile(fixtures + "contact.json")
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("{\n  \"type\": \"list\",\n  \"data\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(bytes.Replace(contact, []byte("6762f0d01bb69f9f2193bb7d"), fmt.Appendf(nil, "u%023d", i), 1))
	}
	b.WriteString("\n  ],\n  \"total_count\": 0\n}\n")
	return b.Bytes()
}

func BenchmarkReadEnvelope(b *testing.B) {
	const n = 5000
	data := envelope(b, n)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		count := 0
		_, err := intercom.Read("bench.json", bytes.NewReader(data), func(portal.Record) error { count++; return nil })
		if err != nil || count != n {
			b.Fatalf("read %d records, error %v", count, err)
		}
	}
}
