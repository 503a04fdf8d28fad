from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from connect.forms import PersonForm
from core.models import User
from core.tenancy import Role

from .models import Store


class AddUserForm(PersonForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class StoreNameForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=Store.NAME_MAX_LENGTH)


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    stores = forms.ModelMultipleChoiceField(
        label=_("Stores this Store Manager manages"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = stores


class AcceptInvitationForm(forms.Form):
    """A new account's names and password, for someone who has none yet."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        # Here, not on the field: the rules are read in the language of this request.
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    unsaved = User(
                        email=self.email,
                        first_name=cleaned.get("first_name", ""),
                        last_name=cleaned.get("last_name", ""),
                    )
                    password_validation.validate_password(password1, unsaved)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class StoreChoice(forms.ModelChoiceField):
    """A choice of stores across clients (Connect's filters and rules): "Client — Store"."""

    def label_from_instance(self, store):
        return f"{store.client.name} — {store.name}"
