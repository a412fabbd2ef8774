"""Writes a seed corpus for one fuzz target from the StateMachine test fixtures.

Usage: python3 Fuzz/seed.py definition|jsonpath|json|jsonata-parser|jsonata-evaluator OUTPUT_DIR
"""
import json
import pathlib
import sys

target, output = sys.argv[1], pathlib.Path(sys.argv[2])
output.mkdir(parents=True, exist_ok=True)
fixtures = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "StateMachineTests" / "Fixtures"
seeds = set()


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
