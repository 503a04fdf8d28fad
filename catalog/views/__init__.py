"""Catalog pages, one module per area: the printer's catalog, store products and mapping,
product sync, bulk CSV, and Add product / publishing."""
