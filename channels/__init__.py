"""Input channels for Trust Coach."""
