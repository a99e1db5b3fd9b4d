"""The body map and photos on the recording page, which works by plain POSTs that re-render the draft.

Marks so far travel in the form as hidden fields (like everything else typed); a chosen file is
checked at once and kept encrypted on the server, keyed to the person and the draft's one-time key,
so a round trip never loses it and nothing is kept in the browser.
"""

from django.conf import settings
from django.core.exceptions import ValidationError

from . import selectors, services
from .models import BodyMark
from .regions import REGION_CHOICES

MARK_FIELDS = ("side", "region", "description")


def marks_from_post(data) -> list[dict]:
    columns = [data.getlist(f"mark-{name}") for name in MARK_FIELDS]
    # A tampered form with uneven columns keeps only whole marks.
    return [dict(zip(MARK_FIELDS, values, strict=True)) for values in zip(*columns, strict=False)][
        :services.MAX_MARKS]


def new_mark_from_post(data) -> dict:
    return {name: data.get(f"new_mark_{name}", "") for name in MARK_FIELDS}


def _add_new_mark(draft) -> None:
    mark = {**draft.new_mark, "description": draft.new_mark.get("description", "").strip()}
    problem = services.body_marks_check([mark]) or services.body_marks_check(draft.body_marks + [mark])
    if problem:
        draft.errors["new_mark"] = next(iter(problem.values()))
        return
    draft.body_marks.append(mark)
    draft.new_mark = {}


def apply(request, draft, intent: str) -> None:
    """Marks and files for this round trip. Errors go into draft.errors, beside their fields."""
    if intent == "mark-add" or (intent == "send" and any(draft.new_mark.get(n, "").strip()
                                                         for n in ("region", "description"))):
        # On send, a mark typed but not yet added is added rather than silently dropped.
        _add_new_mark(draft)
    if intent.startswith("mark-remove:") and intent[12:].isdigit():
        index = int(intent[12:]) - 1
        if 0 <= index < len(draft.body_marks):
            del draft.body_marks[index]
    if intent.startswith("file-remove:") and intent[12:].isdigit():
        services.pending_upload_remove(actor=request.user, draft_key=draft.key, pending_id=int(intent[12:]))
    for upload in request.FILES.getlist("attachment")[:10]:
        try:
            services.pending_upload_keep(actor=request.user, draft_key=draft.key, upload=upload)
        except ValidationError as error:
            draft.errors["attachment"] = " ".join(error.messages)


def context(request, draft) -> dict:
    return {"marks": selectors.marks_for_display(draft.body_marks), "new_mark": draft.new_mark,
            "regions": REGION_CHOICES, "sides": BodyMark.Side.choices,
            "pending": selectors.pending_uploads(request.user, draft.key),
            "attachment_max_mb": settings.SAFEKEEP_ATTACHMENT_MAX_BYTES // (1024 * 1024)}


def for_submit(request, draft) -> dict:
    return {"body_marks": list(draft.body_marks),
            "attachments": selectors.pending_uploads_with_bytes(request.user, draft.key)}
