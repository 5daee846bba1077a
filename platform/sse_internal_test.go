package platform

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

type frameView struct {
	ID, Type, Data string
}

// parseAll reads every event of a stream body.
func parseAll(body string, lastID string, r io.Reader) ([]frameView, *sseParser, error) {
	if r == nil {
		r = strings.NewReader(body)
	}
	p := newSSEParser(r, lastID)
	var out []frameView
	for {
		f, err := p.next()
		if err != nil {
			return out, p, err
		}
		out = append(out, frameView{f.id, f.typ, string(f.data)})
	}
}

func TestSSEParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       string
		lastID     string
		want       []frameView
		dispatched string
		retry      time.Duration
		comments   int
		err        error
	}{
		{name: "one event", body: "id: 1\nevent: agents.created\ndata: {}\n\n",
			want: []frameView{{"1", "agents.created", "{}"}}, dispatched: "1"},
		{name: "no type is message", body: "data: hi\n\n", want: []frameView{{"", "message", "hi"}}},
		{name: "multi-line data joins with LF", body: "data: a\ndata:b\ndata:  c\n\n",
			want: []frameView{{"", "message", "a\nb\n c"}}},
		{name: "empty data line counts", body: "data\n\n", want: []frameView{{"", "message", ""}}},
		{name: "CRLF and CR line ends", body: "id: 7\r\ndata: x\r\rdata: y\r\n\r\n",
			want: []frameView{{"7", "message", "x"}, {"7", "message", "y"}}, dispatched: "7"},
		{name: "comments and heartbeats are skipped", body: ": heartbeat\n\n:x\ndata: a\n\n: heartbeat\n\n",
			want: []frameView{{"", "message", "a"}}, comments: 3},
		{name: "BOM at the start", body: "\xEF\xBB\xBFdata: a\n\n", want: []frameView{{"", "message", "a"}}},
		{name: "BOM later is data", body: "data: a\n\ndata: \xEF\xBB\xBFb\n\n",
			want: []frameView{{"", "message", "a"}, {"", "message", "\xEF\xBB\xBFb"}}},
		{name: "id persists across events", body: "id: 3\ndata: a\n\ndata: b\n\n",
			want: []frameView{{"3", "message", "a"}, {"3", "message", "b"}}, dispatched: "3"},
		{name: "empty id resets", body: "id: 3\ndata: a\n\nid\ndata: b\n\n",
			want: []frameView{{"3", "message", "a"}, {"", "message", "b"}}},
		{name: "id with NUL is ignored", body: "id: 3\ndata: a\n\nid: 4\x005\ndata: b\n\n",
			want: []frameView{{"3", "message", "a"}, {"3", "message", "b"}}, dispatched: "3"},
		{name: "id-only event moves the position without a delivery", body: "id: 9\n\n",
			lastID: "2", dispatched: "9"},
		{name: "event type without data is dropped", body: "event: reset\n\ndata: a\n\n",
			want: []frameView{{"", "message", "a"}}},
		{name: "unfinished event is dropped", body: "id: 5\ndata: a\n", lastID: "4", dispatched: "4"},
		{name: "unfinished line is dropped", body: "data: a\n\ndata: b", want: []frameView{{"", "message", "a"}},
			err: io.ErrUnexpectedEOF},
		{name: "retry takes digits only", body: "retry: 1500\n\nretry: 2s\n\nretry: -1\n\n", retry: 1500 * time.Millisecond},
		{name: "unknown fields are ignored", body: "foo: bar\nDATA: x\ndata: y\n\n", want: []frameView{{"", "message", "y"}}},
		{name: "colon in value kept", body: "data: a: b\n\n", want: []frameView{{"", "message", "a: b"}}},
		{name: "only one space is stripped", body: "event:  x\ndata:a\n\n", want: []frameView{{"", " x", "a"}}},
		{name: "starting position", body: "data: a\n\n", lastID: "41", want: []frameView{{"41", "message", "a"}}, dispatched: "41"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantErr := tt.err
			if wantErr == nil {
				wantErr = io.EOF
			}
			for _, r := range []io.Reader{strings.NewReader(tt.body), iotest.OneByteReader(strings.NewReader(tt.body))} {
				got, p, err := parseAll(tt.body, tt.lastID, r)
				if !errors.Is(err, wantErr) {
					t.Errorf("error %v, want %v", err, wantErr)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
				if p.dispatched != tt.dispatched {
					t.Errorf("position %q, want %q", p.dispatched, tt.dispatched)
				}
				if p.retry != tt.retry {
					t.Errorf("retry %v, want %v", p.retry, tt.retry)
				}
				if p.comments != tt.comments {
					t.Errorf("comments %d, want %d", p.comments, tt.comments)
				}
			}
		})
	}
}

func TestSSELimits(t *testing.T) {
	t.Parallel()
	long := "data: " + strings.Repeat("x", maxSSELine) + "\n\n"
	if _, _, err := parseAll(long, "", nil); !errors.Is(err, errSSETooLarge) {
		t.Errorf("a line over the limit: %v", err)
	}
	big := strings.Repeat("data: "+strings.Repeat("x", 1<<19)+"\n", 9) + "\n"
	if _, _, err := parseAll(big, "", nil); !errors.Is(err, errSSETooLarge) {
		t.Errorf("an event over the limit: %v", err)
	}
}

func TestEventFromFrame(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 10, 0, 30, 0, time.UTC)
	tests := []struct {
		name string
		f    sseFrame
		want Event
	}{
		{"envelope", sseFrame{"12", "agents.status_changed", []byte(`{"time":"2026-01-02T10:00:30Z","data":{"agent_id":"wow-memory"}}`)},
			Event{ID: "12", Type: "agents.status_changed", Topic: TopicAgents, Time: at, Data: []byte(`{"agent_id":"wow-memory"}`)}},
		{"reset", sseFrame{"3", "reset", []byte(`{"time":"2026-01-02T10:00:30Z","data":{"reason":"x"}}`)},
			Event{ID: "3", Type: EventReset, Time: at, Data: []byte(`{"reason":"x"}`)}},
		{"plain JSON passes", sseFrame{"", "message", []byte(`{"a":1}`)}, Event{Type: "message", Data: []byte(`{"a":1}`)}},
		{"text passes", sseFrame{"", "x.y", []byte(`hello`)}, Event{Type: "x.y", Topic: "x", Data: []byte(`hello`)}},
		{"bad time passes whole", sseFrame{"", "a.b", []byte(`{"time":"soon","data":{}}`)},
			Event{Type: "a.b", Topic: "a", Data: []byte(`{"time":"soon","data":{}}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, eventFromFrame(tt.f)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzSSEParse: any stream parses without a panic, to events whose data
// stays within the limit, and reading a byte at a time changes nothing.
func FuzzSSEParse(f *testing.F) {
	for _, s := range []string{
		"id: 1\nevent: agents.created\ndata: {}\n\n",
		"\xEF\xBB\xBFdata: a\r\n\r\n: heartbeat\r\rretry: 10\n\n",
		"data: a\ndata\nid: 4\x00\n\nevent\n\n",
		"id: 9\n\ndata: {\"time\":\"2026-01-02T10:00:30Z\",\"data\":1}\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		whole, p1, err1 := parseAll(body, "0", nil)
		bytewise, p2, err2 := parseAll(body, "0", iotest.OneByteReader(strings.NewReader(body)))
		if err1 == nil || err2 == nil {
			t.Fatal("a parse ended without an error")
		}
		if !cmp.Equal(whole, bytewise) || p1.dispatched != p2.dispatched || p1.retry != p2.retry {
			t.Fatalf("reading a byte at a time differs:\n%v\n%v", whole, bytewise)
		}
		for _, ev := range whole {
			if len(ev.Data) > maxSSEEvent {
				t.Fatalf("event data of %d bytes", len(ev.Data))
			}
			e := eventFromFrame(sseFrame{ev.ID, ev.Type, []byte(ev.Data)})
			var v any
			_ = e.Decode(&v)
		}
	})
}
