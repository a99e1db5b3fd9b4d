"""How long a record is kept, and when it is next reviewed (docs/domain/records-lifecycle.md). Pure.

Each rule comes from the `retention:` section of the statutory baseline pack, with its source. A record
is never destroyed on its date: the date is when it is reviewed, and the review keeps it for another
period or a second person approves its destruction.
"""

import re
from dataclasses import dataclass
from datetime import date

# What a rule counts from: the child's date of birth, or the date an allegation about an adult was made.
FROM_DATE_OF_BIRTH = "date_of_birth"
FROM_ALLEGATION = "allegation"
STARTS = (FROM_DATE_OF_BIRTH, FROM_ALLEGATION)
# What a rule applies to: a child's file at a kind of establishment, or an allegation about an adult.
ALLEGATION = "allegation"
APPLIES_TO = ("school", "childrens_home", "college", ALLEGATION)
YEARS = re.compile(r"^(\d+) years?$")


def years(text: str) -> int:
    """“25 years” -> 25; anything else is a ValueError that names what was expected."""
    match = YEARS.match(str(text).strip())
    if not match:
        raise ValueError(f"“{text}” should be a number of years, like “25 years”")
    return int(match.group(1))


def add_years(start: date, count: int) -> date:
    """The same day `count` years on. A 29 February with no 29 February that year becomes 1 March: the
    full period has then run (the day after 28 February), so a record is never reviewed a day early."""
    try:
        return start.replace(year=start.year + count)
    except ValueError:
        return date(start.year + count, 3, 1)


@dataclass(frozen=True)
class RetentionRule:
    code: str
    records: str
    applies_to: tuple[str, ...]
    starts: str
    keep_years: int
    source: str
    # Children's homes: if the child dies before `died_before_age`, the record is kept `after_death_years`
    # from the death instead (CH(E)R 2015 reg 36(2)(a)).
    died_before_age: int | None = None
    after_death_years: int | None = None
    # Allegations: kept at least until the adult reaches this age, if that is later (KCSIE Part four).
    until_age: int | None = None


@dataclass(frozen=True)
class Review:
    """When a record is due for review, and under which rule (the longest that applies)."""
    rule: RetentionRule
    due_on: date


def child_review(rules: tuple[RetentionRule, ...], *, date_of_birth: date, kinds: set[str],
                 died_on: date | None = None) -> Review | None:
    """A child's file, kept under the rule of each kind of establishment they were at; the longest wins
    (a child at both halves of an integrated pair keeps the home's period). None: no rule applies."""
    reviews = []
    for rule in rules:
        if rule.starts != FROM_DATE_OF_BIRTH or not kinds & set(rule.applies_to):
            continue
        due = add_years(date_of_birth, rule.keep_years)
        if (died_on is not None and rule.died_before_age is not None
                and died_on < add_years(date_of_birth, rule.died_before_age)):
            due = add_years(died_on, rule.after_death_years)
        reviews.append(Review(rule, due))
    return max(reviews, key=lambda review: review.due_on, default=None)


def allegation_review(rules: tuple[RetentionRule, ...], *, made_on: date,
                      adult_date_of_birth: date | None = None) -> Review | None:
    """An allegation about an adult: 10 years from the allegation or until the adult's normal pension age,
    whichever is later. Without the adult's date of birth, the 10 years (the review then asks)."""
    reviews = []
    for rule in rules:
        if rule.starts != FROM_ALLEGATION:
            continue
        due = add_years(made_on, rule.keep_years)
        if rule.until_age is not None and adult_date_of_birth is not None:
            due = max(due, add_years(adult_date_of_birth, rule.until_age))
        reviews.append(Review(rule, due))
    return max(reviews, key=lambda review: review.due_on, default=None)


# Where a record stands on a day: its review has not come, it is due for review, or a legal hold stops its
# destruction (a hold is shown on the review list whether or not the review has come).
NOT_DUE = "not_due"
DUE = "due"
HELD = "held"


def status(review: Review | None, today: date, *, held: bool = False, kept_until: date | None = None) -> str:
    """Due once its date has come, unless a review kept it for another period that has not yet run; a hold
    stops destruction whatever the date."""
    if held:
        return HELD
    if review is None or today < max(review.due_on, kept_until or date.min):
        return NOT_DUE
    return DUE
