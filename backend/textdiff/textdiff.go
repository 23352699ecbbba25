// Package textdiff makes the line diffs the product shows: the draft
// against the live settings, and both sides of a sync's merge
// (sergi/go-diff, line mode).
package textdiff

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffLine is one line of a line diff.
type diffLine struct {
	op   diffmatchpatch.Operation
	text string
}

// Lines returns the line-by-line difference of a and b, computed by
// go-diff in line mode.
func Lines(a, b string) []diffmatchpatch.Diff {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffMain(ca, cb, false)
	return dmp.DiffCharsToLines(diffs, lines)
}

// Unified returns a unified diff of a and b with context lines of
// context around each change, or "" when they are equal.
func Unified(a, b, nameA, nameB string, context int) string {
	var lines []diffLine
	for _, d := range Lines(a, b) {
		for _, l := range splitLines(d.Text) {
			lines = append(lines, diffLine{d.Type, l})
		}
	}
	changed := false
	for _, l := range lines {
		if l.op != diffmatchpatch.DiffEqual {
			changed = true
			break
		}
	}
	if !changed {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	// Walk the lines, grouping changes whose context overlaps into hunks.
	i := 0
	for i < len(lines) {
		if lines[i].op == diffmatchpatch.DiffEqual {
			i++
			continue
		}
		start := i - context
		if start < 0 {
			start = 0
		}
		end := i
		for j := i; j < len(lines); j++ {
			if lines[j].op != diffmatchpatch.DiffEqual {
				end = j
			} else if j-end > 2*context {
				break
			}
		}
		stop := end + context + 1
		if stop > len(lines) {
			stop = len(lines)
		}
		aStart, bStart := lineNumbers(lines[:start])
		var aLen, bLen int
		for _, l := range lines[start:stop] {
			if l.op != diffmatchpatch.DiffInsert {
				aLen++
			}
			if l.op != diffmatchpatch.DiffDelete {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, l := range lines[start:stop] {
			switch l.op {
			case diffmatchpatch.DiffEqual:
				out.WriteString(" ")
			case diffmatchpatch.DiffDelete:
				out.WriteString("-")
			case diffmatchpatch.DiffInsert:
				out.WriteString("+")
			}
			out.WriteString(l.text)
			out.WriteString("\n")
		}
		i = stop
	}
	return out.String()
}

// lineNumbers returns the 1-based numbers, in a and in b, of the line that
// follows lines.
func lineNumbers(lines []diffLine) (int, int) {
	a, b := 1, 1
	for _, l := range lines {
		if l.op != diffmatchpatch.DiffInsert {
			a++
		}
		if l.op != diffmatchpatch.DiffDelete {
			b++
		}
	}
	return a, b
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
