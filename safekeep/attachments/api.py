from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from safekeep.concerns.selectors import access_concern

from . import selectors, services
from .models import Attachment, BodyMark
from .regions import REGION_CHOICES
from .views import download_response


class AttachmentSerializer(serializers.ModelSerializer):
    # Declared, not inferred, so the schema is the same on SQLite and PostgreSQL.
    id = serializers.IntegerField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="Bytes of the file as it is kept (metadata removed)")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "added_at", "download_url"]

    def get_download_url(self, attachment) -> str:
        return reverse("api:concern-attachment-download", args=[attachment.concern_id, attachment.pk])


class BodyMarkSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(read_only=True)
    region = serializers.ChoiceField(choices=REGION_CHOICES, help_text="Left and right are the child's own")

    class Meta:
        model = BodyMark
        fields = ["number", "side", "region", "description"]


class BodyMarkInSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=BodyMark.Side.choices)
    region = serializers.ChoiceField(choices=REGION_CHOICES, help_text="Left and right are the child's own")
    description = serializers.CharField(max_length=services.MAX_DESCRIPTION)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP image; checked by its content, not its name")


@extend_schema(summary="Add a photo or screenshot to a concern (the recorder or the safeguarding team)",
               tags=["concerns"], request={"multipart/form-data": AttachmentUploadSerializer},
               responses={201: AttachmentSerializer})
class AttachmentUpload(APIView):
    parser_classes = [MultiPartParser]

    def post(self, request, pk):
        concern = access_concern(request.user, pk, "attachment.add")
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(actor=request.user, concern=concern,
                                                 upload=body.validated_data["file"])
        except ValidationError as error:
            raise exceptions.ValidationError({"file": error.messages}) from None
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Download a photo or screenshot of a concern (always as a download)", tags=["concerns"],
               responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
class AttachmentDownload(APIView):
    def get(self, request, pk, attachment_id):
        attachment, data = selectors.read_attachment(request.user, pk, attachment_id)
        return download_response(attachment, data)
