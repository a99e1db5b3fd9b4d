"""Reads of context assessments. Only those who hold contexts.view where the context is (the safeguarding team, the
head, the group head) see them, and an assessment of a peer group only those who also read peer groups there (it
names children together); 404 for anyone else, missing and not-yours alike. Every read is audited in its
transaction (fail closed)."""

from django.db import transaction
from django.db.models import Prefetch, Q

from safekeep.audit.services import audit_record
from safekeep.authz.access import establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.establishments.models import Establishment, Location
from safekeep.packs.selectors import packs_for
from safekeep.peergroups.selectors import peer_groups_visible_to
from safekeep.policy.packs import ContextAssessmentRules

from .models import ContextAssessment, ContextPlanAction

VIEW = Permission.CONTEXTS_VIEW
ASSESS = Permission.CONTEXTS_ASSESS


def context_rules(establishment) -> tuple[ContextAssessmentRules | None, str]:
    """The adopted packs' context_assessment section for the establishment (the child-on-child abuse pack ships
    one), and that pack's version."""
    pack = next((pack for pack in packs_for(establishment) if pack.context_assessment is not None), None)
    return (pack.context_assessment, pack.version) if pack else (None, "")


def assessments_visible_to(actor):
    places = establishments_where(actor, VIEW)
    if not places:
        return ContextAssessment.objects.none()
    groups_read = establishments_where(actor, Permission.PEER_GROUPS_VIEW)
    return ContextAssessment.objects.filter(establishment_id__in=places).filter(
        Q(peer_group__isnull=True) | Q(establishment_id__in=groups_read))


def establishments_to_assess(actor):
    return Establishment.objects.filter(pk__in=establishments_where(actor, ASSESS)).order_by("name")


def access_establishment(actor, establishment_id, action: str) -> Establishment:
    """An establishment where the person assesses contexts, or 404."""
    return get_visible(establishments_to_assess(actor), establishment_id, action)


def contexts_at(actor, establishment) -> dict:
    """What may be assessed at the establishment: its places in use (on site, off site, online) and the peer groups
    saved there that the person reads."""
    return {"locations": list(Location.objects.filter(establishment=establishment, retired=False)),
            "peer_groups": list(peer_groups_visible_to(actor).filter(establishment=establishment))}


def assessments_list(actor) -> list[ContextAssessment]:
    """Every assessment the person reads, open plans first by review date. Read and audited together."""
    with transaction.atomic():
        found = list(assessments_visible_to(actor).select_related("establishment", "location", "peer_group")
                     .order_by("closed_at", "review_due_on", "-id"))
        audit_record(actor=actor, action="contexts.list", object_type="contextassessment",
                     detail={"assessments": len(found)})
    return found


def assessments_about(actor, *, location=None, peer_group=None) -> list[ContextAssessment]:
    """The assessments of one place or one peer group that the person reads, open plans first, for the context's
    own page to link to (its page has already checked the person sees the context). Read and audited together."""
    about = {"location": location} if location is not None else {"peer_group": peer_group}
    context = location if location is not None else peer_group
    with transaction.atomic():
        found = list(assessments_visible_to(actor).filter(**about).select_related("assessed_by")
                     .order_by("closed_at", "-assessed_at", "-id"))
        audit_record(actor=actor, action="contexts.about", obj=context, establishment_id=context.establishment_id,
                     role=role_for(actor, VIEW, context), detail={"assessments": len(found)})
    return found


def access_assessment(actor, assessment_id, action="context.view") -> ContextAssessment:
    """One assessment the person reads (not audited here: the caller's service or read is); 404 otherwise."""
    return get_visible(assessments_visible_to(actor).select_related("establishment", "location", "peer_group"),
                       assessment_id, action)


def read_assessment(actor, assessment_id) -> ContextAssessment:
    """The assessment with its answers, its plan's actions, its reviews, its meetings and its referrals, read and
    audited."""
    with transaction.atomic():
        assessment = get_visible(
            assessments_visible_to(actor).select_related("establishment", "location", "peer_group", "assessed_by")
            .prefetch_related("answers", "reviews__reviewed_by", "meetings__recorded_by", "referrals__recorded_by",
                              Prefetch("plan_actions", ContextPlanAction.objects.select_related("action__establishment", "action__owner"))),
            assessment_id, "context.view")
        audit_record(actor=actor, action="context.view", obj=assessment, role=role_for(actor, VIEW, assessment),
                     establishment_id=assessment.establishment_id)
    return assessment
