"""The command line: parse, call, print. No logic lives here.

Adding a build option: one click.option on build_command whose parameter name is the
name of its field in spec.BuildOptions (a test checks the two agree)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from mkrescue import __version__
from mkrescue.errors import BootTestFailed, MkrescueError, os_reason
from mkrescue.freedos import DEFAULT_RELEASE, RELEASES
from mkrescue.media import BootMedia, MediaFormat

BUILD_COMMAND = "build"


class DefaultToBuild(click.Group):
    """`mkrescue --flasher X --fw Y -o rescue.iso` means `mkrescue build ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --debug belongs to every command; written before the command, it moves after it.
        debug = args[:1] == ["--debug"]
        if debug:
            args = args[1:]
        if args and args[0].startswith("-") and args[0] not in ("--help", "-h", "--version"):
            args = [BUILD_COMMAND, *args]
        if debug and args:
            args = [args[0], "--debug", *args[1:]]
        return super().parse_args(ctx, args)


def _freedos_source_options(function):
    """Where FreeDOS comes from: shared by `build` and `fetch`."""
    options = [
        click.option("--freedos", "release", type=click.Choice(RELEASES), default=DEFAULT_RELEASE, show_default=True,
                     help="The FreeDOS release whose packages to download."),
        click.option("--cache-dir", type=click.Path(path_type=Path), help="Cache for FreeDOS packages; default: the user cache."),
        click.option("--mirror", help="A repository URL of that FreeDOS release with the official layout (e.g. .../repositories/1.3)."),
        click.option("--packages-dir", type=click.Path(path_type=Path), help="A folder with FreeDOS .zip packages already downloaded."),
        click.option("--offline", is_flag=True, help="Never download: use the cache, --packages-dir or --dos-dir."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@contextmanager
def _download_bar(label: str, total: int):
    with click.progressbar(length=total, label=f"Downloading {label}", file=sys.stderr) as bar:
        yield bar.update


def _download_progress():
    """A bar per download on a terminal; click would print a bar's label into a log too."""
    return _download_bar if sys.stderr.isatty() else None


def _debug_option(function):
    # Read by main() from argv, so the flag works wherever it is written; no command takes it.
    return click.option("--debug", is_flag=True, expose_value=False, help="Show tracebacks of errors.")(function)


@click.group(cls=DefaultToBuild, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mkrescue")
def cli() -> None:
    """Build bootable FreeDOS rescue media for flashing firmware.

    \b
    mkrescue --flasher BINFLASH.EXE --fw ND1300A.BIN -o rescue.iso
    then burn rescue.iso to a CD (or write the image to a USB stick).
    """


@cli.command(BUILD_COMMAND)
@click.option("--flasher", type=click.Path(path_type=Path), required=True, help="The DOS flasher program (.EXE, .COM or .BAT).")
@click.option("--fw", "firmware", type=click.Path(path_type=Path), required=True, help="The firmware file to flash.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The image to write: NAME.iso (CD), NAME.img (floppy), NAME.usb.img (USB stick).")
@click.option("--format", "media_format", type=click.Choice([kind.value for kind in MediaFormat]), help="Image kind; default: from the output name.")
@click.option("--floppy-size", type=click.Choice(["1.44", "2.88"]), help="Floppy size in MB; default: the smallest that fits.")
@click.option("--hybrid/--no-hybrid", default=True, show_default=True, help="Make an ISO that also boots when written raw to a USB stick.")
@click.option("--size", "disk_size", help="USB image size, e.g. 64M or 1G; default: the files plus room for backups.")
@click.option("--add", "extras", type=click.Path(path_type=Path), multiple=True, help="An extra file for \\FLASH (repeatable).")
@click.option("--driver", "drivers", type=click.Path(path_type=Path), multiple=True, help="A DOS device driver to load at boot (repeatable).")
@click.option("--dos-dir", type=click.Path(path_type=Path), help="A folder with FreeDOS files already extracted (KERNEL.SYS, COMMAND.COM, ...); default: download FreeDOS.")
@_freedos_source_options
@click.option("--force", is_flag=True, help="Replace the output if it exists.")
@click.option("--profile", help="Flasher profile for the menu's commands (see `mkrescue profiles`); default: the one made for the flasher, else generic.")
@click.option("--identify-cmd", help="Command for menu item 1, e.g. 'BINFLASH -scan'. Placeholders: {flasher}.")
@click.option("--backup-cmd", help="Command for menu item 2; must write {backup}. Placeholders: {flasher}, {backup}.")
@click.option("--flash-cmd", help="Command for menu item 3; must name {firmware}. Placeholders: {flasher}, {firmware}.")
@click.option("--no-backup-required", "backup_required", flag_value=False, default=True, help="Allow flashing without a backup made in the same boot.")
@click.option("--expect-model", help="Refuse a firmware file that does not contain this model name, e.g. ND-1300A.")
@click.option("--ramdisk-size", help="RAM disk size, e.g. 16M; default: the files plus room for backups, at least 8M.")
@click.option("--boot-default", type=int, default=1, show_default=True, help="Boot menu entry started after the countdown: 1 normal, 2 clean, 3 DOS prompt.")
@click.option("--boot-timeout", type=int, default=5, show_default=True, help="Seconds the boot menu waits for a key (0: start the default at once).")
@click.option("--flasher-dir-a", is_flag=True, help="Map the flasher's folder to A: with SUBST, for flashers that expect to run from A:.")
@click.option("--uefi-app", type=click.Path(path_type=Path), help="A CSM wrapper EFI application (e.g. CSMWrap's .efi) so USB images and CDs also boot UEFI-only PCs; experimental.")
@click.option("--keyboard", metavar="LAYOUT", help="Keyboard layout on the medium, a FreeDOS KEYB id: us, uk, gr, fr, sg, sp, it, ... (all: `mkrescue keyboards`); default: the build machine's locale (LC_ALL, LC_CTYPE, LANG), else us.")
@_debug_option
def build_command(**values) -> None:
    """Build a rescue image (the default command)."""
    from mkrescue.build import build
    from mkrescue.freedos import obtain_dos_files
    from mkrescue.spec import BuildOptions, make_spec

    options = BuildOptions(**values)

    def obtain_dos(keyboard_files):
        return obtain_dos_files(options.dos_dir, release=options.release, cache_dir=options.cache_dir,
                                mirror=options.mirror, packages_dir=options.packages_dir, offline=options.offline,
                                progress=_download_progress(), report=lambda line: click.echo(f"freedos: {line}", err=True),
                                keyboard=keyboard_files)

    spec = make_spec(options, obtain_dos)
    for warning in spec.warnings:
        click.echo(f"note: {warning}", err=True)
    result = build(spec)
    for warning in result.check_warnings:
        click.echo(f"check: warning: {warning}", err=True)
    say(f"wrote {result.output} ({result.size} bytes): {result.description}; checked, no errors")
    say(f"firmware {spec.firmware.dos_name}: {spec.firmware.size} bytes, SHA-256 {spec.firmware.sha256}")


@cli.command("fetch")
@_freedos_source_options
@click.option("--keyboard", metavar="LAYOUT", help="Also the packages this keyboard layout needs (`mkrescue keyboards`), for offline builds with --keyboard.")
@_debug_option
def fetch_command(release, cache_dir, mirror, packages_dir, offline, keyboard) -> None:
    """Download and verify the FreeDOS packages into the cache."""
    from mkrescue.freedos.provision import provision
    from mkrescue.keyboards import get_layout

    wanted = get_layout(keyboard).files if keyboard is not None else ()
    where = provision(cache_dir, release=release, mirror=mirror, packages_dir=packages_dir, offline=offline,
                      progress=_download_progress(), report=say, wanted=wanted)
    say(f"FreeDOS files ready in {where}")


@cli.command("profiles")
@_debug_option
def profiles_command() -> None:
    """List the flasher profiles (--profile NAME)."""
    from mkrescue.profiles import all_profiles, profile_lines

    for profile in all_profiles().values():
        say(f"{profile.name:<10} {profile.description}")
        for label, value in profile_lines(profile):
            say(f"{'':<10}   {label + ':':<9} {value}")


@cli.command("keyboards")
@_debug_option
def keyboards_command() -> None:
    """List the keyboard layouts (--keyboard LAYOUT) and the FreeDOS files each loads."""
    import os

    from mkrescue.keyboards import LAYOUTS, default_layout

    for layout in LAYOUTS.values():
        if layout.loads_nothing:
            needs = "nothing loaded: the PC's own layout"
        elif layout.cpx is None:
            needs = f"KEYB with {layout.library}"
        else:
            needs = f"KEYB with {layout.library}; code page {layout.codepage} from {layout.cpx} (DISPLAY, MODE)"
        say(f"{layout.id:<4} {layout.name:<18} {needs}")
    default = default_layout(os.environ)
    why = f"from {default.source}" if default.source else "no locale variable names another layout"
    say(f"default on this machine: {default.layout.id} ({why})")


@cli.command("check")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (keys in README.md).")
@_debug_option
def check_command(image, as_json) -> None:
    """Check the structure of an image: floppy, ISO or USB. Exit status 1 when it has errors."""
    import json

    from mkrescue.check import check_image, format_text
    from mkrescue.errors import CheckFailed

    report = check_image(image)
    say(json.dumps(report.to_json(), indent=2) if as_json else format_text(report))
    if not report.ok:
        raise CheckFailed(f"{image}: {len(report.errors)} error(s) found")


@cli.command("boot-test")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--media", type=click.Choice([media.value for media in BootMedia]), help="How to attach the image (usb: a USB 3 stick, usb2: a USB 2 stick); default: from its content (a USB image as a hard disk).")
@click.option("--firmware", type=click.Choice(["bios", "uefi"]), default="bios", show_default=True, help="The PC: a BIOS PC, or a UEFI-only PC (OVMF, no CSM; needs apt-get install ovmf).")
@click.option("--expect", help="Text to wait for on the screen (or COM1); default: wait until the screen settles.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait (for --expect, and for each --step).")
@click.option("--keys", default="", help="QEMU key names to type once it is there, e.g. '1 y' or 'ret'.")
@click.option("--step", "steps", multiple=True, metavar="TEXT=>KEYS",
              help="Before --expect: wait for TEXT, then type KEYS (QEMU key names, e.g. '1 dot 0 dot 0 ret'); repeatable, in order.")
@click.option("--screenshot", type=click.Path(path_type=Path), help="Also save the screen as a PNG.")
@click.option("--force", is_flag=True, help="Replace an existing --screenshot file.")
@_debug_option
def boot_test_command(image, media, firmware, expect, timeout, keys, steps, screenshot, force) -> None:
    """Boot IMAGE in QEMU (headless) and print the screen the PC would show."""
    from mkrescue.boottest import boot, media_for, parse_step

    steps = [parse_step(step) for step in steps]
    result = boot(image, media or media_for(image), expect=expect, timeout=timeout, keys=keys.split(),
                  screenshot=screenshot, force=force, steps=steps, firmware=firmware)
    say(result.screen.rstrip("\n"))
    if screenshot:
        click.echo(f"screenshot saved as {screenshot}", err=True)
    problem = result.problem(expect, timeout)
    if problem:
        raise BootTestFailed(f"{image}: {problem}")


def _print_traceback() -> None:
    import traceback  # only --debug needs it

    traceback.print_exc()


class _Stopped(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so every `finally` runs (QEMU is killed,
    temporary files go), then exits with the signal's status. Not a KeyboardInterrupt,
    which click would turn into Abort."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def _stdout_failed(exc: OSError) -> MkrescueError:
    """Standard output is a closed pipe or a full disk: one error line (on stderr), and
    nothing more is sent there, so Python's own flush at exit stays quiet."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return MkrescueError(f"cannot write to standard output ({os_reason(exc)}): the output was lost,"
                         " though the work itself was done")


def say(text: str) -> None:
    """A line of a command's result, on standard output."""
    try:
        click.echo(text)
    except OSError as exc:
        raise _stdout_failed(exc) from exc


def _flush_stdout() -> None:
    """Flush what is left now, so a failure is one error line rather than Python's complaint at exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        raise _stdout_failed(exc) from exc


def main(argv: list[str] | None = None) -> None:
    """Entry point: the single place that turns errors into one-line messages and exit codes."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    with contextlib.suppress(ValueError):  # only the main thread may set handlers; a test may call from another
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _stop)
    try:
        try:
            cli.main(args=args, prog_name="mkrescue", standalone_mode=False)
        finally:
            _flush_stdout()
    except MkrescueError as exc:
        if debug:
            _print_traceback()
        click.echo(f"mkrescue: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("mkrescue: aborted", err=True)
        sys.exit(130)
    except _Stopped as exc:
        click.echo(f"mkrescue: stopped by {signal.Signals(exc.signum).name}: nothing was left half-written", err=True)
        sys.exit(128 + exc.signum)
    except KeyboardInterrupt:
        click.echo("mkrescue: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if debug:
            _print_traceback()
        click.echo(f"mkrescue: internal error: {type(exc).__name__}: {exc} (run again with --debug and report it)", err=True)
        sys.exit(1)
