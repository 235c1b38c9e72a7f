"""An EFI System Partition (USB image partition 2, an ISO's El Torito EFI image): the
CSM wrapper where UEFI firmware looks for it, a valid x86-64 EFI application, and
the volume's MANIFEST.TXT. Its FAT structure is checked like any other volume's."""

from __future__ import annotations

from mkrescue import efiapp
from mkrescue.check.contents import check_manifest
from mkrescue.check.fatvolume import ROOT, FatVolume
from mkrescue.check.region import CheckError
from mkrescue.check.report import Findings

PLATFORM_EFI = 0xEF
APP_PATH = ROOT + efiapp.BOOT_PATH.replace("/", "\\")


def check_esp_contents(volume: FatVolume, findings: Findings) -> None:
    node = volume.files.get(APP_PATH)
    if node is None:
        findings.error("esp.no-app", f"{APP_PATH} is missing: UEFI firmware finds nothing to start")
    elif node.sound:
        if node.size > efiapp.MAX_SIZE:
            findings.error("esp.app-invalid", f"{APP_PATH} has {node.size} bytes: not an EFI boot application")
        else:
            try:
                why = efiapp.problem(volume.read(node))
            except CheckError as exc:
                findings.error("files.unreadable", f"{APP_PATH} cannot be read: {exc}")
            else:
                if why:
                    findings.error("esp.app-invalid", f"{APP_PATH} is not an x86-64 EFI application: {why}")
                else:
                    findings.ok("esp.app", f"{APP_PATH}: x86-64 EFI application, {node.size} bytes")
    check_manifest(volume, findings)
