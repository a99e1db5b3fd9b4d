from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.authz.models import RoleMembership

from .models import User


class MembershipSerializer(serializers.ModelSerializer):
    where = serializers.CharField()

    class Meta:
        model = RoleMembership
        fields = ["role", "scope", "organisation_id", "region_id", "establishment_id", "where"]


class MeSerializer(serializers.ModelSerializer):
    roles = MembershipSerializer(many=True, source="current_memberships")

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "job_title", "organisation_id", "roles"]


@extend_schema(summary="Who you are signed in as, and your roles", tags=["account"], responses=MeSerializer)
class Me(APIView):
    def get(self, request):
        user = request.user
        user.current_memberships = list(RoleMembership.objects.current().filter(user=user)
                                        .select_related("establishment", "region", "organisation"))
        return Response(MeSerializer(user).data)
