// Package core holds what every area of the mock server shares and that
// knows nothing of HTTP or of the areas: the clock, the step timeline of
// long-running work, and the keyed pager. It is the first part of the
// mock server's house (DESIGN.md, "The mock server's house"); the World
// with its one lock, the scheduler and the transitions' events are to
// come here next.
package core
