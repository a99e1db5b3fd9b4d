"""Given what is known about a concern, which actions do the adopted policies require, and by when?

Pure: packs and facts in, required actions out. The concerns app (issue 4) calls this when a
concern is recorded or triaged and stores the result, each action keeping the pack version
that required it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from .calendar import Terms
from .deadlines import Deadline, due_at
from .packs import Condition, Pack


@dataclass(frozen=True)
class ConcernFacts:
    categories: frozenset[str]
    flags: frozenset[str]
    establishment_kind: str
    nation: str
    started_at: datetime
    terms: Terms = ()
    role: str = ""  # the child's part in the concern; empty when not known (the explorer shows every action)
    # The categories of every child named in the concern (a witness's own may be empty).
    concern_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RequiredAction:
    pack: str
    pack_version: str
    rule_id: str
    rule_title: str
    source: str
    code: str
    what: str
    owner: str
    deadline: Deadline
    due_at: datetime
    escalation: tuple[str, ...]
    notify: tuple[str, ...]
    once_per_concern: bool = False


class Taxonomy:
    """The categories of every adopted pack together: parents and tags, across packs."""

    def __init__(self, packs: list[Pack]):
        self.categories = {c.code: c for pack in packs for c in pack.categories}

    def lineage(self, code: str) -> list[str]:
        chain, seen = [], set()
        while code and code in self.categories and code not in seen:
            chain.append(code)
            seen.add(code)
            code = self.categories[code].parent
        return chain

    def expand(self, codes) -> tuple[set[str], set[str]]:
        """The categories with all their ancestors, and every tag any of them carries."""
        expanded = {ancestor for code in codes for ancestor in self.lineage(code)} | set(codes)
        tags = {tag for code in expanded if code in self.categories for tag in self.categories[code].tags}
        return expanded, tags


def applies(condition: Condition, categories: set[str], tags: set[str], facts: ConcernFacts,
            concern_tags: set[str] = frozenset()) -> bool:
    if condition.concern_tags_any and not condition.concern_tags_any & (concern_tags | tags):
        return False
    if condition.categories_any or condition.tags_any:
        if not (condition.categories_any & categories or condition.tags_any & tags):
            return False
    if not condition.flags_all <= facts.flags or condition.flags_none & facts.flags:
        return False
    return not condition.establishment_kinds or facts.establishment_kind in condition.establishment_kinds


def required_actions(packs: list[Pack], facts: ConcernFacts, *, event: str = "",
                     elsewhere_than: str = "") -> list[RequiredAction]:
    """`event`: a flag naming something that happened to the child other than a concern (a referral
    recorded, the child leaving): only the rules written for it apply, not the rules every concern triggers.

    `elsewhere_than`: the kind of establishment where the concern was recorded, when these facts are for the
    linked school or home the child is also at: only the rules written for that place's kind of
    establishment (and not also for the recording one, which has them already) apply there."""
    taxonomy = Taxonomy(packs)
    categories, tags = taxonomy.expand(facts.categories)
    _, concern_tags = taxonomy.expand(facts.concern_categories)
    actions = []
    for pack in packs:
        for rule in pack.rules:
            if event and event not in rule.when.flags_all:
                continue
            kinds = rule.when.establishment_kinds
            if elsewhere_than and (not kinds or elsewhere_than in kinds):
                continue
            if not applies(rule.when, categories, tags, facts, concern_tags):
                continue
            for spec in rule.actions:
                if facts.role and spec.for_roles and facts.role not in spec.for_roles:
                    continue
                actions.append(RequiredAction(
                    pack=pack.pack, pack_version=pack.version, rule_id=rule.id, rule_title=rule.title,
                    source=rule.source, code=spec.code, what=spec.what, owner=spec.owner, deadline=spec.deadline,
                    due_at=due_at(facts.started_at, spec.deadline, nation=facts.nation, terms=facts.terms),
                    escalation=spec.escalation, notify=spec.notify, once_per_concern=spec.once_per_concern))
    return one_step_per_piece_of_work(sorted(actions, key=lambda a: (a.due_at, a.pack, a.rule_id, a.code)))


def one_step_per_piece_of_work(steps: list[RequiredAction],
                               same: Mapping[str, frozenset[str]] | None = None) -> list[RequiredAction]:
    """Steps that are one piece of work become one step: the first (steps come soonest due first), citing every
    source, telling everyone either would have told, set once per concern if either is.

    Without `same`, a step is one piece of work with the other steps of its code: the same step required by
    two rules, or by two packs adopted together (both say "dsl-review"); it keeps the first one's words.
    With `same` (packs.same_steps), also with the steps of other codes that are the same work ("call the
    police", "report to the police"): the step says each one's words.
    A source is cited once however often it is given: sources are joined with "; " and told apart by it."""
    kept: dict[frozenset[str], RequiredAction] = {}
    for step in steps:
        work = (same or {}).get(step.code, frozenset({step.code}))
        first = kept.get(work)
        if first is None:
            kept[work] = step
            continue
        said = step.code == first.code or step.what in first.what
        cited = first.source.split("; ")
        kept[work] = replace(first, what=first.what if said else f"{first.what}. {step.what}",
                             source=first.source if step.source in cited else f"{first.source}; {step.source}",
                             notify=tuple(dict.fromkeys(first.notify + step.notify)),
                             once_per_concern=first.once_per_concern or step.once_per_concern)
    return list(kept.values())

