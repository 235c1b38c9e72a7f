"""Writers for each kind of medium: floppy image, ISO (El Torito), USB hard-disk image."""

from enum import StrEnum


# The kinds below are kept here, free of imports, so the command line can offer them
# without loading the build machinery or the boot test.


class MediaFormat(StrEnum):
    """The kinds of image a build writes (`--format`)."""

    FLOPPY = "floppy"
    ISO = "iso"
    USB = "usb"


class BootMedia(StrEnum):
    """How QEMU attaches the image (`boot-test --media`)."""

    FLOPPY = "floppy"
    CDROM = "cdrom"
    HDD = "hdd"
    USB = "usb"  # a USB 3 stick (XHCI)
    USB2 = "usb2"  # a USB 2 stick (EHCI)
