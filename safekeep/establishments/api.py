from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from safekeep.packs.selectors import packs_for

from . import selectors
from .models import Establishment, LocalContact, Location


class LocalContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalContact
        fields = ["kind", "name", "phone", "email", "url", "notes"]


class LocationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()

    class Meta:
        model = Location
        fields = ["id", "kind", "name"]


class AdoptedCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    pack = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField(), help_text="Signs, in the pack's words")


class EstablishmentSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    region = serializers.CharField(source="region.name", allow_null=True, default=None)

    class Meta:
        model = Establishment
        fields = ["id", "name", "kind", "nation", "organisation", "region", "urn", "local_authority", "is_active"]


class EstablishmentDetailSerializer(EstablishmentSerializer):
    local_contacts = LocalContactSerializer(many=True)
    linked_establishment_ids = serializers.SerializerMethodField()
    locations = serializers.SerializerMethodField(help_text="The places a concern can name (on site, off site, "
                                                            "online), as the administrator keeps them")

    categories = serializers.SerializerMethodField(help_text="What a concern can be about here, from the adopted "
                                                             "policies, with the signs each lists")

    class Meta(EstablishmentSerializer.Meta):
        fields = EstablishmentSerializer.Meta.fields + ["local_contacts", "linked_establishment_ids", "locations",
                                                        "categories"]

    def get_categories(self, establishment) -> AdoptedCategorySerializer(many=True):
        return [{"code": c.code, "label": c.label, "pack": pack.pack, "indicators": [n.text for n in c.indicators]}
                for pack in packs_for(establishment) for c in pack.categories]

    def get_locations(self, establishment) -> LocationSerializer(many=True):
        return LocationSerializer(selectors.locations_for(establishment), many=True).data

    def get_linked_establishment_ids(self, establishment) -> list[int]:
        return [e.pk for e in establishment.linked_peers]


@extend_schema(summary="Establishments you can see", tags=["establishments"])
class EstablishmentList(generics.ListAPIView):
    serializer_class = EstablishmentSerializer

    def get_queryset(self):
        return selectors.establishments_visible_to(self.request.user).order_by("name", "id")


@extend_schema(summary="One establishment, with its local contacts and places", tags=["establishments"])
class EstablishmentDetail(generics.RetrieveAPIView):
    serializer_class = EstablishmentDetailSerializer

    def get_object(self):
        return selectors.access_establishment(self.request.user, self.kwargs["pk"])
