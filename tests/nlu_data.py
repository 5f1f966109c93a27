"""Read Rasa NLU YAML files into (intent, plain text) pairs for the data tests."""
from __future__ import annotations

import re
import string
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import yaml

ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")
PUNCTUATION = str.maketrans("", "", string.punctuation + "\u2019\u2018\u201c\u201d")


def plain(example: str) -> str:
    """Entity markup removed: '[wife]{"entity": ...}' -> 'wife'."""
    return ENTITY_MARKUP.sub(r"\1", example)


def normalise(example: str) -> str:
    return " ".join(plain(example).lower().translate(PUNCTUATION).split())


def examples_by_intent(folder: Path) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = defaultdict(list)
    for path in sorted(folder.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu", []) or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[block["intent"]].append(plain(line[2:].strip()))
    return found


def word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two sentences' word sets (after normalising)."""
    wa, wb = set(normalise(a).split()), set(normalise(b).split())
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0
