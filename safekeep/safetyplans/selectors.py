"""Reads of safety plans, decisions and sanctions: the case team at the plan's establishment (those who
may read the child's record there), through the children they may see; 404 for anyone else. Every
read is audited in the same transaction (fail closed)."""

from django.db import transaction
from django.db.models import Prefetch

from safekeep.audit.services import audit_record
from safekeep.authz.access import get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import access_child, children_visible_to
from safekeep.concerns.selectors import not_a_hidden_allegation

from .models import PlanDecision, SafetyPlan, SafetyPlanReview, SafetyPlanVersion, Sanction


def _scoped(queryset, actor):
    establishment_ids = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
    if not establishment_ids:
        return queryset.none()
    # Judged on each record's own concern (a join), not a subquery over every allegation (issue 12).
    return queryset.filter(not_a_hidden_allegation(actor, "concern"), establishment_id__in=establishment_ids,
                           child__in=children_visible_to(actor))


def plans_visible_to(actor):
    return _scoped(SafetyPlan.objects.all(), actor)


def decisions_visible_to(actor):
    return _scoped(PlanDecision.objects.all(), actor)


def sanctions_visible_to(actor):
    return _scoped(Sanction.objects.all(), actor)


def access_plan(actor, plan_id, action="plan.view") -> SafetyPlan:
    return get_visible(plans_visible_to(actor).select_related("establishment", "child", "concern"), plan_id, action)


def access_sanction(actor, sanction_id, action="sanction.view") -> Sanction:
    return get_visible(sanctions_visible_to(actor).select_related("establishment", "child", "concern"),
                       sanction_id, action)


def read_plan(actor, plan_id) -> SafetyPlan:
    """The plan with its versions (newest first) and reviews, read and audited in one transaction."""
    with transaction.atomic():
        plan = get_visible(
            plans_visible_to(actor).select_related("establishment", "child", "concern", "created_by", "closed_by",
                                                   "review_action")
            .prefetch_related(Prefetch("versions", queryset=SafetyPlanVersion.objects.select_related("created_by")
                                       .order_by("-number")),
                              Prefetch("reviews", queryset=SafetyPlanReview.objects.select_related(
                                  "reviewed_by", "version").order_by("-reviewed_at", "-id"))),
            plan_id, "plan.view")
        audit_record(actor=actor, action="plan.view", obj=plan, role=role_for(actor, Permission.CHILD_VIEW, plan),
                     establishment_id=plan.establishment_id, detail={"child": plan.child_id})
    return plan


def read_child_plans(actor, child_id):
    """A child's plans, decisions and sanctions at the establishments where the actor may read them."""
    with transaction.atomic():
        child = access_child(actor, child_id, action="plan.list")
        plans = list(plans_visible_to(actor).filter(child=child).select_related("establishment", "concern")
                     .order_by("status", "-created_at", "-id"))
        decisions = list(decisions_visible_to(actor).filter(child=child).select_related("decided_by", "concern")
                         .order_by("-decided_at", "-id"))
        sanctions = list(sanctions_visible_to(actor).filter(child=child).select_related(
            "recorded_by", "withdrawal").order_by("-decided_on", "-id"))
    return child, plans, decisions, sanctions


def for_concern(actor, concern):
    """For the concern page: each child involved, their role, and their plans and latest decision.

    Plans about the child at the concern's establishment are shown whether or not they name this concern
    (one plan per child and role covers every incident)."""
    children = [involved.child_id for involved in concern.children_involved.all()]
    plans = (plans_visible_to(actor).filter(child_id__in=children, establishment_id=concern.establishment_id)
             .order_by("status", "-created_at", "-id"))
    decisions = (decisions_visible_to(actor).filter(child_id__in=children, concern=concern)
                 .order_by("-decided_at", "-id"))
    sanctions = sanctions_visible_to(actor).filter(concern=concern).select_related("withdrawal")
    by_child_plans, by_child_decision, by_child_sanctions = {}, {}, {}
    for plan in plans:
        by_child_plans.setdefault(plan.child_id, []).append(plan)
    for decision in decisions:
        by_child_decision.setdefault(decision.child_id, decision)
    for sanction in sanctions:
        by_child_sanctions.setdefault(sanction.child_id, []).append(sanction)
    return [{"involved": involved, "plans": by_child_plans.get(involved.child_id, []),
             "decision": by_child_decision.get(involved.child_id),
             "sanctions": by_child_sanctions.get(involved.child_id, []),
             "needs_decision": involved.role in ("witness", "bystander")}
            for involved in concern.children_involved.all()]
