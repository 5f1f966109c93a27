"""The e2e tests use the ``coach`` fixture of tests/conftest.py: the real action server and Rasa
server on free ports (tests/servers.py), shared with the browser tests."""
