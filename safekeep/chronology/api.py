from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .forms import TYPES
from .models import ChronologyEntry
from .selectors import access_entry, read_chronology
from .services import chronology_mark_key


class EntrySerializer(serializers.ModelSerializer):
    type = serializers.CharField(help_text=f"One of {', '.join(TYPES)}; empty for other entries")
    kind_words = serializers.CharField(help_text="The kind of entry, in plain words")
    concern_id = serializers.IntegerField(allow_null=True, help_text="The concern this entry is about, if any")
    child_role = serializers.CharField(allow_null=True, help_text="The child's role in that concern, if any")
    categories = serializers.ListField(child=serializers.CharField(), source="category_codes",
                                       help_text="Category codes that applied to this child when it was recorded")
    key_event = serializers.BooleanField(source="is_key", help_text="A key event: by the rules, or marked by a DSL")
    tracked = serializers.BooleanField(help_text="A step Safekeep tracked (a required action, reminder, escalation, "
                                                 "or an action done or cancelled), not what happened to the child")
    headline = serializers.CharField(help_text="The summary on one line")
    record_url = serializers.CharField(help_text="The page of the record this entry is about, when the caller may "
                                                 "open it; empty otherwise")

    class Meta:
        model = ChronologyEntry
        fields = ["id", "occurred_at", "recorded_at", "recorded_by_id", "establishment_id", "kind", "kind_words",
                  "type", "summary", "headline", "concern_id", "child_role", "categories", "key_event",
                  "tracked", "record_url"]


class ChronologyPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Entries matching the filters")
    filters = serializers.DictField(child=serializers.CharField(), help_text="The filters applied")
    results = EntrySerializer(many=True)


@extend_schema(
    summary="A child's chronology, newest first by when things happened, a page of 100 at a time", tags=["chronology"],
    parameters=[
        OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1"),
        OpenApiParameter("type", OpenApiTypes.STR, enum=list(TYPES), description="Only entries of this type"),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=["concern", "action"], deprecated=True,
                         description="The earlier name of `type`"),
        OpenApiParameter("category", OpenApiTypes.STR,
                         description="A category code from the policies the child's establishment follows"),
        OpenApiParameter("from", OpenApiTypes.DATE, description="Happened on or after this day (YYYY-MM-DD)"),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Happened on or before this day (YYYY-MM-DD)"),
        OpenApiParameter("key", OpenApiTypes.BOOL, description="true: key events only"),
        OpenApiParameter("tracked", OpenApiTypes.BOOL,
                         description="true: also the steps Safekeep tracked (required actions, reminders, "
                                     "escalations, actions done or cancelled). Left out by default, except with "
                                     "type=action"),
    ],
    responses=ChronologyPageSerializer)
class ChildChronology(APIView):
    @extend_schema(operation_id="children_chronology_list")  # as before the filters: clients keep their names
    def get(self, request, child_id):
        page = request.query_params.get("page", "1")
        params = request.query_params.copy()
        for name in ("key", "tracked"):
            if params.get(name, "").lower() in ("true", "yes"):
                params[name] = "1"
        found = read_chronology(request.user, child_id, params=params,
                                page=int(page) if page.isdigit() and len(page) < 7 else 1)
        if found.form.errors:
            raise exceptions.ValidationError(found.errors)
        entries = found.entries
        return Response({"page": entries.number, "pages": entries.paginator.num_pages,
                         "count": entries.paginator.count, "filters": found.filters.query(),
                         "results": EntrySerializer(entries.object_list, many=True).data})


class KeyEventSerializer(serializers.Serializer):
    key = serializers.BooleanField(help_text="true to mark the entry as a key event, false to take the mark away")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class KeyEventMarkSerializer(serializers.Serializer):
    entry = serializers.IntegerField(source="entry_id")
    key_event = serializers.BooleanField(source="key")
    marked_at = serializers.DateTimeField()
    marked_by_id = serializers.IntegerField()


@extend_schema(summary="Mark an entry in a child's chronology as a key event, or take the mark away",
               tags=["chronology"], request=KeyEventSerializer, responses=KeyEventMarkSerializer)
class ChronologyKeyEvent(APIView):
    @extend_schema(operation_id="chronology_entry_key_event")
    def post(self, request, pk):
        access_entry(request.user, pk, "chronology.key_event.mark")  # whose entry it is, before reading the body
        body = KeyEventSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            mark = chronology_mark_key(actor=request.user, entry_id=pk, **body.validated_data)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(KeyEventMarkSerializer(mark).data)
