"""--keyboard: the layout ids, the default from the locale, the FreeDOS files and the
AUTOEXEC.BAT lines on the medium, run through the FreeCOM model of test_menu.py. The real
thing (KEYB typing the layout's characters) is in test_keyboards_qemu.py."""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path

import pytest

from build_fixtures import dos_dir, run_mkrescue, user_files  # noqa: F401  (fixtures)
from judges import read_fat_files
from mkrescue.errors import UsageError
from mkrescue.keyboards import LAYOUTS, default_layout, get_layout, layout_for_locale, packages_for
from freecom_model import boot, lines_of, model_pc
from mkrescue.dosname import is_valid_83
from test_menu import FLASH_CMD, PCS, at_menu

# Stand-ins with the names of the FreeDOS files, where FreeDOS puts them (CPX fonts in CPI\).
FAKE_KEYBOARD_FILES = {
    "BIN/KEYB.EXE": b"MZ" + b"FAKE-KEYB".ljust(3000, b"\0"),
    "BIN/KEYBOARD.SYS": b"FAKE-KEYBOARD.SYS" * 100,
    "BIN/KEYBRD2.SYS": b"FAKE-KEYBRD2.SYS" * 100,
    "BIN/KEYBRD3.SYS": b"FAKE-KEYBRD3.SYS" * 100,
    "BIN/DISPLAY.EXE": b"MZ" + b"FAKE-DISPLAY".ljust(2000, b"\0"),
    "BIN/MODE.COM": b"\xe9FAKE-MODE" + bytes(1000),
    "CPI/EGA.CPX": b"FAKE-EGA.CPX" * 300,
    "CPI/EGA2.CPX": b"FAKE-EGA2.CPX" * 300,
    "CPI/EGA3.CPX": b"FAKE-EGA3.CPX" * 300,
    "CPI/EGA4.CPX": b"FAKE-EGA4.CPX" * 300,
    "CPI/EGA5.CPX": b"FAKE-EGA5.CPX" * 300,
}


def with_keyboard_files(root: Path) -> Path:
    for name, data in FAKE_KEYBOARD_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def build(tmp_path: Path, user_files, dos: Path, *extra: str, env: dict[str, str] | None = None,
          name: str = "rescue.img") -> tuple[dict[str, bytes], str]:
    flasher, firmware = user_files
    out = tmp_path / name
    old = dict(os.environ)
    os.environ.update(env or {})
    try:
        result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos, "-o", out,
                              "--backup-cmd", "{flasher} -dump {backup} 1.0.0", "--flash-cmd", FLASH_CMD, *extra)
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert result.returncode == 0, result.stderr
    return read_fat_files(out), result.stderr


def keyboard_lines(image: dict[str, bytes]) -> list[str]:
    """AUTOEXEC.BAT's lines that load the layout, from the first to the one that tells the menu."""
    lines = lines_of(image["AUTOEXEC.BAT"])
    first = next(n for n, line in enumerate(lines) if line.startswith("SET MKKEYB="))
    last = max(n for n, line in enumerate(lines) if line.startswith(("SET MKKEYB=", ":KEYBDONE")))
    return lines[first : last + 1]


# ---------------------------------------------------------------------------------------
# Layouts and the locale

@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "de_DE.UTF-8"}, "gr"),
    ({"LANG": "de_AT.UTF-8"}, "gr"),
    ({"LANG": "de_CH.UTF-8"}, "sg"),
    ({"LANG": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "fr_BE.UTF-8"}, "be"),
    ({"LANG": "fr_CA.UTF-8"}, "cf"),
    ({"LANG": "en_GB.UTF-8"}, "uk"),
    ({"LANG": "en_US.UTF-8"}, "us"),
    ({"LANG": "es_ES.UTF-8"}, "sp"),
    ({"LANG": "es_MX.UTF-8"}, "la"),
    ({"LANG": "pt_BR.UTF-8"}, "br"),
    ({"LANG": "pt_PT.UTF-8"}, "po"),
    ({"LANG": "sr_RS.UTF-8@latin"}, "yu"),
    ({"LANG": "sr_RS.UTF-8"}, "yc"),
    ({"LANG": "de"}, "gr"),
    ({"LC_ALL": "en_GB.UTF-8", "LC_CTYPE": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "uk"),
    ({"LC_CTYPE": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "fr"),
    # C names no layout: LC_ALL=C from a script, or LC_CTYPE=C.UTF-8 set by Python (PEP 538).
    ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "gr"),
    ({"LC_CTYPE": "C.UTF-8", "LANG": "fr_CH.UTF-8"}, "sf"),
    ({"LANG": "C.UTF-8"}, "us"),
    ({"LANG": "POSIX"}, "us"),
    ({"LANG": "xx_YY.UTF-8"}, "us"),
    ({"LANG": ""}, "us"),
    ({}, "us"),
])
def test_the_default_layout_follows_the_locale(environ, expected):
    chosen = default_layout(environ)
    assert chosen.layout.id == expected
    assert (chosen.source is None) == (expected == "us" and not any(layout_for_locale(v) for v in environ.values() if v))


def test_every_layout_names_files_that_fit_the_medium():
    for layout in LAYOUTS.values():
        assert re.fullmatch(r"[a-z]{2}", layout.id) and layout.name.isascii()
        assert all(is_valid_83(name) for name in layout.files), layout
        if layout.id == "us":
            assert layout.files == ()
        elif layout.cpx is None:
            assert layout.codepage == 437 and layout.files == ("KEYB.EXE", layout.library)
        else:
            assert layout.codepage != 437
            assert layout.files == ("KEYB.EXE", layout.library, "DISPLAY.EXE", "MODE.COM", layout.cpx)
    assert packages_for(LAYOUTS["ru"].files) == ("keyb", "keyb_lay", "display", "mode", "cpidos")


def test_a_layout_id_is_taken_in_any_case_and_an_unknown_one_is_one_line():
    assert get_layout(" GR ") is LAYOUTS["gr"]
    with pytest.raises(UsageError, match=r"^--keyboard 'de' is not a keyboard layout .*mkrescue keyboards.*\bgr\b"):
        get_layout("de")


def test_keyboards_lists_every_layout_and_the_default_here(monkeypatch):
    monkeypatch.setenv("LANG", "de_CH.UTF-8")
    listed = run_mkrescue("keyboards")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == list(LAYOUTS)
    assert "gr   German" in listed.stdout and "code page 852 from EGA.CPX" in listed.stdout
    assert lines[-1] == "default on this machine: sg (from LANG=de_CH.UTF-8)"


# ---------------------------------------------------------------------------------------
# What goes on the medium

def test_german_loads_keyb_with_the_builtin_code_page_and_nothing_else(tmp_path, user_files, dos_dir):
    image, _ = build(tmp_path, user_files, with_keyboard_files(dos_dir), "--keyboard", "gr")
    assert image["FREEDOS/KEYB.EXE"] == FAKE_KEYBOARD_FILES["BIN/KEYB.EXE"]
    assert image["FREEDOS/KEYBOARD.SYS"] == FAKE_KEYBOARD_FILES["BIN/KEYBOARD.SYS"]
    assert not {"FREEDOS/DISPLAY.EXE", "FREEDOS/MODE.COM", "FREEDOS/KEYBRD2.SYS"} & set(image)
    assert not any(name.endswith(".CPX") for name in image)
    assert keyboard_lines(image) == [
        "SET MKKEYB=US - the gr layout did not load",
        "KEYB gr,437,%MKBOOT%\\FREEDOS\\KEYBOARD.SYS > NUL",
        "IF ERRORLEVEL 1 GOTO NOKEYB",
        "SET MKKEYB=German (gr)",
        "GOTO KEYBDONE",
        ":NOKEYB",
        "ECHO The German (gr) keyboard layout could not be loaded: the keyboard is US.",
        "PAUSE",
        ":KEYBDONE",
    ]
    lines = lines_of(image["AUTOEXEC.BAT"])
    assert lines.index(":KEYBDONE") < min(n for n, line in enumerate(lines) if "%CONFIG%" in line), \
        "the layout loads before the boot choices part"
    assert "ECHO  Keyboard: %MKKEYB%" in lines_of(image["FREEDOS/MENU.BAT"])
    # The RAM disk copy is checked against FILES.CRC: KEYB's files are among those listed.
    checked = lines_of(image["FREEDOS/FILES.CRC"])
    assert f"{zlib.crc32(image['FREEDOS/KEYBOARD.SYS']):08X} FREEDOS\\KEYBOARD.SYS" in checked
    assert f"{zlib.crc32(image['FREEDOS/KEYB.EXE']):08X} FREEDOS\\KEYB.EXE" in checked


@pytest.mark.parametrize("layout, library, codepage, cpx", [
    ("cz", "KEYBOARD.SYS", 852, "EGA.CPX"),
    ("dk", "KEYBOARD.SYS", 858, "EGA.CPX"),
    ("ru", "KEYBRD2.SYS", 866, "EGA3.CPX"),
    ("gk", "KEYBRD2.SYS", 869, "EGA5.CPX"),
])
def test_a_layout_outside_code_page_437_loads_its_code_page_first(tmp_path, user_files, dos_dir, layout, library,
                                                                   codepage, cpx):
    image, _ = build(tmp_path, user_files, with_keyboard_files(dos_dir), "--keyboard", layout)
    keyboard_files = {name for name in image if name.startswith("FREEDOS/") and name.split("/")[1] in
                      {"KEYB.EXE", "DISPLAY.EXE", "MODE.COM", *(n.split("/")[1] for n in FAKE_KEYBOARD_FILES)}}
    assert keyboard_files == {f"FREEDOS/{n}" for n in ("KEYB.EXE", library, "DISPLAY.EXE", "MODE.COM", cpx)}
    assert image[f"FREEDOS/{cpx}"] == FAKE_KEYBOARD_FILES[f"CPI/{cpx}"]
    name = LAYOUTS[layout].name
    assert keyboard_lines(image)[:10] == [
        f"SET MKKEYB=US - the {layout} layout did not load",
        "DISPLAY CON=(EGA,437,1) > NUL",
        "IF ERRORLEVEL 1 GOTO NOKEYB",
        f"MODE CON CODEPAGE PREPARE=(({codepage}) %MKBOOT%\\FREEDOS\\{cpx}) > NUL",
        "IF ERRORLEVEL 1 GOTO NOKEYB",
        f"MODE CON CODEPAGE SELECT={codepage} > NUL",
        "REM FreeDOS 1.4's MODE ends a select that worked with errorlevel 1 (seen in QEMU), a failed one higher.",
        "IF ERRORLEVEL 2 GOTO NOKEYB",
        f"KEYB {layout},{codepage},%MKBOOT%\\FREEDOS\\{library} > NUL",
        "IF ERRORLEVEL 1 GOTO NOKEYB",
    ]
    assert f"SET MKKEYB={name} ({layout})" in keyboard_lines(image)


def test_us_loads_nothing(tmp_path, user_files, dos_dir):
    image, _ = build(tmp_path, user_files, with_keyboard_files(dos_dir), "--keyboard", "us")
    assert not any(name.split("/")[-1] in {"KEYB.EXE", "KEYBOARD.SYS", "DISPLAY.EXE", "MODE.COM"} for name in image)
    assert keyboard_lines(image) == ["SET MKKEYB=US (us)"]
    assert not any(re.match(r"(KEYB|DISPLAY|MODE) ", line) for line in lines_of(image["AUTOEXEC.BAT"]))


def test_the_locale_picks_the_default_and_says_so(tmp_path, user_files, dos_dir):
    image, stderr = build(tmp_path, user_files, with_keyboard_files(dos_dir), env={"LANG": "fr_FR.UTF-8"})
    assert "SET MKKEYB=French (fr)" in keyboard_lines(image)
    assert "note: keyboard French (fr), from the build machine's locale (LANG=fr_FR.UTF-8); --keyboard us" in stderr


def test_a_locale_layout_whose_files_are_missing_leaves_the_us_keyboard_with_a_note(tmp_path, user_files, dos_dir):
    image, stderr = build(tmp_path, user_files, dos_dir, env={"LANG": "de_DE.UTF-8"})
    assert keyboard_lines(image) == ["SET MKKEYB=US (us)"]
    assert re.search(r"note: the build machine's locale \(LANG=de_DE.UTF-8\) suggests the German \(gr\) keyboard, but"
                     r" \S+ lacks KEYB.EXE, KEYBOARD.SYS: the medium keeps the US keyboard", stderr), stderr


def test_the_locale_does_not_change_a_build_that_names_its_keyboard(tmp_path, user_files, dos_dir):
    with_keyboard_files(dos_dir)
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    images = [build(tmp_path, user_files, dos_dir, "--keyboard", "gr", env={**epoch, "LANG": lang}, name=f"{n}.img")
              for n, lang in enumerate(("de_DE.UTF-8", "fr_FR.UTF-8", "C"))]
    assert (tmp_path / "0.img").read_bytes() == (tmp_path / "1.img").read_bytes() == (tmp_path / "2.img").read_bytes()
    assert all(stderr == images[0][1] for _, stderr in images)


def test_an_asked_for_layout_without_its_files_is_refused_in_one_line(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    out = tmp_path / "rescue.iso"
    result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", out, "--keyboard", "gr")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (f"mkrescue: error: {dos_dir} lacks KEYB.EXE, KEYBOARD.SYS, needed for --keyboard gr: add"
                             " them (FreeDOS packages keyb, keyb_lay) or build with --keyboard us\n")
    assert not out.exists()


def test_a_missing_code_page_file_is_named(tmp_path, user_files, dos_dir):
    with_keyboard_files(dos_dir)
    (dos_dir / "CPI" / "EGA3.CPX").unlink()
    flasher, firmware = user_files
    result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img",
                          "--keyboard", "ru")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"mkrescue: error: {dos_dir} lacks EGA3.CPX, needed for --keyboard ru: add"
                                          " them (FreeDOS packages cpidos) or build with --keyboard us"]


def test_an_unknown_layout_is_a_usage_error(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img",
                          "--keyboard", "german")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "--keyboard 'german' is not a keyboard layout" in result.stderr


def test_a_huge_file_named_like_a_keyboard_file_is_not_read(tmp_path, user_files, dos_dir):
    with_keyboard_files(dos_dir)
    with (dos_dir / "BIN" / "KEYBOARD.SYS").open("wb") as f:
        f.truncate(3 * 1024**3)  # sparse: 3 GiB that would take minutes and all memory to read
    flasher, firmware = user_files
    result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img",
                          "--keyboard", "gr")
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert "KEYBOARD.SYS is 3221225472 bytes" in result.stderr and "it is not one" in result.stderr


# ---------------------------------------------------------------------------------------
# The batch files on model PCs (test_menu.py's FreeCOM model)

@pytest.fixture
def german(tmp_path, user_files, dos_dir):
    return build(tmp_path, user_files, with_keyboard_files(dos_dir), "--keyboard", "gr")[0]


@pytest.mark.parametrize("pc_name", ["floppy, no hard disk", "CD (read-only A:), 1 hard disk",
                                     "USB stick as C:, 2 hard disks, CD drive"])
@pytest.mark.parametrize("config", ["1", "2", "3", None])
def test_every_start_loads_the_layout_before_the_menu_and_the_header_names_it(german, pc_name, config):
    pc = model_pc(german, **PCS[pc_name])
    run = boot(german, pc, config, keys=["N"])
    keyb = [n for n, command in enumerate(run.commands) if command.startswith("KEYB ")]
    assert keyb and run.commands[keyb[0]] == f"KEYB gr,437,{pc.boot}:\\FREEDOS\\KEYBOARD.SYS > NUL"
    assert run.env["MKKEYB"] == "German (gr)"
    if config == "3":
        return  # the DOS prompt: MENU shows the same header later
    assert at_menu(run) and " Keyboard: German (gr)" in run.screens[-1]


@pytest.mark.parametrize("failing", ["KEYB", "DISPLAY", "MODE"])
def test_a_layout_that_does_not_load_leaves_us_and_says_so(tmp_path, user_files, dos_dir, failing):
    image = build(tmp_path, user_files, with_keyboard_files(dos_dir), "--keyboard", "cz")[0]
    pc = model_pc(image, **PCS["floppy, no hard disk"])
    pc.failing = (failing,)
    run = boot(image, pc, "1", keys=[" "])
    assert run.screens[0][-2:] == ["The Czech (cz) keyboard layout could not be loaded: the keyboard is US.",
                                   "Press any key to continue . . ."]
    assert at_menu(run) and " Keyboard: US - the cz layout did not load" in run.screens[-1]
    loaded = [c.split()[0] for c in run.commands if c.split()[0] in ("DISPLAY", "MODE", "KEYB")]
    assert loaded[-1] == failing, "nothing is loaded after the step that failed"


# ---------------------------------------------------------------------------------------
# The packages through the verified catalogue and cache

def test_keyboard_packages_are_fetched_only_for_a_build_that_wants_their_files(httpserver, tmp_path):
    from freedos_mirror import lsm, make_zip
    from mkrescue.freedos import catalogue as catalogue_module
    from mkrescue.freedos.download import Downloader
    from mkrescue.freedos.dosdir import locate
    from mkrescue.freedos.provision import provision
    from test_freedos_provision import CATALOGUE, FAST, package_zips, serve

    keyb_exe = FAKE_KEYBOARD_FILES["BIN/KEYB.EXE"]
    zips = {**package_zips(), "base/keyb.zip": make_zip({
        "APPINFO/KEYB.LSM": lsm("keyb", "2.10"), "BIN/KEYB.EXE": keyb_exe, "DOC/KEYB/COPYING.TXT": b"GPL v2 (stand-in)\n"})}
    data = {**CATALOGUE, "packages": [*CATALOGUE["packages"], {
        "name": "keyb", "group": "base", "optional": True, "licence": "GPL v2", "lsm": ["APPINFO/KEYB.LSM"],
        "files": [{"member": "BIN/KEYB.EXE", "target": "BIN/KEYB.EXE"}],
        "licence_text": [{"member": "DOC/KEYB/COPYING.TXT"}], "sources": {"elsewhere": "https://example.invalid/keyb"}}]}
    mirror = serve(httpserver, zips)

    def fetch(wanted):
        return provision(tmp_path / "cache", mirror=mirror, catalogue=catalogue_module.from_dict(data),
                         downloader=Downloader(**FAST), wanted=wanted)

    plain = fetch(())
    assert not any(request.path.endswith("/keyb.zip") for request, _ in httpserver.log)
    assert not (plain / "BIN" / "KEYB.EXE").exists()
    with_keyb = fetch(("KEYB.EXE",))
    assert [request.path for request, _ in httpserver.log if request.path.endswith("/keyb.zip")] == ["/repo/base/keyb.zip"]
    assert with_keyb != plain and (with_keyb / "BIN" / "KEYB.EXE").read_bytes() == keyb_exe
    assert "KEYB" in (with_keyb / "LICENSES" / "SOURCES.TXT").read_text()
    assert locate(with_keyb, ("KEYB.EXE",)).keyboard[0].data == keyb_exe
    assert fetch(()) == plain, "a build without a keyboard keeps its own assembled folder"


@pytest.mark.parametrize("release", ["1.3", "1.4"])
def test_every_file_a_layout_needs_comes_from_an_optional_package_of_each_release(release):
    from mkrescue.freedos.catalogue import load

    catalogue = load(release)
    required = {f.target.split("/")[-1] for p in catalogue.packages_for() for f in p.files}
    for layout in LAYOUTS.values():
        fetched = {f.target.split("/")[-1] for p in catalogue.packages_for(layout.files) for f in p.files}
        assert set(layout.files) <= fetched - required, layout


def test_fetch_keyboard_then_an_offline_build_takes_the_layout_from_the_cache(httpserver, tmp_path, user_files):
    """The shipped 1.3 catalogue end to end, against stand-ins of its packages."""
    from freedos_mirror import serve_repository
    from test_cli_fetch import mkrescue_with_pins, no_pins, stand_in_repository

    mirror, cache = serve_repository(httpserver, stand_in_repository(), "/fd"), tmp_path / "cache"
    plain = mkrescue_with_pins(no_pins(), "fetch", "--mirror", mirror, "--cache-dir", cache)
    assert plain.returncode == 0, plain.stderr
    assert not any(request.path.endswith("/keyb.zip") for request, _ in httpserver.log)
    fetched = mkrescue_with_pins(no_pins(), "fetch", "--mirror", mirror, "--cache-dir", cache, "--keyboard", "cz")
    assert fetched.returncode == 0, fetched.stderr
    assert [line.split(":")[0] for line in fetched.stdout.splitlines()[-6:-1]] == [
        "base/keyb.zip", "base/keyb_lay.zip", "base/display.zip", "base/mode.zip", "base/cpidos.zip"]
    flasher, firmware = user_files
    out = tmp_path / "rescue.img"
    built = mkrescue_with_pins(no_pins(), "--flasher", flasher, "--fw", firmware, "-o", out, "--cache-dir", cache,
                               "--offline", "--keyboard", "cz")
    assert built.returncode == 0, built.stderr
    files = read_fat_files(out)
    for name, member in (("KEYB.EXE", "KEYB.EXE"), ("KEYBOARD.SYS", "KEYBOARD.SYS"), ("DISPLAY.EXE", "DISPLAY.EXE"),
                         ("MODE.COM", "MODE.COM"), ("EGA.CPX", "EGA.CPX")):
        assert files[f"FREEDOS/{name}"].startswith(f"MZSTAND-IN BIN/{member}".encode())
    assert {"FREEDOS/LICENSES/KEYB.TXT", "FREEDOS/LICENSES/CPIDOS.TXT"} <= set(files)
    assert "KEYB_LAY\r\n" in files["FREEDOS/LICENSES/SOURCES.TXT"].decode("ascii")
    assert "SET MKKEYB=Czech (cz)" in keyboard_lines(files)


def test_an_offline_build_without_the_keyboard_packages_names_what_to_do(httpserver, tmp_path, user_files):
    from freedos_mirror import serve_repository
    from test_cli_fetch import mkrescue_with_pins, no_pins, stand_in_repository

    mirror, cache = serve_repository(httpserver, stand_in_repository(), "/fd"), tmp_path / "cache"
    assert mkrescue_with_pins(no_pins(), "fetch", "--mirror", mirror, "--cache-dir", cache).returncode == 0
    flasher, firmware = user_files
    built = mkrescue_with_pins(no_pins(), "--flasher", flasher, "--fw", firmware, "-o", tmp_path / "r.img",
                               "--cache-dir", cache, "--offline", "--keyboard", "gr")
    assert built.returncode == 1 and len(built.stderr.splitlines()) == 1, built.stderr
    assert "offline, and the FreeDOS 1.3 package base/keyb.zip is not in the cache" in built.stderr


def test_a_locale_layout_whose_packages_cannot_be_had_leaves_the_us_keyboard(httpserver, tmp_path, user_files,
                                                                             monkeypatch):
    """Offline with the plain packages cached: the German locale's keyb packages are not there."""
    from freedos_mirror import serve_repository
    from test_cli_fetch import mkrescue_with_pins, no_pins, stand_in_repository

    mirror, cache = serve_repository(httpserver, stand_in_repository(), "/fd"), tmp_path / "cache"
    assert mkrescue_with_pins(no_pins(), "fetch", "--mirror", mirror, "--cache-dir", cache).returncode == 0
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    flasher, firmware = user_files
    out = tmp_path / "r.img"
    built = mkrescue_with_pins(no_pins(), "--flasher", flasher, "--fw", firmware, "-o", out, "--cache-dir", cache,
                               "--offline")
    assert built.returncode == 0, built.stderr
    assert "note: the build machine's locale (LANG=de_DE.UTF-8) suggests the German (gr) keyboard, but offline," \
        in built.stderr and "the medium keeps the US keyboard" in built.stderr
    assert keyboard_lines(read_fat_files(out)) == ["SET MKKEYB=US (us)"]
