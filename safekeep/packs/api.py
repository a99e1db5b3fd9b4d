from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.authz.roles import Permission
from safekeep.core import clock
from safekeep.establishments.selectors import access_establishment
from safekeep.policy.engine import ConcernFacts, required_actions
from safekeep.policy.packs import FLAGS

from .selectors import packs_for


class FactsSerializer(serializers.Serializer):
    establishment = serializers.IntegerField(help_text="The establishment whose adopted policies apply")
    categories = serializers.ListField(child=serializers.CharField(max_length=60), max_length=30, default=list)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=FLAGS), max_length=len(FLAGS), default=list)
    started_at = serializers.DateTimeField(required=False, help_text="When the clock starts; now if not given")


class RequiredActionSerializer(serializers.Serializer):
    what = serializers.CharField()
    owner = serializers.CharField(help_text="The role who must do it")
    deadline = serializers.CharField(help_text="As the policy words it, e.g. '1 working day'")
    due_at = serializers.DateTimeField()
    escalation = serializers.ListField(child=serializers.CharField())
    notify = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField(help_text="The policy section the rule comes from")
    pack = serializers.CharField()
    pack_version = serializers.CharField()
    rule_id = serializers.CharField()


@extend_schema(summary="What would the adopted policies require for a concern like this?", tags=["policies"],
               request=FactsSerializer, responses=RequiredActionSerializer(many=True))
class Requirements(APIView):
    """Nothing is recorded: this answers a hypothetical, for a DSL planning or a system integrating."""

    def post(self, request):
        facts = FactsSerializer(data=request.data)
        facts.is_valid(raise_exception=True)
        establishment = access_establishment(request.user, facts.validated_data["establishment"],
                                             permission=Permission.POLICY_VIEW, action="policy.evaluate")
        actions = required_actions(packs_for(establishment), ConcernFacts(
            frozenset(facts.validated_data["categories"]), frozenset(facts.validated_data["flags"]),
            establishment.kind, establishment.nation, facts.validated_data.get("started_at") or clock.now()))
        return Response([{**{name: getattr(a, name) for name in (
            "what", "owner", "due_at", "escalation", "notify", "source", "pack", "pack_version", "rule_id")},
            "deadline": str(a.deadline)} for a in actions])
