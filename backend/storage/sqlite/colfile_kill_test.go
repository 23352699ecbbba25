package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// A process killed (SIGKILL) while writing the audience data leaves the
// old file or the new one, whole: never a mix, never a truncated file.
// The writer is this test binary run again (TestColumnsFileWriter), which
// rewrites the file in a loop until it is killed at a random moment.
func TestColumnsFileKilledWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 53))
	path := filepath.Join(t.TempDir(), "ws.db")
	ws := openAt(t, path, nil)
	MustImport(t, ws, randomDataset(r, t0)...)
	// A file of some size, so that writes take a while.
	var recs []portal.Record
	for i := 0; i < 30000; i++ {
		recs = append(recs, portal.Record{User: &portal.User{ID: fmt.Sprintf("w%d", i), Email: fmt.Sprintf("w%d-%d@examply.com", i, r.IntN(1000)), Name: fmt.Sprint("Writer ", r.IntN(1<<20))}})
	}
	MustImport(t, ws, recs...)
	longRunning(t, ws)
	gen, err := ws.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for try := 0; try < 10; try++ {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestColumnsFileWriter$")
		cmd.Env = append(os.Environ(), "PORTALSTUDIO_TEST_WRITER="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the writer writes, then kill it at a random moment.
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "writing\n" {
			t.Fatalf("the writer said %q (%v)", line, err)
		}
		time.Sleep(time.Duration(r.IntN(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		b, err := os.ReadFile(ws.AudiencePath())
		t.Logf("try %d: %d bytes", try, len(b))
		if err != nil {
			t.Fatalf("try %d: the file is gone: %v", try, err)
		}
		if _, err := audience.ReadColumns(b, gen); err != nil {
			t.Fatalf("try %d: after SIGKILL the file is not whole: %v", try, err)
		}
	}
	// The temporary files of killed writers are never taken for the file,
	// and the next write removes them once they are old.
	answersFromFile(t, openAt(t, path, nil), r, seed, 3)
	if left, _ := filepath.Glob(path + ".audience.*.tmp"); len(left) == 0 {
		t.Log("no writer was killed before its rename")
	}
	defer sqlite.SetStaleTemp(0)()
	if err := ws.RewriteColumnsFile(ctx, 1, func() {}); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + ".audience.*.tmp"); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestColumnsFileWriter is the writer of TestColumnsFileKilledWhileWriting
// (it does nothing unless started by it).
func TestColumnsFileWriter(t *testing.T) {
	path := os.Getenv("PORTALSTUDIO_TEST_WRITER")
	if path == "" {
		t.Skip("started by TestColumnsFileKilledWhileWriting only")
	}
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ws.RewriteColumnsFile(context.Background(), 1<<30, func() { fmt.Println("writing") })
}
