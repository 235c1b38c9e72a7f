"""Writers for each kind of medium: floppy image, ISO (El Torito), USB hard-disk image."""

# The kinds of image `--format` accepts. Kept here, free of imports, so the command
# line can offer them without loading the build machinery.
FORMATS = ("floppy", "iso", "usb")
