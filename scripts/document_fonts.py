"""Cut the fonts bundled for quote PDFs out of the system's Noto Sans CJK SC.

    .venv/bin/python scripts/document_fonts.py [/usr/share/fonts/opentype/noto]

Keeps Latin (ASCII, Latin-1, Latin Extended-A), general punctuation and currency signs, CJK
punctuation and full-width forms, and every character of GB 2312 (6,763 hanzi and its symbols):
about 3 MB per weight instead of 19 MB for the whole collection, which is most of a renderer's
memory. Characters outside the cut come from the system's fonts when a document needs them.
The fonts are SIL Open Font License 1.1, as Noto Sans CJK is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parents[1] / "portal" / "static" / "documents"
WEIGHTS = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
SIMPLIFIED_CHINESE = 2  # the collection's face for Simplified Chinese (SC)


def characters() -> set[int]:
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2000, 0x2070))
    chars |= {0x20AC, 0x20A9, 0x2116, 0x2122} | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto")
    wanted = characters()
    for weight, name in WEIGHTS.items():
        font = TTFont(source / name, fontNumber=SIMPLIFIED_CHINESE)
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.hinting = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted)
        subsetter.subset(font)
        target = OUT / f"NotoSansSC-Quote-{weight}.otf"
        font.save(target)
        print(f"{target.name}: {target.stat().st_size:,} bytes, {len(wanted):,} characters")


if __name__ == "__main__":
    main()
