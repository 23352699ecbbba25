package audience

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// killGen is the generation the files of the kill test hold.
const killGen = "7/killtest/1"

// A process killed (SIGKILL) while writing the engine's data leaves the
// old file or the new one, whole: never a mix, never a truncated file.
// The writer is this test binary run again (TestDataWriter), which
// rewrites the file in a loop until it is killed at a random moment.
func TestDataKilledWhileWriting(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 53))
	path := filepath.Join(t.TempDir(), "ws.db.audience")
	// Columns of some size, so that writes take a while.
	const n = 30000
	ub, cb := NewUserBuilder(n), NewCompanyBuilder(n)
	for i := uint32(0); i < n; i++ {
		ub.Add(i)
		ub.String(UserEmail, i, fmt.Sprintf("w%d-%d@examply.com", i, r.IntN(1000)))
		ub.String(UserName, i, fmt.Sprint("writer ", r.IntN(1<<20)))
	}
	c, err := NewColumns(ub, NewAttrBuilder(), cb)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeData(path, c, killGen); err != nil {
		t.Fatal(err)
	}
	for try := 0; try < 10; try++ {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestDataWriter$")
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
		b, err := os.ReadFile(path)
		t.Logf("try %d: %d bytes", try, len(b))
		if err != nil {
			t.Fatalf("try %d: the file is gone: %v", try, err)
		}
		got, err := ReadColumns(b, killGen)
		if err != nil {
			t.Fatalf("try %d: after SIGKILL the file is not whole: %v", try, err)
		}
		if got.Users() != n {
			t.Fatalf("try %d: %d users", try, got.Users())
		}
	}
	// The temporary files of killed writers are never taken for the
	// file, and the next write removes them once they are old.
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) == 0 {
		t.Log("no writer was killed before its rename")
	}
	defer func(old time.Duration) { staleTemp = old }(staleTemp)
	staleTemp = 0
	if err := writeData(path, c, killGen); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestDataWriter is the writer of TestDataKilledWhileWriting (it does
// nothing unless started by it).
func TestDataWriter(t *testing.T) {
	path := os.Getenv("PORTALSTUDIO_TEST_WRITER")
	if path == "" {
		t.Skip("started by TestDataKilledWhileWriting only")
	}
	c, _, err := readData(path, readWhole, killGen)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("writing")
	for {
		if err := writeData(path, c, killGen); err != nil {
			t.Fatal(err)
		}
	}
}
