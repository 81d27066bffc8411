package main

import (
	"fmt"
	"os"

	"github.com/phigate/phigate/phi"
)

func main() {
	if os.Args[1] == "-cpu" {
		cpuBench(os.Args[2])
		return
	}
	b, _ := os.ReadFile(os.Args[1])
	fs, _ := phi.NewScanner().Detect(nil, b)
	for _, f := range fs {
		fmt.Printf("%d %d %s %s %.2f %q\n", f.Start, f.End, f.Category, f.Recognizer, f.Confidence, b[f.Start:f.End])
	}
}
