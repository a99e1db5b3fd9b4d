"""Subject access requests in the API: read only, through the selectors the pages use (scoped by authz, each read
audited). A request shows what its page shows the reader: the child it is about, who asked and when, its clock,
its extension and whether its answer is prepared. What the answer withholds is given as counts only: each
decision's description names a third party, and the data protection officer sees requests, never the records."""

from collections import Counter

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.children.api import ChildNameSerializer
from safekeep.core import clock

from . import selectors
from .models import Exemption, SubjectAccessRequest


class SubjectAccessSummarySerializer(serializers.ModelSerializer):
    establishment_id = serializers.IntegerField()
    child = ChildNameSerializer()
    extended = serializers.BooleanField(source="is_extended", help_text="Extended once, with the reason told to "
                                                                        "the requester (UK GDPR Art. 12(3))")
    status = serializers.SerializerMethodField(help_text="open: the answer is still to prepare; answered: what it "
                                                         "withholds is decided and the answer can be sent")
    overdue = serializers.SerializerMethodField(help_text="Still open after the day it was due")

    class Meta:
        model = SubjectAccessRequest
        fields = ["id", "establishment_id", "child", "received_on", "due_on", "extended", "status", "overdue"]

    def get_status(self, request) -> str:
        return "answered" if request.is_decided else "open"

    def get_overdue(self, request) -> bool:
        return not request.is_decided and clock.today() > request.due_on


class SubjectAccessExtensionSerializer(serializers.Serializer):
    reason = serializers.CharField(source="extension_reason", help_text="The reason told to the requester")
    extended_by = serializers.CharField(source="extended_by.full_name")
    extended_at = serializers.DateTimeField()


class SubjectAccessClockSerializer(serializers.Serializer):
    """The request's action: the answer's due time for its owner, and whether it is done."""
    action_id = serializers.IntegerField(source="pk")
    what = serializers.CharField()
    owner_role = serializers.CharField()
    due_at = serializers.DateTimeField()
    deadline = serializers.CharField(help_text="The time allowed, in words: \"by 5 February 2026\"")
    status = serializers.CharField()
    source = serializers.CharField()


class SubjectAccessAnswerSerializer(serializers.Serializer):
    decided_by = serializers.CharField()
    decided_at = serializers.DateTimeField()
    proposed = serializers.IntegerField(help_text="How many redactions Safekeep proposed, each decided by a person")
    withheld = serializers.IntegerField(help_text="How many of them were withheld")
    withheld_by_exemption = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many were withheld under each exemption: " + ", ".join(Exemption.values))


class SubjectAccessRequestSerializer(SubjectAccessSummarySerializer):
    requester_name = serializers.CharField()
    relationship = serializers.ChoiceField(choices=SubjectAccessRequest.Relationship.choices)
    received_how = serializers.ChoiceField(choices=SubjectAccessRequest.ReceivedHow.choices)
    extension = serializers.SerializerMethodField()
    clock = SubjectAccessClockSerializer(source="action")
    answer = serializers.SerializerMethodField()

    class Meta(SubjectAccessSummarySerializer.Meta):
        fields = SubjectAccessSummarySerializer.Meta.fields + ["requester_name", "relationship", "received_how",
                                                         "extension", "clock", "answer"]

    @extend_schema_field(SubjectAccessExtensionSerializer(allow_null=True))
    def get_extension(self, request) -> dict | None:
        return SubjectAccessExtensionSerializer(request).data if request.is_extended else None

    @extend_schema_field(SubjectAccessAnswerSerializer(allow_null=True))
    def get_answer(self, request) -> dict | None:
        if not request.is_decided:
            return None
        decisions = self.context["decisions"]
        withheld = [decision for decision in decisions if decision.withheld]
        return SubjectAccessAnswerSerializer({
            "decided_by": request.decided_by.full_name, "decided_at": request.decided_at,
            "proposed": len(decisions), "withheld": len(withheld),
            "withheld_by_exemption": dict(sorted(Counter(decision.exemption for decision in withheld).items()))}).data


@extend_schema(summary="Subject access requests you manage, soonest due first", tags=["subject access"],
               description="The safeguarding team at the child's establishment and the data protection officer. "
                           "Requests are few, so the answer is one plain list.",
               responses=SubjectAccessSummarySerializer(many=True))
class RequestList(APIView):
    def get(self, request):
        return Response(SubjectAccessSummarySerializer(selectors.read_requests(request.user), many=True).data)


@extend_schema(summary="A subject access request: its clock, its extension and what its answer withholds, counted",
               tags=["subject access"], responses=SubjectAccessRequestSerializer)
class RequestDetail(APIView):
    def get(self, request, pk):
        found, decisions = selectors.read_request(request.user, pk)
        return Response(SubjectAccessRequestSerializer(found, context={"decisions": decisions}).data)
