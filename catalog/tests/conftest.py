from integrations.tests.conftest import as_role, etsy  # noqa: F401 (fixtures shared with these tests)
