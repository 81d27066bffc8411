package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
)

// DetectCommand prints the PHI found in files or stdin: one JSON object
// per finding and line, or the text with findings highlighted.
type DetectCommand struct {
	m           *Main
	format      string
	sensitivity phi.Sensitivity
	files       []string
}

// ParseFlags reads --format, --sensitivity and the file names.
func (c *DetectCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("detect", "detect [--format jsonl|text] [--sensitivity default|high] [FILE…]\n\n"+
		"Finds PHI in each FILE (stdin when none). jsonl prints one object per finding with\n"+
		"file, start, end (byte offsets), category, confidence, recognizer and year_only;\n"+
		"text prints the input with findings highlighted. --sensitivity high shows what the\n"+
		"gateway masks for a vendor without a BAA.")
	fs.StringVar(&c.format, "format", "jsonl", "output format: jsonl or text")
	sens := fs.String("sensitivity", "default", "scanner sensitivity: default or high")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.format != "jsonl" && c.format != "text" {
		return fmt.Errorf("--format must be jsonl or text")
	}
	var err error
	if c.sensitivity, err = phi.ParseSensitivity(*sens); err != nil {
		return fmt.Errorf("--sensitivity must be default or high")
	}
	c.files = fs.Args()
	return nil
}

// detectLine is one line of jsonl output. It never holds the text found.
type detectLine struct {
	File       string           `json:"file"`
	Start      int              `json:"start"`
	End        int              `json:"end"`
	Category   phigate.Category `json:"category"`
	Confidence float32          `json:"confidence"`
	Recognizer string           `json:"recognizer"`
	YearOnly   bool             `json:"year_only,omitempty"`
}

// Run scans every input; a file that cannot be scanned is reported and
// the others still are. It fails if any file failed.
func (c *DetectCommand) Run(ctx context.Context) error {
	sc := phi.NewScanner()
	sc.Sensitivity = c.sensitivity
	if err := sc.Open(); err != nil {
		return err
	}
	out := bufio.NewWriter(c.m.Stdout)
	defer out.Flush()
	if len(c.files) == 0 {
		return c.scan(sc, out, "-", c.m.Stdin)
	}
	failed := 0
	for _, name := range c.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.scanFile(sc, out, name); err != nil {
			failed++
			out.Flush()
			fmt.Fprintf(c.m.Stderr, "phigate detect: %s: %s\n", name, userMessage(err))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, len(c.files))
	}
	return nil
}

func (c *DetectCommand) scanFile(sc *phi.Scanner, out *bufio.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("open: %w", errors.Unwrap(err))
	}
	defer f.Close()
	return c.scan(sc, out, name, f)
}

// scan streams r through the scanner with bounded memory.
func (c *DetectCommand) scan(sc *phi.Scanner, out *bufio.Writer, name string, r io.Reader) error {
	enc := json.NewEncoder(out)
	color := c.format == "text" && isTerminal(c.m.Stdout)
	return sc.ScanReader(r, func(seg phi.Segment) error {
		if err := checkText(seg); err != nil {
			return err
		}
		if c.format == "text" {
			return writeHighlighted(out, seg, color)
		}
		for _, f := range seg.Findings {
			l := detectLine{File: name, Start: f.Start, End: f.End, Category: f.Category,
				Confidence: f.Confidence, Recognizer: f.Recognizer, YearOnly: f.YearOnly}
			if err := enc.Encode(l); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		return nil
	})
}

// checkText refuses binary input: NUL bytes or invalid UTF-8.
func checkText(seg phi.Segment) error {
	for i, b := range seg.Text {
		if b == 0 {
			return phigate.Errorf(phigate.EINVALID, "detect", "NUL byte at offset %d: binary input", seg.Offset+int64(i))
		}
	}
	if !validUTF8(seg.Text) {
		return phigate.Errorf(phigate.EINVALID, "detect", "invalid UTF-8 near offset %d", seg.Offset)
	}
	return nil
}

// writeHighlighted prints a segment with its findings marked: reverse
// video and the category on a terminal, "[[text]]{CATEGORY}" otherwise.
func writeHighlighted(w io.Writer, seg phi.Segment, color bool) error {
	last := 0
	for _, f := range seg.Findings {
		s, e := f.Start-int(seg.Offset), f.End-int(seg.Offset)
		w.Write(seg.Text[last:s])
		if color {
			fmt.Fprintf(w, "\x1b[7m%s\x1b[0m\x1b[2m[%s]\x1b[0m", seg.Text[s:e], f.Category)
		} else {
			fmt.Fprintf(w, "[[%s]]{%s}", seg.Text[s:e], f.Category)
		}
		last = e
	}
	_, err := w.Write(seg.Text[last:])
	return err
}
