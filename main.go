// Command portalstudio is Portal Studio: the desktop app, its command line
// and the portal server, in one binary.
package main

import (
	"context"
	"os"

	"golang.org/x/term"

	"portalstudio/app"
	"portalstudio/backend/cli"
)

// window is the desktop window; main_desktop.go sets it in builds with the
// desktop tags. Without it the studio opens in the browser.
var window app.Window

func main() {
	env := &cli.Env{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		Desktop:          desktop,
		Web:              app.WebFS(),
	}
	os.Exit(cli.Main(os.Args[1:], env))
}

// desktop opens the studio on a workspace: the window, or browser mode.
func desktop(ctx context.Context, workspace string, browser bool) error {
	def, _ := cli.DefaultWorkspace()
	return app.Run(ctx, app.Options{
		Workspace: workspace,
		IsDefault: workspace == def,
		Browser:   browser,
		Out:       os.Stdout,
		Window:    window,
		NoOpen:    os.Getenv("PORTALSTUDIO_NO_OPEN") != "",
	})
}
