package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/phi/eval"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuBench scans the corpus n times and reports MB per CPU-second.
func cpuBench(path string) {
	f, _ := os.Open(path)
	recs, _ := eval.ParseText(f)
	sc := phi.NewScanner()
	sc.Open()
	var bytes int64
	pf, _ := os.Create("/tmp/cpu2.out")
	pprof.StartCPUProfile(pf)
	defer pprof.StopCPUProfile()
	c0, w0 := cpuTime(), time.Now()
	for r := 0; r < 5; r++ {
		for _, rec := range recs {
			sc.Detect(nil, rec.Text)
			bytes += int64(len(rec.Text))
		}
	}
	c, w := cpuTime()-c0, time.Since(w0)
	fmt.Printf("%d bytes: %.1f MB per CPU second, %.1f MB/s wall\n", bytes, float64(bytes)/c.Seconds()/1e6, float64(bytes)/w.Seconds()/1e6)
}
