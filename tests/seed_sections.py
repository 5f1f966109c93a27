"""Split the source documents (../shared/seeds/) into the sections cards cite.

"Part N, Step M" for the step-by-step guides, "item N" for numbered lists, and "paragraph N"
(blank-line separated, counted from 1) for a document with no headings.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PART = re.compile(r"^Part (\d+) of \d+")
STEP = re.compile(r"^Step (\d+)\.")
ITEM = re.compile(r"^(\d+)\.\s")


def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).lower()


def sections(path: Path) -> Dict[str, str]:
    text = path.read_text(encoding="utf-8")
    found: Dict[str, list] = {}
    current = None
    if re.search(r"^Part \d+ of \d+", text, re.M):
        part = None
        for line in text.split("\n"):
            stripped = line.strip()
            if PART.match(stripped):
                part, current = PART.match(stripped).group(1), None
            elif STEP.match(stripped):
                current = f"Part {part}, Step {STEP.match(stripped).group(1)}"
                found[current] = [line]
            elif current:
                found[current].append(line)
    elif re.search(r"^\d+\.\s", text, re.M):
        for line in text.split("\n"):
            if ITEM.match(line):
                current = f"item {ITEM.match(line).group(1)}"
                found[current] = [line]
            elif current:
                found[current].append(line)
    else:
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        return {f"paragraph {i}": p for i, p in enumerate(paragraphs, 1)}
    return {name: "\n".join(lines) for name, lines in found.items()}
