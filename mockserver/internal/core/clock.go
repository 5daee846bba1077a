package core

import (
	"sync/atomic"
	"time"
)

// Clock is the server's one clock: frozen at a start time, or real time,
// plus an offset that Advance grows. State is brought up to its time when
// read, so no background ticker is needed. Start and Real are set before
// the server serves; the offset is atomic, so reading the clock on every
// request takes no lock.
type Clock struct {
	Real   func() time.Time // nil when frozen
	Start  time.Time        // frozen start
	offset atomic.Int64     // nanoseconds added by Advance
}

// Now is the clock's time, in UTC.
func (c *Clock) Now() time.Time {
	base := c.Start
	if c.Real != nil {
		base = c.Real()
	}
	return base.Add(time.Duration(c.offset.Load())).UTC()
}

// MaxTime is as far as the clock goes: times past it have no RFC 3339 form.
var MaxTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Advance moves the clock forward by d. It never moves backwards, and
// never past the year 9999 (it stays put then).
func (c *Clock) Advance(d time.Duration) time.Time {
	if d > 0 && c.Now().Add(d).Before(MaxTime) {
		c.offset.Add(int64(d))
	}
	return c.Now()
}

// Reset takes back every Advance.
func (c *Clock) Reset() { c.offset.Store(0) }

// Epoch is where a frozen mock clock starts: 2026-01-02T10:00:00Z. It is a
// function so that no test can move every server's start.
func Epoch() time.Time { return time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC) }
