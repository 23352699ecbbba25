// Command portalstudio is Portal Studio: the desktop app, its command line
// and (later) the portal server, in one binary.
package main

import (
	"os"

	"golang.org/x/term"

	"portalstudio/backend/cli"
)

func main() {
	env := &cli.Env{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	os.Exit(cli.Main(os.Args[1:], env))
}
