"""Text as it arrives from a channel, made safe to store and send on."""
import re
from typing import Text

# After JSON decoding, a valid surrogate pair ("\ud83d\ude22") is already one character, so any
# surrogate code point left is a lone half that no UTF-8 encoder accepts.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: Text) -> Text:
    """The text with each lone UTF-16 surrogate replaced by U+FFFD.

    Found by tests/robustness: a message with one ("A\\udbb7...") reached the action server,
    whose reply (it echoes the rehearsal answer in a slot) could not be encoded, so the turn
    got the "can't answer right now" reply instead of coaching."""
    return LONE_SURROGATE.sub("\ufffd", text)
