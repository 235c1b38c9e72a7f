"""Writers for each kind of medium: floppy image, ISO (El Torito), USB hard-disk image."""

from enum import StrEnum


class MediaFormat(StrEnum):
    """The kinds of image a build writes (`--format`). Kept here, free of imports, so the
    command line can offer them without loading the build machinery."""

    FLOPPY = "floppy"
    ISO = "iso"
    USB = "usb"
