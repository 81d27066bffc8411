package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Export formats.
const (
	FormatJSONL  = "jsonl"
	FormatCEF    = "cef"
	FormatSyslog = "syslog"
)

// ActionExport is the action of the event that records an export.
const ActionExport = "audit.export"

// Encoder writes events in a SIEM format, one per line.
type Encoder interface {
	Encode(w io.Writer, e *phigate.Event) error
}

// NewEncoder returns the encoder of a format; hostname names this node in
// syslog and CEF output. Codes: EINVALID (unknown format).
func NewEncoder(format, hostname string) (Encoder, error) {
	switch format {
	case FormatJSONL:
		return JSONEncoder{}, nil
	case FormatCEF:
		return CEFEncoder{Hostname: hostname}, nil
	case FormatSyslog:
		return SyslogEncoder{Hostname: hostname}, nil
	}
	return nil, phigate.Errorf(phigate.EINVALID, "audit.NewEncoder", "unknown format (jsonl, cef, syslog)")
}

// JSONEncoder writes JSON lines.
type JSONEncoder struct{}

// Encode implements Encoder.
func (JSONEncoder) Encode(w io.Writer, e *phigate.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Export writes every event matching q (its time range and filters) with
// enc, after authorising and recording the export. It returns the number
// of events written. Codes: EFORBIDDEN, EINVALID, EAUDIT.
func (r *Reader) Export(ctx context.Context, c Caller, w io.Writer, enc Encoder, q phigate.AuditQuery) (int, error) {
	q.Limit = MaxPageSize
	if err := checkQuery(&q); err != nil {
		return 0, err
	}
	if err := r.authorize(ctx, c, ActionExport, q); err != nil {
		return 0, err
	}
	n := 0
	for {
		p, err := r.page(ctx, q)
		if err != nil {
			return n, err
		}
		for _, e := range p.Events {
			if err := enc.Encode(w, e); err != nil {
				return n, fmt.Errorf("write export: %w", err)
			}
			n++
		}
		if p.Next == 0 {
			return n, nil
		}
		q.After = p.Next
	}
}

// severity is the syslog severity of an event: break glass is an alert,
// failures errors, denials warnings, the rest informational.
func severity(e *phigate.Event) int {
	switch {
	case e.BreakGlass:
		return 1
	case e.Outcome == phigate.OutcomeFailure:
		return 3
	case e.Outcome == phigate.OutcomeDenied:
		return 4
	}
	return 6
}

func fieldList(e *phigate.Event) string {
	var b strings.Builder
	for i, k := range sortedKeys(e.Fields) {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(k + "=" + e.Fields[k])
	}
	return b.String()
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
