"""What the trend pages count, in one place: the measures of the summary table, their values in plain words,
and the school year's terms (docs/domain/oversight.md, "Trends").

The policy packs say which categories there are, which of them are forms of child-on-child abuse (CoC 2.2) and
which are kinds of exploitation (CE 3-8), and what the Hackett levels are (CoC 3.2): this module only reads them.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from safekeep.policy.packs import shipped_packs

# Measures of the summary table (TrendCount.measure).
ALL = "all"  # every concern about a child (value "")
CATEGORY = "category"  # concerns with a child placed in this category (the DSL's latest decision, else the recorder's)
YEAR_GROUP = "year_group"  # concerns with a child harmed or at risk in this year group
SEND = "send"  # ... with this SEND status
LOOKED_AFTER = "looked_after"  # ... looked after ("yes") or not ("no")
PLACE = "place"  # concerns at this place on the establishment's list ("" for one not on the list)
PLACE_KIND = "place_kind"  # on site, off site, online ("" not given)
WEEKDAY = "weekday"  # ISO day of the week the concern happened (1 Monday), times given exactly only
HOUR = "hour"  # the hour of the day it happened (UK time), times given exactly only
CHILD_ON_CHILD = "coc"  # concerns with a form of child-on-child abuse (value "")
HACKETT = "hackett"  # child-on-child concerns by a child's latest Hackett level
GENDER_MIX = "gender_mix"  # child-on-child concerns by the genders of the children harmed and alleged responsible
TRIAGE_TIME = "triage_time"  # concerns by how long until the first triage decision ("untriaged": none yet)
REFERRAL_TIME = "referral_time"  # concerns referred, by how long from recording to the first referral
ACTIONS = "actions"  # actions due by now: "due", "on_time" (done by their due time)
REFERRALS = "referrals"  # referrals made: "made", "unanswered" (no decision from the agency yet)

WEEKDAYS = {str(number): name for number, name in enumerate(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), start=1)}
PLACE_KINDS = {"on_site": "On site", "off_site": "Off site", "online": "Online", "": "Not given"}
GENDER_MIXES = {"girls": "Girls only", "boys": "Boys only", "mixed": "Girls and boys",
                "unknown": "Another gender, or not recorded"}
# What schools' information systems write for a child's gender (the MIS import keeps it as it comes).
GIRL_WORDS = ("f", "female", "girl")
BOY_WORDS = ("m", "male", "boy")


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    within: timedelta | None  # None: longer than every other band


# How long a step took, in the bands the clocks table shows. Display bands only: the deadlines themselves are
# the packs' (a DSL reads a concern at once, CE 10.1; a referral within one working day, CE 10.1, CoC 10.5).
DURATION_BANDS = (
    Band("1h", "Within an hour", timedelta(hours=1)),
    Band("4h", "1 to 4 hours", timedelta(hours=4)),
    Band("1d", "4 to 24 hours", timedelta(days=1)),
    Band("2d", "1 to 2 days", timedelta(days=2)),
    Band("5d", "2 to 5 days", timedelta(days=5)),
    Band("longer", "Longer than 5 days", None),
)
UNTRIAGED = "untriaged"

# The school year in England runs from September to August (Education Act 1996 s.579: the school year begins
# after 31 July; schools' terms start in September). Terms are taken as whole months so that any term is a sum
# of monthly rows: autumn September to December, spring January to March, summer April to August. A spring
# term that ends after Easter in April is counted with the summer (docs/adr/0011-trend-summaries.md).
TERMS = (("autumn", "Autumn term", (9, 10, 11, 12)), ("spring", "Spring term", (1, 2, 3)),
         ("summer", "Summer term", (4, 5, 6, 7, 8)))
TERM_LABELS = {code: label for code, label, _ in TERMS}
SCHOOL_YEAR_STARTS = 9


@dataclass(frozen=True)
class Categories:
    labels: dict[str, str]  # code -> label, every category of the shipped packs
    child_on_child: tuple[str, ...]  # the forms of child-on-child abuse (CoC 2.2)
    exploitation: tuple[str, ...]  # the kinds of exploitation (CE)
    hackett: dict[str, str]  # Hackett level code -> label (CoC 3.2)


@cache
def categories() -> Categories:
    """The categories as the shipped packs define them. A form of child-on-child abuse is a category under
    `child_on_child` (CoC 2.2); a kind of exploitation one under `exploitation` (its umbrella left out)."""
    packs = shipped_packs()
    found = [category for pack in packs for category in pack.categories]
    labels = {category.code: category.label for category in found}
    parents = {category.code: category.parent for category in found}

    def under(code, root):
        seen = set()
        while code and code not in seen:
            seen.add(code)
            code = parents.get(code, "")
            if code == root:
                return True
        return False

    hackett = {level["code"]: level["label"] for pack in packs for level in pack.hackett}
    return Categories(labels=labels,
                      child_on_child=tuple(code for code in labels if under(code, "child_on_child")),
                      exploitation=tuple(code for code in labels if under(code, "exploitation")),
                      hackett=hackett)
