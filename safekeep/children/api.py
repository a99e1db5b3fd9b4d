from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from . import selectors
from .models import Child, Enrolment


class ChildNameSerializer(serializers.Serializer):
    """A child named in a meeting or a share: who, and nothing else."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ChildSummarySerializer(serializers.ModelSerializer):
    # Decided by the selector (can child.view): null for staff, who find a child by name and year group only.
    date_of_birth = serializers.DateField(source="date_of_birth_shown", allow_null=True, read_only=True)

    class Meta:
        model = Child
        fields = ["id", "first_name", "last_name", "preferred_name", "date_of_birth", "year_group"]


class EnrolmentSerializer(serializers.ModelSerializer):
    establishment_id = serializers.IntegerField()
    establishment = serializers.CharField(source="establishment.name")

    class Meta:
        model = Enrolment
        fields = ["establishment_id", "establishment", "kind", "start_date"]


class ChildSerializer(ChildSummarySerializer):
    enrolments = EnrolmentSerializer(many=True, source="current")

    class Meta(ChildSummarySerializer.Meta):
        fields = ChildSummarySerializer.Meta.fields + [
            "gender", "upn", "send_status", "looked_after", "placing_authority", "enrolments"]


@extend_schema(
    summary="Find children you can see by name (without a name: every child whose record you may read)",
    tags=["children"],
    parameters=[OpenApiParameter("search", str, description="Any part of a first, preferred or last name"),
                OpenApiParameter("establishment", int, description="Only children at this establishment")],
)
class ChildList(generics.ListAPIView):
    serializer_class = ChildSummarySerializer

    def get_queryset(self):
        establishment = self.request.query_params.get("establishment", "")
        return selectors.children_search(self.request.user, query=self.request.query_params.get("search", "")[:100],
                                         establishment_id=int(establishment) if establishment.isdigit() else None)

    def list(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().list(request, *args, **kwargs)
            selectors.audit_search(request.user, results=len(response.data["results"]), api=True)
        return response


@extend_schema(summary="A child's record", tags=["children"])
class ChildDetail(generics.RetrieveAPIView):
    serializer_class = ChildSerializer

    def retrieve(self, request, *args, **kwargs):
        with transaction.atomic():
            child = selectors.access_child(request.user, kwargs["pk"])
            data = self.get_serializer(child).data
        return Response(data)
