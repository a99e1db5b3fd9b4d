"""The answer to a subject access request as a PDF (safekeep.core.pdf: it fetches nothing but its own
stylesheet), tagged for screen readers. What was decided withheld is replaced by "[withheld: <exemption>]";
the answer ends with a table of what was withheld, by kind and exemption, never the withheld words."""

from collections import Counter

from django.template.loader import render_to_string

from safekeep.core import clock, pdf

from .models import Exemption, RedactionDecision
from .selectors import Gathered, Withholding

STYLESHEET = pdf.stylesheet_address("subjectaccess/answer-pdf.css")


def _day(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


def answer_pdf(gathered: Gathered, withhold: Withholding, *, prepared_by: str,
               fetcher: pdf.OwnStylesheetOnly | None = None) -> bytes:
    export = gathered.export
    agency_entries = {str(pk) for pk in withhold.agencies}
    rows = []
    for entry in export.entries:
        answer = (entry.kind == "referral.outcome" and entry.object_type == "referral"
                  and entry.object_id in agency_entries)
        rows.append({
            "when": entry.occurred_at.astimezone(clock.LONDON), "kind": entry.kind_words,
            "recorded_by": withhold(entry.recorded_by.full_name) if entry.recorded_by else "",
            "place": entry.establishment.name,
            "summary": withhold.agencies[int(entry.object_id)] if answer else withhold(entry.summary),
            "narrative": withhold(entry.narrative), "childs_words": withhold(entry.childs_words)})
    referrals = []
    for referral in gathered.referrals:
        hidden = withhold.agencies.get(referral.pk)
        referrals.append({
            "made_at": referral.made_at.astimezone(clock.LONDON), "agency": referral.agency_name,
            "made_by": withhold(referral.made_by.full_name), "what": withhold(referral.what_shared),
            "answers": [hidden] if hidden and referral.outcomes.all() else [
                f"{outcome.get_outcome_display()}{': ' + withhold(outcome.note) if outcome.note else ''}"
                for outcome in referral.outcomes.all()]})
    decided = RedactionDecision.objects.filter(request=gathered.request, withheld=True)
    counts = Counter((decision.get_kind_display(), decision.exemption) for decision in decided)
    labels = dict(Exemption.choices)
    printed = clock.now().astimezone(clock.LONDON)
    html = render_to_string("subjectaccess/answer_pdf.html", {
        "child": export.child, "request": gathered.request, "rows": rows, "referrals": referrals,
        "stylesheet": STYLESHEET, "withholdings": [(kind, labels[code], count) for (kind, code), count in
                                                   sorted(counts.items())],
        "printed": f"Prepared by {prepared_by} on {_day(printed)} at {printed:%H:%M}"})
    return pdf.pdf_from_html(html, stylesheet=STYLESHEET, fetcher=fetcher, tagged=True)
