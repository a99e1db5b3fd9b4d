"""Records whose free text carries marker strings, written through Safekeep's services, so a test can
tell from a page, an API answer, a file or an email exactly which record's words reached the reader.

A marker names the record and the field it was written into ("MK-alleg-dsl-meeting-decisions"); markers
are unique, so `markers_in(text)` says which records a response showed.
"""

import io
import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from safekeep.actions import services as actions
from safekeep.attachments import services as attachments
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.meetings import services as meetings
from safekeep.referrals import services as referrals
from safekeep.safetyplans import services as safetyplans
from safekeep.sharing import services as sharing
from safekeep.policy.deadlines import Deadline, Unit

MARKER = re.compile(r"MK-[a-z0-9_]+(?:-[a-z0-9_]+)+")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def marker(record: str, field: str) -> str:
    return f"MK-{record}-{field}"


def markers_in(text: str) -> set[str]:
    return set(MARKER.findall(text))


def share_fields(record: str) -> dict:
    return {"recipient": "Duty officer", "recipient_organisation": "Local authority designated officer",
            "what": marker(record, "share_what"), "purpose": marker(record, "share_purpose"),
            "lawful_basis": "public-task-safeguarding", "consent": "not_sought",
            "consent_note": marker(record, "share_consent_note"), "secure_handling_agreed": True,
            "secure_handling_note": marker(record, "share_secure_note")}


def _entries_since(child, before: int) -> list:
    return list(ChronologyEntry.objects.filter(child=child, pk__gt=before).order_by("pk"))


def _last_entry_id() -> int:
    last = ChronologyEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def allegation_with_everything(*, tag: str, recorder, subject, team, establishment, child, contact) -> dict:
    """An allegation about `subject` recorded by `recorder`, and every record that can follow it, written by
    `team` (someone who may read allegations there and is not the subject).

    Returns {kind: object} for concern, addendum, triage, attachment, action, referral, outcome, consultation,
    meeting, meeting_note, share, plan, nrm; and "entries": {kind: [chronology entries that record it]}.
    A meeting is recorded with the allegation as its concern once meetings can carry one (ADR 0008); until
    then it cannot name it, and that is the side door the tests show.
    """
    record = f"alleg-{tag}"
    now = clock.now()
    found = {"entries": {}}

    def step(kind, write):
        before = _last_entry_id()
        found[kind] = write()
        found["entries"][kind] = _entries_since(child, before)
        return found[kind]

    concern = step("concern", lambda: concerns.concern_submit(
        actor=recorder, establishment=establishment, children=[{"child": child, "role": "harmed", "categories": []}],
        occurred_at=now - timedelta(hours=3), narrative=marker(record, "narrative"),
        childs_words=marker(record, "childs_words"), action_taken=marker(record, "action_taken"),
        idempotency_key=f"marked-{record}", about_adult=True, subject=subject, subject_relationship="staff",
        subject_description=marker(record, "adult_description"))[0])
    step("addendum", lambda: concerns.addendum_add(actor=team, concern=concern, text=marker(record, "team_addendum")))
    step("triage", lambda: concerns.triage_record(
        actor=team, involved=concern.children_involved.get(), risk="high", rationale=marker(record, "triage_rationale"),
        categories=[], outcome="lado", outcome_note=marker(record, "outcome_note")))
    step("attachment", lambda: attachments.attachment_add(
        actor=team, concern=concern, upload=SimpleUploadedFile(f"{record}.png", png(), content_type="image/png")))
    step("action", lambda: actions.action_add(
        actor=team, establishment=establishment, child=child, what=marker(record, "action_what"), owner_role="dsl",
        deadline=Deadline(Unit.WORKING_DAYS, 1), concern_id=concern.pk))
    referral = step("referral", lambda: referrals.referral_record(
        actor=team, establishment=establishment, child=child, agency="lado", contact=contact,
        made_at=now - timedelta(hours=2), how="phone", reference="LADO-1", what_shared=marker(record, "what_shared"),
        consent="not_sought", consent_note=marker(record, "referral_consent_note"),
        lawful_basis="public-task-safeguarding", secure_handling_agreed=True, concern=concern))
    step("outcome", lambda: referrals.referral_outcome_record(
        actor=team, referral=referral, outcome="s47", received_at=now - timedelta(hours=1), response="agree",
        note=marker(record, "referral_outcome_note")))
    step("consultation", lambda: referrals.consultation_record(
        actor=team, establishment=establishment, child=child, agency="lado", spoke_to="Duty LADO",
        held_at=now - timedelta(hours=2), advice=marker(record, "consultation_advice"), concern=concern))
    meeting = step("meeting", lambda: meetings.meeting_record(
        actor=team, establishment=establishment, kind="strategy", held_at=now - timedelta(hours=1), children=[child],
        attendees=[{"name": "Duty LADO", "role": "LADO", "agency": "Local authority"}],
        decisions=marker(record, "meeting_decisions"), minutes=marker(record, "meeting_minutes"), concern=concern,
        about_allegation=True))
    step("meeting_note", lambda: meetings.meeting_add_note(actor=team, meeting=meeting,
                                                           text=marker(record, "meeting_note")))
    step("share", lambda: sharing.share_record(
        actor=team, establishment=establishment, children=[child], authorised_by=team, source_kind="other",
        shared_at=now - timedelta(minutes=30), concern=concern, **share_fields(record)))
    today = clock.today()
    step("plan", lambda: safetyplans.safety_plan_create(
        actor=team, establishment=establishment, child=child, role="harmed", concern=concern,
        values={"situations_to_avoid": marker(record, "plan_avoid"), "check_ins_who": "Form tutor",
                "check_ins_how_often": "Daily", "reporting": marker(record, "plan_reporting"),
                "coping_strategies": "", "support_chosen": [], "agreed_with_child": True,
                "agreed_with_parents": False, "agreed_on": today, "review_due": today + timedelta(days=28)}))
    step("nrm", lambda: referrals.nrm_open(actor=team, establishment=establishment, child=child, concern=concern))
    return found


# The fields of allegation_with_everything's records, by the kind of record they belong to.
ALLEGATION_FIELDS = {
    "concern": ("narrative", "childs_words", "action_taken", "adult_description"),
    "addendum": ("team_addendum",),
    "triage": ("triage_rationale", "outcome_note"),
    "action": ("action_what",),
    "referral": ("what_shared", "referral_consent_note"),
    "outcome": ("referral_outcome_note",),
    "consultation": ("consultation_advice",),
    "meeting": ("meeting_decisions", "meeting_minutes"),
    "meeting_note": ("meeting_note",),
    "share": ("share_what", "share_purpose", "share_consent_note", "share_secure_note"),
    "plan": ("plan_avoid", "plan_reporting"),
}


def allegation_markers(tag: str, kind: str) -> set[str]:
    return {marker(f"alleg-{tag}", field) for field in ALLEGATION_FIELDS.get(kind, ())}
