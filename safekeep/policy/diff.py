"""What changed between two versions of a policy pack, in sentences a DSL can check against the document."""

from dataclasses import fields

from .packs import AGENCY_WORDS, Pack

# The parts of a pack described rule by rule above; every other section (ladders, hotspots, missing, the policy
# review, and any added later) is compared whole, so a change to one is never reported as "no change".
DESCRIBED = frozenset({"pack", "title", "version", "abbreviation", "source_document", "review_due", "categories",
                       "rules", "response_windows", "nrm_categories", "nrm_source"})
# A section whose field is not named as in the YAML.
SECTION_NAMES = {"picture": "exploitation_picture"}


def _action_changes(rule_id, old_rule, new_rule) -> list[str]:
    changes = []
    old_actions = {a.code: a for a in old_rule.actions}
    new_actions = {a.code: a for a in new_rule.actions}
    for code in sorted(new_actions.keys() - old_actions.keys()):
        a = new_actions[code]
        changes.append(f"Rule {rule_id}: new action “{a.what}” for {a.owner}, {a.deadline}.")
    for code in sorted(old_actions.keys() - new_actions.keys()):
        changes.append(f"Rule {rule_id}: action “{old_actions[code].what}” removed.")
    for code in sorted(old_actions.keys() & new_actions.keys()):
        old, new = old_actions[code], new_actions[code]
        if old.deadline != new.deadline:
            changes.append(f"Rule {rule_id}: “{new.what}” now due in {new.deadline} (was {old.deadline}).")
        if old.owner != new.owner:
            changes.append(f"Rule {rule_id}: “{new.what}” now for {new.owner} (was {old.owner}).")
        if old.escalation != new.escalation:
            changes.append(f"Rule {rule_id}: “{new.what}” escalates to {', '.join(new.escalation) or 'nobody'} "
                           f"(was {', '.join(old.escalation) or 'nobody'}).")
        if old.what != new.what:
            changes.append(f"Rule {rule_id}: action “{old.what}” now reads “{new.what}”.")
    return changes


def changes_between(old: Pack | None, new: Pack) -> list[str]:
    if old is None:
        return [f"First version of {new.title}: {len(new.rules)} rules, {len(new.categories)} categories."]
    changes = []
    if old.review_due != new.review_due:
        changes.append(f"Review date now {new.review_due:%d %B %Y} (was {old.review_due:%d %B %Y}).")
    old_categories = {c.code: c for c in old.categories}
    new_categories = {c.code: c for c in new.categories}
    changes += [f"New category: {new_categories[c].label}." for c in sorted(new_categories.keys() - old_categories)]
    changes += [f"Category removed: {old_categories[c].label}." for c in sorted(old_categories.keys() - new_categories)]
    old_rules = {r.id: r for r in old.rules}
    new_rules = {r.id: r for r in new.rules}
    changes += [f"New rule {r}: {new_rules[r].title} ({new_rules[r].source})." for r in sorted(new_rules.keys()
                                                                                               - old_rules.keys())]
    changes += [f"Rule removed {r}: {old_rules[r].title}." for r in sorted(old_rules.keys() - new_rules.keys())]
    for rule_id in sorted(old_rules.keys() & new_rules.keys()):
        old_rule, new_rule = old_rules[rule_id], new_rules[rule_id]
        if old_rule.when != new_rule.when:
            changes.append(f"Rule {rule_id}: now applies in different circumstances (check its “when”).")
        changes += _action_changes(rule_id, old_rule, new_rule)
    changes += _referral_changes(old, new)
    for section in fields(Pack):
        if section.name not in DESCRIBED and getattr(old, section.name) != getattr(new, section.name):
            name = SECTION_NAMES.get(section.name, section.name)
            changes.append(f"The {name.replace('_', ' ')} section ({name}:) changed: read it against the document.")
    return changes or ["No change to categories or rules (wording or sources only)."]


def _referral_changes(old: Pack, new: Pack) -> list[str]:
    changes = []
    before = {w.agency: w for w in old.response_windows}
    after = {w.agency: w for w in new.response_windows}
    for agency in sorted(before.keys() | after.keys()):
        words = AGENCY_WORDS[agency]
        if agency not in before:
            changes.append(f"A referral to {words} is now chased after {after[agency].deadline}.")
        elif agency not in after:
            changes.append(f"A referral to {words} is no longer chased (was after {before[agency].deadline}).")
        elif before[agency].deadline != after[agency].deadline:
            changes.append(f"A referral to {words} is now chased after {after[agency].deadline} "
                           f"(was {before[agency].deadline}).")
    if old.nrm_categories != new.nrm_categories:
        changes.append(f"Categories followed through the NRM now: {', '.join(sorted(new.nrm_categories)) or 'none'} "
                       f"(was {', '.join(sorted(old.nrm_categories)) or 'none'}).")
    return changes
