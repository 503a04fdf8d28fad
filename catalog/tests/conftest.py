from integrations.tests.conftest import as_role  # noqa: F401 (a fixture shared with these tests)
