from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.api.fields import object_id
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_visible_to
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.establishments.selectors import establishments_visible_to
from safekeep.sharing import lawful_basis

from . import selectors, services
from .models import Agency, Consent, Consultation, NrmTracker, Referral, ReferralOutcome


def _place_and_child(request, data, permission, action):
    establishment = establishments_visible_to(request.user, permission).filter(pk=data.pop("establishment")).first()
    child = children_visible_to(request.user, permission).filter(pk=data.pop("child")).first()
    if establishment is None or child is None:
        raise NotVisible(action)
    concern_id = data.pop("concern", None)
    data["concern"] = None
    if concern_id is not None:
        data["concern"] = concerns_visible_to(request.user).filter(pk=concern_id).first()
        if data["concern"] is None:
            raise NotVisible(action, "concern", concern_id)
    return establishment, child


class OutcomeSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReferralOutcome
        fields = ["id", "outcome", "received_at", "note", "response", "challenge"]


class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    establishment_id = serializers.IntegerField(read_only=True)
    child_id = serializers.IntegerField(read_only=True)
    concern_id = serializers.IntegerField(read_only=True, allow_null=True)
    made_by_id = serializers.IntegerField(read_only=True)
    chase_due_at = serializers.DateTimeField(source="chase_action.due_at", read_only=True, allow_null=True,
                                             default=None)
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "establishment_id", "child_id", "concern_id", "agency", "agency_name", "made_by_id",
                  "made_at", "how", "reference", "what_shared", "urgent", "consent", "consent_note", "chase_due_at",
                  "outcomes"]


class ReferralRecordSerializer(serializers.Serializer):
    establishment = object_id()
    child = object_id()
    concern = object_id(required=False, allow_null=True, default=None)
    agency = serializers.ChoiceField(choices=Agency.choices)
    agency_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    made_at = serializers.DateTimeField()
    how = serializers.ChoiceField(choices=Referral.How.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    what_shared = serializers.CharField(max_length=20000)
    urgent = serializers.BooleanField(default=False)
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_note = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    lawful_basis = serializers.ChoiceField(choices=lawful_basis.CHOICES)
    secure_handling_agreed = serializers.BooleanField()
    secure_handling_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema(summary="Record a referral made to another agency (its response clock starts)", tags=["referrals"],
               request=ReferralRecordSerializer, responses={201: ReferralSerializer})
class ReferralRecord(APIView):
    def post(self, request):
        body = ReferralRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment, child = _place_and_child(request, data, Permission.CHILD_SEARCH, "referral.create")
        referral = services.referral_record(actor=request.user, establishment=establishment, child=child, **data)
        return Response(ReferralSerializer(selectors.read_referral(request.user, referral.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(summary="A referral and the agency's answers", tags=["referrals"], responses=ReferralSerializer)
class ReferralDetail(APIView):
    def get(self, request, pk):
        # The selector leaves out the agency's answers for the member of staff who referred.
        return Response(ReferralSerializer(selectors.read_referral(request.user, pk)).data)


@extend_schema(summary="Record what the agency decided, and whether the DSL agrees or challenges it",
               tags=["referrals"], request=OutcomeSerializer, responses={201: OutcomeSerializer})
class ReferralOutcomeRecord(APIView):
    def post(self, request, pk):
        referral = selectors.access_referral(request.user, pk, "referral.outcome")
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = services.referral_outcome_record(actor=request.user, referral=referral, **body.validated_data)
        return Response(OutcomeSerializer(answer).data, status=status.HTTP_201_CREATED)


class ConsultationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    establishment = object_id(write_only=True)
    child = object_id(write_only=True)
    concern = object_id(write_only=True, required=False, allow_null=True, default=None)

    class Meta:
        model = Consultation
        fields = ["id", "establishment", "child", "concern", "agency", "spoke_to", "held_at", "advice"]


@extend_schema(summary="Record a no-names consultation (CoC 10.4)", tags=["referrals"],
               request=ConsultationSerializer, responses={201: ConsultationSerializer})
class ConsultationRecord(APIView):
    def post(self, request):
        body = ConsultationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment, child = _place_and_child(request, data, Permission.CHILD_VIEW, "consultation.create")
        consultation = services.consultation_record(actor=request.user, establishment=establishment, child=child,
                                                    **data)
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


class NrmSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    establishment_id = serializers.IntegerField(read_only=True)
    child_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = NrmTracker
        fields = ["id", "establishment_id", "child_id", "opened_at", *services.NRM_FIELDS]
        read_only_fields = ["opened_at"]


@extend_schema(summary="A child's NRM tracker, and the updates the DSL hears of", tags=["referrals"],
               request=NrmSerializer, responses=NrmSerializer)
class NrmDetail(APIView):
    def get(self, request, pk):
        return Response(NrmSerializer(selectors.read_nrm(request.user, pk)).data)

    def post(self, request, pk):
        tracker = selectors.access_nrm(request.user, pk, "nrm.update")
        body = NrmSerializer(tracker, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        tracker = services.nrm_update(actor=request.user, tracker=tracker, **body.validated_data)
        return Response(NrmSerializer(tracker).data)
