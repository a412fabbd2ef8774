#!/usr/bin/env python3
"""Writes a realistic raw batch (DESIGN §4) for the processor benchmark.

Usage: make_batch.py OUTPUT [LINES] [--plain]
Deterministic: the same arguments always give the same bytes (seeded, fixed gzip mtime).
Twenty hosts, the four metrics, `mountpoint` labels for disk_usage, `device`/`direction`
labels for network_traffic, timestamps over three hours in several RFC 3339 spellings, and
about one invalid or blank line in a thousand.
"""

import gzip
import random
import sys

BASE = 1_795_000_000  # 2026-11-18T11:06:40Z
INVALID = [
    "not json at all",
    '{"metric":"cpu_utilization","timestamp":"2026-11-25T18:00:00Z","value":1,"unit":"Percent"}',
    '{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-02-30T00:00:00Z","value":1,"unit":"Percent"}',
    '{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-11-25T18:00:00Z","value":1e999,"unit":"Percent"}',
    '{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-11-25T18:00:00Z","value":"12","unit":"Percent"}',
    '{"metric":"disk_usage","host":"web-1","timestamp":"2026-11-25T18:00:00Z","value":3,"unit":"Percent","labels":null}',
    "",
    "   \r",
]


def stamp(seconds, nanos, style):
    days, sod = divmod(seconds, 86400)
    # civil_from_days
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    hms = "%02d:%02d:%02d" % (sod // 3600, sod // 60 % 60, sod % 60)
    date = "%04d-%02d-%02d" % (y, m, d)
    if style == 0:
        return "%sT%s.%03dZ" % (date, hms, nanos // 1_000_000)
    if style == 1:
        return "%sT%sZ" % (date, hms)
    if style == 2:
        return "%sT%s.%09dZ" % (date, hms, nanos)
    # +02:00 offset: same instant, local time two hours ahead
    return stamp(seconds + 7200, nanos, 0)[:-1] + "+02:00"


def main(argv):
    plain = "--plain" in argv
    args = [a for a in argv if a != "--plain"]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    output = args[0]
    count = int(args[1]) if len(args) > 1 else 1_000_000
    rng = random.Random(20261125)
    hosts = ["web-%d" % i for i in range(1, 11)] + ["db-%d" % i for i in range(1, 6)] + ["cache-%d" % i for i in range(1, 6)]
    mounts = ["/", "/var", "/home"]
    devices = ["eth0", "eth1"]
    lines = []
    for i in range(count):
        if rng.random() < 0.001:
            lines.append(INVALID[rng.randrange(len(INVALID))])
            continue
        host = hosts[rng.randrange(len(hosts))]
        which = rng.randrange(4)
        seconds = BASE + rng.randrange(3 * 3600)
        nanos = rng.randrange(1_000_000_000)
        ts = stamp(seconds, nanos, rng.randrange(8) % 4 if rng.random() < 0.1 else 0)
        if which == 0:
            line = '{"metric":"cpu_utilization","host":"%s","timestamp":"%s","value":%.2f,"unit":"Percent"}' % (
                host, ts, rng.uniform(0, 100))
        elif which == 1:
            line = '{"metric":"memory_usage","host":"%s","timestamp":"%s","value":%.3f,"unit":"Percent"}' % (
                host, ts, rng.uniform(10, 95))
        elif which == 2:
            line = ('{"metric":"disk_usage","host":"%s","timestamp":"%s","value":%.1f,"unit":"Percent",'
                    '"labels":{"mountpoint":"%s"}}') % (host, ts, rng.uniform(1, 99), mounts[rng.randrange(3)])
        else:
            line = ('{"metric":"network_traffic","host":"%s","timestamp":"%s","value":%d,"unit":"Bytes/Second",'
                    '"labels":{"device":"%s","direction":"%s"}}') % (
                host, ts, rng.randrange(10_000_000), devices[rng.randrange(2)], "rx" if rng.random() < 0.5 else "tx")
        lines.append(line)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if plain:
        with open(output, "wb") as f:
            f.write(data)
    else:
        with open(output, "wb") as f:
            f.write(gzip.compress(data, compresslevel=6, mtime=0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
