"""The Django admin offers nothing that changes who can sign in as whom.

People are not registered here, so it cannot switch an account on or off, or change an address: those go
through accounts.services (sessions end, tokens are revoked, the change is audited). allauth registers its
email addresses; a verified address added there would receive "Forgotten your password?" links for the
account without any of that, so it is taken off.
"""

from allauth.account.models import EmailAddress
from django.contrib import admin

admin.site.unregister(EmailAddress)
