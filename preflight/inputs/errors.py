"""The one error preflight reports as a plain line: input the user can fix."""


class InputError(Exception):
    """Bad input the user can fix: the message names the file, key or field and the fix."""
