from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from . import selectors
from .models import Establishment, LocalContact


class LocalContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalContact
        fields = ["kind", "name", "phone", "email", "url", "notes"]


class EstablishmentSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    region = serializers.CharField(source="region.name", allow_null=True, default=None)

    class Meta:
        model = Establishment
        fields = ["id", "name", "kind", "nation", "organisation", "region", "urn", "local_authority", "is_active"]


class EstablishmentDetailSerializer(EstablishmentSerializer):
    local_contacts = LocalContactSerializer(many=True)
    linked_establishment_ids = serializers.SerializerMethodField()

    class Meta(EstablishmentSerializer.Meta):
        fields = EstablishmentSerializer.Meta.fields + ["local_contacts", "linked_establishment_ids"]

    def get_linked_establishment_ids(self, establishment) -> list[int]:
        return [e.pk for e in establishment.linked_peers]


@extend_schema(summary="Establishments you can see", tags=["establishments"])
class EstablishmentList(generics.ListAPIView):
    serializer_class = EstablishmentSerializer

    def get_queryset(self):
        return selectors.establishments_visible_to(self.request.user).order_by("name", "id")


@extend_schema(summary="One establishment, with its local contacts", tags=["establishments"])
class EstablishmentDetail(generics.RetrieveAPIView):
    serializer_class = EstablishmentDetailSerializer

    def get_object(self):
        return selectors.access_establishment(self.request.user, self.kwargs["pk"])
