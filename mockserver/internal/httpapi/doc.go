// Package httpapi is the mock server's HTTP side that every area shares:
// the router and its routes (method, pattern, role, handler), the request
// a handler reads (its caller, body and the transaction's clock), the
// platform's wire format (JSON answers, the error body, strict decoding,
// body limits) and the keyed pager's 400s.
package httpapi
