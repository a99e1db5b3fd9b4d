"""Roles and what each may do, in words a DSL can review (DESIGN.md section 1).

This module is the one place that says which role holds which permission. Pages and API
endpoints check permissions, never role names, so changing what a role may do is a
change here and in the reviewed URL policy (url_policy.yaml), nowhere else. Whether a person
holds a permission for one record is asked of authz.access.can (ADR 0009).
"""

from dataclasses import dataclass

from django.db import models


class Scope(models.TextChoices):
    ESTABLISHMENT = "establishment", "One establishment"
    REGION = "region", "A region"
    ORGANISATION = "organisation", "The whole organisation"


class Role(models.TextChoices):
    STAFF = "staff", "Member of staff"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    HEAD = "head", "Headteacher or registered manager"
    REGIONAL_DIRECTOR = "regional_director", "Regional director or head of service"
    GROUP_HEAD = "group_head", "Group head of safeguarding"
    GOVERNOR = "governor", "Governor"
    DPO = "dpo", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"


class Permission(models.TextChoices):
    CHILD_SEARCH = "child.search", "Find a child by name, to record a concern about them"
    CHILD_VIEW = "child.view", "Read a child's record"
    ALLEGATION_VIEW = "allegation.view", "Read allegations about adults who work with children (never about themselves)"
    CHILD_ACCESS_LOG_VIEW = "child.access_log.view", "See who has looked at a child's record"
    ESTABLISHMENT_VIEW = "establishment.view", "See an establishment's details and local contacts"
    ESTABLISHMENT_MANAGE = "establishment.manage", "Add and change establishments and their local contacts"
    PERSON_MANAGE = "person.manage", "Add people, change their details and unlock their accounts"
    ROLE_MANAGE = "role.manage", "Give people roles and take roles away"
    IMPORT_RUN = "import.run", "Load children and staff from the school's MIS files"
    AUDIT_LOG_VIEW = "audit.view", "Read the audit log of who did what"
    ACTION_MANAGE = "action.manage", "See, add, reassign, complete and cancel the actions at an establishment"
    POLICY_VIEW = "policy.view", "See what the adopted policies require, by whom and by when"
    POLICY_ADOPT = "policy.adopt", "Load a revised policy pack and adopt it for the organisation"
    SHARING_REGISTER_VIEW = "sharing.view", ("See the register of information shared with other agencies, and "
                                             "export it (never what a concern says)")
    # Trends (issue 13 section 2): counts over time across the establishments the person oversees (CoC 6.6,
    # CE 10.6). A count opens onto the concerns behind it only where the person may read them.
    TRENDS_VIEW = "trends.view", ("See trends in concerns, child-on-child abuse, exploitation and how quickly "
                                  "steps are taken, as counts, charts and tables")
    # Governor and SLT reports (safekeep.governance, CE 10.6): totals and trends with small numbers hidden.
    GOVERNANCE_REPORT_VIEW = "governance.report.view", ("See the termly report of totals and trends, with small "
                                                        "numbers hidden, and the exploitation risk reviews")
    GOVERNANCE_REVIEW_RECORD = "governance.review.record", ("Record a governance or SLT meeting's exploitation risk "
                                                            "review, with its decisions and actions (CE 10.6)")
    # The home pages of those who oversee (issue 13, section 1; CoC 6.6, CE 10.6).
    CLOCKS_MISSED_VIEW = "oversight.clocks", ("See the clocks missed this term: actions done late or still "
                                              "overdue, at each establishment")
    ESTABLISHMENTS_COMPARE = "oversight.compare", ("See the establishments of a region or organisation side by "
                                                   "side, each figure leading to the records behind it")
    # Peer groups (issue 14 section 2; CoC 2.4-2.5, CE 5.1-5.2): these pages join many children, so only the
    # safeguarding team and the group head see them.
    PEER_GROUPS_VIEW = "peergroups.view", ("See the clusters of children named together in concerns, and the "
                                           "peer groups saved from them")
    PEER_GROUP_RECORD = "peergroups.record", ("Save a peer group, add children to it and write in its "
                                              "chronology")
    # Missing episodes (issue 14 section 4; CE 5.3, 5.4, 7.8): the safeguarding team records them and the group
    # head reads them; a governor sees nothing about one child.
    MISSING_VIEW = "missing.view", ("Read a child's missing episodes and the description kept ready for the "
                                    "police")
    MISSING_RECORD = "missing.record", ("Record a child going missing and coming back, and keep their description "
                                        "ready for the police")
    # A child's exploitation signs over time (issue 14 section 5; CE 5.3, 5.4, 6.3, 7.8, 8.1, 8.2): it gathers
    # what was recorded about one child across concerns, decisions and missing episodes, so only the
    # safeguarding team and the group head see it.
    EXPLOITATION_VIEW = "exploitation.view", ("See a child's exploitation risk factors and indicators as recorded, "
                                              "this term against last, each linked to its record (never a score)")
    # Places and hotspots (issue 14 section 1; CoC 2.4-2.5, CE 5.1-5.2): the concerns gathered by where they
    # happened, so only the safeguarding team and the group head see them; the head sets the flag's thresholds.
    PLACES_VIEW = "places.view", ("See the hotspot flag: a place, a kind of place or a year group where "
                                  "concerns gather")
    HOTSPOTS_SET = "places.thresholds", ("Set how many concerns at one place, one kind of place or one year group, "
                                         "within how many days, show the hotspot flag")
    PLACES_RECORD = "places.record", ("Write notes about a place, upload the site plan and pin the places on it")
    # Training currency (issue 15 section 1; CE 2.0, KCSIE Part two and Annex C). Everyone sees their own.
    TRAINING_RECORD = "training.record", ("Record the safeguarding training the staff of an establishment have "
                                          "done, by hand or from a CSV file")
    TRAINING_VIEW_ESTABLISHMENT = "training.view_establishment", ("See whose safeguarding training at an "
                                                                  "establishment is overdue or expiring soon")
    TRAINING_VIEW_GROUP = "training.view_group", ("See the share of staff whose training is current, course by "
                                                  "course, at each establishment overseen")
    # The annual review of the child-on-child abuse policy (issue 13 section 4; CoC 1.4, 5.5, 14.2-14.3). Its
    # answers may hold case detail, so only its leads read them; governors read the figures and the decisions.
    POLICY_REVIEW_LEAD = "governance.policy_review.lead", (
        "Open the annual review of the child-on-child abuse policy, answer its questions, make and close its "
        "questionnaire links, and add its action plan")
    POLICY_REVIEW_VIEW = "governance.policy_review.view", (
        "Read the annual policy review: its figures and questionnaire counts with small numbers hidden, its "
        "action plan and what it decided")
    # Retention with review (issue 15 section 4; IRMS toolkit, CH(E)R 2015 reg 36, KCSIE Part four): the
    # safeguarding lead, the head and the data protection officer review files whose period has run. Destroying
    # one takes two of them: one proposes, another approves.
    RETENTION_REVIEW = "retention.review", ("Review children's files whose retention period has run: keep one for "
                                            "another period, or propose or approve its destruction")
    RETENTION_HOLD = "retention.hold", ("Place a legal hold on a child's file so it cannot be destroyed, and lift "
                                        "it, with the reason")
    # Context assessments (issue 14 section 3; CoC 2.4-2.5, 2.5(h), 7.3): a place, an online space or a peer group
    # assessed and planned for. The safeguarding team and the head assess; the group head reads.
    CONTEXTS_VIEW = "contexts.view", ("Read the assessments of places, online spaces and peer groups, and their "
                                      "plans and reviews")
    CONTEXTS_ASSESS = "contexts.assess", ("Assess a place, an online space or a peer group, plan what will change "
                                          "there, review the plan and record meetings about it")
    # The child protection file follows the child (issue 15 section 2; KCSIE 2025 Annex C): the safeguarding team
    # sends it to the new school and imports one a school sent them.
    TRANSFER_SEND = "transfers.send", ("Send a child's child protection file to their new school or college, and "
                                       "import one another school sent")
    # Subject access (issue 15 section 5; UK GDPR Art. 12(3), 15): the data protection officer and the
    # safeguarding team record requests and their clock; gathering a child's records for the answer also needs
    # child.view, so the DPO sees what was withheld and why, never the records themselves.
    SUBJECT_ACCESS_MANAGE = "subjectaccess.manage", (
        "Record a subject access request for a child's records, extend its deadline with the reason, and decide "
        "what the answer withholds and why")
    # A child's date of death (issue 15 section 4; CH(E)R 2015 reg 36(2)(b)): a children's home keeps the case
    # records 15 years from the death of a child who dies before 18. The safeguarding team and the head or
    # registered manager record it.
    CHILD_DEATH_RECORD = "child.death.record", ("Record the date a child died, or correct it, so their file is kept "
                                                "for as long as the law says")


P = Permission


@dataclass(frozen=True)
class RoleDefinition:
    role: Role
    scopes: tuple[Scope, ...]
    summary: str
    sees: str
    does: str
    permissions: frozenset[Permission]
    # Roles that can read any child data must have set up two-factor authentication.
    # Safekeep asks it of every role; the flag records why it matters most for these.
    reads_child_data: bool

    @property
    def reads_case_content(self) -> bool:
        """Reads children's records or allegations: given only with a second person's approval."""
        return bool(self.permissions & CASE_CONTENT)

    @property
    def names_where_held(self) -> list[str]:
        """What the role is called at each kind of establishment that names it differently."""
        return [f"At {_KIND_WORDS[kind]}: {names[self.role]}" for kind, names in _NAMES_BY_KIND.items()
                if self.role in names]

    @property
    def permissions_sorted(self) -> list[Permission]:
        return sorted(self.permissions, key=lambda p: list(Permission).index(p))


# The permissions that read case content. A role holding one takes effect only when a second person who
# already holds it, for the same places or more, approves the grant (nobody gives themselves access).
CASE_CONTENT = frozenset({P.CHILD_VIEW, P.ALLEGATION_VIEW})

_CASE_READERS = frozenset({P.CHILD_SEARCH, P.CHILD_VIEW, P.CHILD_ACCESS_LOG_VIEW, P.ESTABLISHMENT_VIEW,
                           P.POLICY_VIEW, P.ACTION_MANAGE})
# Allegations about adults go to the DSL or deputy, the head or registered manager, and the group head
# (CE 11.7; KCSIE Part four). The regional director oversees cases but not allegations about staff.
_ALLEGATION_READERS = _CASE_READERS | {P.ALLEGATION_VIEW}
# Those who follow cases see the trends of the places they follow; governors get the suppressed pack instead.
_TREND_READERS = frozenset({P.TRENDS_VIEW})
# Children named together in concerns, across many children: the safeguarding team and the group head only.
_PEER_GROUPS = frozenset({P.PEER_GROUPS_VIEW, P.PEER_GROUP_RECORD})
# Exploitation risks are reviewed at every governance and SLT meeting (CE 10.6): the governors, the head and
# those above the establishment read the termly report and record the review.
_GOVERNANCE = frozenset({P.GOVERNANCE_REPORT_VIEW, P.GOVERNANCE_REVIEW_RECORD})
# Those who oversee several establishments see them side by side, with the clocks each missed this term.
_OVERSEERS = frozenset({P.CLOCKS_MISSED_VIEW, P.ESTABLISHMENTS_COMPARE})
# Missing episodes: the safeguarding team at the establishment records them; the group head reads them.
_MISSING_TEAM = frozenset({P.MISSING_VIEW, P.MISSING_RECORD})
# A child's exploitation signs over time: the safeguarding team and the group head, who judge the risk.
_EXPLOITATION_READERS = frozenset({P.EXPLOITATION_VIEW})
# The safeguarding team and the head keep their establishment's training current and record it (KCSIE Annex C:
# the DSL makes sure staff are trained); the administrator loads records as they load staff. Those above the
# establishment see the establishments' currency side by side.
_TRAINING_KEEPERS = frozenset({P.TRAINING_RECORD, P.TRAINING_VIEW_ESTABLISHMENT})
_TRAINING_OVERSEERS = frozenset({P.TRAINING_VIEW_ESTABLISHMENT, P.TRAINING_VIEW_GROUP})
# The head and the safeguarding team review the child-on-child abuse policy each year (CoC 1.4, 14.2-14.3);
# governors read what it found and decided, never its answers.
_POLICY_REVIEW_LEADS = frozenset({P.POLICY_REVIEW_LEAD, P.POLICY_REVIEW_VIEW})
# Places and hotspots: the safeguarding team and the group head.
_PLACES = frozenset({P.PLACES_VIEW, P.HOTSPOTS_SET, P.PLACES_RECORD})
# Retention: the safeguarding lead, the head and the data protection officer review files and place holds.
_RETENTION = frozenset({P.RETENTION_REVIEW, P.RETENTION_HOLD})
# Context assessments: the safeguarding team and the head at the establishment; the group head reads them.
_CONTEXTS = frozenset({P.CONTEXTS_VIEW, P.CONTEXTS_ASSESS})
# The child protection file that follows a child: the safeguarding team sends and imports it.
_TRANSFERS = frozenset({P.TRANSFER_SEND})
# Subject access requests: the safeguarding team and the data protection officer.
_SUBJECT_ACCESS = frozenset({P.SUBJECT_ACCESS_MANAGE})
# A child's date of death: the safeguarding team and the head or registered manager, who are told first.
_DEATH = frozenset({P.CHILD_DEATH_RECORD})

ROLES: dict[Role, RoleDefinition] = {
    d.role: d
    for d in [
        RoleDefinition(
            Role.STAFF,
            (Scope.ESTABLISHMENT,),
            "Teachers, teaching assistants, care workers, support staff and volunteers.",
            "The children at their establishment, by name and year group only, so they can pick the right "
            "child when they record a concern (never a date of birth, and only by typing part of a name). "
            "Only the concerns they recorded themselves: their own words, their own additions and their own "
            "steps, never the case that follows (the safeguarding lead's decisions, actions and notes). For a "
            "referral they made, that the agency answered, not the answer.",
            "Record concerns and add to them; see that the safeguarding lead has received them.",
            frozenset({P.CHILD_SEARCH, P.ESTABLISHMENT_VIEW, P.POLICY_VIEW}),
            reads_child_data=True,
        ),
        RoleDefinition(
            Role.DSL,
            (Scope.ESTABLISHMENT,),
            "The designated safeguarding lead of a school, or the safeguarding lead of a children's home.",
            "Everything recorded at their establishment, except an allegation made about themselves.",
            "Triage concerns, decide, refer, plan and close cases; see who has read a child's record.",
            _ALLEGATION_READERS | _TREND_READERS | _PEER_GROUPS | _MISSING_TEAM | _TRAINING_KEEPERS
            | _EXPLOITATION_READERS | _POLICY_REVIEW_LEADS | _PLACES | _RETENTION | _CONTEXTS | _TRANSFERS
            | _SUBJECT_ACCESS | _DEATH,
            reads_child_data=True,
        ),
        RoleDefinition(
            Role.DEPUTY_DSL,
            (Scope.ESTABLISHMENT,),
            "Stands in for the designated safeguarding lead, with the same access.",
            "Everything recorded at their establishment, except an allegation made about themselves.",
            "The same as the designated safeguarding lead.",
            _ALLEGATION_READERS | _TREND_READERS | _PEER_GROUPS | _MISSING_TEAM | _TRAINING_KEEPERS
            | _EXPLOITATION_READERS | _POLICY_REVIEW_LEADS | _PLACES | _CONTEXTS | _TRANSFERS | _SUBJECT_ACCESS
            | _DEATH,
            reads_child_data=True,
        ),
        RoleDefinition(
            Role.HEAD,
            (Scope.ESTABLISHMENT,),
            "The headteacher of a school or the registered manager of a children's home.",
            "The records of their establishment, including allegations about adults, except one about themselves.",
            "Is the next person a late action is escalated to; receives allegations about staff when the "
            "safeguarding lead is not available.",
            _ALLEGATION_READERS | _TREND_READERS | _GOVERNANCE | _MISSING_TEAM | {P.CLOCKS_MISSED_VIEW} | _TRAINING_KEEPERS
            | _POLICY_REVIEW_LEADS | {P.HOTSPOTS_SET} | _RETENTION | _CONTEXTS | _DEATH,
            reads_child_data=True,
        ),
        RoleDefinition(
            Role.REGIONAL_DIRECTOR,
            (Scope.REGION,),
            "A regional director or head of service for a group of establishments.",
            "The records of every establishment in their region, except allegations about adults.",
            "Is told about exploitation concerns in the region and is an escalation point.",
            # Missing episodes are read as the rest of the record is: their chronology entries already are (CE 5.3).
            _CASE_READERS | _TREND_READERS | _GOVERNANCE | _OVERSEERS | _TRAINING_OVERSEERS | {P.MISSING_VIEW},
            reads_child_data=True,
        ),
        RoleDefinition(
            Role.GROUP_HEAD,
            (Scope.ORGANISATION,),
            "The group head of safeguarding or safeguarding adviser for the whole organisation.",
            "The records of every establishment in the organisation, including allegations about adults (except "
            "one about themselves), and the audit log.",
            "Oversight across the organisation; is told about every exploitation concern; adopts revised policies.",
            _ALLEGATION_READERS | _TREND_READERS | _GOVERNANCE | _OVERSEERS | _TRAINING_OVERSEERS
            | {P.AUDIT_LOG_VIEW, P.POLICY_ADOPT, P.SHARING_REGISTER_VIEW, P.MISSING_VIEW} | _PEER_GROUPS
            | _EXPLOITATION_READERS | _PLACES | {P.CONTEXTS_VIEW},
            reads_child_data=True,
        ),
        RoleDefinition(
            Role.GOVERNOR,
            (Scope.ESTABLISHMENT, Scope.ORGANISATION),
            "The chair of governors or a governor of an establishment or a trust.",
            "Totals and trends only, with small numbers hidden so no child can be recognised. No names.",
            "Reviews how well safeguarding works, at governance meetings.",
            frozenset({P.ESTABLISHMENT_VIEW, P.POLICY_VIEW, P.POLICY_REVIEW_VIEW}) | _GOVERNANCE,
            reads_child_data=False,
        ),
        RoleDefinition(
            Role.DPO,
            (Scope.ORGANISATION,),
            "The organisation's data protection officer.",
            "The information-sharing register and the audit log, but never what a concern says.",
            "Checks that personal information is handled lawfully; reviews files whose retention period has run "
            "and places legal holds; records subject access requests.",
            frozenset({P.ESTABLISHMENT_VIEW, P.AUDIT_LOG_VIEW, P.SHARING_REGISTER_VIEW}) | _RETENTION | _SUBJECT_ACCESS,
            reads_child_data=False,
        ),
        RoleDefinition(
            Role.ADMINISTRATOR,
            (Scope.ORGANISATION,),
            "Looks after the organisation's establishments, people and data loads.",
            "Establishments, people and their roles. No concerns and no child records.",
            "Adds people, gives and removes roles, unlocks accounts, loads children and staff from MIS files, "
            "loads and adopts revised policies.",
            frozenset({P.ESTABLISHMENT_VIEW, P.ESTABLISHMENT_MANAGE, P.PERSON_MANAGE, P.ROLE_MANAGE, P.IMPORT_RUN,
                       P.POLICY_ADOPT, P.TRAINING_RECORD}),
            reads_child_data=False,
        ),
    ]
}


# What a role is called where it is held. Safekeep's role names are the school's; a children's home has
# a safeguarding lead and their deputy, and its head is the registered manager (DESIGN.md section 1;
# CE 11.3 "the Home Safeguarding Lead", CE 11.7 "Headteacher or equivalent/Registered Manager"). Keyed by
# establishment kind (establishments.Establishment.Kind); a role held for a region or an organisation,
# or at a kind not listed, keeps its general name.
_NAMES_BY_KIND: dict[str, dict[Role, str]] = {
    "school": {Role.HEAD: "Headteacher"},
    "college": {Role.HEAD: "Principal"},
    "childrens_home": {Role.DSL: "Safeguarding lead", Role.DEPUTY_DSL: "Deputy safeguarding lead",
                       Role.HEAD: "Registered manager"},
}

_KIND_WORDS = {"school": "a school", "college": "a college", "childrens_home": "a children's home"}


def role_label(role: str, kind: str | None = None) -> str:
    """The role's name, in the words of the kind of establishment it is held at (None: the general name).
    The one place a role's name is worked out: pages, emails and action owners all ask here."""
    if role not in Role.values:
        return role
    return _NAMES_BY_KIND.get(kind or "", {}).get(Role(role)) or Role(role).label


def roles_with(permission: Permission) -> set[Role]:
    return {role for role, definition in ROLES.items() if permission in definition.permissions}
