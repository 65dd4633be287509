"""``python -m benchmarks [SUBJECT [OPTIONS...]]``: run one subject's benchmark, or all."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def subjects() -> list[str]:
    here = Path(__file__).parent
    return sorted(p.parent.name for p in here.glob("*/run.py"))


def main(argv: list[str]) -> int:
    names = subjects()
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage : python -m benchmarks [{'|'.join(names)}] [options]")
        return 0
    if argv:
        if argv[0] not in names:
            print(f"benchmarks : sujet inconnu « {argv[0]} » ; sujets : {', '.join(names)}")
            return 2
        module = importlib.import_module(f"benchmarks.{argv[0]}.run")
        code: int = module.main(argv[1:])
        return code
    worst = 0
    for name in names:
        print(f"==> benchmarks/{name}")
        module = importlib.import_module(f"benchmarks.{name}.run")
        worst = max(worst, module.main([]))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
