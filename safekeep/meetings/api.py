from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.accounts.models import User
from safekeep.actions.forms import OWNER_CHOICES
from safekeep.api.fields import object_id
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.children.api import ChildNameSerializer
from safekeep.children.models import Child
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.establishments.selectors import access_establishment
from safekeep.sharing import lawful_basis
from safekeep.sharing.models import Consent

from . import selectors, services
from .models import Meeting


class AttendeeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200, allow_blank=True, default="")
    agency = serializers.CharField(max_length=200)


class AgreedActionInSerializer(serializers.Serializer):
    what = serializers.CharField(max_length=300)
    owner_role = serializers.ChoiceField(choices=OWNER_CHOICES, default="dsl")
    owner = object_id(required=False, allow_null=True, default=None,
                                     help_text="A person at the establishment, instead of a role")
    due_on = serializers.DateField(help_text="Due at 17:00 UK time that day")
    child = object_id(required=False, allow_null=True, default=None,
                                     help_text="One of the children discussed; each of them if left out")


class MeetingShareInSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=200)
    recipient_organisation = serializers.CharField(max_length=200)
    what = serializers.CharField(max_length=300)
    purpose = serializers.CharField(max_length=500)
    lawful_basis = serializers.ChoiceField(choices=lawful_basis.CHOICES)
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    secure_handling_agreed = serializers.BooleanField()
    secure_handling_note = serializers.CharField(max_length=500, allow_blank=True, default="")


class MeetingInSerializer(serializers.Serializer):
    establishment = object_id()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    held_at = serializers.DateTimeField()
    children = serializers.ListField(child=object_id(), min_length=1, max_length=50)
    attendees = AttendeeSerializer(many=True)
    decisions = serializers.CharField(max_length=services.MAX_TEXT)
    minutes = serializers.CharField(max_length=services.MAX_TEXT, allow_blank=True, default="")
    actions = AgreedActionInSerializer(many=True, default=list)
    share = MeetingShareInSerializer(required=False, allow_null=True, default=None,
                                     help_text="What was shared with other agencies at the meeting, if anything")
    concern = object_id(required=False, allow_null=True, default=None,
                        help_text="The concern the meeting follows; required for a meeting about an allegation")
    about_allegation = serializers.BooleanField(default=False,
                                                help_text="The meeting is about an allegation about an adult: "
                                                          "name it in concern")


class AttendeeOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    agency = serializers.CharField()


class AgreedActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    what = serializers.CharField()
    owner_role = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField()
    status = serializers.CharField()


class MeetingNoteSerializer(serializers.Serializer):
    text = serializers.CharField()
    added_by = serializers.CharField(source="added_by.full_name")
    added_at = serializers.DateTimeField()


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    held_at = serializers.DateTimeField()
    establishment_id = serializers.IntegerField()
    children = ChildNameSerializer(many=True, source="children.all")
    attendees = AttendeeOutSerializer(many=True, source="attendees.all")
    decisions = serializers.CharField()
    minutes = serializers.CharField(allow_null=True)
    actions = serializers.SerializerMethodField()
    shares = serializers.SerializerMethodField()
    notes = MeetingNoteSerializer(many=True, source="notes.all")
    recorded_by_id = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()
    concern_id = serializers.IntegerField(allow_null=True)

    @extend_schema_field(AgreedActionSerializer(many=True))
    def get_actions(self, meeting):
        return AgreedActionSerializer(selectors.actions_of(meeting), many=True).data

    def get_shares(self, meeting) -> list[int]:
        return [share.pk for share in getattr(meeting, "shares", [])]


def _by_id(model, ids, name, queryset=None):
    found = (queryset if queryset is not None else model.objects).in_bulk(ids)
    if len(found) != len(set(ids)):
        raise exceptions.ValidationError({name: "Not one you can choose here."})
    return found


class MeetingRecord(APIView):
    @extend_schema(summary="Record a multi-agency, strategy or professionals meeting", tags=["meetings"],
                   request=MeetingInSerializer, responses={201: MeetingSerializer})
    def post(self, request):
        body = MeetingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment = access_establishment(request.user, data.pop("establishment"),
                                             permission=Permission.CHILD_VIEW, action="meeting.create")
        children = _by_id(Child, data["children"], "children")
        data["children"] = [children[pk] for pk in dict.fromkeys(data["children"])]
        owners = _by_id(User, [a["owner"] for a in data["actions"] if a["owner"] is not None], "actions",
                        User.objects.filter(organisation_id=establishment.organisation_id))
        data["actions"] = [a | {"owner": owners.get(a["owner"]), "child": children.get(a["child"])
                                if a["child"] is not None else None} for a in data["actions"]]
        if any(a["child"] is None and original["child"] is not None
               for a, original in zip(data["actions"], body.validated_data["actions"], strict=True)):
            raise exceptions.ValidationError({"actions": "An action's child must be one of the children discussed."})
        data["share"] = dict(data["share"]) if data["share"] else None
        if data["concern"] is not None:
            concern_id, data["concern"] = data["concern"], concerns_visible_to(request.user).filter(
                pk=data["concern"]).first()
            if data["concern"] is None:
                raise NotVisible("meeting.create", "concern", concern_id)
        try:
            meeting = services.meeting_record(actor=request.user, establishment=establishment, **data)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(MeetingSerializer(selectors.read_meeting(request.user, meeting.pk)).data,
                        status=status.HTTP_201_CREATED)


class MeetingDetail(APIView):
    @extend_schema(summary="A meeting (the safeguarding team at its establishment)", tags=["meetings"],
                   responses=MeetingSerializer)
    def get(self, request, pk):
        return Response(MeetingSerializer(selectors.read_meeting(request.user, pk)).data)
