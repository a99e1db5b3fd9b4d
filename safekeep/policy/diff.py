"""What changed between two versions of a policy pack, in sentences a DSL can check against the document."""

from .packs import Pack


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
    return changes or ["No change to categories or rules (wording or sources only)."]
