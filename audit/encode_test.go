package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/leodido/go-syslog/v4/rfc5424"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

func tricky() *phigate.Event {
	return &phigate.Event{Seq: 7, Time: t0, Actor: `u|1=x\y`, Source: "10.0.0.9", Action: "ai.chat",
		Resource: "vendor:openai", Outcome: phigate.OutcomeDenied, Reason: "policy", RequestID: "r]\"1",
		Patients: []string{"hA", "hB"}, BreakGlass: true, Fields: map[string]string{"model": "m\nx"}}
}

func TestSyslogEncoder(t *testing.T) {
	msg, err := audit.SyslogEncoder{Hostname: "node 1"}.Message(tricky())
	if err != nil {
		t.Fatal(err)
	}
	m, err := rfc5424.NewParser().Parse(msg)
	if err != nil {
		t.Fatalf("%s: %v", msg, err)
	}
	sm := m.(*rfc5424.SyslogMessage)
	sd := (*sm.StructuredData)[audit.SyslogSDID]
	switch {
	case *sm.Facility != audit.SyslogFacility || *sm.Severity != 1:
		t.Errorf("facility %d severity %d", *sm.Facility, *sm.Severity)
	case *sm.Hostname != "node_1" || *sm.Appname != "phigate" || *sm.MsgID != "ai.chat":
		t.Errorf("header %s %s %s", *sm.Hostname, *sm.Appname, *sm.MsgID)
	case !sm.Timestamp.Equal(t0):
		t.Errorf("time %v", sm.Timestamp)
	case sd["seq"] != "7" || sd["requestId"] != `r]"1` || sd["patients"] != "hA,hB" || sd["actor"] != `u|1=x\y`:
		t.Errorf("structured data %v", sd)
	}
	var back phigate.Event
	if err := json.Unmarshal([]byte(*sm.Message), &back); err != nil || back.Fields["model"] != "m\nx" {
		t.Errorf("message %q: %v", *sm.Message, err)
	}
}

func TestCEFEncoder(t *testing.T) {
	var b bytes.Buffer
	if err := (audit.CEFEncoder{Hostname: "n1"}).Encode(&b, tricky()); err != nil {
		t.Fatal(err)
	}
	line := b.String()
	for _, want := range []string{"CEF:0|phigate|phigate|1|ai.chat|ai.chat denied|10|", `suser=u|1\=x\\y`,
		"cn1=7", `cs5=model\=m\nx`, "rt=1740819600000", "cs4=hA,hB"} {
		if !strings.Contains(line, want) {
			t.Errorf("missing %q in %s", want, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Error("a CEF event spans lines")
	}
}

func TestExport(t *testing.T) {
	r, _ := MustReader(t)
	MustRecord(t, r.Log.(*audit.Log), 12)
	for _, format := range []string{audit.FormatJSONL, audit.FormatCEF, audit.FormatSyslog} {
		t.Run(format, func(t *testing.T) {
			enc, err := audit.NewEncoder(format, "n1")
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			n, err := r.Export(context.Background(), auditor, &b, enc, phigate.AuditQuery{Action: "patient.read"})
			if err != nil || n != 12 || strings.Count(b.String(), "\n") != 12 {
				t.Fatalf("n=%d err=%v", n, err)
			}
		})
	}
	t.Run("ErrFormat", func(t *testing.T) {
		if _, err := audit.NewEncoder("xml", ""); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatal(err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := r.Export(context.Background(), clinician, &bytes.Buffer{}, audit.JSONEncoder{}, phigate.AuditQuery{})
		if phigate.ErrorCode(err) != phigate.EFORBIDDEN {
			t.Fatal(err)
		}
	})
}
