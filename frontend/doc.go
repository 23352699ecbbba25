// Package frontend is Portal Studio's UI, written with go-app v10 and
// compiled to WebAssembly (cmd/wasm); the native build prerenders the same
// pages and runs the component tests.
//
// The model, in three layers:
//
//   - bridge.go is the only file that talks to the backend: one Backend
//     interface with two transports, Wails IPC (window.go.app.Bindings) in
//     the desktop window and loopback HTTP (POST /api/<Method>) in browser
//     mode, both onto the same Go bindings (package app).
//   - actions-*.go hold the action handlers (app.Handle): they call the
//     bridge and set the states named in state.go. go-app runs each on a
//     goroutine of its own, so every read-modify-write of a state runs on
//     the UI goroutine (actions-state.go) and no lock is needed. Edits are
//     debounced, and every request is numbered in its lane so a stale
//     answer never overwrites a newer one.
//   - the components (one per file, kebab-case) observe those states and
//     render them; they post actions and never call the backend nor set a
//     state. studio-*.go are the studio's pages, customer-*.go the pages
//     the portal server serves, portal-view.go what both show of a portal
//     (see README.md).
//
// wire.go mirrors the JSON the bindings answer (the studio package itself
// needs cgo SQLite and cannot be compiled to WebAssembly); a test in
// package app checks that the two agree.
package frontend
