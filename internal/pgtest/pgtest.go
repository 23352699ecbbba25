// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb
// into a temporary folder owned by an unprivileged user, the server on a
// free loopback port with its unix socket in that folder, a new database
// per test, and everything stopped and removed when the test binary ends
// (Main). It uses Debian's PostgreSQL (package postgresql, which
// scripts/deps.sh installs); when the cluster cannot start, the tests
// that need it fail, never skip. Only tests import it.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// osUser is the unprivileged system user the cluster runs as when the
// tests run as root (PostgreSQL refuses to run as root).
const osUser = "portalstudio-pgtest"

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir  string // the temporary folder: data/, the socket, the log
	bin  string // the folder of initdb, pg_ctl and postgres
	Port int
	// runAs is the user the server runs as ("" for this process's user).
	runAs string
	dbs   atomic.Int64
}

var (
	once    sync.Once
	shared  *Cluster
	initErr error
)

// Main runs the tests of a package (m, a *testing.M) and then stops the
// cluster, if one was started: call it from TestMain
// (os.Exit(pgtest.Main(m))).
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// Shared returns the package's cluster, starting it on first use; it fails
// tb when the cluster cannot start.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	once.Do(func() { shared, initErr = Start() })
	if initErr != nil {
		tb.Fatalf("cannot start a throwaway PostgreSQL cluster (run scripts/deps.sh to install postgresql): %v", initErr)
	}
	return shared
}

// NewDatabase creates an empty database in the package's cluster and
// returns its connection string; the database is dropped when tb ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	c := Shared(tb)
	url, name, err := c.CreateDatabase(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.DropDatabase(context.Background(), name) })
	return url
}

// binDir returns the folder of the newest PostgreSQL's programs: $PG_BIN,
// else the highest version under /usr/lib/postgresql, else the one of
// pg_ctl on the PATH.
func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL's programs (initdb, pg_ctl) are not installed")
}

// Start initialises and starts a new cluster.
func Start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		if err := ensureUser(); err != nil {
			return nil, err
		}
		c.runAs = osUser
	}
	if c.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		return nil, err
	}
	if err := c.own(c.dir); err != nil {
		c.remove()
		return nil, err
	}
	data := filepath.Join(c.dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		c.remove()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	// A free port: taken from the kernel, released, then given to the
	// server (another process may take it meanwhile: then start fails
	// and we try another).
	for try := 0; ; try++ {
		if c.Port, err = freePort(); err != nil {
			c.remove()
			return nil, err
		}
		out, err := c.run("pg_ctl", "-D", data, "-o", c.serverOptions(), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		if try == 2 {
			log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
			c.remove()
			return nil, fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
		}
	}
	return c, nil
}

// ensureUser creates the unprivileged system user when it does not exist.
func ensureUser() error {
	if _, err := user.Lookup(osUser); err == nil {
		return nil
	}
	out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", osUser).CombinedOutput()
	if err != nil {
		if _, lerr := user.Lookup(osUser); lerr == nil {
			return nil // created meanwhile by another test binary
		}
		return fmt.Errorf("useradd %s: %v: %s", osUser, err, out)
	}
	return nil
}

// own gives path to the user the server runs as.
func (c *Cluster) own(path string) error {
	if c.runAs == "" {
		return nil
	}
	u, err := user.Lookup(c.runAs)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(path, uid, gid)
}

// run runs one of PostgreSQL's programs as the cluster's user.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// URL returns the connection string of a database of the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// CreateDatabase creates a new, empty database and returns its connection
// string and name.
func (c *Cluster) CreateDatabase(ctx context.Context) (url, name string, err error) {
	name = fmt.Sprintf("test_%d_%d", os.Getpid(), c.dbs.Add(1))
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return "", "", err
	}
	return c.URL(name), name, nil
}

// DropDatabase drops a database, ending its connections.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	return err
}

// Stop stops the server at once and removes its folder.
func (c *Cluster) Stop() {
	c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	c.remove()
}

// Restart stops the server (fast: clients are disconnected) and starts it
// again on the same port, for tests of a lost connection.
func (c *Cluster) Restart() error {
	if err := c.StopServer(); err != nil {
		return err
	}
	return c.StartServer()
}

// StopServer stops the server, keeping its data: clients see their
// connections refused until StartServer.
func (c *Cluster) StopServer() error {
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// StartServer starts the stopped server again on its port.
func (c *Cluster) StartServer() error {
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-o", c.serverOptions(), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	return nil
}

// serverOptions are the server's settings: durability off (a throwaway
// cluster), and shared_buffers from PORTALSTUDIO_PGTEST_SHARED_BUFFERS
// (default 64MB, enough for the tests' small datasets; the full-size
// benchmarks give it what a server of this size would have).
func (c *Cluster) serverOptions() string {
	buffers := "64MB"
	if v := os.Getenv("PORTALSTUDIO_PGTEST_SHARED_BUFFERS"); sharedBuffers.MatchString(v) {
		buffers = v
	}
	return fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=%s", c.Port, c.dir, buffers)
}

// sharedBuffers is a size PostgreSQL takes for shared_buffers.
var sharedBuffers = regexp.MustCompile(`^[1-9][0-9]{0,6}(kB|MB|GB)$`)

func (c *Cluster) remove() {
	if c.dir != "" && strings.HasPrefix(filepath.Base(c.dir), "pgtest-") {
		os.RemoveAll(c.dir)
	}
}

// CPUTime returns the CPU time (user and system) the cluster's server has
// used so far: the postmaster's, its children's it has reaped, and its
// running children's (the backends, the background workers), from
// /proc (Linux; 0 elsewhere). A benchmark reads it before and after a
// run to say what the database cost per operation.
func (c *Cluster) CPUTime() time.Duration {
	b, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pm, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0
	}
	ticks := func(pid string, reaped bool) (ppid int, t int64) {
		s, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return 0, 0
		}
		// The fields after the command's name (in parentheses, which may
		// hold spaces): state ppid … utime stime cutime cstime.
		i := bytes.LastIndexByte(s, ')')
		if i < 0 {
			return 0, 0
		}
		f := strings.Fields(string(s[i+1:]))
		if len(f) < 15 {
			return 0, 0
		}
		ppid, _ = strconv.Atoi(f[1])
		n := 2
		if reaped {
			n = 4
		}
		for _, v := range f[11 : 11+n] {
			x, _ := strconv.ParseInt(v, 10, 64)
			t += x
		}
		return ppid, t
	}
	_, total := ticks(strconv.Itoa(pm), true)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if ppid, t := ticks(e.Name(), false); ppid == pm {
			total += t
		}
	}
	// Linux counts in USER_HZ, 100 a second on every architecture Go runs.
	return time.Duration(total) * (time.Second / 100)
}
