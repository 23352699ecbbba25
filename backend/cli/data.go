package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"portalstudio/backend/audience"
	"portalstudio/backend/demo"
	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// newBar returns a progress bar on stderr, or nil when stderr is not a
// terminal or the output is JSON.
func newBar(env *Env, jsonOut bool, max int64, what string) *progressbar.ProgressBar {
	if !env.StderrIsTerminal || jsonOut {
		return nil
	}
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("demo", env)
	users := f.Int("users", 2000, "how many users")
	companies := f.Int("companies", 200, "how many companies")
	tickets := f.Int("tickets", 4000, "how many tickets")
	seed := f.Int64("seed", 1, "the random seed (same seed, same workspace)")
	replace := f.Bool("replace", false, "replace the dataset of a workspace that already has one")
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	if *f.workspace == "" {
		return usagef("demo: --workspace FILE is required")
	}
	if *users < 0 || *companies < 0 || *tickets < 0 {
		return usagef("demo: --users, --companies and --tickets must not be negative")
	}
	opt := demo.Options{Users: orNone(*users), Companies: orNone(*companies), Tickets: orNone(*tickets), Seed: *seed}
	var rep portal.ImportReport
	if _, err := os.Stat(*f.workspace); errors.Is(err, fs.ErrNotExist) {
		// A new workspace appears only once it is complete.
		err := sqlite.Create(*f.workspace, func(ws *sqlite.Workspace) error {
			var err error
			rep, err = runDemoImport(ctx, env, studio.New(ws, nil), opt, *f.json)
			return err
		})
		if err != nil {
			return err
		}
		writeAudience(ctx, *f.workspace)
		return printDemo(env, *f.workspace, rep, *seed, *f.json)
	}
	svc, done, err := f.open()
	if err != nil {
		return err
	}
	defer done()
	counts, err := svc.Store.Counts(ctx)
	if err != nil {
		return err
	}
	if counts.Users+counts.Companies+counts.Tickets > 0 && !*replace {
		return portal.Errorf(portal.ECONFLICT, "%s already holds a dataset (%d users, %d companies, %d tickets); pass --replace to start afresh", *f.workspace, counts.Users, counts.Companies, counts.Tickets)
	}
	if rep, err = runDemoImport(ctx, env, svc, opt, *f.json); err != nil {
		return err
	}
	writeAudience(ctx, *f.workspace)
	return printDemo(env, *f.workspace, rep, *seed, *f.json)
}

// writeAudience writes the audience engine's data beside a workspace just
// built (a few seconds at a million users, after minutes of building), so
// that the one-shot commands that follow (audience, impact, check,
// preview, explain) map it at once. It is derived data: when it cannot be
// written, the next command builds it.
func writeAudience(ctx context.Context, path string) {
	ws, err := sqlite.Open(path)
	if err != nil {
		return
	}
	defer ws.Close()
	eng := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath()})
	defer eng.Close()
	eng.Load(ctx)
}

func printDemo(env *Env, path string, rep portal.ImportReport, seed int64, jsonOut bool) error {
	if jsonOut {
		return printJSON(env.Stdout, rep)
	}
	fmt.Fprintf(env.Stdout, "Demo workspace %s: %d companies, %d users, %d tickets, %d ticket parts (seed %d).\n",
		path, rep.Companies, rep.Contacts, rep.Tickets, rep.Parts, seed)
	return nil
}

// runDemoImport generates a demo dataset into the service's workspace,
// with a progress bar on a terminal.
func runDemoImport(ctx context.Context, env *Env, svc *studio.Service, opt demo.Options, jsonOut bool) (portal.ImportReport, error) {
	defer bulkGC()()
	var bar *progressbar.ProgressBar
	rep, err := svc.Demo(ctx, opt, func(done, total int) {
		if bar == nil {
			bar = newBar(env, jsonOut, int64(total), "demo")
		}
		if bar != nil {
			bar.Set(done)
		}
	})
	if bar != nil {
		bar.Finish()
	}
	return rep, err
}

// bulkGC lets the garbage collector run less often while a command loads
// a dataset, and returns how to put it back. The generator and the
// writer allocate a great deal and keep little: at the default (GOGC
// 100) the collector ran so often that, marking beside the writer and
// making it assist, it cost the full-size demo build a fifth of its time
// (186 s against 155). The heap may grow to five times what is live
// (GOGC 400), within a soft limit of 1 GiB past which it collects as
// usual.
func bulkGC() (restore func()) {
	pct := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(1 << 30)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	}
}

// orNone maps a size of 0 to demo.None (the generator reads 0 as "the
// default size").
func orNone(n int) int {
	if n == 0 {
		return demo.None
	}
	return n
}

func runImport(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("import", env)
	strict := f.Bool("strict", false, "import nothing when any record is rejected (default: skip and report rejected records)")
	files, err := parse(f.FlagSet, args, -1)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("import: name at least one file of Intercom API JSON or JSON Lines")
	}
	var total int64
	for _, name := range files {
		fi, err := os.Stat(name)
		if err != nil {
			return portal.Errorf(portal.ENOTFOUND, "cannot read %s: %v", name, errReason(err))
		}
		if fi.IsDir() {
			return portal.Errorf(portal.EINVALID, "%s is a folder; name the files inside it", name)
		}
		total += fi.Size()
	}
	svc, done, err := f.open()
	if err != nil {
		return err
	}
	defer done()
	bar := newBar(env, *f.json, total, "import")
	// readFailed: a file could not be read or is not JSON, so nothing was
	// imported and that one reason is the answer (the records rejected
	// before it are not worth listing).
	readFailed := false
	rep, err := svc.Store.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		var rejected []portal.Rejection
		for _, name := range files {
			fh, err := os.Open(name)
			if err != nil {
				readFailed = true
				return rejected, portal.Errorf(portal.ENOTFOUND, "cannot read %s: %v", name, errReason(err))
			}
			var r io.Reader = fh
			if bar != nil {
				r = io.TeeReader(fh, bar)
			}
			rej, err := intercom.Read(name, r, emit)
			fh.Close()
			rejected = append(rejected, rej...)
			if err != nil {
				readFailed = true
				return rejected, err
			}
		}
		return rejected, nil
	}, portal.ImportOptions{Strict: *strict})
	if bar != nil {
		bar.Finish()
	}
	// The rejections are the answer when the import went through, or
	// when --strict refused it because of them.
	listRejected := err == nil || (*strict && !readFailed && len(rep.Rejected) > 0)
	if *f.json && listRejected {
		if perr := printJSON(env.Stdout, rep); perr != nil {
			return perr
		}
	} else if listRejected {
		for _, r := range rep.Rejected {
			fmt.Fprintf(env.Stderr, "rejected: %s\n", r)
		}
	}
	if err != nil {
		return err
	}
	if !*f.json {
		fmt.Fprintf(env.Stdout, "Imported %d contacts, %d companies, %d tickets (%d parts).\n", rep.Contacts, rep.Companies, rep.Tickets, rep.Parts)
		if line := hiddenPartsLine(rep.HiddenPartTypes); line != "" {
			fmt.Fprintln(env.Stdout, line)
		}
	}
	if len(rep.Rejected) > 0 {
		return portal.Errorf(portal.EINVALID, "%d record(s) were rejected and skipped (see the report); the other records were imported", len(rep.Rejected))
	}
	return nil
}

// hiddenPartsLine says how many parts of unknown types an import hid from
// customers, by type, most first ("" for none): imported all the same,
// but never shown or searched in the portal.
func hiddenPartsLine(byType map[string]int) string {
	total := 0
	types := make([]string, 0, len(byType))
	for t, n := range byType {
		total += n
		types = append(types, t)
	}
	if total == 0 {
		return ""
	}
	sort.Slice(types, func(i, j int) bool {
		if byType[types[i]] != byType[types[j]] {
			return byType[types[i]] > byType[types[j]]
		}
		return types[i] < types[j]
	})
	list := make([]string, len(types))
	for i, t := range types {
		list[i] = fmt.Sprintf("%q (%d)", t, byType[t])
	}
	what := "conversation parts of unknown types were"
	if total == 1 {
		what = "conversation part of an unknown type was"
	}
	return fmt.Sprintf("%d %s hidden from customers: %s.", total, what, strings.Join(list, ", "))
}

// errReason strips the path from an *os.PathError.
func errReason(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
