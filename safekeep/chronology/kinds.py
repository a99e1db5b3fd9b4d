"""Every kind of chronology entry, classified once: its words, its filter type, and whether it is part of
the professional record (what happened to the child) or a step Safekeep tracked (kept for the audit,
behind a filter).

The chronology a DSL prints for a case conference is the record of what happened to the child and what
professionals decided and did (Working Together to Safeguard Children 2023; CoC 12.1, CE 10.4, 11.2):
concerns, triage decisions, referrals and their outcomes, meetings, plans, shares, moves and key events.
The policies' required steps, their reminders, escalations and the "done" or "cancelled" bookkeeping
are how Safekeep keeps the clocks: they stay in the chronology, off by default.

tests/unit/test_chronology_kinds.py fails when a service writes a kind that is not classified here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    words: str  # the kind, in plain words
    type: str  # the "type" filter it falls under (forms.TYPES), or "" for none
    record: bool  # True: what happened to the child; False: a step Safekeep tracked


RECORD, TRACKED = True, False

KINDS: dict[str, Kind] = {
    "concern.recorded": Kind("Concern recorded", "concern", RECORD),
    # When the team opened it is bookkeeping: the triage decision is the record of what they decided.
    "concern.read": Kind("Concern read by the safeguarding team", "concern", TRACKED),
    "concern.addendum": Kind("Addendum to a concern", "addendum", RECORD),
    "concern.attachment": Kind("Photo or screenshot added to a concern", "addendum", RECORD),
    "concern.triaged": Kind("Triage decision", "triage", RECORD),
    "concern.linked_note": Kind("Note from the linked school or home", "", RECORD),
    "concern.subject_named": Kind("Adult named on an allegation", "concern", RECORD),
    "concern.subject_corrected": Kind("Adult's name on an allegation corrected", "concern", RECORD),
    # A name waiting for a second person, or turned down, is the check on the naming, not an event.
    "concern.subject_proposed": Kind("Adult proposed for an allegation, to be confirmed", "concern", TRACKED),
    "concern.subject_rejected": Kind("Adult proposed for an allegation rejected", "concern", TRACKED),
    "referral.made": Kind("Referral to another agency", "referral", RECORD),
    "referral.outcome": Kind("Agency's decision on a referral", "referral", RECORD),
    "referral.consultation": Kind("No-names consultation", "referral", RECORD),
    "referral.nrm_opened": Kind("National Referral Mechanism tracker started", "referral", RECORD),
    "referral.nrm_update": Kind("National Referral Mechanism update", "referral", RECORD),
    "case.close": Kind("Case closed", "case", RECORD),
    "case.reopen": Kind("Case reopened", "case", RECORD),
    "case.leaving": Kind("Leaving for another school or college", "case", RECORD),
    "plan.created": Kind("Safety plan put in place", "plan", RECORD),
    "plan.revised": Kind("Safety plan revised", "plan", RECORD),
    "plan.reviewed": Kind("Safety plan reviewed, no change", "plan", RECORD),
    "plan.closed": Kind("Safety plan closed", "plan", RECORD),
    "plan.decision": Kind("Decision whether a safety plan is needed", "plan", RECORD),
    "sanction.recorded": Kind("Sanction recorded", "plan", RECORD),
    "sanction.withdrawn": Kind("Sanction withdrawn", "plan", RECORD),
    "share.recorded": Kind("Information shared with another agency", "share", RECORD),
    "meeting.recorded": Kind("Meeting", "meeting", RECORD),
    "meeting.note": Kind("Note added to a meeting record", "meeting", RECORD),
    # Missing episodes (CE 5.3, 5.4, 7.8), and the description kept ready for the police.
    "missing.recorded": Kind("Went missing", "", RECORD),
    "missing.returned": Kind("Came back after going missing", "", RECORD),
    "missing.description": Kind("Description for the police updated", "", RECORD),
    # Retention with review (docs/domain/records-lifecycle.md): the file's own bookkeeping, kept off the record.
    "retention.hold.placed": Kind("Legal hold placed on the file", "", TRACKED),
    "retention.hold.lifted": Kind("Legal hold on the file lifted", "", TRACKED),
    "retention.keep": Kind("File kept for another period at its review", "", TRACKED),
    "retention.propose": Kind("Destruction of the file proposed", "", TRACKED),
    "retention.decline": Kind("Proposed destruction of the file declined", "", TRACKED),
    "action.required": Kind("Action the policies require", "action", TRACKED),
    "action.added": Kind("Action added", "action", TRACKED),
    "action.completed": Kind("Action done", "action", TRACKED),
    "action.cancelled": Kind("Action cancelled", "action", TRACKED),
    "action.reassigned": Kind("Action passed to someone else", "action", TRACKED),
    "action.escalated": Kind("Overdue action escalated", "action", TRACKED),
    # The child protection file that follows the child (KCSIE 2025 Annex C): sent, received, and at the new
    # school each entry of the file imported, with its sender and the date it happened.
    "transfer.sent": Kind("Child protection file sent to the new school", "case", RECORD),
    "transfer.received": Kind("New school confirmed the child protection file arrived", "case", RECORD),
    "transfer.imported": Kind("Child protection file from the previous school imported", "case", RECORD),
    "transfer.entry": Kind("Transferred from the previous school's file", "case", RECORD),
    "action.due_moved": Kind("Action's due date moved", "action", TRACKED),
    # A subject access request about the child (UK GDPR Art. 15): kept for the record of who asked and when,
    # behind the tracked filter, so a printed chronology is about the child, not about requests for it.
    "subject_access.received": Kind("Subject access request received", "", TRACKED),
    "subject_access.extended": Kind("Subject access request extended", "", TRACKED),
    "subject_access.decided": Kind("Subject access response: what was withheld decided", "", TRACKED),
    # The child died (CH(E)R 2015 reg 36(2)(b)): part of what happened to the child, and it dates the file's review.
    "child.died": Kind("Date of death recorded", "", RECORD),
}

# For the query: entries of these kinds are left out unless the reader asks for the tracked steps (or a
# DSL marked one as a key event). A kind missing from KINDS is shown: better one row too many in the record
# than one missing from it (and the test above fails first).
TRACKED_KINDS = sorted(kind for kind, about in KINDS.items() if not about.record)


def words_for(kind: str) -> str:
    about = KINDS.get(kind)
    return about.words if about else kind.replace(".", " ").replace("_", " ").capitalize()


def is_record(kind: str) -> bool:
    about = KINDS.get(kind)
    return about.record if about else True
