package platform

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"time"
)

// Limits of the event-stream parser: a hostile or broken server cannot make
// the client hold more than this.
const (
	maxSSELine  = 1 << 20 // one line of the stream
	maxSSEEvent = 4 << 20 // the data of one event
)

// errSSETooLarge ends a stream whose line or event exceeds the limits.
var errSSETooLarge = errors.New("an event of the stream is over 4 MiB (or a line over 1 MiB)")

// sseFrame is one event as the stream carries it (the text/event-stream
// format of the HTML standard, "Server-sent events").
type sseFrame struct {
	id   string // the last event id after this event: the position to resume from
	typ  string // "message" when the event names no type
	data []byte
}

// sseParser reads events from a text/event-stream body. It follows the
// standard's parsing rules: lines end with CRLF, LF or CR; a leading BOM is
// skipped; lines starting with ':' are comments; "field: value" loses one
// space after the colon; data lines join with LF; an event is dispatched by
// an empty line and only when it has data; id values holding NUL are
// ignored; retry takes only digits; unknown fields are ignored; an
// unfinished event at the end of the stream is dropped.
type sseParser struct {
	r      *bufio.Reader
	line   []byte
	skipLF bool // the last line ended with CR: a following LF belongs to it
	first  bool // no line read yet (a BOM may lead)

	lastID string // the last event id buffer, kept across events
	// dispatched is lastID as of the last empty line: the position to
	// resume from, even when that event had no data and was not delivered.
	dispatched string
	typ        []byte
	data       []byte
	hasData    bool

	retry    time.Duration // the last valid retry field; 0 when none
	comments int           // comment lines seen (heartbeats)
}

func newSSEParser(r io.Reader, lastID string) *sseParser {
	return &sseParser{r: bufio.NewReaderSize(r, 4096), first: true, lastID: lastID, dispatched: lastID}
}

// readLine returns the next line without its end. A line cut short by the
// end of the stream is an error (io.EOF or io.ErrUnexpectedEOF).
func (p *sseParser) readLine() ([]byte, error) {
	p.line = p.line[:0]
	for {
		b, err := p.r.ReadByte()
		if err != nil {
			if err == io.EOF && len(p.line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if p.skipLF {
			p.skipLF = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\n':
			return p.line, nil
		case '\r':
			p.skipLF = true
			return p.line, nil
		}
		if len(p.line) >= maxSSELine {
			return nil, errSSETooLarge
		}
		p.line = append(p.line, b)
	}
}

var bom = []byte("\xEF\xBB\xBF")

// next returns the next event of the stream, or the error that ended it.
func (p *sseParser) next() (sseFrame, error) {
	for {
		line, err := p.readLine()
		if err != nil {
			return sseFrame{}, err
		}
		if p.first {
			p.first = false
			line = bytes.TrimPrefix(line, bom)
		}
		if len(line) == 0 {
			p.dispatched = p.lastID
			if !p.hasData {
				p.typ = p.typ[:0]
				continue
			}
			f := sseFrame{id: p.lastID, typ: string(p.typ), data: bytes.TrimSuffix(p.data, []byte("\n"))}
			if f.typ == "" {
				f.typ = "message"
			}
			f.data = bytes.Clone(f.data)
			p.typ, p.data, p.hasData = p.typ[:0], p.data[:0], false
			return f, nil
		}
		if line[0] == ':' {
			p.comments++
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			p.typ = append(p.typ[:0], value...)
		case "data":
			if len(p.data)+len(value)+1 > maxSSEEvent {
				return sseFrame{}, errSSETooLarge
			}
			p.data = append(p.data, value...)
			p.data = append(p.data, '\n')
			p.hasData = true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				p.lastID = string(value)
			}
		case "retry":
			if ms, ok := digits(value); ok {
				p.retry = time.Duration(ms) * time.Millisecond
			}
		}
	}
}

// digits parses a non-empty run of ASCII digits (retry's only form),
// saturating at a day.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n > int64(24*time.Hour/time.Millisecond) {
		n = int64(24 * time.Hour / time.Millisecond)
	}
	return n, true
}
