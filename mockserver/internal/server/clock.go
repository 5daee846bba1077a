package server

import (
	"time"
)

// Epoch is where a frozen mock clock starts: 2026-01-02T10:00:00Z. It is a
// function so that no test can move every server's start.
func Epoch() time.Time { return time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC) }
