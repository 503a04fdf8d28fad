"""Connect > Workflows (staff): the ordered rules, their form, and the production lines."""

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.tenancy import staff_required

from . import services
from .forms import ActionForm, RuleForm
from .models import ProductionLine, Rule


class LineForm(forms.ModelForm):
    class Meta:
        model = ProductionLine
        fields = ["name"]
        labels = {"name": gettext_lazy("New production line")}
        error_messages = {"name": {"unique": gettext_lazy("A production line of this name exists already.")}}


def _base(**context):
    return {"section": "workflows", **context}


@staff_required
def rules(request, line_form=None):
    services.default_rule()  # listed with its link to edit it
    return render(
        request,
        "workflows/rules.html",
        _base(
            rules=services.rules_in_order(),
            lines=ProductionLine.objects.all(),
            line_form=line_form or LineForm(),
        ),
    )


def _form_page(request, form, rule=None):
    return render(request, "workflows/rule_form.html", _base(form=form, rule=rule))


@staff_required
def rule_add(request):
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = services.create_rule(request.user, **form.cleaned_data)
        messages.success(request, _("Rule “%(name)s” added, before the default rule.") % {"name": rule.name})
        return redirect("workflows:rules")
    return _form_page(request, form)


@staff_required
def rule_edit(request, code):
    rule = get_object_or_404(Rule.objects.select_related("production_line"), code=code)
    form_class = ActionForm if rule.is_default else RuleForm
    form = form_class(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        # The form changed the instance while validating: reload it, the service saves.
        services.update_rule(request.user, Rule.objects.get(pk=rule.pk), **form.cleaned_data)
        messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
        return redirect("workflows:rules")
    return _form_page(request, form, rule)


@staff_required
@require_POST
def rule_delete(request, code):
    rule = get_object_or_404(Rule, code=code)
    try:
        services.delete_rule(request.user, rule)
    except services.RuleRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("workflows:rules")


@staff_required
@require_POST
def rule_move(request, code):
    rule = get_object_or_404(Rule, code=code, is_default=False)
    services.move_rule(request.user, rule, up=request.POST.get("direction") != "down")
    return redirect("workflows:rules")


@staff_required
@require_POST
def line_add(request):
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            line = services.add_line(request.user, form.cleaned_data["name"].strip())
        except IntegrityError:
            form.add_error("name", _("A production line of this name exists already."))
        else:
            messages.success(request, _("Production line %(name)s added.") % {"name": line.name})
            return redirect("workflows:rules")
    return rules(request, line_form=form)


@staff_required
@require_POST
def line_active(request, code):
    line = get_object_or_404(ProductionLine, code=code)
    try:
        services.set_line_active(request.user, line, request.POST.get("active") == "on")
    except services.RuleRefused as refused:
        messages.error(request, str(refused))
    return redirect("workflows:rules")
