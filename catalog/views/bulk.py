"""Store page > Bulk operations: export the store's products as CSV, import a filled one
(checked first, previewed, then applied all at once)."""

from django import forms
from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.tenancy import Action, client_required
from storefronts.models import Store

from ..mapping_csv import export, reading, runs
from ..models import ImportRun

RECENT_IMPORTS = 10


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 text, as exported above, at most 25 MB."),
        error_messages={"required": gettext_lazy("Choose the CSV file to import.")},
    )


def _bulk_page(request, store, form, status=200):
    return render(
        request,
        "catalog/bulk/bulk.html",
        {
            "store": store,
            "form": form,
            "runs": store.import_runs.select_related("created_by")[:RECENT_IMPORTS],
            "columns": export.COLUMNS,
            "section": "stores",
        },
        status=status,
    )


@client_required(Action.VIEW_PRODUCTS, load=Store)
def bulk_page(request, store):
    return _bulk_page(request, store, ImportForm())


@client_required(Action.VIEW_PRODUCTS, load=Store)
def bulk_export(request, store):
    """Every product and variant of the store as CSV, streamed as it is read. A byte order mark
    first, so spreadsheet programs read it as UTF-8."""
    chunks = (piece.encode() for piece in export.export_csv(store))
    response = StreamingHttpResponse(
        _with_bom(chunks),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export.export_file_name(store)}"'
    return response


def _with_bom(chunks):
    yield "\ufeff".encode()
    yield from chunks


@client_required(Action.MANAGE_PRODUCTS, load=Store)
@require_POST
def bulk_import(request, store):
    """Read an uploaded file; a file that cannot be read at all is refused here, on the bulk page.
    Its rows are then checked, in the request or, for a large file, in the worker."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _bulk_page(request, store, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        reading.check_size(upload.size)
        data = upload.read()
        rows = reading.read_rows(data)
    except reading.FileRefused as refused:
        form.add_error("file", str(refused))
        return _bulk_page(request, store, form, status=400)
    run = runs.start_import(request.user, store, upload.name, data, rows)
    return redirect("catalog:import_run", code=run.code)


def _run_context(request, run):
    return {
        "run": run,
        "store": run.store,
        "pending": run.state in (ImportRun.State.VALIDATING, ImportRun.State.APPLYING),
        "section": "stores",
    }


@client_required(Action.VIEW_PRODUCTS, load=ImportRun)
def import_run(request, run):
    return render(request, "catalog/bulk/import_run.html", _run_context(request, run))


@client_required(Action.VIEW_PRODUCTS, load=ImportRun)
def import_status(request, run):
    """The state part of the import page, polled by htmx while the worker has the file."""
    return render(request, "catalog/bulk/import_status.html", _run_context(request, run))


@client_required(Action.MANAGE_PRODUCTS, load=ImportRun)
@require_POST
def import_apply(request, run):
    applied = runs.start_apply(request.user, run)
    if applied is None:
        messages.error(
            request, _("This import is not ready to apply: it has errors, or it was applied already.")
        )
    elif applied.state == ImportRun.State.DONE:
        messages.success(request, _("The file is applied."))
    return redirect("catalog:import_run", code=run.code)
