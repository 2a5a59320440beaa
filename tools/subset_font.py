"""Build the Chinese font that figures use, a subset of Noto Sans CJK SC.

Matplotlib's own fonts have no Chinese glyphs, and many Linux machines have no CJK font installed,
so the package ships one. The full font is 16 MB; every character of GB 2312 (the 6,763 common
simplified characters) plus Chinese punctuation is about a tenth of that. Latin letters, digits
and symbols keep coming from Matplotlib's DejaVu Sans (see ``plotting.use_chinese_font``).

    python -m tools.subset_font NotoSansCJKsc-Regular.otf

The source font: Debian's fonts-noto-cjk, or ``mplfonts/fonts/NotoSansCJKsc-Regular.otf`` inside
the PyPI wheel of mplfonts. The result is renamed (OFL 1.1 lets a subset be redistributed under
another name), so it never shadows a full Noto Sans CJK installed on the machine.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Keras Tutorial Sans SC"
DEST = Path(__file__).resolve().parents[1] / "src/keras_tutorial/fonts/KerasTutorialSansSC.otf"


def gb2312_characters() -> str:
    """All characters of GB 2312's two-byte rows (hanzi, punctuation, kana, Greek, Cyrillic...)."""
    chars = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def characters() -> str:
    """GB 2312, CJK symbols and punctuation (U+3000-303F) and full-width forms (U+FF00-FFEF)."""
    extra = "".join(chr(c) for c in (*range(0x3000, 0x3040), *range(0xFF00, 0xFFF0)))
    return gb2312_characters() + extra


def build(source: Path, dest: Path = DEST) -> Path:
    """Write the subset of ``source`` to ``dest`` under the family name :data:`FAMILY`."""
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    postscript = FAMILY.replace(" ", "") + "-Regular"
    # Name IDs: 1 and 16 family, 3 and 4 unique and full name, 6 PostScript name.
    full = f"{FAMILY} Regular"
    new_names = {1: FAMILY, 16: FAMILY, 3: full, 4: full, 6: postscript}
    for record in font["name"].names:
        if record.nameID in new_names:
            record.string = new_names[record.nameID]
    # The CFF table carries its own copy of the PostScript name.
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = full
    dest.parent.mkdir(parents=True, exist_ok=True)
    font.save(dest)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJKsc-Regular.otf")
    parser.add_argument("--dest", type=Path, default=DEST)
    args = parser.parse_args()
    path = build(args.source, args.dest)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
