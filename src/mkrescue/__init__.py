"""mkrescue: build bootable FreeDOS rescue media for flashing firmware."""

__version__ = "0.1.0"
