package frontend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The bridge: the only code that talks to the Go bindings (package app).
// One interface, two transports, no logic in either: Wails IPC in the
// desktop window, loopback HTTP in browser mode.

// Backend calls one binding by name with its arguments and decodes the
// result into out. Errors are *WireError.
type Backend interface {
	Call(ctx context.Context, method string, out any, args ...any) error
	// Name says which transport this is: "wails" or "http".
	Name() string
}

// bridge returns the backend of the page: Wails IPC when the desktop
// window has bound the bindings, loopback HTTP otherwise.
func bridge() Backend {
	if app.IsServer {
		return offline{}
	}
	if bindings().Truthy() {
		return wailsIPC{}
	}
	return loopbackHTTP{}
}

// bindings is window.go.app.Bindings, where Wails binds the Go struct
// app.Bindings (its namespace is the Go package name, then the type name).
func bindings() app.Value {
	g := app.Window().Get("go")
	if !g.Truthy() || !g.Get("app").Truthy() {
		return app.Null()
	}
	return g.Get("app").Get("Bindings")
}

// wailsIPC calls window.go.app.Bindings.Method(args...), which returns a
// Promise; Wails rejects it with an Error whose message is the JSON of the
// WireError (app.FormatError).
type wailsIPC struct{}

func (wailsIPC) Name() string { return "wails" }

func (wailsIPC) Call(ctx context.Context, method string, out any, args ...any) error {
	fn := bindings().Get(method)
	if !fn.Truthy() {
		return &WireError{Code: codeInternal, Message: fmt.Sprintf("The desktop app has no method %s; rebuild it with make build.", method)}
	}
	jsArgs := make([]any, len(args))
	for i, a := range args {
		v, err := toJS(a)
		if err != nil {
			return err
		}
		jsArgs[i] = v
	}
	res, rejected, err := await(ctx, fn.Invoke(jsArgs...))
	if err != nil {
		return err
	}
	if rejected {
		msg := res.Get("message")
		if !msg.Truthy() {
			msg = res
		}
		var we WireError
		if jerr := json.Unmarshal([]byte(msg.String()), &we); jerr != nil || we.Message == "" {
			return &WireError{Code: codeInternal, Message: "The desktop app could not complete the request: " + msg.String()}
		}
		return &we
	}
	return fromJS(res, out)
}

// loopbackHTTP POSTs the arguments as a JSON array to /api/<Method> on the
// page's own origin, as JSON: the browser adds the HttpOnly session cookie
// the one-time secret was traded for, and the Origin header browser mode
// requires of every call.
type loopbackHTTP struct{}

func (loopbackHTTP) Name() string { return "http" }

func (loopbackHTTP) Call(ctx context.Context, method string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	body, err := json.Marshal(args)
	if err != nil {
		return &WireError{Code: codeInternal, Message: fmt.Sprintf("The request could not be encoded: %v.", err)}
	}
	abort := app.Window().Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	defer stop()
	resp, rejected, err := await(ctx, app.Window().Call("fetch", "/api/"+method, map[string]any{
		"method":      "POST",
		"body":        string(body),
		"headers":     map[string]any{"Content-Type": "application/json"},
		"credentials": "same-origin",
		"signal":      abort.Get("signal"),
	}))
	if err != nil {
		return err
	}
	if rejected {
		return &WireError{Code: codeInternal, Message: "Portal Studio is not answering; is it still running? (" + resp.Call("toString").String() + ")"}
	}
	text, rejected, err := await(ctx, resp.Call("text"))
	if err != nil {
		return err
	}
	if rejected {
		return &WireError{Code: codeInternal, Message: "The answer of Portal Studio could not be read."}
	}
	if !resp.Get("ok").Bool() {
		var e struct {
			Error *WireError `json:"error"`
		}
		if json.Unmarshal([]byte(text.String()), &e) != nil || e.Error == nil {
			if resp.Get("status").Int() == 403 {
				return &WireError{Code: "forbidden", Message: "This page is not authorised: open the address Portal Studio printed when it started (it works once; restart Portal Studio for a new one)."}
			}
			return &WireError{Code: codeInternal, Message: fmt.Sprintf("Portal Studio answered %d.", resp.Get("status").Int())}
		}
		return e.Error
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(text.String()), out); err != nil {
		return &WireError{Code: codeInternal, Message: fmt.Sprintf("The answer to %s could not be read: %v.", method, err)}
	}
	return nil
}

// offline is the backend of the native prerender: there is none.
type offline struct{}

func (offline) Name() string { return "offline" }

func (offline) Call(context.Context, string, any, ...any) error {
	return &WireError{Code: codeInternal, Message: "The studio backend is reachable only once the app has loaded."}
}

// await waits for a JS Promise: it returns the resolved value, or the
// rejection reason with rejected true, or ctx's error.
func await(ctx context.Context, promise app.Value) (v app.Value, rejected bool, err error) {
	type result struct {
		v        app.Value
		rejected bool
	}
	ch := make(chan result, 1)
	onOK := app.FuncOf(func(this app.Value, args []app.Value) any {
		ch <- result{v: arg0(args)}
		return nil
	})
	onErr := app.FuncOf(func(this app.Value, args []app.Value) any {
		ch <- result{v: arg0(args), rejected: true}
		return nil
	})
	release := func() {
		onOK.Release()
		onErr.Release()
	}
	promise.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		release()
		return r.v, r.rejected, nil
	case <-ctx.Done():
		// The Promise still settles (a cancelled fetch rejects): its
		// callbacks are released only then, never while JavaScript may
		// still call them ("call to released function").
		go func() {
			<-ch
			release()
		}()
		return nil, false, &WireError{Code: codeCanceled, Message: "This request was replaced by a newer one."}
	}
}

func arg0(args []app.Value) app.Value {
	if len(args) == 0 {
		return app.Undefined()
	}
	return args[0]
}

// toJS converts a Go value into a JS value through JSON.
func toJS(v any) (app.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &WireError{Code: codeInternal, Message: fmt.Sprintf("The request could not be encoded: %v.", err)}
	}
	return app.Window().Get("JSON").Call("parse", string(b)), nil
}

// fromJS decodes a JS value into out through JSON.
func fromJS(v app.Value, out any) error {
	if out == nil || v == nil || v.IsUndefined() {
		return nil
	}
	s := app.Window().Get("JSON").Call("stringify", v).String()
	if err := json.Unmarshal([]byte(s), out); err != nil {
		return &WireError{Code: codeInternal, Message: fmt.Sprintf("The answer could not be read: %v.", err)}
	}
	return nil
}

// copyText puts text on the clipboard: the browser's clipboard API where
// the page may use it, else the Wails runtime's clipboard.
func copyText(ctx context.Context, text string) error {
	if app.IsServer {
		return errors.New("no clipboard")
	}
	if rt := app.Window().Get("runtime"); rt.Truthy() && rt.Get("ClipboardSetText").Truthy() {
		_, rejected, err := await(ctx, rt.Call("ClipboardSetText", text))
		if err == nil && !rejected {
			return nil
		}
	}
	if cb := app.Window().Get("navigator").Get("clipboard"); cb.Truthy() {
		_, rejected, err := await(ctx, cb.Call("writeText", text))
		if err != nil {
			return err
		}
		if !rejected {
			return nil
		}
	}
	return errors.New("the clipboard is not available here; select the address and copy it")
}

// markTransport records on <body> which transport the UI uses, for the
// end-to-end and smoke tests (data-transport="wails" or "http").
func markTransport() {
	if app.IsClient {
		app.Window().Get("document").Get("body").Call("setAttribute", "data-transport", bridge().Name())
	}
}

// portalAPI is the customer portal's transport: the pages served by the
// portal server call its JSON API (/portal/<slug>/...) on the page's own
// origin, with the HttpOnly session cookie, so access, visibility and the
// Customer/shared filter are decided by the server on every request.
// method is GET, POST or DELETE; body (when not nil) is sent as JSON; the
// answer is decoded into out. Errors are *WireError with the server's
// code (unauthorized, forbidden, not_found…).
func portalAPI(ctx context.Context, method, path string, body, out any) error {
	if app.IsServer {
		return &WireError{Code: codeInternal, Message: "The portal's data loads once the page has loaded."}
	}
	init := map[string]any{
		"method":      method,
		"credentials": "same-origin",
		"headers":     map[string]any{"Accept": "application/json"},
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &WireError{Code: codeInternal, Message: fmt.Sprintf("The request could not be encoded: %v.", err)}
		}
		init["body"] = string(b)
		init["headers"] = map[string]any{"Accept": "application/json", "Content-Type": "application/json"}
	}
	abort := app.Window().Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	defer stop()
	init["signal"] = abort.Get("signal")
	resp, rejected, err := await(ctx, app.Window().Call("fetch", path, init))
	if err != nil {
		return err
	}
	if rejected {
		return &WireError{Code: codeInternal, Message: "The support site is not answering; check your connection and try again."}
	}
	text, rejected, err := await(ctx, resp.Call("text"))
	if err != nil {
		return err
	}
	if rejected {
		return &WireError{Code: codeInternal, Message: "The answer could not be read; try again."}
	}
	status := resp.Get("status").Int()
	if !resp.Get("ok").Bool() {
		var e struct {
			Error *WireError `json:"error"`
		}
		if json.Unmarshal([]byte(text.String()), &e) != nil || e.Error == nil {
			return &WireError{Code: codeInternal, Message: fmt.Sprintf("The support site answered %d; try again later.", status)}
		}
		return e.Error
	}
	if out == nil || status == 204 {
		return nil
	}
	if err := json.Unmarshal([]byte(text.String()), out); err != nil {
		return &WireError{Code: codeInternal, Message: fmt.Sprintf("The answer could not be read: %v.", err)}
	}
	return nil
}

// isMobileDevice reports whether the browser says it runs on a phone or
// a tablet (the user agent, or User-Agent Client Hints).
func isMobileDevice() bool {
	if app.IsServer {
		return false
	}
	nav := app.Window().Get("navigator")
	if d := nav.Get("userAgentData"); d.Truthy() && d.Get("mobile").Bool() {
		return true
	}
	return mobileUserAgent(nav.Get("userAgent").String())
}
