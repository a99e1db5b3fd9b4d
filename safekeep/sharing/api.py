from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.accounts.models import User
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.children.api import ChildNameSerializer
from safekeep.children.models import Child
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.establishments.selectors import access_establishment

from . import lawful_basis, selectors, services
from .forms import RegisterFilterForm
from .models import Consent, SourceKind


class ShareSerializer(serializers.Serializer):
    # Every field declared, so the schema is the same on SQLite and PostgreSQL.
    id = serializers.IntegerField()
    establishment_id = serializers.IntegerField()
    establishment = serializers.CharField(source="establishment.name")
    children = ChildNameSerializer(many=True, source="children.all")
    recipient = serializers.CharField()
    recipient_organisation = serializers.CharField()
    what = serializers.CharField(help_text="What was shared, in a few words (never the record itself)")
    purpose = serializers.CharField()
    lawful_basis = serializers.ChoiceField(choices=lawful_basis.CHOICES)
    lawful_basis_reference = serializers.CharField(help_text="UK GDPR Article 6 basis and Article 9 / DPA 2018 "
                                                             "Schedule 1 condition")
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_note = serializers.CharField(help_text="Why it was shared without consent")
    authorised_by_id = serializers.IntegerField()
    authorised_by = serializers.CharField(source="authorised_by.full_name")
    secure_handling_agreed = serializers.BooleanField()
    secure_handling_note = serializers.CharField()
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    source_id = serializers.IntegerField(allow_null=True)
    shared_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    corrects_id = serializers.IntegerField(allow_null=True, help_text="The share this one corrects")


class RegisterPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = ShareSerializer(many=True)


class ShareInSerializer(serializers.Serializer):
    establishment = serializers.IntegerField()
    children = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=50)
    recipient = serializers.CharField(max_length=200)
    recipient_organisation = serializers.CharField(max_length=200)
    what = serializers.CharField(max_length=300)
    purpose = serializers.CharField(max_length=500)
    lawful_basis = serializers.ChoiceField(choices=lawful_basis.CHOICES)
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    authorised_by = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             help_text="Who authorised it (a person in your organisation); "
                                                       "you, if left out")
    secure_handling_agreed = serializers.BooleanField()
    secure_handling_note = serializers.CharField(max_length=500, allow_blank=True, default="")
    # Referrals and meetings record their own shares; by hand, a share is "other" or an export.
    source_kind = serializers.ChoiceField(choices=[(SourceKind.OTHER, SourceKind.OTHER.label),
                                                   (SourceKind.EXPORT, SourceKind.EXPORT.label)],
                                          default=SourceKind.OTHER)
    shared_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    corrects = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="The share this one corrects (shares are never edited)")
    concern = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="The concern the share follows (a share about an allegation is "
                                                 "hidden as the allegation is)")


FILTERS = [
    OpenApiParameter("establishment", int), OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
    OpenApiParameter("lawful_basis", str, enum=list(lawful_basis.BY_CODE)),
    OpenApiParameter("consent", str, enum=Consent.values), OpenApiParameter("source_kind", str, enum=SourceKind.values),
    OpenApiParameter("organisation", str, description="Part of the recipient organisation's name"),
    OpenApiParameter("page", int),
]


class ShareRegister(APIView):
    @extend_schema(summary="The information-sharing register (data protection officer, group head)",
                   tags=["sharing"], parameters=FILTERS, responses=RegisterPageSerializer)
    def get(self, request):
        form = RegisterFilterForm(request.query_params, establishments=selectors.register_establishments(request.user))
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        page, rows = selectors.read_register_page(request.user, form.filters(), request.query_params.get("page", 1))
        return Response(RegisterPageSerializer({"count": page.paginator.count, "page": page.number,
                                                "pages": page.paginator.num_pages, "results": rows}).data)

    @extend_schema(summary="Record information you shared with another agency", tags=["sharing"],
                   request=ShareInSerializer, responses={201: ShareSerializer})
    def post(self, request):
        body = ShareInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        establishment = access_establishment(request.user, data.pop("establishment"),
                                             permission=Permission.CHILD_VIEW, action="sharing.record")
        wanted = data.pop("children")
        children = list(Child.objects.filter(pk__in=wanted))
        if len(children) != len(set(wanted)):
            raise exceptions.ValidationError({"children": "Choose children on roll or placed at this establishment."})
        if data["authorised_by"] is not None:
            data["authorised_by"] = User.objects.filter(pk=data["authorised_by"],
                                                        organisation_id=establishment.organisation_id).first()
            if data["authorised_by"] is None:
                raise exceptions.ValidationError({"authorised_by": "Not a person in your organisation."})
        if data["corrects"] is not None:
            data["corrects"] = selectors.access_share_for_correction(request.user, data["corrects"])
        if data["concern"] is not None:
            concern_id, data["concern"] = data["concern"], concerns_visible_to(request.user).filter(
                pk=data["concern"]).first()
            if data["concern"] is None:
                raise NotVisible("sharing.record", "concern", concern_id)
        try:
            with transaction.atomic():
                share = services.share_add(actor=request.user, establishment=establishment, children=children, **data)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) \
                from None
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)
