package platform

import "time"

// Clock tells the time. The client, the token sources of package auth and
// the mock server read time only through a Clock, so tests can control it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
