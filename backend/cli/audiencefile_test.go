package cli_test

import (
	"os"
	"testing"
)

// demo writes the audience engine's data beside the workspace, and the
// one-shot commands answer from it exactly as from the workspace alone
// (the file deleted: the SQL path). One-shot commands never write it.
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
		if out := ok(t, c...); out != withFile[i] {
			t.Fatalf("%v: from the audience data:\n%s\nfrom the workspace:\n%s", c, withFile[i], out)
		}
	}
	if _, err := os.Stat(ws + ".audience"); err == nil {
		t.Fatal("a one-shot command wrote the audience data")
	}
}
