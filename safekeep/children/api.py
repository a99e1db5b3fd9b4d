from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
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


NAME_IN_ADDRESS = ("A name is never sent in the address, where it would be kept in access logs and "
                   "browser history: search with POST /api/v1/children/search/ and the name in the body.")


@extend_schema(
    summary="Children you can see, by establishment (staff: none; to find a child by name, POST to /api/v1/children/search/)",
    tags=["children"],
    parameters=[OpenApiParameter("establishment", int, description="Only children at this establishment")],
)
class ChildList(generics.ListAPIView):
    serializer_class = ChildSummarySerializer

    def get_queryset(self):
        establishment = self.request.query_params.get("establishment", "")
        return selectors.children_search(self.request.user,
                                         establishment_id=int(establishment) if establishment.isdigit() else None)

    def list(self, request, *args, **kwargs):
        # The old name search in the address is refused, not ignored: ignoring it would list every child.
        if {"search", "q"} & set(request.query_params):
            raise ValidationError({"search": [NAME_IN_ADDRESS]})
        with transaction.atomic():
            response = super().list(request, *args, **kwargs)
            selectors.audit_search(request.user, results=len(response.data["results"]), api=True)
        return response


class ChildSearchSerializer(serializers.Serializer):
    search = serializers.CharField(max_length=100, help_text="Any part of a first, preferred or last name")
    establishment = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                             help_text="Only children at this establishment")


@extend_schema(summary="Find children you can see by name (the name in the body, never in the address)",
               tags=["children"], request=ChildSearchSerializer, responses=ChildSummarySerializer(many=True))
class ChildSearch(generics.GenericAPIView):
    serializer_class = ChildSummarySerializer

    def post(self, request):
        asked = ChildSearchSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        with transaction.atomic():
            children = selectors.children_search(request.user, query=asked.validated_data["search"],
                                                 establishment_id=asked.validated_data.get("establishment"))
            page = self.paginate_queryset(children)
            selectors.audit_search(request.user, results=len(page), api=True)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(summary="A child's record", tags=["children"])
class ChildDetail(generics.RetrieveAPIView):
    serializer_class = ChildSerializer

    def retrieve(self, request, *args, **kwargs):
        with transaction.atomic():
            child = selectors.access_child(request.user, kwargs["pk"])
            data = self.get_serializer(child).data
        return Response(data)
