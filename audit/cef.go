package audit

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/phigate/phigate"
)

// CEFVersion is the product version written in CEF headers.
const CEFVersion = "1"

// CEFEncoder writes ArcSight Common Event Format lines.
type CEFEncoder struct {
	Hostname string
}

var (
	cefHeader = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "\n", " ", "\r", " ")
	cefValue  = strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\n", `\n`, "\r", `\r`)
)

// Encode implements Encoder.
func (c CEFEncoder) Encode(w io.Writer, e *phigate.Event) error {
	sev := map[int]int{1: 10, 3: 7, 4: 5, 6: 3}[severity(e)]
	head := fmt.Sprintf("CEF:0|phigate|phigate|%s|%s|%s|%d|", CEFVersion,
		cefHeader.Replace(e.Action), cefHeader.Replace(e.Action+" "+string(e.Outcome)), sev)
	ext := []string{
		"rt", millis(e.Time), "dvchost", c.Hostname, "suser", e.Actor, "src", e.Source,
		"act", e.Action, "outcome", string(e.Outcome), "reason", e.Reason,
		"cn1Label", "seq", "cn1", strconv.FormatInt(e.Seq, 10),
		"cs1Label", "resource", "cs1", e.Resource,
		"cs2Label", "purpose", "cs2", string(e.Purpose),
		"cs3Label", "requestId", "cs3", e.RequestID,
		"cs4Label", "patients", "cs4", strings.Join(e.Patients, ","),
		"cs5Label", "fields", "cs5", fieldList(e),
		"cs6Label", "breakGlass", "cs6", strconv.FormatBool(e.BreakGlass),
	}
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < len(ext); i += 2 {
		if ext[i+1] == "" || (strings.HasSuffix(ext[i], "Label") && ext[i+3] == "") {
			continue
		}
		if b.Len() > len(head) {
			b.WriteByte(' ')
		}
		b.WriteString(ext[i] + "=" + cefValue.Replace(ext[i+1]))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
