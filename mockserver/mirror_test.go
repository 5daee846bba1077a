package mockserver

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver/internal/authority"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/server"
)

// The public types are the documented mirrors of those the server inside
// works with; the package converts between them. Each pair must keep the
// same fields (names, types, tags) and each constant the same value.
func TestMirrorsMatchTheServerInside(t *testing.T) {
	pairs := []struct{ outer, inner any }{
		{User{}, core.User{}}, {Customer{}, core.Customer{}},
		{Seed{}, core.Seed{}}, {SeedQueue{}, core.SeedQueue{}}, {SeedResult{}, core.SeedResult{}},
		{SeedProblem{}, core.SeedProblem{}}, {SeedError{}, core.SeedError{}},
		{Fault{}, server.Fault{}}, {FaultInfo{}, server.FaultInfo{}}, {Limits{}, server.Limits{}},
		{JournalEntry{}, server.JournalEntry{}}, {JournalCaller{}, server.JournalCaller{}},
		{JournalFilter{}, server.JournalFilter{}},
		{TokenRequest{}, server.TokenRequest{}}, {TokenResponse{}, server.TokenResponse{}},
		{ClockResponse{}, server.ClockResponse{}}, {JWK{}, authority.JWK{}},
		{SessionResponse{}, authority.SessionResponse{}}, {SessionUser{}, authority.SessionUser{}},
		{OAuthToken{}, authority.OAuthToken{}}, {SandboxInfo{}, server.SandboxInfo{}},
	}
	for _, p := range pairs {
		if err := sameShape(reflect.TypeOf(p.outer), reflect.TypeOf(p.inner)); err != "" {
			t.Errorf("%T and %T differ: %s", p.outer, p.inner, err)
		}
	}
	consts := []struct {
		name         string
		outer, inner any
	}{
		{"AdminEmail", AdminEmail, core.AdminEmail}, {"OperatorEmail", OperatorEmail, core.OperatorEmail},
		{"ViewerEmail", ViewerEmail, core.ViewerEmail}, {"CustomerActive", CustomerActive, core.CustomerActive},
		{"CustomerSuspended", CustomerSuspended, core.CustomerSuspended}, {"SDKClientID", SDKClientID, authority.SDKClientID},
		{"CIClientID", CIClientID, authority.CIClientID}, {"CIClientSecret", CIClientSecret, authority.CIClientSecret},
		{"ConsoleClientID", ConsoleClientID, authority.ConsoleClientID},
		{"ConsoleClientSecret", ConsoleClientSecret, authority.ConsoleClientSecret},
		{"AccessTokenTTL", AccessTokenTTL, authority.AccessTokenTTL}, {"Audience", Audience, authority.Audience},
		{"DefaultHeartbeat", DefaultHeartbeat, server.DefaultHeartbeat},
		{"DefaultIssuer", DefaultIssuer, server.DefaultIssuer}, {"SandboxHeader", SandboxHeader, server.SandboxHeader},
	}
	for _, c := range consts {
		if c.outer != c.inner {
			t.Errorf("%s = %v here, %v inside", c.name, c.outer, c.inner)
		}
	}
}

// sameShape compares two struct types field by field: names, tags and
// types, where a named struct type of one package stands for its mirror in
// the other. The unexported fields are the public types' own.
func sameShape(a, b reflect.Type) string {
	if a.Kind() != b.Kind() {
		return a.String() + " is not " + b.String()
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Slice:
		return sameShape(a.Elem(), b.Elem())
	case reflect.Struct:
	default:
		if a != b {
			return a.String() + " is not " + b.String()
		}
		return ""
	}
	if a.PkgPath() != b.PkgPath() && a.PkgPath() != reflect.TypeFor[User]().PkgPath() {
		if a != b {
			return a.String() + " is not " + b.String()
		}
		return "" // a type of neither package (time.Time, platform.Agent)
	}
	var af, bf []reflect.StructField
	for i := range a.NumField() {
		if a.Field(i).IsExported() {
			af = append(af, a.Field(i))
		}
	}
	for i := range b.NumField() {
		if f := b.Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
			bf = append(bf, f)
		}
	}
	if len(af) != len(bf) {
		return fmt.Sprintf("%d exported fields here, %d inside", len(af), len(bf))
	}
	for i := range af {
		if af[i].Name != bf[i].Name || af[i].Tag != bf[i].Tag {
			return fmt.Sprintf("field %s `%s` is %s `%s` inside", af[i].Name, af[i].Tag, bf[i].Name, bf[i].Tag)
		}
		if err := sameShape(af[i].Type, bf[i].Type); err != "" {
			return "field " + af[i].Name + ": " + err
		}
	}
	return ""
}
