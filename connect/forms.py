from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import User

from .models import Client, Invitation


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "reference_id", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_reference_id(self):
        reference_id = (self.cleaned_data.get("reference_id") or "").strip() or None
        if reference_id:
            taken = Client.objects.filter(reference_id__iexact=reference_id).exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(_("Another client already uses this reference ID."))
        return reference_id


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class EnableAccessForm(PersonForm):
    """The client admin to invite; not asked again once an admin has accepted."""

    def __init__(self, *args, needs_admin=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_admin:
            for name in ("email", "first_name", "last_name"):
                del self.fields[name]


class CorrectEmailForm(forms.Form):
    email = forms.EmailField(label=_("Correct email"))


class StaffInviteForm(PersonForm):
    def clean_email(self):
        email = super().clean_email()
        if User.objects.filter(email__iexact=email, is_staff=True).exists():
            raise forms.ValidationError(_("This person is already a staff member."))
        if Invitation.objects.open().filter(kind=Invitation.Kind.STAFF, email=email).exists():
            raise forms.ValidationError(_("This person already has an open invitation."))
        return email


CLIENT_SORTS = {
    "name": (_("Name, A to Z"), "name"),
    "-name": (_("Name, Z to A"), "-name"),
    "reference": (_("Reference ID"), "reference_id"),
    "-created": (_("Newest first"), "-created_at"),
    "created": (_("Oldest first"), "created_at"),
}


class ClientFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    access = forms.ChoiceField(
        required=False,
        label=_("Storefronts access"),
        choices=[("", _("Any")), ("on", _("On")), ("off", _("Off"))],
    )
    sort = forms.ChoiceField(
        required=False, label=_("Sort"), choices=[(k, label) for k, (label, _f) in CLIENT_SORTS.items()]
    )
