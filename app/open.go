package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// Window runs the desktop window over the bindings until it is closed or
// ctx is done. Builds without the desktop tags have none.
type Window func(ctx context.Context, b *Bindings, web fs.FS, out io.Writer) error

// Options say how to open the studio.
type Options struct {
	Workspace string // the workspace file
	// IsDefault: the workspace is the app's own; when it does not exist
	// yet, a demo workspace is created there so the app opens on data.
	IsDefault bool
	Browser   bool      // browser mode even where a window could open
	Out       io.Writer // where the URL and notices go
	Web       fs.FS     // the web folder (app.wasm); nil: the embedded one
	Window    Window    // nil: no desktop window in this build
	// Addr is browser mode's listening address; "" picks a free port on
	// 127.0.0.1.
	Addr string
	// NoOpen keeps browser mode from opening the default browser.
	NoOpen bool
}

// DemoUsers is the size of the demo workspace created on first start.
const DemoUsers = 2000

// Run opens the workspace and shows the studio: in the desktop window, or
// in the browser with --browser, in builds without the window, or where
// there is no display. It returns when the window closes or ctx is done.
func Run(ctx context.Context, opt Options) error {
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.Web == nil {
		opt.Web = WebFS()
	}
	if !HasUI(opt.Web) {
		fmt.Fprintln(opt.Out, "Note: the UI was not built into this binary; run make build.")
	}
	audience.CollectForKept() // the studio keeps the workspace's columns
	ws, err := OpenWorkspace(ctx, opt.Workspace, opt.IsDefault, opt.Out)
	if err != nil {
		return err
	}
	defer ws.Close()
	b := NewBindings(ctx, ws.Service(), ws.Workspace)
	if !opt.Browser && opt.Window != nil {
		reason := NoDisplay()
		if reason == "" {
			return opt.Window(ctx, b, opt.Web, opt.Out)
		}
		fmt.Fprintf(opt.Out, "%s, so Portal Studio opens in the browser instead.\n", reason)
	} else if !opt.Browser {
		fmt.Fprintln(opt.Out, "This build has no desktop window (build it with make build), so Portal Studio opens in the browser.")
	}
	return ServeBrowser(ctx, b, opt.Web, opt.Addr, !opt.NoOpen, opt.Out)
}

// Workspace is an open workspace with its audience engine.
type Workspace struct {
	*sqlite.Workspace
	Audiences *audience.Engine
}

// Service returns the studio over the workspace and its engine.
func (w *Workspace) Service() *studio.Service { return studio.New(w.Workspace, w.Audiences) }

// Close closes the engine, then the workspace.
func (w *Workspace) Close() error {
	w.Audiences.Close()
	return w.Workspace.Close()
}

// OpenWorkspace opens the workspace file with its audience engine, kept
// loaded (its file mapped) and in step with every write (a long-running
// process). The
// app's own workspace is created as a demo workspace on first start; any
// other file must exist.
func OpenWorkspace(ctx context.Context, path string, isDefault bool, out io.Writer) (*Workspace, error) {
	_, statErr := os.Stat(path)
	create := os.IsNotExist(statErr)
	if create && !isDefault {
		return nil, portal.Errorf(portal.ENOTFOUND, "no workspace at %s; create one with portalstudio demo --workspace %s, or start without --workspace to use the app's own", path, path)
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, portal.Errorf(portal.EPRECONDITION, "cannot create the folder of %s: %v", path, err)
		}
	}
	notice := func(msg string) { fmt.Fprintln(out, msg) }
	sws, err := sqlite.OpenWith(path, sqlite.Options{Notice: notice})
	if err != nil {
		return nil, err
	}
	// A long-running app: the settings, the schema and the users it
	// previews are read once per change (a command's write included).
	sws.CacheReads()
	// A long-running app: the engine loads in the background now and
	// catches up after every write; an audience asked meanwhile waits
	// for it.
	ws := &Workspace{Workspace: sws, Audiences: audience.NewEngine(sws, audience.Options{Path: sws.AudiencePath(), Keep: true, Notice: notice})}
	svc := ws.Service()
	if create {
		fmt.Fprintf(out, "Creating a demo workspace at %s (%d users) on first start…\n", path, DemoUsers)
		if _, err := svc.GenerateDemo(ctx, studio.DemoRequest{Users: DemoUsers}, nil); err != nil {
			ws.Close()
			os.Remove(path)
			return nil, err
		}
	}
	return ws, nil
}

// NoDisplay says why no desktop window can open here, or "" when one can:
// on Linux and the BSDs a window needs an X or Wayland display that
// answers.
func NoDisplay() string {
	switch runtime.GOOS {
	case "darwin", "windows":
		return ""
	}
	x, wl := os.Getenv("DISPLAY"), os.Getenv("WAYLAND_DISPLAY")
	if x == "" && wl == "" {
		return "There is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
	}
	if wl != "" && waylandAnswers(wl) || x != "" && xAnswers(x) {
		return ""
	}
	if x != "" {
		return fmt.Sprintf("The display %s does not answer", x)
	}
	return fmt.Sprintf("The Wayland display %s does not answer", wl)
}

func waylandAnswers(name string) bool {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), name)
	}
	return dials("unix", p)
}

// xAnswers dials the X server DISPLAY names: [host]:N[.screen].
func xAnswers(display string) bool {
	host, rest, ok := strings.Cut(display, ":")
	if !ok {
		return false
	}
	n, _, _ := strings.Cut(rest, ".")
	if host == "" || host == "unix" {
		sock := "/tmp/.X11-unix/X" + n
		return dials("unix", sock) || dials("unix", "@"+sock)
	}
	var port int
	if _, err := fmt.Sscan(n, &port); err != nil {
		return false
	}
	return dials("tcp", net.JoinHostPort(host, fmt.Sprint(6000+port)))
}

func dials(network, addr string) bool {
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
