"""Write docs/plan.schema.json, the JSON Schema of plan files, from the msgspec Structs in compiler/planfile.py."""

# Usage: python tools/gen_plan_schema.py            (rewrite docs/plan.schema.json)
#        python tools/gen_plan_schema.py --check    (exit 1 if the committed file is stale)
from __future__ import annotations

import json
import sys
from pathlib import Path

import msgspec

from bake.compiler import planfile as pf

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "plan.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render() -> str:
    """The schema document: msgspec's schema of Plan, with its dialect and title, as sorted indented JSON."""
    schema = msgspec.json.schema(pf.Plan)
    schema["$schema"] = DIALECT
    schema["title"] = f"bake plan file (format_version {pf.FORMAT_VERSION})"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else ""
        if current != text:
            sys.stderr.write(f"{OUT.relative_to(ROOT)} is stale: run python tools/gen_plan_schema.py\n")
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {OUT.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
