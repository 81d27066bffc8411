package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runIn runs the CLI in-process with stdin and returns code, stdout, stderr.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return m.Run(ctx, args), out.String(), errb.String()
}

const note = "Seen by Dr. Rakusin on 7/22/2023; call daughter Suzette at 410-555-1212.\n"

func TestDetect(t *testing.T) {
	t.Run("OK/jsonl", func(t *testing.T) {
		code, out, errs := runIn(t, note, "detect")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var cats []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var l struct {
				File       string  `json:"file"`
				Start      int     `json:"start"`
				End        int     `json:"end"`
				Category   string  `json:"category"`
				Confidence float64 `json:"confidence"`
			}
			if err := json.Unmarshal([]byte(line), &l); err != nil || l.File != "-" || l.Confidence <= 0 {
				t.Fatalf("bad line %q: %v", line, err)
			}
			cats = append(cats, l.Category)
		}
		if strings.Join(cats, ",") != "NAME,DATE,NAME,PHONE" {
			t.Errorf("categories %v", cats)
		}
		if strings.Contains(out, "Rakusin") {
			t.Error("jsonl output holds PHI text")
		}
	})
	t.Run("OK/text", func(t *testing.T) {
		_, out, _ := runIn(t, note, "detect", "--format", "text")
		if !strings.Contains(out, "[[Rakusin]]{NAME}") || !strings.Contains(out, "[[410-555-1212]]{PHONE}") {
			t.Errorf("text output: %q", out)
		}
	})
	t.Run("ErrBinaryFile", func(t *testing.T) {
		dir := t.TempDir()
		good, bin := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.bin")
		os.WriteFile(good, []byte(note), 0o644)
		os.WriteFile(bin, []byte("x\x00y"), 0o644)
		code, out, errs := runIn(t, "", "detect", bin, good)
		if code != 1 || !strings.Contains(errs, "binary") || !strings.Contains(out, `"file":"`+good) {
			t.Errorf("exit %d, stderr %q, stdout %q", code, errs, out)
		}
	})
	t.Run("OK/sensitivity", func(t *testing.T) {
		// A geographic feature named alone is masked only for vendors
		// without a BAA (high sensitivity).
		in := "Daughter is down at the cape this week.\n"
		_, def, _ := runIn(t, in, "detect", "--format", "text")
		code, high, errs := runIn(t, in, "detect", "--format", "text", "--sensitivity", "high")
		if code != 0 || strings.Contains(def, "[[cape]]") || !strings.Contains(high, "[[cape]]{LOCATION}") {
			t.Errorf("exit %d %s\ndefault: %q\nhigh: %q", code, errs, def, high)
		}
	})
	t.Run("ErrFormat", func(t *testing.T) {
		if code, _, _ := runIn(t, "", "detect", "--format", "xml"); code != 2 {
			t.Errorf("exit %d", code)
		}
		if code, _, _ := runIn(t, "", "detect", "--sensitivity", "max"); code != 2 {
			t.Errorf("--sensitivity max: exit %d", code)
		}
	})
}

func TestDeid(t *testing.T) {
	t.Run("OK/stdin", func(t *testing.T) {
		code, out, errs := runIn(t, note, "deid")
		if code != 0 || out != "Seen by Dr. [NAME] on [DATE]; call daughter [NAME] at [PHONE].\n" {
			t.Fatalf("exit %d %q %s", code, out, errs)
		}
		if !strings.Contains(errs, "NAME=2") {
			t.Errorf("summary: %s", errs)
		}
	})
	t.Run("OK/seed", func(t *testing.T) {
		seed := filepath.Join(t.TempDir(), "seed")
		os.WriteFile(seed, []byte("secret seed"), 0o600)
		_, a, _ := runIn(t, note, "deid", "--method", "surrogate", "--seed-file", seed)
		_, b, _ := runIn(t, note, "deid", "--method", "surrogate", "--seed-file", seed)
		if a != b || strings.Contains(a, "Rakusin") || strings.Contains(a, "410-555-1212") {
			t.Errorf("surrogates not reproducible or not replaced: %q %q", a, b)
		}
	})
	t.Run("OK/folder", func(t *testing.T) {
		dir := t.TempDir()
		in, outDir := filepath.Join(dir, "in"), filepath.Join(dir, "out")
		os.MkdirAll(filepath.Join(in, "sub"), 0o755)
		os.WriteFile(filepath.Join(in, "sub", "n.txt"), []byte(note), 0o644)
		os.WriteFile(filepath.Join(in, "bad.bin"), []byte("\x00\x01"), 0o644)
		code, _, errs := runIn(t, "", "deid", "--method", "redact", "-o", outDir, in)
		if code != 1 || !strings.Contains(errs, "1 of 2 files failed") {
			t.Fatalf("exit %d: %s", code, errs)
		}
		got, err := os.ReadFile(filepath.Join(outDir, "sub", "n.txt"))
		if err != nil || strings.Contains(string(got), "Rakusin") {
			t.Errorf("output %q %v", got, err)
		}
		if _, err := os.Stat(filepath.Join(outDir, "bad.bin")); err == nil {
			t.Error("failed file written")
		}
	})
	t.Run("ErrMethod", func(t *testing.T) {
		if code, _, _ := runIn(t, note, "deid", "--method", "rot13"); code != 2 {
			t.Errorf("exit %d", code)
		}
	})
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "t.text")
	phrase := filepath.Join(dir, "t.phrase")
	os.WriteFile(text, []byte("START_OF_RECORD=1||||1||||\nSeen by Dr. Rakusin on 7/22.\n||||END_OF_RECORD\n"), 0o644)
	os.WriteFile(phrase, []byte("1 1 12 19 HCPName Rakusin\n1 1 23 27 Date 7/22\n"), 0o644)
	code, out, errs := runIn(t, "", "eval", "--physionet", text, phrase)
	if code != 0 || !strings.Contains(out, "Safe Harbor") || !strings.Contains(out, "throughput") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if code, _, _ := runIn(t, "", "eval", text); code != 2 {
		t.Errorf("missing --physionet: exit %d", code)
	}
}
