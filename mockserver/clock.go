package mockserver

import (
	"sync"
	"time"
)

// Epoch is where a frozen mock clock starts.
var Epoch = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// clock is the server's one clock: frozen at a start time, or real time,
// plus an offset that Advance grows. State is brought up to its time when
// read, so no background ticker is needed.
type clock struct {
	mu     sync.Mutex
	real   func() time.Time // nil when frozen
	start  time.Time        // frozen start
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := c.start
	if c.real != nil {
		base = c.real()
	}
	return base.Add(c.offset).UTC()
}

// Advance moves the clock forward by d.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return c.Now()
}

func (c *clock) reset() {
	c.mu.Lock()
	c.offset = 0
	c.mu.Unlock()
}
