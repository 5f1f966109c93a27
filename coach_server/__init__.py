"""Server-side adjustments to Rasa that the coach's pipeline and channels install on import."""
