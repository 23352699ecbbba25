package app

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"

	"portalstudio/backend/portal"
)

// maxCallBytes bounds one HTTP call's arguments (an imported file travels
// as one).
const maxCallBytes = 512 << 20

// HTTPTransport answers POST /api/<Method> by calling the binding of that
// name with the JSON array of arguments, decoded exactly as Wails decodes
// them (each element into the parameter's type). It adds no logic.
type HTTPTransport struct {
	target  reflect.Value
	methods map[string]reflect.Method
}

// NewHTTPTransport returns the transport over the exported methods of
// bindings.
func NewHTTPTransport(bindings any) *HTTPTransport {
	v := reflect.ValueOf(bindings)
	t := v.Type()
	methods := map[string]reflect.Method{}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		methods[m.Name] = m
	}
	return &HTTPTransport{target: v, methods: methods}
}

// Methods returns the names of the methods the transport reaches.
func (h *HTTPTransport) Methods() []string {
	out := make([]string, 0, len(h.methods))
	for n := range h.methods {
		out = append(out, n)
	}
	return out
}

func (h *HTTPTransport) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, portal.Errorf(portal.EINVALID, "call %s with POST and a JSON array of arguments.", name), http.StatusMethodNotAllowed)
		return
	}
	m, ok := h.methods[name]
	if !ok {
		writeError(w, portal.Errorf(portal.ENOTFOUND, "there is no method %q.", name), 0)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallBytes))
	if err != nil {
		writeError(w, portal.Errorf(portal.ETOOLARGE, "the request is larger than %d MB.", maxCallBytes>>20), 0)
		return
	}
	result, err := h.Call(m, body)
	if err != nil {
		writeError(w, err, 0)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(result)
}

// Call decodes the JSON array args into m's parameters, calls m and
// returns its result or error.
func (h *HTTPTransport) Call(m reflect.Method, args []byte) (any, error) {
	var raw []json.RawMessage
	if len(strings.TrimSpace(string(args))) > 0 {
		if err := json.Unmarshal(args, &raw); err != nil {
			return nil, portal.Errorf(portal.EINVALID, "the arguments must be a JSON array: %v.", err)
		}
	}
	ft := m.Type // receiver first
	if len(raw) != ft.NumIn()-1 {
		return nil, portal.Errorf(portal.EINVALID, "%s takes %d argument(s), not %d.", m.Name, ft.NumIn()-1, len(raw))
	}
	in := []reflect.Value{h.target}
	for i, a := range raw {
		p := reflect.New(ft.In(i + 1))
		if err := json.Unmarshal(a, p.Interface()); err != nil {
			return nil, portal.Errorf(portal.EINVALID, "argument %d of %s: %v.", i+1, m.Name, err)
		}
		in = append(in, p.Elem())
	}
	out := m.Func.Call(in)
	var result any
	for i, o := range out {
		if ft.Out(i) == errorType {
			if !o.IsNil() {
				return nil, o.Interface().(error)
			}
			continue
		}
		result = o.Interface()
	}
	return result, nil
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

func writeError(w http.ResponseWriter, err error, status int) {
	we := ToWire(err)
	if status == 0 {
		status = statusOf(we.Code)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]*WireError{"error": we})
}
