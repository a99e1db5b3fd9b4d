from django import forms

from safekeep.authz.roles import Role
from safekeep.core.forms import Form, ModelForm
from safekeep.establishments.models import Establishment, Region

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
