"""Pointing out words that blame or label a child (CE 9.0, CoC 1.3). A prompt, never a block."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PHRASES_FILE = Path(__file__).with_name("language.yaml")


@dataclass(frozen=True)
class Prompt:
    found: str
    instead: str
    source: str
    at: int = 0


@cache
def _phrases() -> tuple[tuple[re.Pattern, str, str], ...]:
    entries = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    # A plural counts too ("abusers"); a longer word does not ("dealership").
    return tuple((re.compile(rf"\b(?:{entry['phrase']})s?\b", re.IGNORECASE), entry["instead"], entry["source"])
                 for entry in entries)


def check_language(text: str) -> list[Prompt]:
    """Suggestions for a member of staff's own words. Never call this on a child's quoted words."""
    prompts = []
    for pattern, instead, source in _phrases():
        for match in pattern.finditer(text or ""):
            prompts.append(Prompt(match.group(0), instead, source, match.start()))
    return sorted(prompts, key=lambda prompt: prompt.at)
