"""Every kind of chronology entry a service writes is classified once, in safekeep/chronology/kinds.py, as
what happened to the child or as a step Safekeep tracked. A new kind left out fails here, before a DSL
finds it missing from (or cluttering) a printed chronology."""

import ast
from pathlib import Path

from safekeep.chronology.kinds import KINDS, TRACKED_KINDS
from safekeep.chronology.forms import TYPES

SOURCE = Path(__file__).resolve().parents[2] / "safekeep"


def _strings(node) -> set[str]:
    """The string constants an expression can give: "a", x if y else "b", and so on."""
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _passed_for(tree, function: ast.FunctionDef, parameter: str) -> set[str]:
    """What the module's calls to this function pass for one of its parameters, by keyword or position."""
    names = [a.arg for a in function.args.args + function.args.kwonlyargs]
    position = names.index(parameter) if parameter in [a.arg for a in function.args.args] else None
    found = set()
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", "")) ==
                function.name):
            continue
        found |= {s for k in call.keywords if k.arg == parameter for s in _strings(k.value)}
        if position is not None and len(call.args) > position:
            found |= _strings(call.args[position])
    return found


def kinds_written() -> dict[str, list[str]]:
    """Every kind passed to chronology_add in safekeep/, with where; a kind that cannot be read off the
    source is reported as unreadable, so that the test fails rather than miss it."""
    written: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in _functions(tree):
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "chronology_add"):
                    continue
                where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
                kind = next((k.value for k in call.keywords if k.arg == "kind"), None)
                if isinstance(kind, ast.Name):
                    assigned = {s for n in ast.walk(function) if isinstance(n, ast.Assign)
                                and any(getattr(t, "id", "") == kind.id for t in n.targets) for s in _strings(n.value)}
                    values = assigned or _passed_for(tree, function, kind.id)
                else:
                    values = _strings(kind) if kind is not None else set()
                for value in values or {f"<unreadable at {where}>"}:
                    written.setdefault(value, []).append(where)
    return written


def test_every_kind_written_by_a_service_is_classified():
    written = kinds_written()
    assert len(written) >= 25, "the scan found the services' chronology entries"
    unclassified = {kind: where for kind, where in written.items() if kind not in KINDS}
    assert not unclassified, f"classify these kinds in safekeep/chronology/kinds.py: {unclassified}"


def test_the_scan_reads_kinds_passed_through_a_variable():
    written = kinds_written()
    # cases/services.py passes the audit action ("case.close"/"case.reopen") through a parameter, and
    # actions/services.py passes "action.completed" and others through _record_change.
    assert {"case.close", "case.reopen", "action.completed", "action.cancelled", "action.reassigned",
            "concern.subject_named", "concern.subject_rejected"} <= set(written)


def test_the_record_is_what_happened_to_the_child_and_the_bookkeeping_is_tracked():
    assert set(TRACKED_KINDS) == {"concern.read", "concern.subject_proposed", "concern.subject_rejected",
                                  "action.required", "action.added", "action.completed", "action.cancelled",
                                  "action.reassigned", "action.escalated", "action.due_moved",
                                  "subject_access.received", "subject_access.extended", "subject_access.decided",
                                  # The file's retention review is its own bookkeeping, not what happened to the child.
                                  "retention.hold.placed", "retention.hold.lifted", "retention.keep",
                                  "retention.propose", "retention.decline"}
    for kind in ("concern.recorded", "concern.triaged", "referral.made", "referral.outcome", "meeting.recorded",
                 "plan.created", "share.recorded", "case.leaving", "case.close"):
        assert KINDS[kind].record, kind
    assert all(about.type in TYPES or about.type == "" for about in KINDS.values())
