"""GOV.UK Frontend form rendering for Django forms: our own includes, no third-party form library."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from .clock import LONDON

# A filter's dates outside these years are typing mistakes; refusing them also keeps date arithmetic in range.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100

class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input (GOV.UK Design System, "Date input"): day, month and year boxes, and a time box
    beside them where the question asks when something happened. A box is marked when its field has an error."""

    template_name = "forms/govuk_date_input.html"

    def __init__(self, *, with_time: bool = False):
        parts = {"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()}
        if with_time:
            parts["time"] = forms.TextInput()
        super().__init__(parts, attrs={"class": "govuk-date-input"})
        self.with_time = with_time

    def decompress(self, value):
        if value is None:
            return [None] * len(self.widgets)
        if self.with_time:
            value = value.astimezone(LONDON)
            return [value.day, value.month, value.year, f"{value:%H:%M}"]
        return [value.day, value.month, value.year]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["has_error"] = "--error" in context["widget"]["attrs"].get("class", "")
        return context


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK's error messages. `wording` names the date in them
    ("The from date must include a month"); `with_time` asks the time too, read as UK time."""

    def __init__(self, *, wording: str, with_time: bool = False, bounded: bool = False, **kwargs):
        self.wording, self.with_time, self.bounded = wording, with_time, bounded
        parts = [forms.CharField(max_length=5, required=False) for _ in range(4 if with_time else 3)]
        kwargs.setdefault("required", False)
        kwargs.setdefault("template_name", "forms/govuk_date_field.html")
        kwargs.setdefault("error_messages", {"required": f"Enter {wording}."})
        super().__init__(parts, require_all_fields=False, widget=GovukDateInput(with_time=with_time), **kwargs)

    def compress(self, data_list):
        typed = [str(part or "").strip() for part in (list(data_list or []) + [""] * 4)[:len(self.fields)]]
        if not any(typed):
            return None
        words = ("day", "month", "year", "time")
        missing = [word for word, part in zip(words, typed, strict=False) if not part]
        if missing:
            raise ValidationError(f"{self._subject()} must include a {' and a '.join(missing)}.")
        try:
            day = date(int(typed[2]), int(typed[1]), int(typed[0]))
        except ValueError:
            raise ValidationError(f"{self._subject()} must be a real date, for example 27 3 2026.") from None
        if self.bounded and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise ValidationError(f"{self._subject()} must be between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        if not self.with_time:
            return day
        try:
            hour, minute = (int(part) for part in typed[3].replace(".", ":").split(":"))
            return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
        except ValueError:
            raise ValidationError(f"{self._subject()} must have a real time, like 21:30.") from None

    def _subject(self) -> str:
        return self.wording[0].upper() + self.wording[1:]


_WIDGET_CLASSES = {
    GovukDateInput: "govuk-date-input",
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


class GovukRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class GovukFormMixin:
    """Adds GOV.UK classes and error/hint wiring to every widget, so `{{ form }}` renders GOV.UK fields."""

    default_renderer = GovukRenderer()
    # Field name -> what to say when it is left empty, in the words of the question (GOV.UK error messages).
    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message
        for name, field in self.fields.items():
            widget = field.widget
            css = next((c for t, c in _WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self):
        # Error styling is added after validation: asking for self.errors in __init__ would validate
        # before a view has finished setting up its fields (querysets, choices).
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            base = attrs["class"].split()[0]
            attrs["class"] += f" {base}--error"
            attrs["aria-describedby"] = f"{attrs.get('aria-describedby', '')} {self[name].auto_id}-error".strip()


class FilterForm(forms.Form):
    """The filters of a list (the sharing register, the chronology, the audit log): a field with an error is
    left out of what filters the list, and the page says so."""

    def check_date_order(self, cleaned, start: str = "date_from", end: str = "date_to") -> None:
        first, last = cleaned.get(start), cleaned.get(end)
        if first and last and first > last:
            self.add_error(end, "The 'to' date must be the same as or after the 'from' date.")

    def valid(self) -> dict:
        """Every field that has no error, with its cleaned value."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}

    def filters(self) -> dict:
        """The valid filters that were given."""
        return {name: value for name, value in self.valid().items() if value not in (None, "")}


class Form(GovukFormMixin, forms.Form):
    pass


class ModelForm(GovukFormMixin, forms.ModelForm):
    pass


def run_service(form, call):
    """Run a service for a submitted form. A rule the service enforces becomes an error on the form,
    so the person's typing stays on screen and nothing half-written is saved."""
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return None
