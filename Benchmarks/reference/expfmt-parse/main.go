// Command expfmt-parse times github.com/prometheus/common/expfmt's TextParser (the parser
// Telegraf and node_exporter's textfile collector use) on one exposition page, as the reference
// beside InfraMonitor's ExpositionParser.
//
// Usage: expfmt-parse PAGE [ITERATIONS]
//
// Prints one JSON line: bytes, samples, iterations, ns_per_page (wall clock), cpu_ns_per_page
// (user + system CPU of the process, garbage collector included), mb_per_s, ns_per_sample
// (both from the wall clock).
//
// Build offline on Debian (golang-go, golang-github-prometheus-common-dev):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o /tmp/expfmt-parse .
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/common/expfmt"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: expfmt-parse PAGE [ITERATIONS]")
		os.Exit(2)
	}
	page, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	iterations := 200
	if len(os.Args) > 2 {
		if iterations, err = strconv.Atoi(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	samples := 0
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(page))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, family := range families {
		for _, metric := range family.Metric {
			switch {
			case metric.Histogram != nil:
				samples += len(metric.Histogram.Bucket) + 2
			case metric.Summary != nil:
				samples += len(metric.Summary.Quantile) + 2
			default:
				samples++
			}
		}
	}
	// Warm up, then time.
	for i := 0; i < iterations/10+1; i++ {
		var p expfmt.TextParser
		if _, err := p.TextToMetricFamilies(bytes.NewReader(page)); err != nil {
			panic(err)
		}
	}
	cpuStart := cpuNanoseconds()
	start := time.Now()
	for i := 0; i < iterations; i++ {
		var p expfmt.TextParser
		if _, err := p.TextToMetricFamilies(bytes.NewReader(page)); err != nil {
			panic(err)
		}
	}
	elapsed := time.Since(start)
	cpu := cpuNanoseconds() - cpuStart
	perPage := float64(elapsed.Nanoseconds()) / float64(iterations)
	out, _ := json.Marshal(map[string]any{
		"parser":          "expfmt.TextParser",
		"bytes":           len(page),
		"samples":         samples,
		"iterations":      iterations,
		"ns_per_page":     perPage,
		"cpu_ns_per_page": float64(cpu) / float64(iterations),
		"mb_per_s":        float64(len(page)) / perPage * 1e3,
		"ns_per_sample":   perPage / float64(samples),
	})
	fmt.Println(string(out))
}

// cpuNanoseconds is the user and system CPU time of this process so far.
func cpuNanoseconds() int64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return usage.Utime.Nano() + usage.Stime.Nano()
}
