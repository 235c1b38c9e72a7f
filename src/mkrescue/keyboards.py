"""Keyboard layouts for the rescue medium: FreeDOS KEYB layout ids, the FreeDOS files each
needs, and the default that follows the build machine's locale.

FreeDOS starts with the US layout, so on a German keyboard the key labelled Y types "z"
and the flash confirmation would not take it. KEYB (FreeDOS package keyb) loads a layout
from a library file (package keyb_lay): KEYBOARD.SYS holds the Latin layouts, KEYBRD2.SYS
to KEYBRD4.SYS the others. Each layout works with the code pages its library lists
(FreeDOS keyb_lay DOC/LAYOUTS.TXT). A layout that lists 437, the PC's own font, needs
nothing more; the others need that code page loaded first: DISPLAY (package display) as
the screen driver, MODE (package mode) to prepare and select it from a CPX font file
(package cpidos). The choice of code page and CPX per layout is ours, from that list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mkrescue.errors import UsageError

US = "us"
# The PC's font in ROM: a layout that works with it needs no DISPLAY, MODE or CPX file.
BUILTIN_CODEPAGE = 437
KEYB = "KEYB.EXE"
CODEPAGE_PROGRAMS = ("DISPLAY.EXE", "MODE.COM")
# Where the build machine names its locale, in the order the C library consults them for
# LC_CTYPE, the category of characters and their input: the closest a locale comes to
# naming a keyboard (language and region: de_CH is Swiss German, fr_CA Canadian French).
LOCALE_VARIABLES = ("LC_ALL", "LC_CTYPE", "LANG")


@dataclass(frozen=True)
class Layout:
    id: str  # KEYB's layout id
    name: str  # what the menu header shows
    library: str  # the keyb_lay file that holds it
    codepage: int = BUILTIN_CODEPAGE
    cpx: str | None = None  # the cpidos font file with `codepage`, when it is not built in

    @property
    def loads_nothing(self) -> bool:
        return self.id == US

    @property
    def files(self) -> tuple[str, ...]:
        """The FreeDOS files the medium needs for this layout, by name."""
        if self.loads_nothing:
            return ()
        if self.cpx is None:
            return (KEYB, self.library)
        return (KEYB, self.library, *CODEPAGE_PROGRAMS, self.cpx)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})"


def _latin(id: str, name: str) -> Layout:
    return Layout(id, name, "KEYBOARD.SYS")


LAYOUTS: dict[str, Layout] = {layout.id: layout for layout in (
    Layout(US, "US", "KEYBOARD.SYS"),
    # KEYBOARD.SYS, code page 437 among the layout's own: nothing else to load.
    _latin("uk", "UK"),
    _latin("gr", "German"),
    _latin("sg", "Swiss German"),
    _latin("sf", "Swiss French"),
    _latin("fr", "French"),
    _latin("be", "Belgian"),
    _latin("nl", "Dutch"),
    _latin("sp", "Spanish"),
    _latin("la", "Latin American"),
    _latin("it", "Italian"),
    _latin("br", "Brazilian"),
    _latin("su", "Finnish"),
    _latin("sv", "Swedish"),
    _latin("dv", "US Dvorak"),
    # KEYBOARD.SYS, without 437: Latin-1 with the euro (858) or Latin-2 (852), both in EGA.CPX.
    Layout("dk", "Danish", "KEYBOARD.SYS", 858, "EGA.CPX"),
    Layout("no", "Norwegian", "KEYBOARD.SYS", 858, "EGA.CPX"),
    Layout("po", "Portuguese", "KEYBOARD.SYS", 858, "EGA.CPX"),
    Layout("cf", "Canadian French", "KEYBOARD.SYS", 858, "EGA.CPX"),
    Layout("cz", "Czech", "KEYBOARD.SYS", 852, "EGA.CPX"),
    Layout("sk", "Slovak", "KEYBOARD.SYS", 852, "EGA.CPX"),
    Layout("hu", "Hungarian", "KEYBOARD.SYS", 852, "EGA.CPX"),
    Layout("pl", "Polish", "KEYBOARD.SYS", 852, "EGA.CPX"),
    Layout("yu", "Croatian/Slovene", "KEYBOARD.SYS", 852, "EGA.CPX"),
    # KEYBRD2.SYS and KEYBRD3.SYS: the code page of the layout's own letters.
    Layout("is", "Icelandic", "KEYBRD2.SYS", 858, "EGA.CPX"),
    Layout("ro", "Romanian", "KEYBRD2.SYS", 852, "EGA.CPX"),
    Layout("tr", "Turkish", "KEYBRD2.SYS", 857, "EGA.CPX"),
    Layout("gk", "Greek", "KEYBRD2.SYS", 869, "EGA5.CPX"),
    Layout("ru", "Russian", "KEYBRD2.SYS", 866, "EGA3.CPX"),
    Layout("bg", "Bulgarian", "KEYBRD2.SYS", 866, "EGA3.CPX"),
    Layout("yc", "Serbian Cyrillic", "KEYBRD2.SYS", 855, "EGA3.CPX"),
    Layout("ur", "Ukrainian", "KEYBRD3.SYS", 1125, "EGA4.CPX"),
    Layout("et", "Estonian", "KEYBRD3.SYS", 775, "EGA2.CPX"),
    Layout("lv", "Latvian", "KEYBRD3.SYS", 775, "EGA2.CPX"),
    Layout("lt", "Lithuanian", "KEYBRD3.SYS", 775, "EGA2.CPX"),
)}

# Locale (language_TERRITORY) -> layout: a territory whose keyboards differ from the
# language's usual one first, then the language alone.
_BY_TERRITORY = {
    "en_GB": "uk", "en_IE": "uk", "de_CH": "sg", "fr_CH": "sf", "fr_CA": "cf", "fr_BE": "be", "nl_BE": "be",
    "pt_BR": "br", "es_ES": "sp",
}
_BY_LANGUAGE = {
    "en": US, "de": "gr", "fr": "fr", "nl": "nl", "es": "la", "it": "it", "pt": "po", "da": "dk", "nb": "no",
    "nn": "no", "no": "no", "sv": "sv", "fi": "su", "is": "is", "pl": "pl", "cs": "cz", "sk": "sk", "hu": "hu",
    "hr": "yu", "sl": "yu", "bs": "yu", "ro": "ro", "tr": "tr", "el": "gk", "ru": "ru", "bg": "bg", "sr": "yc",
    "uk": "ur", "et": "et", "lv": "lv", "lt": "lt",
}


def packages_for(names: tuple[str, ...]) -> tuple[str, ...]:
    """The FreeDOS packages that hold these files (keyb, keyb_lay, display, mode, cpidos)."""
    def package(name: str) -> str:
        if name == KEYB:
            return "keyb"
        if name.startswith("KEYB"):
            return "keyb_lay"
        if name.endswith(".CPX"):
            return "cpidos"
        return name.split(".")[0].lower()

    return tuple(dict.fromkeys(package(name) for name in names))


def get_layout(layout_id: str) -> Layout:
    layout = LAYOUTS.get(layout_id.strip().lower())
    if layout is None:
        raise UsageError(f"--keyboard {layout_id!r} is not a keyboard layout mkrescue knows: see `mkrescue keyboards`"
                         f" ({', '.join(LAYOUTS)})")
    return layout


def layout_for_locale(locale: str) -> Layout | None:
    """'de_DE.UTF-8' -> German; None for C, POSIX and locales without a layout here."""
    base = locale.split(".", 1)[0].split("@", 1)[0]
    language, _, territory = base.partition("_")
    layout_id = _BY_TERRITORY.get(f"{language.lower()}_{territory.upper()}") or _BY_LANGUAGE.get(language.lower())
    if locale.split("@", 1)[-1] == "latin" and layout_id == "yc":
        layout_id = "yu"  # sr_RS@latin writes Serbian in Latin letters
    return LAYOUTS[layout_id] if layout_id else None


@dataclass(frozen=True)
class DefaultLayout:
    layout: Layout
    source: str | None  # e.g. "LANG=de_DE.UTF-8"; None: no locale named a layout


def default_layout(environ: Mapping[str, str]) -> DefaultLayout:
    """The layout of the first locale variable that names a language with one, else US.
    C and POSIX name none and are passed over: scripts set LC_ALL=C for plain messages, and
    Python itself sets LC_CTYPE=C.UTF-8 where the locale is missing (PEP 538)."""
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        layout = layout_for_locale(value) if value else None
        if layout is not None:
            return DefaultLayout(layout, f"{variable}={value}")
    return DefaultLayout(LAYOUTS[US], None)
