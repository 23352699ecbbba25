//go:build desktop

package main

import "portalstudio/app"

// In builds with the desktop tags (desktop,production,webkit2_41), the
// studio opens in a Wails window.
func init() {
	window = app.Desktop
}
