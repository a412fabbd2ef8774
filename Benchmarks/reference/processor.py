#!/usr/bin/env python3
"""Reference log-processor of DESIGN §4-§5 in plain Python 3 (stdlib gzip + json only).

Written the way the seed's Python Lambda would be: read the (gzip) JSON Lines batch line by
line, json.loads each line, validate it, aggregate per series, then print one record per series
as JSON Lines sorted by (metric_id, timestamp, metric, host, labels, file order).

Usage: processor.py [--key KEY] [--quarantine PATH] FILE...
  --key KEY          the `source` of the records (default: the file path as given)
  --quarantine PATH  write {"line":N,"reason":"..."} for each invalid line to PATH
On stderr: lines=N invalid=N records=N (summed over the files).
"""

import gzip
import json
import math
import re
import sys

TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))\Z",
    re.ASCII,
)
MIN_SECONDS = -62135596800  # 0001-01-01T00:00:00Z
MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z
NS = 1_000_000_000
RETENTION_SECONDS = 90 * 86400
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def days_in_month(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def parse_timestamp(text):
    """Nanoseconds since the epoch, or None when not a DESIGN §4 timestamp."""
    match = TIMESTAMP.match(text)
    if not match:
        return None
    y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    if not (1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo) and h <= 23 and mi <= 59 and s <= 59):
        return None
    offset = 0
    if match.group(9):
        oh, om = int(match.group(10)), int(match.group(11))
        if oh > 23 or om > 59:
            return None
        offset = (oh * 3600 + om * 60) * (1 if match.group(9) == "+" else -1)
    seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
    if not (MIN_SECONDS <= seconds <= MAX_SECONDS):
        return None
    return seconds * NS + int(fraction.ljust(9, "0") or "0")


def format_timestamp_ms(ns):
    ms = ns // 1_000_000
    seconds, millis = divmod(ms, 1000)
    days, second_of_day = divmod(seconds, 86400)
    y, m, d = civil_from_days(days)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        y, m, d, second_of_day // 3600, second_of_day // 60 % 60, second_of_day % 60, millis)


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def has_lone_surrogate(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def required_string(obj, name, non_empty):
    if name not in obj:
        return None, 'missing field "%s"' % name
    value = obj[name]
    if not isinstance(value, str):
        return None, 'field "%s" is not a string' % name
    if non_empty and value == "":
        return None, 'field "%s" is empty' % name
    return value, None


def check_line(line):
    """(sample, None) for a valid line, (None, reason) for an invalid one."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not valid UTF-8"
    try:
        obj = json.loads(text, parse_constant=reject_constant, parse_int=float)
    except (ValueError, RecursionError):
        return None, "not valid JSON"
    if not isinstance(obj, dict):
        return None, "not a JSON object"
    if SURROGATE_ESCAPE.search(text) and has_lone_surrogate(obj):
        return None, "not valid JSON: lone surrogate escape"
    metric, reason = required_string(obj, "metric", True)
    if reason:
        return None, reason
    host, reason = required_string(obj, "host", True)
    if reason:
        return None, reason
    stamp, reason = required_string(obj, "timestamp", False)
    if reason:
        return None, reason
    ns = parse_timestamp(stamp)
    if ns is None:
        return None, "bad timestamp %s" % json.dumps(stamp, ensure_ascii=False)
    if "value" not in obj:
        return None, 'missing field "value"'
    value = obj["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, 'field "value" is not a number'
    value = float(value)
    if not math.isfinite(value):
        return None, "value is not a finite number"
    unit, reason = required_string(obj, "unit", False)
    if reason:
        return None, reason
    labels = obj.get("labels", {}) if "labels" in obj else {}
    if not isinstance(labels, dict):
        return None, 'field "labels" is not an object'
    for key, label_value in labels.items():
        if not isinstance(label_value, str):
            return None, 'label %s is not a string' % json.dumps(key, ensure_ascii=False)
    reason = storage_problem(metric, host, value, unit, labels)
    if reason:
        return None, reason
    return (metric, host, ns, value, unit, labels), None


def dimension_problem(text, maximum, name):
    """Why CloudWatch refuses `text` as a dimension name or value (Dimension, API Reference)."""
    data = text.encode("utf-8")
    if name and data.startswith(b":"):
        return "starts with a colon"
    if not data:
        return "is empty"
    if len(data) > maximum:
        return "is longer than %d characters" % maximum
    if any(b >= 0x80 for b in data):
        return "has a non-ASCII character"
    if any(b < 0x20 or b == 0x7F for b in data):
        return "has a control character"
    if all(b == 0x20 for b in data):
        return "is only whitespace"
    return None


def storage_problem(metric, host, value, unit, labels):
    """The limits of DynamoDB and CloudWatch (Sources/InfraMonitorCore/StorageLimits.swift)."""
    magnitude = abs(value)
    if magnitude >= 1e126 or (magnitude != 0 and magnitude < 1e-130):
        return "value outside DynamoDB's number range"
    if magnitude > 2.0 ** 360:
        return "value outside CloudWatch's range"
    if len(metric) > 255:
        return "metric name longer than 255 characters"
    if dimension_problem(host, 1024, False):
        return "host is not a CloudWatch dimension value"
    if len(labels) > 29:
        return "more than 29 labels"
    id_length = len(metric.encode("utf-8")) + 1 + len(host.encode("utf-8"))
    for key in sorted(labels, key=lambda k: k.encode("utf-8")):
        if dimension_problem(key, 255, True):
            return "label name is not a CloudWatch dimension name"
        if key == "host":
            return 'label "host" repeats the host dimension'
        if dimension_problem(labels[key], 1024, False):
            return "label is not a CloudWatch dimension value"
        id_length += 2 + len(key.encode("utf-8")) + len(labels[key].encode("utf-8"))
    if id_length > 2048:
        return "metric_id longer than 2048 bytes"
    if len(unit.encode("utf-8")) > 1024:
        return "unit longer than 1024 bytes"
    return None


def open_batch(path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def process(path, key, quarantine):
    series = {}
    lines = invalid = 0
    with open_batch(path) as stream:
        for number, raw in enumerate(stream, 1):
            line = raw[:-1] if raw.endswith(b"\n") else raw
            if not line.strip(b" \t\r"):
                continue
            lines += 1
            sample, reason = check_line(line)
            if reason:
                invalid += 1
                if quarantine:
                    quarantine.write(json.dumps({"line": number, "reason": reason}, ensure_ascii=False) + "\n")
                continue
            metric, host, ns, value, unit, labels = sample
            series_key = (metric, host, tuple(sorted(labels.items())))
            s = series.get(series_key)
            if s is None:
                series[series_key] = [unit, 1, value, value, value, ns, ns, value]
                continue
            s[1] += 1
            s[2] += value
            if value < s[3]:
                s[3] = value
            if value > s[4]:
                s[4] = value
            if ns < s[5]:
                s[5] = ns
            if ns >= s[6]:
                s[6] = ns
                s[7] = value
    records = []
    for (metric, host, label_items), (unit, count, total, low, high, earliest, _, last) in series.items():
        metric_id = metric + "#" + host
        if label_items:
            metric_id += "#" + ",".join("%s=%s" % item for item in label_items)
        floored = earliest // 1_000_000 * 1_000_000
        records.append({
            "metric_id": metric_id,
            "timestamp": format_timestamp_ms(floored),
            "metric": metric,
            "host": host,
            "labels": dict(label_items),
            "unit": unit,
            "count": count,
            "sum": total,
            "min": low,
            "max": high,
            "mean": total / count,
            "last": last,
            "source": key,
            "expires_at": floored // NS + RETENTION_SECONDS,
        })
    return records, lines, invalid


def main(argv):
    key = None
    quarantine_path = None
    files = []
    args = iter(argv)
    for arg in args:
        if arg == "--key":
            key = next(args)
        elif arg == "--quarantine":
            quarantine_path = next(args)
        else:
            files.append(arg)
    if not files:
        sys.stderr.write(__doc__)
        return 2
    quarantine = open(quarantine_path, "w", encoding="utf-8") if quarantine_path else None
    tagged = []
    totals = [0, 0]
    for file_index, path in enumerate(files):
        records, lines, invalid = process(path, key if key is not None else path, quarantine)
        totals[0] += lines
        totals[1] += invalid
        tagged.extend((r, file_index) for r in records)
    if quarantine:
        quarantine.close()
    tagged.sort(key=lambda item: (item[0]["metric_id"], item[0]["timestamp"], item[0]["metric"], item[0]["host"],
                                  sorted(item[0]["labels"].items()), item[1]))
    out = sys.stdout
    for record, _ in tagged:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stderr.write("lines=%d invalid=%d records=%d\n" % (totals[0], totals[1], len(tagged)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
