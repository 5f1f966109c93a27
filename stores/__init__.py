"""Rasa stores configured in endpoints files (deploy/endpoints.production.yml)."""
