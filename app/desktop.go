//go:build desktop || bindings

package app

import (
	"context"
	"io"
	"io/fs"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"portalstudio/webui"
)

// Desktop runs the studio in a Wails window: the go-app handler serves the
// UI through Wails' asset server, and Bindings are bound for IPC (from the
// WebAssembly UI: window.go.app.Bindings.Method(...) → Promise). With
// PORTALSTUDIO_SMOKE=1 the window runs the smoke test's scripted flow (see
// smoke.go).
func Desktop(ctx context.Context, b *Bindings, web fs.FS, out io.Writer) error {
	icon, _ := fs.ReadFile(webui.Assets(), "icon-512.png")
	var smoke *Smoke
	if os.Getenv("PORTALSTUDIO_SMOKE") != "" {
		smoke = newSmoke(out, os.Getenv("PORTALSTUDIO_SMOKE_SHOT"))
	}
	bind := []any{b}
	if smoke != nil {
		bind = append(bind, smoke)
	}
	return wails.Run(&options.App{
		Title:            "Portal Studio",
		Width:            1280,
		Height:           820,
		MinWidth:         900,
		MinHeight:        600,
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 251, A: 255},
		AssetServer:      &assetserver.Options{Handler: NewUIHandler(web, UIOptions{})},
		Bind:             bind,
		ErrorFormatter:   FormatError,
		Linux:            &linux.Options{Icon: icon, ProgramName: "portalstudio", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(wctx context.Context) {
			// Ctrl-C in the terminal closes the window.
			go func() {
				<-ctx.Done()
				wruntime.Quit(wctx)
			}()
		},
		OnDomReady: func(wctx context.Context) {
			if smoke != nil {
				go smoke.run(wctx)
			}
		},
	})
}
