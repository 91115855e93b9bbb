"""The one exception type for problems a user can fix."""


class AscflowError(Exception):
    """Bad data, bad config or a shape a network cannot take.

    Its message is the one sentence a user sees: it names the file or the
    config key and says what is wrong. Anything else raised is a bug and keeps
    its traceback.
    """
