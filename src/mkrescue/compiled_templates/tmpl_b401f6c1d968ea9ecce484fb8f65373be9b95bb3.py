from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'ESP.TXT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_build_date = resolve('build_date')
    l_0_app = resolve('app')
    pass
    yield 'mkrescue firmware rescue disk: the start on UEFI-only PCs (experimental)\n========================================================================\n\nMade by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ' on '
    yield str((undefined(name='build_date') if l_0_build_date is missing else l_0_build_date))
    yield ".\n\nThis small FAT volume is the disk's EFI System Partition. A PC without a\nlegacy BIOS (no CSM) starts \\EFI\\BOOT\\BOOTX64.EFI from it: the CSM wrapper\nthat was given to mkrescue ("
    yield str(environment.getattr((undefined(name='app') if l_0_app is missing else l_0_app), 'size'))
    yield ' bytes,\n  SHA-256 '
    yield str(environment.getattr((undefined(name='app') if l_0_app is missing else l_0_app), 'sha256'))
    yield ").\nA CSM wrapper installs a legacy BIOS (SeaBIOS) and then starts FreeDOS from\nthe disk's other volume the way a BIOS PC does. Secure Boot must be off.\nTested only in QEMU with OVMF (UEFI without CSM), not on real PCs.\n\nThe CSM wrapper is not part of mkrescue. CSMWrap is free software under the\nGNU Lesser General Public License 2.1, the SeaBIOS inside it under the\nGNU LGPL 3.0: whoever passes this disk on must also pass on, or point to,\nthe source code of the release the file came from:\n  https://github.com/CSMWrap/CSMWrap/releases\nLicence texts: https://www.gnu.org/licenses/old-licenses/lgpl-2.1.txt\n               https://www.gnu.org/licenses/lgpl-3.0.txt\n\nMANIFEST.TXT lists the SHA-256 of every file on this volume.\n"

blocks = {}
debug_info = '4=15&8=19&9=21'