#!/usr/bin/env python3
"""Times prometheus_client's text parser (text_string_to_metric_families) on one exposition page,
as a reference beside InfraMonitor's ExpositionParser.

Usage: prometheus_client_parse.py PAGE [ITERATIONS]

Prints one JSON line: bytes, samples, iterations, ns_per_page (wall clock), cpu_ns_per_page
(process CPU time), mb_per_s, ns_per_sample (both from the wall clock).
"""
import json
import sys
import time

from prometheus_client.parser import text_string_to_metric_families

page = open(sys.argv[1], encoding="utf-8").read()
iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 20
samples = sum(len(family.samples) for family in text_string_to_metric_families(page))
for _ in range(max(1, iterations // 10)):
    for family in text_string_to_metric_families(page):
        pass
cpu_start = time.process_time_ns()
start = time.perf_counter_ns()
for _ in range(iterations):
    for family in text_string_to_metric_families(page):
        pass
per_page = (time.perf_counter_ns() - start) / iterations
cpu_per_page = (time.process_time_ns() - cpu_start) / iterations
size = len(page.encode())
print(json.dumps({
    "parser": "prometheus_client.parser",
    "bytes": size,
    "samples": samples,
    "iterations": iterations,
    "ns_per_page": per_page,
    "cpu_ns_per_page": cpu_per_page,
    "mb_per_s": size / per_page * 1e3,
    "ns_per_sample": per_page / samples,
}))
