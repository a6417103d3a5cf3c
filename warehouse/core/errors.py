"""The failures the `stls` command turns into one clear line (and a non-zero exit).

Each carries, as ``str()``, a single line saying what went wrong and where.
"""


class StlsError(Exception):
    """Base for every failure shown to a user as one line."""


class UsageError(StlsError):
    """A bad argument or option."""


class LoadError(StlsError):
    """A load could not run at all; nothing was changed."""


class WarehouseMissing(StlsError):
    """No warehouse file, or one without marts; says what to run."""


def first_line(error: BaseException | str) -> str:
    """The first non-blank line of an error's message (or of a text), for a one-line
    report; the exception's type name when it has no message."""
    text = str(error).strip()
    if not text:
        return type(error).__name__ if isinstance(error, BaseException) else ""
    return text.splitlines()[0].strip()
