"""The test suite: it mirrors gis_app/; shared helpers are in tests/helpers.py and tests/factories.py."""
