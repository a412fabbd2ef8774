#!/usr/bin/env python3
"""Widens a real node_exporter page into a realistic ~100 KB one of a larger server.

Usage: make_node_page.py INPUT OUTPUT [CPUS] [COPIES]

Every series with a `cpu` label is repeated for CPUS cpus (default 16), and every series with a
`device` label other than `lo` for COPIES devices of its kind (default 4: eth0 → eth0..eth3,
vda → vda..vdd, ...). Values are kept, so the page parses to the same kind of numbers.
Deterministic: the same input gives the same output.
"""
import re
import sys

source, target = sys.argv[1], sys.argv[2]
cpus = int(sys.argv[3]) if len(sys.argv) > 3 else 16
copies = int(sys.argv[4]) if len(sys.argv) > 4 else 4
cpu_label = re.compile(r'cpu="(\d+)"')
device_label = re.compile(r'device="([^"]*)"')


def device_names(name, count):
    match = re.match(r"^(.*?)(\d+)$", name)
    if match:
        return [f"{match.group(1)}{int(match.group(2)) + k}" for k in range(count)]
    if re.match(r"^[a-z]+$", name) and name[-1] < "w":
        return [name[:-1] + chr(ord(name[-1]) + k) for k in range(count)]
    return [name] + [f"{name}{k}" for k in range(1, count)]


out = []
with open(source) as handle:
    for line in handle:
        if line.startswith("#"):
            out.append(line)
            continue
        match = cpu_label.search(line)
        if match and match.group(1) == "0":
            out.extend(cpu_label.sub(f'cpu="{k}"', line) for k in range(cpus))
            continue
        if match:
            continue
        match = device_label.search(line)
        if match and match.group(1) != "lo":
            out.extend(line.replace(match.group(0), f'device="{name}"') for name in device_names(match.group(1), copies))
            continue
        out.append(line)
with open(target, "w") as handle:
    handle.writelines(out)
