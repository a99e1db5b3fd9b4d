from django import forms

from safekeep.core.forms import Form, ModelForm

from .models import Establishment, LocalContact, Location, TermDate


class EstablishmentForm(ModelForm):
    class Meta:
        model = Establishment
        fields = ["name", "kind", "nation", "region", "urn", "local_authority", "is_active"]
        labels = {"kind": "Type of establishment", "nation": "Nation",
                  "is_active": "Open (untick when the establishment closes)"}
        help_texts = {"nation": "Sets the bank holidays used to count working days.",
                      "local_authority": "The local authority the establishment is in, for example Hillingdon."}

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].required = False


class LocalContactForm(ModelForm):
    class Meta:
        model = LocalContact
        fields = ["kind", "name", "phone", "email", "url", "notes"]
        labels = {"kind": "Type of contact", "url": "Web address"}


class LocationForm(ModelForm):
    class Meta:
        model = Location
        fields = ["kind", "name"]
        labels = {"kind": "Type of place", "name": "Name of the place"}
        help_texts = {"name": "As staff call it, for example Year 7 toilets, the bus stop on Park Road, or "
                              "Snapchat."}
        widgets = {"kind": forms.RadioSelect}


class TermForm(ModelForm):
    class Meta:
        model = TermDate
        fields = ["name", "starts_on", "ends_on"]
        labels = {"name": "Name of the term", "starts_on": "First day", "ends_on": "Last day"}
        help_texts = {"name": "For example Autumn 2026."}
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class LinkForm(Form):
    other = forms.ModelChoiceField(queryset=Establishment.objects.none(), label="Establishment to link with",
                                   help_text="A school and a children's home that share children.")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = choices
