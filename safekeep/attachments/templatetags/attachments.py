from django import template

from .. import selectors
from ..regions import FIGURE_GAP, FIGURE_WIDTH, outline_path, picker_regions

register = template.Library()


@register.inclusion_tag("attachments/concern_section.html", takes_context=True)
def concern_marks_and_files(context, concern):
    """The body map and files of a sent concern, for its page (two queries; no file bytes loaded)."""
    return {"concern": concern, "marks": selectors.marks_for_display(selectors.body_marks_of(concern)),
            "attachments": selectors.attachments_of(concern), "may_add": context.get("may_add"),
            "attachment_error": context.get("attachment_error"), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("attachments/body_map_svg.html")
def body_map(marks):
    """The outline, front and back, with the marks as numbered dots. Decorative to screen readers:
    the numbered list beside it is the accessible version (WCAG 1.1.1)."""
    back = FIGURE_WIDTH + FIGURE_GAP
    return {"marks": marks, "front_path": outline_path(0), "back_path": outline_path(back),
            "back_head_x": back + 100, "width": 2 * FIGURE_WIDTH + FIGURE_GAP, "back_label_x": back + 100}


@register.inclusion_tag("attachments/body_map_picker.html")
def body_map_picker(chosen_side, chosen_region):
    """The front and back figures to tap or click to say where a mark is (bodymap.js), shown only where
    JavaScript runs. Each region is a named button; the list of regions stays as the alternative."""
    back = FIGURE_WIDTH + FIGURE_GAP
    sides = [("front", "Front", picker_regions("front")), ("back", "Back", picker_regions("back"))]
    return {"sides": sides, "front_path": outline_path(0), "back_path": outline_path(back), "back_head_x": back + 100,
            "width": 2 * FIGURE_WIDTH + FIGURE_GAP, "chosen_side": chosen_side or "front",
            "chosen_region": chosen_region}
