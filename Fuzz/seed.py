"""Writes a seed corpus for one fuzz target from the StateMachine test fixtures.

Usage: python3 Fuzz/seed.py definition|jsonpath|json|exposition|jsonata-parser|jsonata-evaluator OUTPUT_DIR

For exposition, the seeds are the Collectors exposition fixtures (and each malformed case), as
text format (first byte 0) and as OpenMetrics (first byte 1).
"""
import json
import pathlib
import sys

target, output = sys.argv[1], pathlib.Path(sys.argv[2])
output.mkdir(parents=True, exist_ok=True)
fixtures = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "StateMachineTests" / "Fixtures"
seeds = set()

if target == "exposition":
    collectors = fixtures.parent.parent / "CollectorsTests" / "Fixtures"
    pages = [f.read_bytes() for f in sorted(collectors.glob("*.prom")) + sorted(collectors.glob("exposition_*.txt"))]
    for case in (collectors / "exposition_malformed.txt").read_bytes().split(b"\n--- ")[1:]:
        pages.append(case.split(b"\n", 1)[-1])
    for index, page in enumerate(pages):
        for format_byte in (b"\x00", b"\x01"):
            (output / f"seed-{index:04d}-{format_byte[0]}").write_bytes(format_byte + page)
    print(f"{2 * len(pages)} seeds for {target} in {output}")
    sys.exit(0)


def strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


if target.startswith("jsonata"):
    # The expressions of the JSONata fixtures and of the {% %} strings in the conformance fixtures.
    fixtures = fixtures.parent.parent
for file in sorted(fixtures.rglob("*.json")):
    text = file.read_text()
    try:
        document = json.loads(text)
    except ValueError:
        continue
    if target == "json":
        seeds.add(text)
    elif target == "definition":
        cases = document if isinstance(document, list) else [document]
        for case in cases:
            if isinstance(case, dict) and isinstance(case.get("definition"), (dict, str)):
                definition = case["definition"]
                seeds.add(definition if isinstance(definition, str) else json.dumps(definition))
            elif isinstance(case, dict) and "StartAt" in case:
                seeds.add(json.dumps(case))
    elif target.startswith("jsonata"):
        if isinstance(document, dict) and isinstance(document.get("cases"), list):
            seeds.update(case["expr"] for case in document["cases"] if isinstance(case, dict) and isinstance(case.get("expr"), str))
        seeds.update(s[2:-2] for s in strings(document) if s.startswith("{%") and s.endswith("%}"))
    else:
        seeds.update(s for s in strings(document) if s.startswith("$") or s.startswith("States."))

for index, seed in enumerate(sorted(seeds)):
    (output / f"seed-{index:04d}").write_text(seed)
print(f"{len(seeds)} seeds for {target} in {output}")
