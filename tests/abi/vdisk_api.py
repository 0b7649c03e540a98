"""Shared helpers for the ABI checks: the public API as the headers declare it."""

import pathlib
import re

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_DECL = re.compile(r"\bVDISK_API\b([^;{}]*?)\b(vdisk_\w+)\s*\(", re.S)


def header_functions(include_dir):
    """Every function declared with VDISK_API under include_dir/vdisk/*.h."""
    names = set()
    for header in sorted(pathlib.Path(include_dir, "vdisk").glob("*.h")):
        text = _COMMENT.sub(" ", header.read_text())
        # The macro's own definition is not a declaration.
        text = re.sub(r"#\s*define\s+VDISK_API[^\n]*", " ", text)
        for match in _DECL.finditer(text):
            names.add(match.group(2))
    return names


def syms_functions(syms_path):
    """The names listed in the global: section of a linker version script."""
    text = _COMMENT.sub(" ", pathlib.Path(syms_path).read_text())
    text = re.sub(r"#[^\n]*", " ", text)
    match = re.search(r"global:(.*?)local:", text, re.S)
    if not match:
        raise ValueError("%s has no global:/local: sections" % syms_path)
    return {s.strip() for s in match.group(1).split(";") if s.strip()}
