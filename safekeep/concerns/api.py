from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.api.fields import object_id
from safekeep.attachments.api import AttachmentSerializer, BodyMarkInSerializer, BodyMarkSerializer
from safekeep.attachments.selectors import attachments_of, body_marks_of
from safekeep.authz.roles import Permission
from safekeep.children.models import Child
from safekeep.establishments.selectors import access_establishment, locations_for

from . import selectors, services
from .models import AdultRelationship, Concern, ConcernChild
from .patterns import patterns_for

# The API's inbox is the first rows of the inbox, as it has always been (unread and urgent first).
API_INBOX_ROWS = 200


class ChildInvolvedSerializer(serializers.Serializer):
    child = object_id()
    role = serializers.ChoiceField(choices=ConcernChild.Role.choices)
    categories = serializers.ListField(child=serializers.CharField(max_length=60), max_length=20, default=list,
                                       help_text="Category codes from the adopted policies; empty means "
                                                 "'don't know' (the DSL decides)")
    indicators = serializers.ListField(child=serializers.CharField(max_length=300), max_length=40, default=list,
                                       help_text="Signs noticed, worded exactly as the adopted policies list them "
                                                 "(the categories in GET /api/v1/establishments/{id}/)")


class RecordSerializer(serializers.Serializer):
    establishment = object_id()
    children = ChildInvolvedSerializer(many=True)
    occurred_at = serializers.DateTimeField()
    occurred_approximately = serializers.BooleanField(default=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    narrative = serializers.CharField(max_length=20000)
    childs_words = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="",
                                         trim_whitespace=False, help_text="Kept exactly as typed")
    action_taken = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    disclosure = serializers.BooleanField(default=False)
    immediate_risk = serializers.BooleanField(default=False)
    images_shared = serializers.BooleanField(default=False,
                                             help_text="Images or videos of a child are being shared (CoC 10.2)")
    told_dsl_in_person = serializers.BooleanField(required=False, allow_null=True, default=None)
    place = object_id(required=False, allow_null=True, default=None,
                                     help_text="One of the establishment's places (the locations listed by "
                                               "GET /api/v1/establishments/{id}/)")
    about_adult = serializers.BooleanField(default=False, help_text="An allegation about an adult: restricted route")
    subject = object_id(required=False, allow_null=True, default=None,
                                       help_text="The adult's Safekeep account, when they have one")
    subject_relationship = serializers.ChoiceField(choices=AdultRelationship.choices, required=False,
                                                   allow_blank=True, default="")
    subject_description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    body_marks = BodyMarkInSerializer(many=True, required=False, default=list, max_length=30,
                                      help_text="Marks seen on the body, in order (numbered from 1)")


class ConcernChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConcernChild
        fields = ["child_id", "role", "categories", "indicators"]


class ConcernSerializer(serializers.ModelSerializer):
    children = ConcernChildSerializer(many=True, source="children_involved")
    body_marks = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Concern
        fields = ["id", "establishment_id", "recorded_by_id", "recorded_at", "occurred_at", "occurred_approximately",
                  "location", "narrative", "childs_words", "action_taken", "disclosure", "immediate_risk",
                  "images_shared", "told_dsl_in_person", "read_by_dsl_at", "place_id", "about_adult", "subject_id",
                  "subject_relationship", "subject_description", "children", "body_marks", "attachments"]

    @extend_schema_field(BodyMarkSerializer(many=True))
    def get_body_marks(self, concern):
        return BodyMarkSerializer(body_marks_of(concern), many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, concern):
        # Metadata and a download link only: the listing never loads a file's bytes.
        return AttachmentSerializer(attachments_of(concern), many=True).data


@extend_schema(summary="Record a concern about one or more children", tags=["concerns"],
               parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                                            description="Any unique string; sending it again returns the first "
                                                        "concern instead of recording a second")],
               request=RecordSerializer, responses={201: ConcernSerializer, 200: ConcernSerializer})
class ConcernRecord(APIView):
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            raise exceptions.ValidationError({"Idempotency-Key": "Send a unique Idempotency-Key header."})
        body = RecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment = access_establishment(request.user, data.pop("establishment"),
                                             permission=Permission.CHILD_SEARCH, action="concern.create")
        for name, choices in (("place", locations_for(establishment)),
                              ("subject", selectors.adults_to_name(establishment))):
            if data[name] is not None:
                data[name] = choices.filter(pk=data[name]).first()
                if data[name] is None:
                    raise exceptions.ValidationError({name: "Not one of this establishment's."})
        children_by_id = Child.objects.in_bulk([c["child"] for c in data["children"]])
        try:
            children = [{"child": children_by_id[c["child"]], "role": c["role"], "categories": c["categories"],
                         "indicators": c["indicators"]} for c in data.pop("children")]
        except KeyError:
            raise exceptions.NotFound() from None
        try:
            concern, created = services.concern_submit(actor=request.user, establishment=establishment,
                                                       children=children, idempotency_key=key, **data)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        concern = selectors.read_concern(request.user, concern.pk)
        return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED if created else 200)


@extend_schema(summary="One concern you may see", tags=["concerns"], responses=ConcernSerializer)
class ConcernDetail(APIView):
    def get(self, request, pk):
        return Response(ConcernSerializer(selectors.read_concern(request.user, pk)).data)


class AddendumSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)


class TriageSerializer(serializers.Serializer):
    risk = serializers.CharField()
    rationale = serializers.CharField(allow_blank=True)
    categories = serializers.ListField(child=serializers.CharField(max_length=60), max_length=40, default=list)
    categories_reason = serializers.CharField(allow_blank=True, default="")
    hackett = serializers.CharField(allow_blank=True, default="")
    hackett_rationale = serializers.CharField(allow_blank=True, default="")
    outcome = serializers.CharField()
    outcome_note = serializers.CharField(allow_blank=True, default="")
    under_13_reason = serializers.CharField(allow_blank=True, default="", max_length=20000, help_text=(
        "Required for a child under 13 placed as hackett \"normal\" with outcome \"nfa\" (CoC Appendix 1)"))


class PatternSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the inbox flags it, e.g. \"Alfie Khan: 3 concerns in the last 30 "
                                             "days\"")
    child_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The children it is about")


class InboxRowSerializer(ConcernSerializer):
    overdue_actions = serializers.IntegerField(allow_null=True)
    patterns = serializers.SerializerMethodField(help_text="The inbox's pattern flags about this concern's children "
                                                           "(empty for those who only recorded it)")

    class Meta(ConcernSerializer.Meta):
        fields = ["id", "establishment_id", "recorded_at", "immediate_risk", "disclosure", "read_by_dsl_at",
                  "overdue_actions", "patterns", "children"]

    @extend_schema_field(PatternSerializer(many=True))
    def get_patterns(self, concern):
        children = {involved.child_id for involved in concern.children_involved.all()}
        return [PatternSerializer(pattern).data for pattern in self.context["patterns"]
                if children & set(pattern.child_ids)]


def _as_api_error(call):
    try:
        return call()
    except ValidationError as error:
        raise exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) \
            from None


@extend_schema(summary="Concerns you may see: the safeguarding team's inbox (unread and urgent first), or the "
                       "concerns you recorded", tags=["concerns"], responses=InboxRowSerializer(many=True))
class Inbox(APIView):
    def get(self, request):
        rows = selectors.inbox(request.user, limit=API_INBOX_ROWS).rows
        return Response(InboxRowSerializer(rows, many=True, context={"patterns": patterns_for(request.user)}).data)


@extend_schema(summary="Add to a concern (the original stays as it was sent)", tags=["concerns"],
               request=AddendumSerializer, responses={201: None})
class AddendumAdd(APIView):
    def post(self, request, pk):
        concern = selectors.access_concern(request.user, pk, "concern.addendum")
        body = AddendumSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _as_api_error(lambda: services.addendum_add(actor=request.user, concern=concern,
                                                    text=body.validated_data["text"]))
        return Response(status=status.HTTP_201_CREATED)


@extend_schema(summary="Record the safeguarding team's decision for one child in a concern", tags=["concerns"],
               request=TriageSerializer, responses={201: None})
class TriageRecord(APIView):
    def post(self, request, pk, child_id):
        concern = selectors.access_concern(request.user, pk, "concern.triage")
        involved = concern.children_involved.filter(child_id=child_id).first()
        if involved is None:
            raise exceptions.NotFound()
        body = TriageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _as_api_error(lambda: services.triage_record(actor=request.user, involved=involved, **body.validated_data))
        return Response(status=status.HTTP_201_CREATED)
