from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .forms import OWNER_CHOICES
from .models import Action


class ActionSerializer(serializers.ModelSerializer):
    child_id = serializers.IntegerField(allow_null=True, help_text="None for an action a governance or SLT "
                                                                   "meeting agreed (CE 10.6)")
    establishment_id = serializers.IntegerField()
    concern_id = serializers.IntegerField(allow_null=True, read_only=True,
                                          help_text="The concern the step follows from (none for one added by hand "
                                                    "or from a meeting)")
    overdue = serializers.SerializerMethodField()
    deadline = serializers.CharField(max_length=40)  # the time allowed, in words: "1 working day", "by 5 March 2026"
    # Declared here so the schema does not depend on the database (integer ranges differ by backend).
    escalation_level = serializers.IntegerField(read_only=True, help_text="How many steps of the ladder were told")

    class Meta:
        model = Action
        fields = ["id", "child_id", "establishment_id", "concern_id", "what", "owner_role", "owner_id", "deadline", "due_at",
                  "overdue", "status", "escalation_level", "source", "pack", "pack_version", "rule_id",
                  "completed_at", "completion_note", "cancel_reason"]

    def get_overdue(self, action) -> bool:
        return action.is_open and getattr(action, "late", 1) == 0


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="What was done, for the child's chronology")


class ReassignSerializer(serializers.Serializer):
    owner_role = serializers.ChoiceField(choices=OWNER_CHOICES)


def _run(call):
    try:
        return call()
    except ValidationError as error:
        raise exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) \
            from None


@extend_schema(
    summary="Open actions: yours, or an establishment's (overdue first), a page at a time", tags=["actions"],
    description=f"Up to {selectors.ACTIONS_PAGE} actions, the soonest due first. When there are more, the answer "
                "has a `Link` header with `rel=\"next\"`: ask for that URL (it adds `after`, the last action's id) "
                "for the next page, until an answer has no `Link` header. Each page's body is a plain list of actions.",
    parameters=[OpenApiParameter("establishment", int, description="All open actions there (for its safeguarding "
                                 "team)"),
                OpenApiParameter("after", str, description="From the next page's link: the id of the last action of "
                                 "the page before"),
                OpenApiParameter("Link", str, location=OpenApiParameter.HEADER, response=True,
                                 description='The next page, as `</api/v1/actions/?after=123>; rel="next"`; absent '
                                             'on the last page')],
    responses=ActionSerializer(many=True))
class ActionList(APIView):
    def get(self, request):
        # Paged by keyset as the actions page is (issue 12: no answer over 200 KiB, however many actions are open).
        establishment = request.query_params.get("establishment", "")
        page = selectors.read_action_list(request.user, int(establishment) if establishment.isdigit() else None,
                                          after=request.query_params.get("after", ""))
        response = Response(ActionSerializer(page.rows, many=True).data)
        if page.next_cursor:
            query = request.query_params.copy()
            query["after"] = page.next_cursor
            response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
        return response


@extend_schema(summary="Mark an action as done", tags=["actions"], request=CompleteSerializer,
               responses=ActionSerializer)
class ActionComplete(APIView):
    def post(self, request, pk):
        # Whose action it is comes first: a stranger learns nothing, not even what the body should be.
        action = selectors.access_action(request.user, pk, "action.complete")
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = _run(lambda: services.action_complete(actor=request.user, action=action,
                                                     note=body.validated_data["note"]))
        return Response(ActionSerializer(done).data)


@extend_schema(summary="Pass an action to another role", tags=["actions"], request=ReassignSerializer,
               responses=ActionSerializer)
class ActionReassign(APIView):
    def post(self, request, pk):
        action = selectors.access_action(request.user, pk, "action.reassign")
        body = ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        moved = _run(lambda: services.action_reassign(actor=request.user, action=action,
                                                      owner_role=body.validated_data["owner_role"]))
        return Response(ActionSerializer(moved).data)
