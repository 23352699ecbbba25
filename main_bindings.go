//go:build bindings

package main

import (
	"context"
	"fmt"
	"os"

	"portalstudio/app"
)

// Wails' own tooling (`wails build`, `wails dev`, `wails generate module`)
// builds the program with the bindings tag and runs it to generate the
// JavaScript bindings: it must register its bound structs with wails.Run
// and exit at once, never open a window, a browser or a workspace.
func init() {
	if err := app.Desktop(context.Background(), &app.Bindings{}, app.WebFS(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "portalstudio: generate bindings:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
