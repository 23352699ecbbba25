// Package cli is Portal Studio's command line: every operation of the
// desktop app as a command of the same binary, for scripts and tests. Each
// command prints human text, or one JSON document with --json; bad input
// exits non-zero with a one-line reason on stderr.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed: bad input or a failure
	exitUsage = 2 // the command line itself is wrong
)

// Env is what a command runs with.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// StderrIsTerminal enables progress bars.
	StderrIsTerminal bool
	// Desktop runs the desktop app (or the browser UI) on a workspace;
	// nil in builds without it.
	Desktop func(ctx context.Context, workspace string, browser bool) error
	// Web is the UI's web folder (app.wasm) the portal server serves the
	// customer portal's pages from; nil: the JSON APIs only.
	Web fs.FS
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"demo", "create a demo workspace", runDemo},
		{"import", "import Intercom API JSON / JSON Lines", runImport},
		{"settings", "show, validate or apply the draft settings", runSettings},
		{"audience", "count and list the users a rule matches", runAudience},
		{"preview", "the portal as one user sees it, with why", runPreview},
		{"diff", "draft against live settings", runDiff},
		{"impact", "users whose access or restriction the draft changes", runImpact},
		{"explain", "why a user does or does not see a ticket", runExplain},
		{"check", "run, add, remove, list or import portal tests", runCheck},
		{"bench", "measure the hot paths on a large demo workspace", runBench},
		{"serve", "run the portal server", runServe},
		{"workspace", "create or list the workspaces of a PostgreSQL database", runWorkspace},
		{"sync", "pull or push settings with a portal server", runSync},
	}
}

// Main runs the command line and returns the exit code.
func Main(args []string, env *Env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, env, args)
	if err == nil {
		return exitOK
	}
	var help helpRequest
	if errors.As(err, &help) {
		fmt.Fprintf(env.Stdout, "Usage of portalstudio %s:\n", help.fs.Name())
		help.fs.SetOutput(env.Stdout)
		help.fs.PrintDefaults()
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "portalstudio: %s (see portalstudio help)\n", ue.msg)
		return exitUsage
	}
	fmt.Fprintf(env.Stderr, "portalstudio: %s\n", oneLine(err))
	return exitError
}

// oneLine renders an error as one line: every validation problem, joined.
func oneLine(err error) string {
	var pe *portal.Error
	if errors.As(err, &pe) {
		if len(pe.Problems) > 1 {
			parts := make([]string, len(pe.Problems))
			for i, p := range pe.Problems {
				parts[i] = p.String()
			}
			return strings.Join(parts, "; ")
		}
		return strings.ReplaceAll(pe.Message, "\n", " ")
	}
	msg := err.Error()
	if portal.ErrorCode(err) == portal.EINTERNAL && !errors.Is(err, context.Canceled) {
		msg = "internal error: " + msg
	}
	return strings.ReplaceAll(msg, "\n", " ")
}

func run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runDesktop(ctx, env, args)
	}
	name := args[0]
	if name == "help" || name == "--help" || name == "-h" {
		usage(env.Stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, env, args[1:])
		}
	}
	return usagef("unknown command %q", name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Portal Studio: draft, preview and ship a helpdesk's customer portal settings.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  portalstudio [--workspace FILE] [--browser]   the desktop app")
	for _, c := range commands {
		fmt.Fprintf(w, "  portalstudio %-33s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --workspace FILE (default: the desktop app's own) and --json.")
}

func runDesktop(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("portalstudio", env)
	ws := fs.String("workspace", "", "the workspace file (default: the desktop app's own)")
	browser := fs.Bool("browser", false, "serve the UI to the default browser instead of a window")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if env.Desktop == nil {
		return portal.Errorf(portal.EPRECONDITION, "this build has no desktop app; run a command (see portalstudio help)")
	}
	path := *ws
	if path == "" {
		var err error
		if path, err = DefaultWorkspace(); err != nil {
			return err
		}
	}
	return env.Desktop(ctx, path, *browser)
}

// DefaultWorkspace returns the desktop app's own workspace file, in the
// user's config folder, creating the folder.
func DefaultWorkspace() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", portal.Errorf(portal.EPRECONDITION, "no config folder for the default workspace (%v); pass --workspace FILE", err)
	}
	dir = filepath.Join(dir, "PortalStudio")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", portal.Errorf(portal.EPRECONDITION, "cannot create %s: %v; pass --workspace FILE", dir, err)
	}
	return filepath.Join(dir, "workspace.db"), nil
}

// flags are a command's flags, with the shared ones.
type flags struct {
	*flag.FlagSet
	workspace *string
	json      *bool
	env       *Env
}

// openWorkspace opens a workspace, saying on stderr when opening does slow
// one-time work (an upgrade rebuilding an index).
func openWorkspace(env *Env, path string) (*sqlite.Workspace, error) {
	return sqlite.OpenWith(path, sqlite.Options{Notice: func(msg string) { fmt.Fprintf(env.Stderr, "portalstudio: %s\n", msg) }})
}

func newFlags(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package would print its error and the whole usage to
	// stderr; Main reports a bad command line in one line instead, and
	// prints the usage on stdout when asked with -h.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// helpRequest is a command's -h or --help: Main prints its flags.
type helpRequest struct{ fs *flag.FlagSet }

func (h helpRequest) Error() string        { return flag.ErrHelp.Error() }
func (h helpRequest) Is(target error) bool { return target == flag.ErrHelp }

func newCommandFlags(name string, env *Env) flags {
	fs := newFlags(name, env)
	return flags{
		FlagSet:   fs,
		workspace: fs.String("workspace", "", "the workspace file (default: the desktop app's own)"),
		json:      fs.Bool("json", false, "print one JSON document"),
		env:       env,
	}
}

// parse parses flags that may stand before, between or after the
// positional arguments, and checks there are exactly n of them (n < 0: any
// number).
func parse(fs *flag.FlagSet, args []string, n int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpRequest{fs}
			}
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if n >= 0 && len(pos) != n {
		if len(pos) > n {
			return nil, usagef("%s: unexpected argument %q", fs.Name(), pos[n])
		}
		return nil, usagef("%s: missing argument", fs.Name())
	}
	return pos, nil
}

// open opens the command's workspace.
func (f flags) open() (*studio.Service, func(), error) {
	ws, err := f.openStore()
	if err != nil {
		return nil, nil, err
	}
	aud := oneShotAudiences(f.env, ws)
	return studio.New(ws, aud), func() { aud.Close(); ws.Close() }, nil
}

// oneShotAudiences returns the audience engine of a one-shot command
// over ws: it maps the engine's data file when it is current, and
// otherwise catches up from the changes, or builds it (saying so on
// stderr) and writes it for the next command.
func oneShotAudiences(env *Env, ws *sqlite.Workspace) *audience.Engine {
	return audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Notice: func(msg string) { fmt.Fprintf(env.Stderr, "portalstudio: %s\n", msg) }})
}

// openStore opens the workspace the flags name (the default one when none)
// as the SQLite store itself, for the commands that use it beyond the
// studio's ports (sync's local side).
func (f flags) openStore() (*sqlite.Workspace, error) {
	path := *f.workspace
	if path == "" {
		var err error
		if path, err = DefaultWorkspace(); err != nil {
			return nil, err
		}
	}
	return openWorkspace(f.env, path)
}

// existing opens a workspace that must already exist (read-only commands
// should not create empty files by mistake).
func (f flags) existing() (*studio.Service, func(), error) {
	if *f.workspace != "" {
		if _, err := os.Stat(*f.workspace); err != nil {
			return nil, nil, portal.Errorf(portal.ENOTFOUND, "no workspace at %s; create one with portalstudio demo or import", *f.workspace)
		}
	}
	return f.open()
}

// oneOf checks that a flag's value is one of the allowed ones.
func oneOf(cmd, flagName, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usagef("%s: --%s must be %s, not %q", cmd, flagName, strings.Join(allowed, " or "), value)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
