package audit

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/phigate/phigate"
)

// Syslog constants: facility 13 is "log audit" (RFC 5424 section 6.2.1);
// 32473 is the example enterprise number of RFC 5612.
const (
	SyslogFacility = 13
	SyslogAppName  = "phigate"
	SyslogSDID     = "phigate@32473"
)

// SyslogEncoder writes RFC 5424 messages, one per line. The structured
// data carries the event's fields; the message is the event as JSON.
type SyslogEncoder struct {
	Hostname string
}

// Encode implements Encoder.
func (s SyslogEncoder) Encode(w io.Writer, e *phigate.Event) error {
	b, err := s.Message(e)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

var sdValue = strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`)

// Message returns the RFC 5424 message of e, without framing.
func (s SyslogEncoder) Message(e *phigate.Event) ([]byte, error) {
	msg, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("<" + strconv.Itoa(SyslogFacility*8+severity(e)) + ">1 ")
	b.WriteString(e.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00") + " ")
	b.WriteString(header(s.Hostname, 255) + " " + SyslogAppName + " - " + header(e.Action, 32) + " ")
	b.WriteString("[" + SyslogSDID)
	params := []string{"seq", strconv.FormatInt(e.Seq, 10), "actor", e.Actor, "src", e.Source,
		"outcome", string(e.Outcome), "resource", e.Resource, "purpose", string(e.Purpose),
		"reason", e.Reason, "requestId", e.RequestID, "patients", strings.Join(e.Patients, ","),
		"breakGlass", strconv.FormatBool(e.BreakGlass)}
	for i := 0; i < len(params); i += 2 {
		if params[i+1] != "" {
			b.WriteString(" " + params[i] + `="` + sdValue.Replace(params[i+1]) + `"`)
		}
	}
	b.WriteString("] ")
	b.Write(msg)
	return []byte(b.String()), nil
}

// header makes s a syslog header field: printable US-ASCII without
// spaces, at most n octets, "-" when empty.
func header(s string, n int) string {
	out := []byte(s)
	for i, c := range out {
		if c < 33 || c > 126 {
			out[i] = '_'
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	if len(out) == 0 {
		return "-"
	}
	return string(out)
}
