// Command wasm is Portal Studio's UI compiled to WebAssembly:
//
//	GOOS=js GOARCH=wasm go build -o app/web/app.wasm ./frontend/cmd/wasm
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/frontend"
)

func main() {
	frontend.Routes()
	app.RunWhenOnBrowser()
}
