from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from .links import link_make
from .models import TransferPackage


@task()
def send_transfer_link(package_id: int) -> bool:
    """Email the receiving DSL the file's one-time link. The email names the sending establishment and nothing
    of the child or the file; the code that opens the link reaches them separately, from the sender by phone."""
    sent = TransferPackage.objects.select_related("establishment").filter(pk=package_id).first()
    made = link_make(sent) if sent is not None else None
    if made is None:
        return False
    link, token = made
    context = {"name": sent.recipient_name, "establishment": sent.establishment.name,
               "link": settings.SAFEKEEP_BASE_URL + reverse("transfers:receive", args=[token]),
               "expires": link.expires_at}
    send_mail(render_to_string("transfers/email_subject.txt", context).strip(),
              render_to_string("transfers/email_message.txt", context), None, [sent.recipient_email])
    return True
