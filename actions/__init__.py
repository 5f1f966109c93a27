"""Custom actions for Trust Coach, one module per concern."""
