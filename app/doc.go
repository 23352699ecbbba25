// Package app is Portal Studio's desktop shell: the bindings the UI calls
// and the two transports that carry those calls.
//
// Bindings is the one set of methods the UI may call. Each method is thin:
// it converts its arguments, calls one method of the studio service and
// returns (T, error). The same methods are reached two ways:
//
//   - in the desktop window, through Wails IPC (the struct is bound, and
//     the WebAssembly UI calls window.go.app.Bindings.Method);
//   - in browser mode, through loopback HTTP: POST /api/<Method> with a JSON
//     array of arguments answers the JSON result, or {"error": {"code",
//     "message", "problems"}}; the dispatch is by reflection over the very
//     same methods, so neither transport holds logic of its own.
//
// Browser mode serves the go-app UI and the HTTP transport on 127.0.0.1 at a
// free port behind a one-time secret traded for a session cookie, and
// answers only its own Host and, on the API, only same-origin JSON calls
// (see BrowserServer). The desktop
// window itself needs the build tags desktop,production,webkit2_41 (see
// desktop.go); without them Open always serves browser mode.
package app
