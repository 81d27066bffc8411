package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalRewrites runs eval with the corpus rewrites and the sensitivity.
func TestEvalRewrites(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "t.text")
	phrase := filepath.Join(dir, "t.phrase")
	os.WriteFile(text, []byte("START_OF_RECORD=1||||1||||\nSeen by Dr. Rakusin on 7/22, who was aware.\n||||END_OF_RECORD\n"), 0o644)
	os.WriteFile(phrase, []byte("1 1 12 19 HCPName Rakusin\n1 1 23 27 Date 7/22\n"), 0o644)
	noThroughput := func(s string) string { return s[:strings.Index(s, "throughput")] }
	t.Run("OK/Swap", func(t *testing.T) {
		code, out, errs := runIn(t, "", "eval", "--swap-seed", "3", "--physionet", text, phrase)
		if code != 0 || !strings.Contains(out, "seed 3") || !strings.Contains(out, "left after placeholders") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
		_, again, _ := runIn(t, "", "eval", "--swap-seed", "3", "--physionet", text, phrase)
		if noThroughput(out) != noThroughput(again) {
			t.Errorf("same seed, different reports:\n%s\n%s", out, again)
		}
	})
	t.Run("OK/SwapDict", func(t *testing.T) {
		code, out, errs := runIn(t, "", "eval", "--swap-seed", "2", "--swap-pool", "dict", "--physionet", text, phrase)
		if code != 0 || !strings.Contains(out, "seed 2, pool dict") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("OK/CaseHigh", func(t *testing.T) {
		code, out, errs := runIn(t, "", "eval", "--case", "upper", "--sensitivity", "high", "--physionet", text, phrase)
		if code != 0 || !strings.Contains(out, "case upper: the 1 mixed-case notes") || !strings.Contains(out, "sensitivity: high") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	for _, args := range [][]string{{"--case", "title"}, {"--sensitivity", "max"}, {"--swap-pool", "census"}} {
		t.Run("ErrUsage", func(t *testing.T) {
			if code, _, _ := runIn(t, "", append(append([]string{"eval"}, args...), "--physionet", text, phrase)...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		})
	}
}
