"""Writes the Seetec Training complaint and compliment bundles. Run from the repository root:
`.venv/bin/python -m bpmn.tools.training.build`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from lxml import etree

from .compliment import compliment_bundle
from .training_complaint import training_bundle

BPMN = Path(__file__).resolve().parents[2]
BUNDLES = {"training_complaint": training_bundle, "compliment": compliment_bundle}
BPMN_NS = "{http://www.omg.org/spec/BPMN/"


def write_bundle(folder: Path, files: dict) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            content = (json.dumps(content, indent=2) + "\n").encode()
        path.write_bytes(content)


def id_clashes(folder: Path) -> list[str]:
    """Element ids that are also operator or parameter names, which the modeler would confuse."""
    from handlers import build_registry
    registry = build_registry()
    reserved = set(registry.names()) | {p for n in registry.names() for p in registry.parameters(n)}
    return [e.get("id") for path in folder.glob("*.bpmn") for e in etree.parse(str(path)).iter()
            if str(e.tag).startswith(BPMN_NS) and e.get("id") in reserved]


def main() -> int:
    for name, build in BUNDLES.items():
        write_bundle(BPMN / name, build())
        clashes = id_clashes(BPMN / name)
        if clashes:
            print(f"{name}: element ids clash with operators or parameters: {clashes}", file=sys.stderr)
            return 1
        print(f"wrote bpmn/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
