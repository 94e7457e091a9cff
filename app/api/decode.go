package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxBodyBytes caps request bodies: a monitor is a few kilobytes at most.
const maxBodyBytes = 1 << 20

// readBody reads a JSON request body of at most maxBodyBytes. The media type must be JSON
// (application/json or any +json type) or absent: a form-encoded body (curl -d without -H)
// is refused with a hint rather than misread.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, newError(http.StatusUnsupportedMediaType, codeMediaType,
				"the body must be JSON: send Content-Type: application/json")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, newError(http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("the body must be at most %d bytes", maxBodyBytes))
		}
		return nil, newError(http.StatusBadRequest, codeInvalidJSON, "could not read the request body")
	}
	return body, nil
}

// readObject reads the request's JSON body (readBody) into the struct dst (decodeObject).
func readObject(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeObject(body, dst)
}

// decodeObject decodes body, which must be one JSON object, into dst (a pointer to a
// struct). Every key must be one of dst's JSON keys, spelled exactly (encoding/json alone
// would accept "NAME" for "name"). Refusals: malformed JSON, a body that is not an object or
// unknown keys are 400; a value of the wrong type or format is 422, naming its key.
func decodeObject(body []byte, dst any) error {
	raw, err := objectOf(body)
	if err != nil {
		return err
	}
	t := reflect.TypeOf(dst).Elem()
	known := jsonKeys(t)
	for _, k := range sortedKeys(raw) {
		if !known[k] {
			return fieldErr(http.StatusBadRequest, codeUnknownField, k, "unknown field")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		field, msg := blame(raw, t, err)
		return fieldErr(http.StatusUnprocessableEntity, codeValidation, field, msg)
	}
	return nil
}

// objectOf parses body as one JSON object, keeping its values raw.
func objectOf(body []byte) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newError(http.StatusBadRequest, codeInvalidJSON, "the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, newError(http.StatusBadRequest, codeInvalidJSON,
				fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: ")))
		case errors.As(err, &typ) && typ.Field == "":
			return nil, newError(http.StatusBadRequest, codeInvalidJSON, "the body must be a JSON object, not "+typ.Value)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, newError(http.StatusBadRequest, codeInvalidJSON, "malformed JSON: the body ends too early")
		}
		return nil, newError(http.StatusBadRequest, codeInvalidJSON, "malformed JSON")
	}
	if raw == nil {
		return nil, newError(http.StatusBadRequest, codeInvalidJSON, "the body must be a JSON object, not null")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, newError(http.StatusBadRequest, codeInvalidJSON, "unexpected data after the JSON object")
	}
	return raw, nil
}

// blame finds the key whose value made decoding fail and says what is wrong with it: the
// keys are decoded one at a time (decodeObject checked that they are all known), which also
// names the key when a value's own decoder (a duration, a time) refused it.
func blame(raw map[string]json.RawMessage, t reflect.Type, err error) (field, msg string) {
	for _, k := range sortedKeys(raw) {
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw[k]})
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields() // an unknown key in a nested object blames its parent's
		kerr := dec.Decode(reflect.New(t).Interface())
		if kerr == nil {
			continue
		}
		ft, _ := fieldType(t, k)
		var typ *json.UnmarshalTypeError
		switch {
		case ft == reflect.TypeFor[time.Time]():
			return k, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"
		case errors.As(kerr, &typ):
			return k, fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type), typ.Value)
		}
		return k, strings.TrimPrefix(kerr.Error(), "json: ")
	}
	return "", strings.TrimPrefix(err.Error(), "json: ")
}

// jsonTypeName names the JSON type a Go type decodes from.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time string"
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return "a string" // durations ("30s")
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a JSON value"
}

var keyCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields returns the JSON keys of struct type t, with embedded structs' keys, and the
// Go type of each.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if v, ok := keyCache.Load(t); ok {
		return v.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, ft := range jsonFields(f.Type) {
				if _, ok := out[k]; !ok {
					out[k] = ft
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	keyCache.Store(t, out)
	return out
}

func jsonKeys(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for k := range jsonFields(t) {
		out[k] = true
	}
	return out
}

func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	ft, ok := jsonFields(t)[key]
	for ok && ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	return ft, ok
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// mergePatch applies an RFC 7386 JSON merge patch: objects merge key by key, null deletes a
// key, anything else replaces.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// decodeGeneric decodes JSON keeping numbers exact (a merge patch re-encodes them).
func decodeGeneric(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
