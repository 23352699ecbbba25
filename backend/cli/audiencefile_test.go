package cli_test

import (
	"os"
	"strings"
	"testing"
)

// demo writes the audience engine's data beside the workspace, and the
// one-shot commands answer from it exactly as from the workspace alone.
// The file deleted, the first command builds it again (saying so on
// stderr) and writes it; the next ones map it without a word.
func TestAudienceFileBesideWorkspace(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	fi, err := os.Stat(ws + ".audience")
	if err != nil {
		t.Fatalf("demo wrote no audience data beside the workspace: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("the audience data has mode %v, want 0600", fi.Mode().Perm())
	}
	commands := [][]string{
		{"audience", "--workspace", ws, "--json", "--limit", "1000"},
		{"audience", "--workspace", ws, "--json", "--of", "visibility", "--limit", "1000"},
		{"impact", "--workspace", ws, "--json"},
	}
	withFile := make([]string, len(commands))
	for i, c := range commands {
		withFile[i] = ok(t, c...)
	}
	if err := os.Remove(ws + ".audience"); err != nil {
		t.Fatal(err)
	}
	for i, c := range commands {
		out, stderr, code := run(t, c...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c, code, stderr)
		}
		if out != withFile[i] {
			t.Fatalf("%v: from the audience data:\n%s\nfrom the workspace:\n%s", c, withFile[i], out)
		}
		if built := strings.Contains(stderr, "building the audience data"); built != (i == 0) {
			t.Fatalf("%v (command %d after the file was deleted): stderr %q", c, i, stderr)
		}
	}
	fi, err = os.Stat(ws + ".audience")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the one-shot command did not write the audience data again (0600): %v, %v", fi, err)
	}
}
