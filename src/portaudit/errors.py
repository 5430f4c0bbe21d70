"""Errors that end the analysis of one target with a clear one-line message."""


class InputError(Exception):
    """The input is unusable (corrupt, too big, hostile...).  The message names the problem;
    the caller adds the file name.  Never shown with a traceback."""


class LimitExceeded(InputError):
    """A configured resource limit was hit (size, ratio, entries, depth, time)."""
