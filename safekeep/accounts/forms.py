from functools import cached_property

from allauth.account.internal.stagekit import clear_login
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.conf import settings

from safekeep.authz.roles import Role
from safekeep.core.forms import Form, ModelForm
from safekeep.establishments.models import Establishment, Region

from . import services
from .mfa import development_code
from .models import User


class PersonForm(ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "job_title", "staff_mis_id", "is_active"]
        labels = {"full_name": "Full name", "email": "Work email address", "staff_mis_id": "Staff code in the MIS",
                  "is_active": "Can sign in"}
        help_texts = {"email": "They sign in with this address.",
                      "staff_mis_id": "Optional. Lets a staff file from the MIS update this person."}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})}


class RoleGrantForm(Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")
    where = forms.ChoiceField(label="Where", help_text="Choose an establishment, a region or the whole organisation.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        establishments = Establishment.objects.filter(organisation=organisation).order_by("name")
        regions = Region.objects.filter(organisation=organisation).order_by("name")
        self.fields["where"].choices = [
            ("", "Choose where"),
            (f"organisation:{organisation.pk}", f"The whole of {organisation.name}"),
            ("Regions", [(f"region:{r.pk}", r.name) for r in regions]),
            ("Establishments", [(f"establishment:{e.pk}", e.name) for e in establishments]),
        ]

    def place(self) -> dict:
        kind, pk = self.cleaned_data["where"].split(":")
        if kind == "organisation":
            return {"organisation": self.organisation}
        model = Region if kind == "region" else Establishment
        return {kind: model.objects.get(pk=pk, organisation=self.organisation)}


class ApiTokenForm(Form):
    name = forms.CharField(max_length=100, label="Name for this token",
                           help_text="For example, the name of the script or report that will use it.")


CODES_THIS_SIGN_IN = "safekeep_wrong_codes_this_sign_in"
# The step of the code that set the app up, kept until the new authenticator exists (signals.remember_enrolment).
ACTIVATION_STEP = "safekeep_totp_activation_step"


def _locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (f"Too many wrong codes have been typed for this account, so Safekeep will not take a code for "
            f"{minutes} minutes. If you did not type them, someone may know your password: tell your "
            "organisation's Safekeep administrator, who can also unlock your account.")


class CodeFormMixin:
    """Every code goes through accounts.services.second_factor_code_check: counted, audited, used once."""

    ends_sign_in = False

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        check = services.second_factor_code_check(user=self.user, code=code)
        request = context.request
        if check.authenticator is not None:
            request.session.pop(CODES_THIS_SIGN_IN, None)
            check.authenticator.user = self.user
            self.authenticator = check.authenticator
            return code
        if check.locked:
            raise forms.ValidationError(_locked_message(), code="locked")
        if self.ends_sign_in:
            typed = request.session.get(CODES_THIS_SIGN_IN, 0) + 1
            request.session[CODES_THIS_SIGN_IN] = typed
            if typed >= settings.SAFEKEEP_CODES_PER_SIGN_IN:
                request.session.pop(CODES_THIS_SIGN_IN)
                clear_login(request)
                raise forms.ValidationError("That code is not right, and you have typed several wrong codes. "
                                            "Sign in again with your email address and password.",
                                            code="sign_in_again")
        if check.already_used == Authenticator.Type.RECOVERY_CODES:
            raise forms.ValidationError("That recovery code has already been used. Each one works once: enter "
                                        "another of your recovery codes.", code="code_already_used")
        if check.already_used:
            raise forms.ValidationError("That code has already been used. Wait for the next code from your app.",
                                        code="code_already_used")
        raise forms.ValidationError("Incorrect code. Check the code your authenticator app shows now; "
                                    "each code works once.", code="incorrect_code")


class AuthenticateCodeForm(CodeFormMixin, AuthenticateForm):
    ends_sign_in = True

    @cached_property
    def development_code(self):
        """The person's current code, shown on the page in development only (None elsewhere)."""
        return development_code(self.user)


class ReauthenticateCodeForm(CodeFormMixin, ReauthenticateForm):
    pass


class ActivateCodeForm(ActivateTOTPForm):
    def clean_code(self) -> str:
        code = super().clean_code()
        context.request.session[ACTIVATION_STEP] = services.totp_step_of(self.secret, code)
        return code
