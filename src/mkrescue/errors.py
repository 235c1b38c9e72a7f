"""The exception family. Every error a user can cause is a MkrescueError whose
str() is one line: what is wrong and what to do. cli.main() is the single place
that turns them into messages and exit codes; anything else that reaches it
(ShippedDataError included) is a bug in mkrescue, reported as an internal error."""


class MkrescueError(Exception):
    """An expected failure: printed as one line, exit status 1."""

    exit_code = 1


class UsageError(MkrescueError):
    """Bad command-line input (bad name, missing file, output exists): exit status 2."""

    exit_code = 2


class InputFileError(UsageError):
    """An input file is missing, empty, unreadable or not what it should be."""


class OutputError(UsageError):
    """The output path cannot be written: exists, is a directory or a device."""


class WriteError(MkrescueError):
    """Writing failed part way (the image, the cache): the disk is full, read-only, or refuses it."""


def os_reason(exc: OSError) -> str:
    """The system's words for a failed file operation, to go in the middle of a message."""
    return (exc.strerror or str(exc)).lower()


class MediumFullError(MkrescueError):
    """The payload does not fit the chosen medium."""


class DosFilesError(MkrescueError):
    """FreeDOS files are missing or unusable."""


class DownloadError(MkrescueError):
    """A FreeDOS package could not be downloaded."""


class IntegrityError(MkrescueError):
    """A downloaded or cached file does not match its SHA-256."""


class CheckFailed(MkrescueError):
    """The image failed its structural check."""


class BootTestFailed(MkrescueError):
    """A boot test did not pass: QEMU could not run the image, or the booted image did
    not show what was expected."""


class TemplateProblem(MkrescueError):
    """A rendered file breaks a DOS rule: a bug in a template or an input that slipped through."""


class ShippedDataError(ValueError):
    """Data shipped inside mkrescue (a flasher profile, the FreeDOS catalogue) is broken: a bug
    in mkrescue, never the user's doing, so deliberately not a MkrescueError."""
