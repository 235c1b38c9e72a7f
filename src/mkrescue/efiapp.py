"""A UEFI application (a CSM wrapper such as CSMWrap) as the firmware will load it: an
x86-64 PE32+ image of subsystem 10. One parse, used by the build to refuse a wrong
file and by `check` to judge the one on an image."""

from __future__ import annotations

import struct

MACHINE_X64 = 0x8664
PE32_PLUS = 0x020B
SUBSYSTEM_EFI_APPLICATION = 10
# CSMWrap is about 220 KB; a few KB is the least a real application takes, and
# anything past 16 MiB is not a boot loader (and would bloat the ESP).
MIN_SIZE = 512
MAX_SIZE = 16 * 1024 * 1024
BOOT_NAME = "BOOTX64.EFI"  # the name x86-64 firmware looks for in \EFI\BOOT
BOOT_PATH = "EFI/BOOT/" + BOOT_NAME
_COFF = struct.Struct("<HHIIIHH")  # machine, sections, date, symbols, count, optional size, flags
_SECTION = 40


def problem(data: bytes) -> str | None:
    """Why `data` is not an x86-64 EFI application, in words; None when it is one."""
    if len(data) < MIN_SIZE:
        return f"it has only {len(data)} bytes, too few for an EFI application"
    if len(data) > MAX_SIZE:
        return f"it has {len(data)} bytes, more than an EFI boot application needs ({MAX_SIZE // 2**20} MiB at most)"
    if data[:2] != b"MZ":
        return "it does not start with MZ: not a PE (EFI) executable"
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if not 0x40 <= pe <= len(data) - 4 - _COFF.size or data[pe : pe + 4] != b"PE\0\0":
        return "it has no PE header: not an EFI executable"
    machine, sections, _, _, _, optional_size, _ = _COFF.unpack_from(data, pe + 4)
    optional = pe + 4 + _COFF.size
    if optional_size < 0x48 or optional + optional_size > len(data):
        return "its PE optional header is missing or cut short: the file is damaged"
    magic = struct.unpack_from("<H", data, optional)[0]
    if magic != PE32_PLUS:
        return f"its PE magic is {magic:#06x}, not PE32+ (0x020b): not a 64-bit EFI application"
    if machine != MACHINE_X64:
        return f"it is built for machine {machine:#06x}, not x86-64 (0x8664)"
    subsystem = struct.unpack_from("<H", data, optional + 0x44)[0]
    if subsystem != SUBSYSTEM_EFI_APPLICATION:
        return f"its subsystem is {subsystem}, not 10 (EFI application): a driver or a Windows program"
    table = optional + optional_size
    if sections == 0 or table + sections * _SECTION > len(data):
        return "its section table is missing or cut short: the file is damaged"
    for n in range(sections):
        raw_size, raw_offset = struct.unpack_from("<II", data, table + n * _SECTION + 16)
        if raw_offset + raw_size > len(data):
            return f"section {n + 1} runs past the end of the file: the file is cut short"
    return None
