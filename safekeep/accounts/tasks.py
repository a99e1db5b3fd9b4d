from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from .models import User


@task()
def send_invitation(user_id: int) -> bool:
    """Email a newly added person the link that sets their password and proves their address.

    The link's secret is made here, when the email goes, so it never waits in the task queue. It is a
    password-reset token: it stops working once the password is set, or after PASSWORD_RESET_TIMEOUT.
    Someone who already has a password is not invited again.
    """
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None or person.has_usable_password():
        return False
    key = f"{user_pk_to_url_str(person)}-{default_token_generator.make_token(person)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    context = {"link": settings.SAFEKEEP_BASE_URL + path.replace("UID-KEY", key),
               "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    send_mail(render_to_string("account/email/invitation_subject.txt").strip(),
              render_to_string("account/email/invitation_message.txt", context), None, [person.email])
    return True
