"""Writers for each kind of medium: floppy image, ISO (El Torito), USB hard-disk image."""
