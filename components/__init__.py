"""Custom Rasa NLU components for Trust Coach."""
