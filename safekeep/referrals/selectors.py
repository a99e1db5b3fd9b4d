from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects

from safekeep.audit.services import audit_record
from safekeep.authz.access import can, establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.concerns.selectors import not_a_hidden_allegation

from .models import Consultation, NrmTracker, Referral, ReferralOutcome


def _not_a_hidden_allegation(actor):
    """Judged on each record's own concern (a join), not a subquery over every allegation (issue 12)."""
    return not_a_hidden_allegation(actor, "concern")


def referrals_visible_to(actor):
    """The safeguarding team's referrals at their establishments, and any referral the person made
    themselves (CoC 9.3: anyone can refer). A LADO referral about an allegation follows the allegation."""
    scope = scope_for(actor)
    if not scope.roles:
        return Referral.objects.none()
    return (Referral.objects.filter(Q(made_by=actor) | Q(establishment_id__in=scope.establishment_ids(
        Permission.CHILD_VIEW))).filter(_not_a_hidden_allegation(actor)))


def team_records(model, actor):
    """Consultations and NRM trackers: the safeguarding team at the establishment only."""
    ids = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
    if not ids:
        return model.objects.none()
    return model.objects.filter(_not_a_hidden_allegation(actor), establishment_id__in=ids)


def access_referral(actor, referral_id, action="referral.view") -> Referral:
    return get_visible(referrals_visible_to(actor).select_related("establishment", "child", "made_by",
                                                                  "chase_action"), referral_id, action)


def _answered():
    return Exists(ReferralOutcome.objects.filter(referral_id=OuterRef("pk")))


def _answers_shown_to(actor):
    """The list form of can(actor, child.view, referral) for the agency's answers."""
    return ReferralOutcome.objects.filter(
        referral__establishment_id__in=establishments_where(actor, Permission.CHILD_VIEW))


def read_referral(actor, referral_id) -> Referral:
    """The referral, with the agency's answers for those who may see them (can child.view there): the
    selector decides, so no page, API answer or export can show them to the referrer. Reading it is
    audited in the same transaction (fail closed)."""
    with transaction.atomic():
        referral = get_visible(referrals_visible_to(actor).select_related(
            "establishment", "child", "made_by", "chase_action", "concern").annotate(answered=_answered()),
            referral_id, "referral.view")
        referral.team = can(actor, Permission.CHILD_VIEW, referral)
        answers = ReferralOutcome.objects.select_related("recorded_by")
        prefetch_related_objects([referral], Prefetch("outcomes", queryset=answers if referral.team
                                                      else answers.none()))
        audit_record(actor=actor, action="referral.view", obj=referral, establishment_id=referral.establishment_id,
                     role=role_for(actor, Permission.CHILD_VIEW, referral))
    return referral


def access_nrm(actor, tracker_id, action="nrm.view") -> NrmTracker:
    return get_visible(team_records(NrmTracker, actor).select_related("establishment", "child", "concern"),
                       tracker_id, action)


def read_nrm(actor, tracker_id) -> NrmTracker:
    with transaction.atomic():
        tracker = access_nrm(actor, tracker_id)
        audit_record(actor=actor, action="nrm.view", obj=tracker, establishment_id=tracker.establishment_id,
                     role=role_for(actor, Permission.CHILD_VIEW, tracker))
    return tracker


def child_referral_work(actor, child):
    """What the child's page lists: referrals (with their latest answer where the person follows the case,
    otherwise only whether there is one), consultations, NRM trackers.
    Four queries; the child page's own read is the audited one."""
    referrals = list(referrals_visible_to(actor).filter(child=child).annotate(answered=_answered()).prefetch_related(
        Prefetch("outcomes", queryset=_answers_shown_to(actor).order_by("-received_at", "-id"))))
    return {"referrals": referrals,
            "consultations": list(team_records(Consultation, actor).filter(child=child)),
            "nrm_trackers": list(team_records(NrmTracker, actor).filter(child=child))}
