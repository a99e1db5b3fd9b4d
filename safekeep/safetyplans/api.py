"""REST endpoints for safety plans and sanctions: the same services as the pages (one write path)."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.authz.access import get_visible
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_visible_to
from safekeep.concerns.selectors import access_concern
from safekeep.establishments.selectors import access_establishment

from . import selectors, services
from .models import PlanRole, SafetyPlan, SafetyPlanReview, SafetyPlanVersion, Sanction


def _as_api_error(call):
    try:
        return call()
    except ValidationError as error:
        raise exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) \
            from None


def _concern(request, concern_id, action):
    return access_concern(request.user, concern_id, action) if concern_id is not None else None


def _child(request, child_id, action):
    return get_visible(children_visible_to(request.user), child_id, action)


class PlanContentSerializer(serializers.Serializer):
    situations_to_avoid = serializers.CharField(max_length=5000, allow_blank=True, default="")
    check_ins_who = serializers.CharField(max_length=5000, allow_blank=True, default="")
    check_ins_how_often = serializers.CharField(max_length=200, allow_blank=True, default="")
    reporting = serializers.CharField(max_length=5000, allow_blank=True, default="")
    mental_health = serializers.CharField(max_length=5000, allow_blank=True, default="")
    wellbeing_support = serializers.CharField(max_length=5000, allow_blank=True, default="")
    coping_strategies = serializers.CharField(max_length=5000, allow_blank=True, default="")
    reach_out = serializers.CharField(max_length=5000, allow_blank=True, default="")
    support_chosen = serializers.ListField(child=serializers.CharField(max_length=300), max_length=60, default=list,
                                           help_text="Names of support services (the adopted policies' Appendix 2) "
                                                     "and the establishment's local contacts")
    long_term_support = serializers.CharField(max_length=5000, allow_blank=True, default="")
    timetable_changes = serializers.CharField(max_length=5000, allow_blank=True, default="")
    location_changes = serializers.CharField(max_length=5000, allow_blank=True, default="")
    transport_changes = serializers.CharField(max_length=5000, allow_blank=True, default="")
    agreed_with_child = serializers.BooleanField(default=False)
    agreed_with_parents = serializers.BooleanField(default=False)
    agreed_with_others = serializers.CharField(max_length=1000, allow_blank=True, default="")
    agreed_on = serializers.DateField()
    review_due = serializers.DateField()


class SafetyPlanCreateSerializer(PlanContentSerializer):
    establishment = serializers.IntegerField()
    child = serializers.IntegerField()
    concern = serializers.IntegerField(required=False, allow_null=True, default=None)
    role = serializers.ChoiceField(choices=PlanRole.choices)


class SafetyPlanReviseSerializer(PlanContentSerializer):
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class SafetyPlanReviewInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True)
    next_review_due = serializers.DateField()


class SafetyPlanVersionSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField()
    created_by_id = serializers.IntegerField()
    support_chosen = serializers.ListField(child=serializers.CharField(), source="support_list")

    class Meta:
        model = SafetyPlanVersion
        fields = ["number", "created_by_id", "created_at", "reason", "situations_to_avoid", "check_ins_who",
                  "check_ins_how_often", "reporting", "mental_health", "wellbeing_support", "coping_strategies",
                  "reach_out", "support_chosen", "long_term_support", "timetable_changes", "location_changes",
                  "transport_changes", "agreed_with_child", "agreed_with_parents", "agreed_with_others", "agreed_on",
                  "review_due"]


class SafetyPlanReviewSerializer(serializers.ModelSerializer):
    reviewed_by_id = serializers.IntegerField()
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = SafetyPlanReview
        fields = ["reviewed_by_id", "reviewed_at", "outcome", "note", "version", "next_review_due"]


class SafetyPlanSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    establishment_id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    concern_id = serializers.IntegerField(allow_null=True)
    review_action_id = serializers.IntegerField(allow_null=True)
    versions = SafetyPlanVersionSerializer(many=True, help_text="Newest first: the first is the current version")
    reviews = SafetyPlanReviewSerializer(many=True)

    class Meta:
        model = SafetyPlan
        fields = ["id", "establishment_id", "child_id", "concern_id", "role", "status", "created_at", "review_due",
                  "review_action_id", "closed_at", "close_reason", "versions", "reviews"]


class SanctionInSerializer(serializers.Serializer):
    establishment = serializers.IntegerField()
    child = serializers.IntegerField()
    concern = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Sanction.Kind.choices)
    what = serializers.CharField(max_length=5000, allow_blank=True)
    why = serializers.CharField(max_length=5000, allow_blank=True)
    safeguarding_considerations = serializers.CharField(max_length=5000, allow_blank=True)
    last_resort_reason = serializers.CharField(max_length=5000, allow_blank=True, default="",
                                               help_text="Required for a suspension or permanent exclusion")
    police_or_childrens_services = serializers.BooleanField(default=False)
    partnership_note = serializers.CharField(max_length=5000, allow_blank=True, default="")
    decided_on = serializers.DateField()


class SanctionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    establishment_id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    concern_id = serializers.IntegerField()

    class Meta:
        model = Sanction
        fields = ["id", "establishment_id", "child_id", "concern_id", "kind", "what", "why",
                  "safeguarding_considerations", "last_resort_reason", "police_or_childrens_services",
                  "partnership_note", "decided_on", "recorded_at"]


@extend_schema(summary="Put a safety plan in place for one child (child-on-child policy 11, Appendix 3)",
               tags=["safety plans"], request=SafetyPlanCreateSerializer, responses={201: SafetyPlanSerializer})
class PlanCreate(APIView):
    def post(self, request):
        body = SafetyPlanCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment = access_establishment(request.user, data.pop("establishment"),
                                             permission=Permission.CHILD_VIEW, action="plan.create")
        child = _child(request, data.pop("child"), "plan.create")
        concern = _concern(request, data.pop("concern"), "plan.create")
        role = data.pop("role")
        plan = _as_api_error(lambda: services.safety_plan_create(
            actor=request.user, establishment=establishment, child=child, concern=concern, role=role, values=data))
        return Response(SafetyPlanSerializer(selectors.read_plan(request.user, plan.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(summary="One safety plan you may see, with every version (newest first) and its reviews",
               tags=["safety plans"], responses=SafetyPlanSerializer)
class PlanDetail(APIView):
    def get(self, request, pk):
        return Response(SafetyPlanSerializer(selectors.read_plan(request.user, pk)).data)


@extend_schema(summary="Revise a safety plan: a new version, with why (counts as a review)", tags=["safety plans"],
               request=SafetyPlanReviseSerializer, responses={201: SafetyPlanSerializer})
class PlanRevise(APIView):
    def post(self, request, pk):
        plan = selectors.access_plan(request.user, pk, "plan.revise")
        body = SafetyPlanReviseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = data.pop("reason")
        _as_api_error(lambda: services.safety_plan_revise(actor=request.user, plan=plan, values=data, reason=reason))
        return Response(SafetyPlanSerializer(selectors.read_plan(request.user, pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Record a review of a safety plan with no change, and the next review date",
               tags=["safety plans"], request=SafetyPlanReviewInSerializer, responses={201: SafetyPlanSerializer})
class PlanReview(APIView):
    def post(self, request, pk):
        plan = selectors.access_plan(request.user, pk, "plan.review")
        body = SafetyPlanReviewInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _as_api_error(lambda: services.safety_plan_review(actor=request.user, plan=plan, **body.validated_data))
        return Response(SafetyPlanSerializer(selectors.read_plan(request.user, pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Record a sanction for a child in a child-on-child case (child-on-child policy 13)",
               tags=["safety plans"], request=SanctionInSerializer, responses={201: SanctionSerializer})
class SanctionRecord(APIView):
    def post(self, request):
        body = SanctionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment = access_establishment(request.user, data.pop("establishment"),
                                             permission=Permission.CHILD_VIEW, action="sanction.record")
        child = _child(request, data.pop("child"), "sanction.record")
        concern = _concern(request, data.pop("concern"), "sanction.record")
        sanction = _as_api_error(lambda: services.sanction_record(
            actor=request.user, establishment=establishment, child=child, concern=concern, **data))
        return Response(SanctionSerializer(sanction).data, status=status.HTTP_201_CREATED)
