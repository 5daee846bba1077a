package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/platform"
)

// heartbeat is how often the relay writes a comment when nothing happens,
// so proxies and the browser see the connection alive.
const heartbeat = 15 * time.Second

// relayed is what the browser gets of one platform event.
type relayed struct {
	ID    string          `json:"id"`
	Type  string          `json:"type"`
	Topic string          `json:"topic,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
}

// events is GET /events?topics=agents,queues: the platform's event stream,
// read with the session's credentials and relayed to this browser as
// Server-Sent Events (event "change"). The first event, "ready", says the
// relay is live. When the platform's stream cannot be opened the answer is
// 503 and the page polls instead.
func (c *Console) events(w http.ResponseWriter, r *http.Request, s *session) {
	var filter platform.EventFilter
	for _, t := range strings.Split(r.URL.Query().Get("topics"), ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !platform.EventTopic(t).Valid() {
			http.Error(w, fmt.Sprintf("unknown topic %q", t), http.StatusBadRequest)
			return
		}
		filter.Topics = append(filter.Topics, platform.EventTopic(t))
	}
	rc := http.NewResponseController(w)
	stream, err := client(s).Platform.Events(r.Context(), filter)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, auth.ErrReauthRequired) || errors.Is(err, platform.ErrUnauthenticated) {
			status = http.StatusUnauthorized
		}
		c.cfg.log.Warn("console: the event stream did not open", "error", err.Error())
		http.Error(w, "the platform's event stream is not available", status)
		return
	}
	defer stream.Close()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\nevent: ready\ndata: {}\n\n")
	if rc.Flush() != nil {
		return
	}

	evs := make(chan platform.Event)
	done := make(chan error, 1)
	go func() {
		for ev, err := range stream.All() {
			if err != nil {
				done <- err
				return
			}
			select {
			case evs <- ev:
			case <-r.Context().Done():
				return
			}
		}
		done <- nil
	}()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case err := <-done:
			if err != nil && r.Context().Err() == nil {
				c.cfg.log.Warn("console: the event stream ended", "error", err.Error())
			}
			return // the browser reconnects (retry) or polls
		case ev := <-evs:
			b, _ := json.Marshal(relayed{ID: ev.ID, Type: ev.Type, Topic: string(ev.Topic), Data: ev.Data})
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", b)
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}
