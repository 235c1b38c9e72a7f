"""Our own bounded reader of a FAT12/FAT16 volume: the FAT, the directory tree, file data.

Every loop is bounded by the cluster count: each cluster can be claimed by one file
once, so a chain that loops, two files that share clusters or a directory that contains
its own parent end as findings the moment a cluster is met a second time. Directories
are walked with an explicit stack to a fixed depth, within a budget of entries and bytes."""

from __future__ import annotations

import hashlib
import sys
from array import array
from dataclasses import dataclass, field
from typing import Iterator

from mkrescue.check.bpb import DIR_ENTRY, SECTOR, Bpb
from mkrescue.check.region import CheckError, Region
from mkrescue.check.report import Findings

ATTR_VOLUME_ID = 0x08
ATTR_DIRECTORY = 0x10
ATTR_LONG_NAME = 0x0F
DELETED = 0xE5
MAX_DEPTH = 32
MAX_ENTRIES = 50_000  # live entries over the whole volume; a full FreeDOS install has a few thousand
MAX_DIRECTORY_BYTES = 65536 * DIR_ENTRY  # DOS's own limit: 65536 entries in one directory
DIRECTORY_BUDGET = 8 * 1024 * 1024  # directory bytes read over the whole volume
READ_CHUNK = 1024 * 1024
FREE = 0
# Characters DOS cannot have in a short name (lower case included: DOS would never find it).
BAD_NAME_BYTES = frozenset(b'"*+,./:;<=>?[\\]|abcdefghijklmnopqrstuvwxyz') | frozenset(range(0x20))
ROOT = "\\"


@dataclass
class Node:
    """A file or directory, with the clusters its chain claimed."""

    path: str  # "\FREEDOS\CHOICE.EXE"
    is_dir: bool
    start: int
    size: int
    chain: list[int] = field(default_factory=list)
    sound: bool = True  # the chain ends properly and, for a file, matches the size

    @property
    def name(self) -> str:
        return self.path.rsplit("\\", 1)[-1]


class FatTable:
    """The first FAT, decoded, and what its values mean."""

    def __init__(self, raw: bytes, bits: int, clusters: int) -> None:
        self.bits = bits
        self.last = clusters + 1  # highest valid cluster number
        if bits == 12:
            self.entries = array("H", (self._fat12(raw, n) for n in range(clusters + 2)))
        else:
            self.entries = array("H", raw[: (clusters + 2) * 2])
            if sys.byteorder == "big":
                self.entries.byteswap()
        self.bad = 0xFF7 if bits == 12 else 0xFFF7
        self.end = 0xFF8 if bits == 12 else 0xFFF8

    @staticmethod
    def _fat12(raw: bytes, n: int) -> int:
        offset = n * 3 // 2
        pair = raw[offset] | raw[offset + 1] << 8
        return pair >> 4 if n & 1 else pair & 0xFFF

    def __getitem__(self, cluster: int) -> int:
        return self.entries[cluster]

    def is_pointer(self, value: int) -> bool:
        return 2 <= value <= self.last


@dataclass
class FatVolume:
    """A volume whose structure was walked: its files, and reads of their data."""

    region: Region
    bpb: Bpb
    fat: FatTable
    files: dict[str, Node]  # upper-case path -> file
    dirs: dict[str, Node]  # upper-case path -> directory, ROOT included

    def cluster_offset(self, cluster: int) -> int:
        return (self.bpb.first_data_sector + (cluster - 2) * self.bpb.sectors_per_cluster) * SECTOR

    def chunks(self, node: Node) -> Iterator[bytes]:
        """The file's data in pieces, following runs of consecutive clusters; only for sound files."""
        left = node.size
        runs = _runs(node.chain)
        for first, count in runs:
            offset, length = self.cluster_offset(first), min(count * self.bpb.cluster_size, left)
            while length > 0:
                piece = self.region.read(offset, min(length, READ_CHUNK))
                yield piece
                offset += len(piece)
                length -= len(piece)
                left -= len(piece)

    def read(self, node: Node) -> bytes:
        return b"".join(self.chunks(node))

    def sha256(self, node: Node) -> str:
        digest = hashlib.sha256()
        for piece in self.chunks(node):
            digest.update(piece)
        return digest.hexdigest()


def _runs(chain: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for cluster in chain:
        if runs and runs[-1][0] + runs[-1][1] == cluster:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((cluster, 1))
    return runs


def read_fat(region: Region, bpb: Bpb, findings: Findings) -> FatTable:
    """The first FAT, compared with its copies; raises CheckError when it cannot be read."""
    size = bpb.fat_bytes_needed
    first = region.read(bpb.reserved_sectors * SECTOR, size)
    for copy in range(1, bpb.fat_count):
        try:
            other = region.read((bpb.reserved_sectors + copy * bpb.sectors_per_fat) * SECTOR, size)
        except CheckError as exc:
            findings.error("fat.unreadable", f"FAT {copy + 1} cannot be read: {exc}")
            continue
        if other != first:
            differ = next(i for i, (a, b) in enumerate(zip(first, other)) if a != b)
            findings.error("fat.copies-differ", f"FAT {copy + 1} differs from FAT 1 (first at byte {differ})")
    fat = FatTable(first, bpb.fat_bits, bpb.cluster_count)
    mask = 0xFFF if bpb.fat_bits == 12 else 0xFFFF
    if fat[0] != (bpb.media | (mask & ~0xFF)):
        findings.warning("fat.media", f"FAT entry 0 is {fat[0]:#x}, expected {bpb.media | (mask & ~0xFF):#x} for media byte {bpb.media:#04x}")
    # FAT16 keeps two volume-state flags in the top bits of entry 1.
    if (fat[1] | (0xC000 if fat.bits == 16 else 0)) < fat.end:
        findings.warning("fat.reserved-entry", f"FAT entry 1 is {fat[1]:#x}, not an end-of-chain mark (mtools refuses such a volume)")
    return fat


@dataclass
class _Walk:
    volume: Region
    bpb: Bpb
    fat: FatTable
    findings: Findings
    nodes: list[Node] = field(default_factory=list)
    owner: array = field(init=False)
    complete: bool = True
    budget: int = DIRECTORY_BUDGET

    def __post_init__(self) -> None:
        self.owner = array("l", [-1]) * (self.fat.last + 1)

    def claim(self, node_id: int, ancestors: tuple[int, ...]) -> None:
        """Follow the node's chain from its start, claiming each cluster; a cluster
        already claimed ends it with the fault that explains why."""
        node, fat, findings = self.nodes[node_id], self.fat, self.findings
        cluster = node.start
        while True:
            holder = self.owner[cluster]
            if holder == node_id:
                findings.error("fat.loop", f"{node.path}: its cluster chain loops back to cluster {cluster}")
            elif holder in ancestors:
                findings.error("fat.directory-cycle", f"{node.path} is its own ancestor {self.nodes[holder].path} (cluster {cluster})")
            elif holder != -1:
                findings.error("fat.cross-link", f"{node.path} and {self.nodes[holder].path} share cluster {cluster}")
            if holder != -1:
                node.sound = False
                return
            self.owner[cluster] = node_id
            node.chain.append(cluster)
            value = fat[cluster]
            if value >= fat.end:
                return
            if fat.is_pointer(value):
                cluster = value
                continue
            node.sound = False
            if value == FREE:
                findings.error("fat.free-in-chain", f"{node.path}: cluster {cluster} of its chain is marked free")
            elif value == fat.bad:
                findings.error("fat.bad-cluster", f"{node.path}: cluster {cluster} of its chain is marked bad")
            else:
                findings.error("fat.bad-pointer", f"{node.path}: cluster {cluster} points to {value:#x}, outside the volume")
            return

    def add(self, node: Node, ancestors: tuple[int, ...]) -> int | None:
        """Record an entry and claim its chain; its id, or None when the walk must stop."""
        if len(self.nodes) >= MAX_ENTRIES:
            self.findings.error("fat.too-many-entries", f"more than {MAX_ENTRIES} entries: the rest were not read")
            self.complete = False
            return None
        node_id = len(self.nodes)
        self.nodes.append(node)
        if node.start == 0:
            if node.is_dir:
                node.sound = False
                self.findings.error("fat.directory-cycle", f"{node.path} points back at the root directory (cluster 0)")
            elif node.size:
                node.sound = False
                self.findings.error("fat.size-mismatch", f"{node.path}: {node.size} bytes but no clusters")
            return node_id
        if not self.fat.is_pointer(node.start):
            node.sound = False
            self.findings.error("fat.bad-start", f"{node.path} starts at cluster {node.start}, outside the volume (2-{self.fat.last})")
            return node_id
        self.claim(node_id, ancestors)
        if node.sound and not node.is_dir:
            need = (node.size + self.bpb.cluster_size - 1) // self.bpb.cluster_size
            if need != len(node.chain):
                node.sound = False
                self.findings.error("fat.size-mismatch", f"{node.path}: {node.size} bytes need {need} clusters, its chain has {len(node.chain)}")
        return node_id

    def directory_bytes(self, node: Node) -> bytes | None:
        size = len(node.chain) * self.bpb.cluster_size
        if size > MAX_DIRECTORY_BYTES or size > self.budget:
            self.findings.error("fat.directory-too-big", f"{node.path}: {size} bytes of directory: more than DOS allows or than this check reads")
            self.complete = False
            return None
        self.budget -= size
        return b"".join(self.volume.read(offset, length) for offset, length in self._extents(node))

    def _extents(self, node: Node) -> Iterator[tuple[int, int]]:
        for first, count in _runs(node.chain):
            yield (self.bpb.first_data_sector + (first - 2) * self.bpb.sectors_per_cluster) * SECTOR, count * self.bpb.cluster_size


def _entries(raw: bytes) -> Iterator[tuple[int, bytes, int, int, int]]:
    """(index, 11-byte name, attributes, first cluster, size) of each live short entry."""
    for index in range(0, len(raw) - DIR_ENTRY + 1, DIR_ENTRY):
        first = raw[index]
        if first == 0:
            return
        attr = raw[index + 11]
        if first == DELETED or attr & 0x3F == ATTR_LONG_NAME:
            continue
        name = raw[index : index + 11]
        if first == 0x05:  # a name whose real first byte is E5
            name = b"\xe5" + name[1:]
        cluster = raw[index + 26] | raw[index + 27] << 8
        size = int.from_bytes(raw[index + 28 : index + 32], "little")
        yield index // DIR_ENTRY, name, attr, cluster, size


def _name(raw: bytes) -> str:
    base, ext = raw[:8].rstrip(b" "), raw[8:].rstrip(b" ")
    return (base + b"." + ext if ext else base).decode("cp437")


def walk(region: Region, bpb: Bpb, fat: FatTable, findings: Findings) -> FatVolume:
    """Walk the directory tree from the root, with findings for every fault met."""
    state = _Walk(region, bpb, fat, findings)
    errors_before = findings.error_count()
    root = Node(ROOT, True, 0, 0)
    dirs: dict[str, Node] = {ROOT: root}
    files: dict[str, Node] = {}
    try:
        root_raw = region.read(bpb.first_root_sector * SECTOR, bpb.root_entries * DIR_ENTRY)
    except CheckError as exc:
        findings.error("fat.unreadable", f"the root directory cannot be read: {exc}")
        return FatVolume(region, bpb, fat, files, dirs)
    # (directory, its raw entries, ids of the directories from the top down to it)
    stack: list[tuple[Node, bytes, tuple[int, ...]]] = [(root, root_raw, ())]
    while stack:
        directory, raw, ancestors = stack.pop()
        subdirs = _read_directory(state, directory, raw, ancestors, dirs, files)
        if subdirs is None:
            break
        for node_id in reversed(subdirs):
            node = state.nodes[node_id]
            if not node.sound:
                continue
            if len(ancestors) >= MAX_DEPTH:
                findings.error("fat.too-deep", f"{node.path}: more than {MAX_DEPTH} directory levels; not read")
                state.complete = False
                continue
            try:
                sub_raw = state.directory_bytes(node)
            except CheckError as exc:
                findings.error("fat.unreadable", f"{node.path} cannot be read: {exc}")
                state.complete = False
                continue
            if sub_raw is not None:
                stack.append((node, sub_raw, ancestors + (node_id,)))
    _check_lost(state, findings, clean=findings.error_count() == errors_before)
    return FatVolume(region, bpb, fat, files, dirs)


def _read_directory(state: _Walk, directory: Node, raw: bytes, ancestors: tuple[int, ...],
                    dirs: dict[str, Node], files: dict[str, Node]) -> list[int] | None:
    """Add the directory's entries; the ids of its subdirectories, or None to stop the walk."""
    findings = state.findings
    is_root = directory.path == ROOT
    parent_start = state.nodes[ancestors[-2]].start if len(ancestors) >= 2 else 0
    dots = []
    seen: set[str] = set()
    subdirs = []
    prefix = "" if is_root else directory.path
    for index, raw_name, attr, cluster, size in _entries(raw):
        if attr & ATTR_VOLUME_ID:
            continue
        if raw_name in (b".          ", b"..         "):
            dots.append((index, raw_name, cluster))
            continue
        name = _name(raw_name)
        path = f"{prefix}\\{name}"
        if not raw_name[:8].strip(b" ") or BAD_NAME_BYTES.intersection(raw_name.replace(b" ", b"")):
            findings.warning("fat.bad-name", f"{path!r}: DOS cannot open a file by this name")
        key = path.upper()
        if key in seen:
            findings.error("fat.duplicate-name", f"{path} is in its directory twice: DOS only ever finds the first")
            continue
        seen.add(key)
        node = Node(path, bool(attr & ATTR_DIRECTORY), cluster, size)
        node_id = state.add(node, ancestors)
        if node_id is None:
            return None
        if node.is_dir:
            dirs[key] = node
            subdirs.append(node_id)
        else:
            files[key] = node
    if not is_root:
        expected = [(0, b".          ", directory.start), (1, b"..         ", parent_start)]
        if dots != expected:
            findings.error("fat.dot-entries", f"{directory.path}: its '.' and '..' entries are not the first two or point elsewhere")
    return subdirs


def _check_lost(state: _Walk, findings: Findings, clean: bool) -> None:
    """Clusters in use that no file claims; only meaningful when every directory was read."""
    if not state.complete:
        findings.warning("fat.lost-unchecked", "not every directory was read, so lost clusters were not looked for")
        return
    fat, owner = state.fat, state.owner
    lost = [c for c in range(2, fat.last + 1) if owner[c] == -1 and fat[c] not in (FREE, fat.bad)]
    if lost:
        shown = ", ".join(map(str, lost[:8])) + (", ..." if len(lost) > 8 else "")
        findings.error("fat.lost-clusters", f"{len(lost)} clusters are in use but belong to no file ({shown})")
    elif clean:
        files = sum(1 for n in state.nodes if not n.is_dir)
        findings.ok("fat.chains", f"{files} files, {len(state.nodes) - files} directories: every chain ends, "
                                  "no cross-links, no lost clusters, sizes match")
