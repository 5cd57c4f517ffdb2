"""Split k cases written from docs/k_cases.md into dev and test, 50/50 by a stable hash of the id.

    python data/k_cases/split.py NAME IN.jsonl [IN2.jsonl ...]

writes data/k_cases/NAME_dev.jsonl and NAME_test.jsonl. A case's split
depends on its id alone, so adding cases never moves an old one. Choices are
made on dev; test is reported, never tuned on.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "k_ref", "k_low", "k_high", "factors")


def split_of(case_id: str) -> str:
    return "dev" if hashlib.sha256(case_id.encode()).digest()[0] % 2 == 0 else "test"


def main(name: str, paths: list[str]) -> None:
    out: dict[str, list[str]] = {"dev": [], "test": []}
    seen: set[str] = set()
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            missing = [k for k in REQUIRED if k not in case] + ([] if "text" in case or "posts" in case else ["text"])
            if missing or case["id"] in seen or not case["k_low"] <= case["k_ref"] <= case["k_high"]:
                raise SystemExit(f"{path}:{n}: bad case (missing {missing}, or repeated id, or k_ref outside its range)")
            seen.add(case["id"])
            out[split_of(case["id"])].append(json.dumps(case, ensure_ascii=False))
    for split, lines in out.items():
        (HERE / f"{name}_{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}_{split}.jsonl: {len(lines)} cases")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
