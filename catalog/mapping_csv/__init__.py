"""Bulk mapping by CSV: export a store's products and variants, fill in product UIDs and design
file URLs, import the file back.

Export (`export`): `StoreVariantResource` (django-import-export) says what each column holds;
`export_csv` streams it row by row with every cell escaped against spreadsheet formulas.

Import, all or nothing: `reading.read_rows` parses the file (UTF-8 with or without BOM, the
expected columns), `validation.validate` checks every row against the store and the catalog with
a few bulk queries and plans the changes (the preview), `applying.apply` writes them with bulk
operations. The views run small files in the request; larger ones (over `runs.WORKER_ROWS`) run
in the worker through `runs.validate_run` and `runs.apply_run`, which the benchmark uses too.
`apply_run` validates again inside its transaction, so what changed since the preview is caught
rather than half applied.
"""
