"""The safety plan form follows the sample safety plan (CoC Appendix 3): its headings and prompts come
from the adopted policy pack's safety_plan_template, so a revised policy changes the form."""

from django import forms

from safekeep.core.forms import Form

from .models import PlanDecision, PlanRole, Sanction

# Appendix 3, as shipped: used when the establishment follows no pack with a safety plan template.
DEFAULT_TEMPLATE = [
    {"heading": "How can I try and ensure I will not be at risk of further abuse/unpleasant behaviour?",
     "prompts": ["Try to avoid situations/groups/individuals who make me feel uncomfortable",
                 "I will 'check in' regularly with my teacher and report any concerns",
                 "I will report any digital activity which is concerning or unsolicited"]},
    {"heading": "Do I have any mental health concerns or symptoms that make it harder to stay safe?", "prompts": []},
    {"heading": "How can I help with these?", "prompts": []},
    {"heading": "What can I do right now that will help me feel safe? (coping strategies)", "prompts": []},
    {"heading": "Who can I reach out to for help?", "prompts": []},
    {"heading": "Long Term Support Plan", "prompts": []},
]
# Which of the form's fields answer each Appendix 3 section, in order; the prompts that hint at each.
SECTION_FIELDS = [
    [("situations_to_avoid", (0,)), ("check_ins_who", (1,)), ("check_ins_how_often", ()), ("reporting", (2, 3))],
    [("mental_health", ())],
    [("wellbeing_support", "all")],
    [("coping_strategies", "all")],
    [("reach_out", "all")],
    [("long_term_support", "all")],
]
SOURCE = "CoC Appendix 3"


def template_from(packs) -> tuple[list[dict], str]:
    """The first adopted pack's safety plan template (its sections), or Appendix 3 as shipped."""
    for pack in packs:
        template = pack.safety_plan_template or {}
        sections = [dict(s) for s in template.get("sections") or [] if isinstance(s, dict) and s.get("heading")]
        if len(sections) >= len(SECTION_FIELDS):
            return sections, str(template.get("source") or pack.abbreviation)
    return DEFAULT_TEMPLATE, SOURCE


def _sections(form, packs) -> list[dict]:
    """[{"heading", "fields": [names]}] in Appendix 3's order; each field's hint is the pack's prompts."""
    template, _ = template_from(packs)
    result = []
    for section, fields in zip(template, SECTION_FIELDS, strict=False):
        prompts = [str(p) for p in section.get("prompts") or []]
        for name, which in fields:
            picked = prompts if which == "all" else [prompts[i] for i in which if i < len(prompts)]
            if picked and not form.fields[name].help_text:
                form.fields[name].help_text = "For example: " + "; ".join(picked) + "."
                form.fields[name].widget.attrs["aria-describedby"] = f"{form[name].auto_id}-hint"
        result.append({"heading": str(section["heading"]), "fields": [name for name, _ in fields]})
    return result


def _text(label, *, rows=3, required=False, help_text=""):
    return forms.CharField(label=label, required=required, help_text=help_text, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _date(label, help_text=""):
    return forms.DateField(label=label, help_text=help_text, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class SafetyPlanForm(Form):
    role = forms.ChoiceField(label="The child's part in what happened", choices=PlanRole.choices, required=False,
                             widget=forms.RadioSelect)
    situations_to_avoid = _text("Situations, places, groups or people to avoid")
    check_ins_who = _text("Who the child checks in with", rows=2)
    check_ins_how_often = forms.CharField(label="How often they check in", required=False, max_length=200,
                                          help_text="For example: every morning at registration, and after lunch.")
    reporting = _text("How the child reports a worry, in school and online")
    mental_health = _text("Mental health concerns or symptoms that make it harder to stay safe")
    wellbeing_support = _text("How we will help with these")
    coping_strategies = _text("What the child can do right now to feel safe (coping strategies)")
    reach_out = _text("People the child can reach out to for help", rows=2)
    support_chosen = forms.MultipleChoiceField(label="Support services and local contacts", required=False,
                                               widget=forms.CheckboxSelectMultiple)
    long_term_support = _text("Long-term support")
    timetable_changes = _text("Changes to the timetable or lessons", rows=2)
    location_changes = _text("Changes to where the child goes (classrooms, break and lunch, toilets, trips)", rows=2)
    transport_changes = _text("Changes to transport to and from school", rows=2)
    agreed_with_child = forms.BooleanField(label="The child", required=False)
    agreed_with_parents = forms.BooleanField(label="Their parents or carers", required=False)
    agreed_with_others = forms.CharField(label="Others (names and roles)", required=False, max_length=1000)
    agreed_on = _date("Date it was agreed")
    review_due = _date("Review by", help_text="A reminder joins the safeguarding lead's action list for this date.")
    reason = _text("Why the plan is being revised", rows=2)

    def __init__(self, *args, packs=(), support=(), revising=False, role_fixed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = _sections(self, packs)
        self.fields["support_chosen"].choices = [(name, name) for name in support]
        if not revising:
            del self.fields["reason"]
        if role_fixed or revising:
            del self.fields["role"]

    def section_fields(self):
        """The Appendix 3 sections with their bound fields, for the template."""
        return [{"heading": section["heading"], "fields": [self[name] for name in section["fields"]],
                 "support": "reach_out" in section["fields"]} for section in self.sections]

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields if name not in ("role", "reason")}


class ReviewForm(Form):
    note = _text("What the review considered, and why the plan stays as it is", rows=4)
    next_review_due = _date("Next review by")


class CloseForm(Form):
    reason = _text("Why the plan is no longer needed", rows=3,
                   help_text="The reason is kept in the child's chronology. The open review reminder is completed.")


class DecisionForm(Form):
    role = forms.ChoiceField(label="The child's part in what happened", choices=PlanRole.choices, required=False,
                             widget=forms.RadioSelect)
    decision = forms.ChoiceField(label="Does this child need a safety plan?", choices=PlanDecision.Decision.choices,
                                 required=False, widget=forms.RadioSelect,
                                 help_text="Where children witnessed abuse or violent behaviour, assess the risk to "
                                           "them and consider whether a plan would meet their needs (CoC 11.4).")
    reason = _text("Why", rows=4)

    def __init__(self, *args, role_fixed=False, **kwargs):
        super().__init__(*args, **kwargs)
        if role_fixed:
            del self.fields["role"]


class SanctionForm(Form):
    kind = forms.ChoiceField(label="What the sanction is", choices=Sanction.Kind.choices, required=False,
                             widget=forms.RadioSelect,
                             help_text="Exclusion is only a last resort, where the safety and wellbeing of other "
                                       "pupils is at risk (CoC 13.6).")
    what = _text("Describe the sanction", rows=2,
                 help_text="What the child will do or lose, and for how long.")
    why = _text("Why this sanction", rows=3,
                help_text="For example: to help the child take responsibility and understand the harm (CoC 13.2).")
    safeguarding_considerations = _text(
        "How the child's welfare and safety were considered", rows=4,
        help_text="The duty to safeguard every child involved, the reasons behind the behaviour, its severity, and "
                  "any abuse the child has suffered (CoC 13.3).")
    last_resort_reason = _text(
        "For a suspension or exclusion: why other options were not enough", rows=3,
        help_text="Needed for a suspension or permanent exclusion. If the child moves school, share what the new "
                  "school needs to protect its pupils and the child (CoC 13.7).")
    police_or_childrens_services = forms.BooleanField(
        label="Police proceedings or children's services are involved", required=False)
    partnership_note = _text("How the decision was agreed with them", rows=2,
                             help_text="Needed when police or children's services are involved (CoC 13.1).")
    decided_on = _date("Date of the decision")


class WithdrawForm(Form):
    reason = _text("Why the sanction is withdrawn", rows=3)
