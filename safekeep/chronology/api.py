from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import ChronologyEntry
from .selectors import read_chronology


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ChronologyEntry
        fields = ["id", "occurred_at", "recorded_at", "recorded_by_id", "establishment_id", "kind", "summary"]


@extend_schema(summary="A child's chronology, newest first, a page of 100 at a time", tags=["chronology"],
               parameters=[OpenApiParameter("page", int), OpenApiParameter("kind", str, enum=["concern", "action"])],
               responses=EntrySerializer(many=True))
class ChildChronology(APIView):
    def get(self, request, child_id):
        page = request.query_params.get("page", "1")
        _, entries = read_chronology(request.user, child_id, kind=request.query_params.get("kind", ""),
                                     page=int(page) if page.isdigit() else 1)
        return Response({"page": entries.number, "pages": entries.paginator.num_pages,
                         "results": EntrySerializer(entries.object_list, many=True).data})
