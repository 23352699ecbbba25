package sqlite

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"portalstudio/backend/portal"
)

var tmpHard = portal.AllOf(
	portal.Cond("user.email", portal.OpEndsWith, ".com"),
	portal.Cond("company.plan", portal.OpNotEquals, "Starter"),
	portal.AnyOf(
		portal.Cond("company.custom.region", portal.OpEquals, "EMEA"),
		portal.Cond("user.custom.seats", portal.OpGreaterThan, 5.0),
	),
	portal.Cond("user.last_seen_at", portal.OpLessThanDaysAgo, 90.0),
	portal.Cond("user.name", portal.OpNotContains, "test"),
)
var tmpTypical = portal.AllOf(
	portal.Cond("user.email", portal.OpContains, "examply"),
	portal.Cond("company.plan", portal.OpEquals, "Pro"),
	portal.Cond("company.custom.seats", portal.OpGreaterThan, 10.0),
)

func TestTmpProf(t *testing.T) {
	if os.Getenv("TMPPROF") == "" {
		t.Skip()
	}
	ws, err := Open("/tmp/bench1m.db")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ctx := context.Background()
	start := time.Now()
	_, c, err := ws.readColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load %v, %d MB", time.Since(start), c.bytes()>>20)
	for k, col := range c.user {
		t.Logf("user %s: %d KB dense=%v dict=%d width=%d u8=%v u16=%v u32=%v", k, col.bytes()>>10, layoutOf(col).dense, dictLen(col), widthOf(col), col.num != nil && col.num.u8 != nil, col.num != nil && col.num.u16 != nil, col.num != nil && col.num.u32 != nil)
	}
	for k, col := range c.userAttr {
		t.Logf("user attr %v: %d KB dense=%v", k, col.bytes()>>10, layoutOf(col).dense)
	}
	s, _ := ws.Schema(ctx)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, r := range []*portal.Rule{tmpTypical, tmpHard} {
		for _, k := range r.Children() {
			best := time.Hour
			var b bitset
			for i := 0; i < 10; i++ {
				e := &colEval{c: c, s: s, now: now}
				st := time.Now()
				b, err = e.eval(k)
				if err != nil {
					t.Fatal(err)
				}
				best = min(best, time.Since(st))
			}
			t.Logf("%s: %v (%d)", k, best, b.count())
		}
		st := time.Now()
		n := 0
		for i := 0; i < 10; i++ {
			b, _ := c.audience(r, nil, s, now)
			n = int(b.GetCardinality())
		}
		t.Logf("whole: %v (%d)", time.Since(st)/10, n)
	}
}

func layoutOf(c *column) layout {
	if c.str != nil {
		return c.str.layout
	}
	return c.num.layout
}
func dictLen(c *column) int {
	if c.str != nil {
		return len(c.str.dict)
	}
	return -1
}
func widthOf(c *column) int {
	if c.str != nil {
		return c.str.width
	}
	return -1
}

func TestTmpContains(t *testing.T) {
	if os.Getenv("TMPPROF") == "" {
		t.Skip()
	}
	ws, err := Open("/tmp/bench1m.db")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, c, err := ws.readColumns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	name := c.user["name"].str
	email := c.user["email"].str
	for _, col := range []*strColumn{name, email} {
		for _, w := range []string{"test", "examply", "a", "ma", "son", ".com"} {
			best1, best2 := time.Hour, time.Hour
			var n1, n2 int
			for i := 0; i < 5; i++ {
				st := time.Now()
				out := newBitset(c.rows)
				col.scanContains([]byte(w), out)
				best1 = min(best1, time.Since(st))
				n1 = out.count()
				st = time.Now()
				data := col.data
				n2 = 0
				for j := 0; ; {
					k := bytesIndex(data[j:], []byte(w))
					if k < 0 {
						break
					}
					n2++
					j += k + 1
				}
				best2 = min(best2, time.Since(st))
			}
			t.Logf("%q: rare-byte %v (%d rows)  bytes.Index %v (%d hits) freq %v", w, best1, n1, best2, n2, col.freq[w[0]])
		}
	}
}
var bytesIndex = bytes.Index

func TestTmpLoad(t *testing.T) {
	if os.Getenv("TMPPROF") == "" {
		t.Skip()
	}
	ws, err := Open("/tmp/bench1m.db")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for i := 0; i < 3; i++ {
		for _, serial := range []bool{true, false} {
			colLoadSerial = serial
			st := time.Now()
			_, _, err := ws.readColumns(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("serial=%v: %v", serial, time.Since(st))
		}
	}
}
