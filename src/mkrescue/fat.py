"""FAT12/FAT16 volume writer: lays out a fresh volume and writes it with our boot sector.

Our own writer rather than pyfatfs (measured: docs/DEVELOPING.md, "Why our own FAT
writer"): a fresh volume written in one pass lets us put KERNEL.SYS first and contiguous,
use the standard floppy layouts that every BIOS and DOS know, check free space before
writing anything, stamp every entry with SOURCE_DATE_EPOCH, and write a large USB volume
sparsely without holding it in memory. pyfatfs is only the tests' independent reader."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Iterable

from mkrescue import bootcode
from mkrescue.bootcode import FAT12_MAX_CLUSTERS, FAT16_MAX_CLUSTERS
from mkrescue.errors import MediumFullError

SECTOR = 512
DIR_ENTRY = 32
ATTR_VOLUME_ID = 0x08
ATTR_DIRECTORY = 0x10
ATTR_ARCHIVE = 0x20
# Windows' own OEM name; some old tools trust a BPB only when it carries a known one.
OEM_NAME = b"MSWIN4.1"


@dataclass(frozen=True)
class FatParams:
    """Everything the BPB says about a volume."""

    fat_bits: int
    total_sectors: int
    sectors_per_cluster: int
    root_entries: int
    sectors_per_fat: int
    sectors_per_track: int
    heads: int
    media: int
    drive_number: int
    hidden_sectors: int = 0
    reserved_sectors: int = 1
    fat_count: int = 2

    @property
    def cluster_size(self) -> int:
        return self.sectors_per_cluster * SECTOR

    @property
    def root_dir_sectors(self) -> int:
        return (self.root_entries * DIR_ENTRY + SECTOR - 1) // SECTOR

    @property
    def first_root_sector(self) -> int:
        return self.reserved_sectors + self.fat_count * self.sectors_per_fat

    @property
    def first_data_sector(self) -> int:
        return self.first_root_sector + self.root_dir_sectors

    @property
    def cluster_count(self) -> int:
        return (self.total_sectors - self.first_data_sector) // self.sectors_per_cluster

    @property
    def size(self) -> int:
        return self.total_sectors * SECTOR


# The standard IBM floppy layouts: what BIOSes, El Torito emulation and DOS expect.
FLOPPY_1440 = FatParams(12, 2880, 1, 224, 9, 18, 2, 0xF0, 0x00)
FLOPPY_2880 = FatParams(12, 5760, 2, 240, 9, 36, 2, 0xF0, 0x00)


def fat16_params(total_sectors: int, hidden_sectors: int, heads: int = 255, sectors_per_track: int = 63) -> FatParams:
    """A FAT16 partition of a hard disk (USB-HDD): the smallest cluster that keeps the
    cluster count within FAT16's range, so little space is lost to slack."""
    root_entries = 512
    for spc in (1, 2, 4, 8, 16, 32, 64):
        fat_sectors = 1
        while True:
            params = FatParams(16, total_sectors, spc, root_entries, fat_sectors, sectors_per_track, heads, 0xF8, 0x80, hidden_sectors)
            if (params.cluster_count + 2) * 2 <= fat_sectors * SECTOR:
                break
            fat_sectors += 1
        if FAT12_MAX_CLUSTERS < params.cluster_count <= FAT16_MAX_CLUSTERS:
            return params
        if params.cluster_count <= FAT12_MAX_CLUSTERS:
            break
    raise ValueError(f"{total_sectors} sectors cannot hold a FAT16 volume")


@dataclass
class _Node:
    name: str  # 8.3 with dot, e.g. "HIMEMX.EXE"
    data: bytes = b""
    children: list[_Node] | None = None  # set for directories
    first_cluster: int = 0
    clusters: int = 0

    @property
    def is_dir(self) -> bool:
        return self.children is not None


@dataclass
class _Tree:
    root: list[_Node] = field(default_factory=list)
    order: list[_Node] = field(default_factory=list)  # allocation order
    paths: set[str] = field(default_factory=set)  # of files and folders: a duplicate is found at once, not by a scan

    def add(self, path: str, data: bytes) -> None:
        *dirs, leaf = path.split("/")
        entries = self.root
        for depth, part in enumerate(dirs, 1):
            node = next((n for n in entries if n.name == part), None)
            if node is None:
                node = _Node(part, children=[])
                entries.append(node)
                self.order.append(node)
                self.paths.add("/".join(dirs[:depth]))
            elif not node.is_dir:
                raise ValueError(f"{path}: {part} is a file")
            entries = node.children
        if path in self.paths:
            raise ValueError(f"{path} is on the volume twice")
        self.paths.add(path)
        node = _Node(leaf, data=data)
        entries.append(node)
        self.order.append(node)


def _short_name_field(name: str) -> bytes:
    base, _, ext = name.partition(".")
    if len(base) > 8 or len(ext) > 3:
        raise ValueError(f"{name} is not an 8.3 name")  # callers map names first; never cut one silently
    return base.ljust(8).encode("ascii") + ext.ljust(3).encode("ascii")


def dos_timestamp(moment: datetime) -> tuple[int, int]:
    """(date, time) in FAT's packed format; DOS cannot date anything before 1980."""
    if moment.year < 1980:
        moment = datetime(1980, 1, 1)
    date = ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    return date, time


def _dir_entry(name_field: bytes, attr: int, cluster: int, size: int, stamp: tuple[int, int]) -> bytes:
    date, time = stamp
    return struct.pack("<11sBBBHHHHHHHI", name_field, attr, 0, 0, time, date, date, 0, time, date, cluster, size)


def _bpb(params: FatParams, volume_id: int, label: str) -> bytes:
    small_total = params.total_sectors if params.total_sectors < 0x10000 else 0
    large_total = 0 if small_total else params.total_sectors
    fs_type = b"FAT12   " if params.fat_bits == 12 else b"FAT16   "
    return OEM_NAME + struct.pack(
        "<HBHBHHBHHHIIBBBI11s8s",
        SECTOR, params.sectors_per_cluster, params.reserved_sectors, params.fat_count, params.root_entries,
        small_total, params.media, params.sectors_per_fat, params.sectors_per_track, params.heads,
        params.hidden_sectors, large_total, params.drive_number, 0, 0x29, volume_id,
        label.ljust(11).encode("ascii"), fs_type,
    )


def _pack_fat(params: FatParams, entries: list[int]) -> bytes:
    size = params.sectors_per_fat * SECTOR
    if params.fat_bits == 16:
        packed = struct.pack(f"<{len(entries)}H", *entries)
    else:
        if len(entries) % 2:
            entries = entries + [0]
        out = bytearray()
        for low, high in zip(entries[0::2], entries[1::2]):
            pair = low | (high << 12)
            out += pair.to_bytes(3, "little")
        packed = bytes(out)
    return packed.ljust(size, b"\0")


def extend(out: BinaryIO, size: int) -> None:
    """Make the stream `size` bytes long: a sparse truncate on files, a final zero byte
    where truncate cannot grow (BytesIO)."""
    out.truncate(size)
    if out.seek(0, 2) < size:
        out.seek(size - 1)
        out.write(b"\0")


def clusters_for(size: int, cluster_size: int) -> int:
    return (size + cluster_size - 1) // cluster_size


def required_clusters(params: FatParams, files: Iterable[tuple[str, bytes]]) -> int:
    """Clusters a set of files needs on a volume with these parameters, directories included."""
    tree = _Tree()
    for path, data in files:
        tree.add(path, data)
    return sum(_cluster_need(params, node) for node in tree.order)


def _cluster_need(params: FatParams, node: _Node) -> int:
    if node.is_dir:
        return clusters_for((len(node.children) + 2) * DIR_ENTRY, params.cluster_size)
    return clusters_for(len(node.data), params.cluster_size)


def write_volume(out: BinaryIO, offset: int, params: FatParams, files: Iterable[tuple[str, bytes]],
                 label: str, volume_id: int, moment: datetime) -> None:
    """Write a complete FAT volume at `offset` of `out`.

    `files` are (path, data) with "/"-separated upper-case 8.3 paths; they are allocated
    in the order given, each contiguous, so the first file (KERNEL.SYS) starts the data
    area. Unused space is left unwritten: the caller sizes the file, which stays sparse."""
    tree = _Tree()
    for path, data in files:
        tree.add(path, data)
    _check_room(params, tree)
    fat = _allocate(params, tree)
    volume = _Volume(out, offset, params, dos_timestamp(moment))
    volume.write_at(0, bootcode.fat_boot_sector(_bpb(params, volume_id, label)))
    volume.write_fats(fat)
    volume.write_root(label, tree.root)
    for node in tree.root:
        if node.is_dir:
            volume.write_directory(node, 0)
    for node in tree.order:
        if not node.is_dir and node.clusters:
            volume.write_clusters(node, node.data)


def _check_room(params: FatParams, tree: _Tree) -> None:
    """Refuse, before anything is written, files that the root directory or the data area cannot hold."""
    if len(tree.root) + 1 > params.root_entries:
        raise MediumFullError(f"{len(tree.root)} files in the root directory, at most {params.root_entries - 1} fit: put files in a folder")
    need = sum(_cluster_need(params, node) for node in tree.order)
    if need > params.cluster_count:
        short = (need - params.cluster_count) * params.cluster_size
        raise MediumFullError(
            f"the files need {need * params.cluster_size} bytes but the {params.size // 1024} KiB volume holds "
            f"{params.cluster_count * params.cluster_size}: {short} bytes too many; use a bigger medium"
        )


def _allocate(params: FatParams, tree: _Tree) -> list[int]:
    """Give every node its clusters, contiguous and in order; returns the FAT's entries."""
    fat = [0] * (params.cluster_count + 2)
    end_of_chain = 0xFFF if params.fat_bits == 12 else 0xFFFF
    fat[0] = params.media | (end_of_chain & ~0xFF)
    fat[1] = end_of_chain
    next_cluster = 2
    for node in tree.order:
        node.clusters = _cluster_need(params, node)
        if node.clusters:
            node.first_cluster = next_cluster
            for c in range(next_cluster, next_cluster + node.clusters - 1):
                fat[c] = c + 1
            fat[next_cluster + node.clusters - 1] = end_of_chain
            next_cluster += node.clusters
    return fat


class _Volume:
    """Writes the parts of one volume at their sectors, every entry with the same timestamp."""

    def __init__(self, out: BinaryIO, offset: int, params: FatParams, stamp: tuple[int, int]) -> None:
        self.out, self.offset, self.params, self.stamp = out, offset, params, stamp

    def write_at(self, sector: int, data: bytes) -> None:
        self.out.seek(self.offset + sector * SECTOR)
        self.out.write(data)

    def write_fats(self, fat: list[int]) -> None:
        packed = _pack_fat(self.params, fat)
        for copy in range(self.params.fat_count):
            self.write_at(self.params.reserved_sectors + copy * self.params.sectors_per_fat, packed)

    def write_root(self, label: str, entries: list[_Node]) -> None:
        label_entry = _dir_entry(label.ljust(11).encode("ascii"), ATTR_VOLUME_ID, 0, 0, self.stamp)
        # The whole root area is written so stale bytes can never look like entries.
        root = (label_entry + self._entries(entries)).ljust(self.params.root_dir_sectors * SECTOR, b"\0")
        self.write_at(self.params.first_root_sector, root)

    def write_directory(self, node: _Node, parent_cluster: int) -> None:
        dots = (_dir_entry(b".          ", ATTR_DIRECTORY, node.first_cluster, 0, self.stamp)
                + _dir_entry(b"..         ", ATTR_DIRECTORY, parent_cluster, 0, self.stamp))
        self.write_clusters(node, dots + self._entries(node.children))
        for child in node.children:
            if child.is_dir:
                self.write_directory(child, node.first_cluster)

    def write_clusters(self, node: _Node, data: bytes) -> None:
        """A node's data in its clusters, the last one padded so the image never carries leftover bytes."""
        sector = self.params.first_data_sector + (node.first_cluster - 2) * self.params.sectors_per_cluster
        self.write_at(sector, data.ljust(node.clusters * self.params.cluster_size, b"\0"))

    def _entries(self, nodes: list[_Node]) -> bytes:
        return b"".join(
            _dir_entry(_short_name_field(n.name), ATTR_DIRECTORY if n.is_dir else ATTR_ARCHIVE,
                       n.first_cluster, 0 if n.is_dir else len(n.data), self.stamp)
            for n in nodes
        )
