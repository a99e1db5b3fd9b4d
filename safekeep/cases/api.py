from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import CaseStatusChange
from .selectors import case_child_and_place


class CaseChangeSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)

    class Meta:
        model = CaseStatusChange
        fields = ["id", "status", "reason", "changed_at"]
        read_only_fields = ["status", "changed_at"]


@extend_schema(summary="Close a child's case at an establishment, or reopen it, with a reason", tags=["cases"],
               request=CaseChangeSerializer, responses={201: CaseChangeSerializer})
class CaseChange(APIView):
    status_to = CaseStatusChange.Status.CLOSED

    def post(self, request, child_id, establishment_id):
        action = "case.close" if self.status_to == CaseStatusChange.Status.CLOSED else "case.reopen"
        child, establishment = case_child_and_place(request.user, child_id, establishment_id, action)
        body = CaseChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = services.case_close if self.status_to == CaseStatusChange.Status.CLOSED else services.case_reopen
        result = change(actor=request.user, child=child, establishment=establishment,
                        reason=body.validated_data["reason"])
        return Response(CaseChangeSerializer(result).data, status=status.HTTP_201_CREATED)


class CaseReopen(CaseChange):
    status_to = CaseStatusChange.Status.OPEN
