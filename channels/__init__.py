"""Input channels for Trust Coach."""
from coach_server import action_response_check

# The server imports its channels before it handles a message.
action_response_check.install()
