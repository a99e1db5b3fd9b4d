from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from safekeep.concerns.selectors import access_concern, read_concern
from safekeep.concerns.views import concern_page

from . import selectors, services


def download_response(attachment, data: bytes) -> HttpResponse:
    """Always a download, never shown in the browser: even a file that got past every check could not
    run as a page (security-tests.md R19; ASVS 5.3.1, 3.2.1)."""
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


def attachment_download(request, concern_id, attachment_id):
    attachment, data = selectors.read_attachment(request.user, concern_id, attachment_id)
    return download_response(attachment, data)


@require_POST
def attachment_add(request, concern_id):
    concern = access_concern(request.user, concern_id, "attachment.add")
    upload = request.FILES.get("attachment")
    try:
        if upload is None:
            raise ValidationError({"attachment": "Choose a photo or screenshot to add."})
        services.attachment_add(actor=request.user, concern=concern, upload=upload)
    except ValidationError as error:
        return concern_page(request, read_concern(request.user, concern_id), attachment_error=" ".join(error.messages))
    messages.success(request, "The photo or screenshot has been added. The safeguarding lead has been told.")
    return redirect("concerns:detail", concern.pk)
