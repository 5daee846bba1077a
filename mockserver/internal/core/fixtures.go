package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxSeedFile bounds a fixture file, so a wrong path (a log, a disk image)
// fails with a clear error instead of filling memory.
const maxSeedFile = 64 << 20

// LoadSeedFile reads a seed fixture: a JSON file with the body of
// POST /_mock/seed, e.g.
//
//	{"customers": [{"customer_id": "cust-900", "company_name": "Hooli"}],
//	 "agents": [{"name": "Hooli Helper", "customer_id": "cust-900"}]}
//
// It checks everything that does not depend on a server: the JSON's shape
// (every field known, of the right type), required fields, enums, ranges
// and duplicates within the file. Its error is a *SeedError naming the
// file, the JSON path and what was expected, e.g.
//
//	fixtures/acme.json: agents[2].capabilities: want an array of strings, got a number
//
// Pass the seed to WithSeed or Server.Seed; what depends on the server
// (ids already taken, references to queues, agents and customers the file
// does not define, times after the server's clock) is checked there, and
// those errors name the file too.
func LoadSeedFile(path string) (Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return Seed{}, fmt.Errorf("mockserver: seed file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSeedFile+1))
	if err != nil {
		return Seed{}, fmt.Errorf("mockserver: seed file %s: %w", path, err)
	}
	if len(data) > maxSeedFile {
		return Seed{}, &SeedError{File: path, Problems: []SeedProblem{{Issue: "the file is over 64 MiB: is it a seed fixture?"}}}
	}
	seed, probs := DecodeSeed(data)
	if probs == nil {
		probs = checkSeed(seed)
	}
	if probs != nil {
		return Seed{}, &SeedError{File: path, Problems: probs}
	}
	seed.File = path
	return seed, nil
}

// DecodeSeed decodes a seed from JSON. The JSON is first checked against
// Seed's types, value by value, so that a problem names its full path with
// array indexes ("workflows[0].tasks[2].dependencies"), which
// encoding/json's errors do not; only a seed of the right shape is then
// decoded.
func DecodeSeed(data []byte) (Seed, []SeedProblem) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Seed{}, []SeedProblem{{Issue: syntaxProblem(data, err)}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Seed{}, []SeedProblem{{Issue: "data after the JSON object: a seed is one object"}}
	}
	var sc shapeCheck
	sc.check("", v, reflect.TypeFor[Seed]())
	if sc.probs != nil {
		return Seed{}, sc.probs
	}
	var seed Seed
	if err := json.Unmarshal(data, &seed); err != nil {
		// The shape check lets through only what decodes.
		return Seed{}, []SeedProblem{{Issue: "decoding: " + err.Error()}}
	}
	return seed, nil
}

// syntaxProblem words a JSON syntax error with its line and column.
func syntaxProblem(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset)
		return fmt.Sprintf("invalid JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.EOF) {
		return "empty: want a JSON object"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "invalid JSON: it ends too early"
	}
	return "invalid JSON: " + err.Error()
}

// lineCol is the 1-based line and column of byte offset off (which
// encoding/json puts just after the offending byte).
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off-1, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	return line, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// derivedFields are fields of the API's answers that a seed does not take,
// with what to do instead.
var derivedFields = map[reflect.Type]map[string]string{
	reflect.TypeFor[SeedQueue](): {
		"status":            "is derived from the queue's figures: leave it out",
		"dlq_messages":      "counts the queue's dead letters: seed them in dead_letters",
		"messages_accepted": "is derived (pending + dead letters + processed + deleted): leave it out",
	},
}

// shapeCheck checks a decoded JSON value against a Go type.
type shapeCheck struct {
	probs []SeedProblem
}

func (sc *shapeCheck) add(path, format string, args ...any) {
	sc.probs = append(sc.probs, SeedProblem{Path: path, Issue: fmt.Sprintf(format, args...)})
}

func (sc *shapeCheck) mismatch(path string, t reflect.Type, v any) {
	sc.add(path, "want %s, got %s", describeType(t), describeValue(v))
}

// check checks v, decoded with UseNumber, against t. null is accepted
// everywhere (as encoding/json does: the field keeps its zero value).
func (sc *shapeCheck) check(path string, v any, t reflect.Type) {
	if v == nil {
		return
	}
	switch t {
	case rawType:
		return
	case timeType:
		s, ok := v.(string)
		if !ok {
			sc.mismatch(path, t, v)
			return
		}
		var tm time.Time
		if err := tm.UnmarshalText([]byte(s)); err != nil {
			sc.add(path, "want an RFC 3339 time string such as 2026-01-02T10:00:00Z, got %q", s)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		sc.check(path, v, t.Elem())
	case reflect.String:
		if _, ok := v.(string); !ok {
			sc.mismatch(path, t, v)
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			sc.mismatch(path, t, v)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			sc.mismatch(path, t, v)
			return
		}
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			if errors.Is(err, strconv.ErrRange) {
				sc.add(path, "%s is out of range for an integer", n)
			} else {
				sc.add(path, "want an integer, got %s", n)
			}
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			sc.mismatch(path, t, v)
			return
		}
		if _, err := strconv.ParseFloat(n.String(), t.Bits()); err != nil {
			sc.add(path, "%s is out of range for a number", n)
		}
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			sc.mismatch(path, t, v)
			return
		}
		for i, e := range a {
			sc.check(fmt.Sprintf("%s[%d]", path, i), e, t.Elem())
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			sc.mismatch(path, t, v)
			return
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys) // a stable order of problems
		for _, k := range keys {
			fp := k
			if path != "" {
				fp = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				if hint, ok := derivedFields[t][k]; ok {
					sc.add(fp, "%s", hint)
				} else {
					sc.add(fp, "unknown field; the fields are %s", strings.Join(fieldNames(t), ", "))
				}
				continue
			}
			sc.check(fp, m[k], ft)
		}
	default:
		sc.add(path, "cannot be decoded here (a %s field)", t)
	}
}

// jsonFields maps the JSON names of struct t's fields (embedded structs'
// included) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// fieldNames lists struct t's JSON names in declaration order.
func fieldNames(t reflect.Type) []string {
	fields := jsonFields(t)
	var out []string
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if _, ok := fields[name]; ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// describeType says what JSON a Go type wants, e.g. "an array of strings".
func describeType(t reflect.Type) string {
	switch t {
	case timeType:
		return "an RFC 3339 time string"
	case rawType:
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array of " + pluralType(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

func pluralType(t reflect.Type) string {
	switch t {
	case timeType:
		return "RFC 3339 time strings"
	case rawType:
		return "JSON values"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return pluralType(t.Elem())
	case reflect.String:
		return "strings"
	case reflect.Bool:
		return "booleans"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integers"
	case reflect.Float32, reflect.Float64:
		return "numbers"
	case reflect.Slice:
		return "arrays"
	case reflect.Struct, reflect.Map:
		return "objects"
	}
	return t.String() + " values"
}

// describeValue names the JSON type of a decoded value.
func describeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
