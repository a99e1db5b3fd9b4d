"""Withholding third parties' names from a chronology printed for a case conference.

Only names Safekeep holds as records are withheld (records.names_behind): the other children named in the
same concerns, shares and meetings, and the people outside Safekeep its records name (the adult an
allegation is about, who a share went to, who attended a meeting, who a consultation spoke to, a child's
trafficking guardian, who reported a child missing). Nothing is guessed from the free text: a name written
only in words is not withheld, and the printout says so. The child's own name is never withheld, nor any
part of it (a brother's surname is the child's surname too).

The staff who recorded and acted (Safekeep's users: who recorded an entry, who marked a key event) are not
third parties: at a case conference their names are part of the professional record, which the agencies
need to know who saw, decided and did what (Working Together to Safeguard Children 2023; KCSIE). They are
printed as they are (docs/domain/chronology.md).
"""

import re
from dataclasses import dataclass

WITHHELD = "[name withheld]"
# Shorter than this, a "name" would match inside ordinary words' neighbours (an initial): not a name to find.
SHORTEST = 2


@dataclass(frozen=True)
class Redaction:
    pattern: re.Pattern | None

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(WITHHELD, text)

    @property
    def withholds(self) -> bool:
        return self.pattern is not None


NONE = Redaction(None)


def own_name_words(first: str, last: str, preferred: str = "") -> set[str]:
    """The child's names, each part and each whole form, in lower case: never withheld."""
    parts = {part for name in (first, last, preferred) for part in (name or "").split()}
    forms = {f"{first} {last}", f"{preferred} {last}" if preferred else ""}
    return {text.casefold() for text in parts | forms if text.strip()}


def redaction_of(names, *, keep: set[str]) -> Redaction:
    """Each name (a whole name, or one part of a child's name from its own field), as a whole word in any
    case, longest first so "Kit Friend" goes before "Kit". keep: the words never withheld."""
    wanted = {" ".join(name.split()) for name in names if name and name.strip()}
    wanted = sorted((name for name in wanted if len(name) >= SHORTEST and name.casefold() not in keep),
                    key=lambda name: (-len(name), name))
    if not wanted:
        return NONE
    spaced = (r"\s+".join(re.escape(word) for word in name.split()) for name in wanted)
    return Redaction(re.compile(r"(?<!\w)(?:" + "|".join(spaced) + r")(?!\w)", re.IGNORECASE))
