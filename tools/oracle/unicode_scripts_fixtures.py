"""Writes tests/fixtures/tokenizers/unicode_scripts.json: HF `tokenizers`' UnicodeScripts splits of
a mixed-script stress set, with UTF-8 byte offsets.

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/unicode_scripts_fixtures.py [--check-table]

--check-table also compares every codepoint of src/tokenizers/pre_tokenizers/unicode_scripts_table.inc
(after UnicodeScripts' folding) with HF's behaviour and lists the codepoints that differ:
  * scriptless ("Any") in one and not the other: "a" + c + "я" + c + "a" splits after both c's
    exactly when c is scriptless;
  * same script in the table but a split between them in HF, or the reverse.
"""
import json
import os
import re
import sys

from tokenizers.pre_tokenizers import UnicodeScripts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "tokenizers", "unicode_scripts.json")
TABLE = os.path.join(ROOT, "src", "tokenizers", "pre_tokenizers", "unicode_scripts_table.inc")

STRESS = [
    "",
    " ",
    "   \t ",
    "Hello world",
    "  leading spaces",
    "trailing spaces   ",
    "Привет мир and hello",
    "Ελληνικά και English",
    "مرحبا بالعالم hello",
    "שלום עולם, hi",
    "नमस्ते दुनिया 123",
    "สวัสดีชาวโลก!",
    "中文字符测试，还有日本語のテキスト",
    "どこで生れ。Yes",
    "Apples are りんご 林檎",
    "カタカナーとひらがな",
    "한국어 텍스트 ガ",
    "emoji 😀 family 👩\u200d👩\u200d👧 flags 🇫🇷 thumbs 👍🏽",
    "newer emoji 🥰🫠 stay",
    "digits 0123 ٠١٢ ४५६",
    "punct: $5+3=8 <tag> «quote» — dash … ¿qué?",
    "a\u0301b e\u0301te\u0301 combining",
    "\u0300leading combining",
    "tab\tnew\nline\r\n",
    "ideo\u3000space nbsp\u00a0x",
    "zero\u200bwidth\u200dj\ufeffoin",
    "mixedЛатиницаLatin",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ",
    "Ǆ ½ ² ℌ ﬁ",
    "𠀀𪜀 CJK ext 丽",
    "\U000E0001tag\U000E0041 and private \ue000 use",
    "123 456",
    "!!! ???",
]


def byte_splits(text, splits):
    out = []
    for word, (s, e) in splits:
        out.append([word, len(text[:s].encode("utf-8")), len(text[:e].encode("utf-8"))])
    return out


def write_fixtures():
    pre = UnicodeScripts()
    cases = [{"text": t, "splits": byte_splits(t, pre.pre_tokenize_str(t))} for t in STRESS]
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"pre_tokenizer": {"type": "UnicodeScripts"}, "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


def read_table():
    """codepoint -> folded script index of the generated table (None = scriptless)."""
    src = open(TABLE, encoding="utf-8").read()
    names = re.findall(r'^\s+"(\w+)",$', src, re.M)
    idx = {n: i for i, n in enumerate(names)}
    table = {}
    for a, b, s in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+), (\d+)\}", src):
        for cp in range(int(a, 16), int(b, 16) + 1):
            table[cp] = int(s)
    fold = {idx["Hiragana"]: idx["Han"], idx["Katakana"]: idx["Han"]}
    table = {cp: fold.get(s, s) for cp, s in table.items()}
    table[0x30FC] = idx["Han"]
    table.pop(0x20, None)
    return table, names


def check_table():
    pre = UnicodeScripts()
    table, names = read_table()
    diffs = []
    # HF-scriptless codepoints; surrogates cannot be in a str.
    hf_any = set()
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        words = [w for w, _ in pre.pre_tokenize_str("a" + c + "я" + c + "a")]
        if words == ["a" + c, "я" + c, "a"]:
            hf_any.add(cp)
    for cp in sorted(hf_any ^ {cp for cp in range(0x110000) if cp not in table and not 0xD800 <= cp <= 0xDFFF}):
        mine = names[table[cp]] if cp in table else "Any"
        diffs.append((cp, mine, "Any" if cp in hf_any else "has a script"))
    # Among codepoints both sides give a script: same partition. Group by table script; HF must keep
    # each group whole, and one representative per group must split from every other.
    groups = {}
    for cp, s in table.items():
        if cp not in hf_any:
            groups.setdefault(s, []).append(cp)
    for s, cps in groups.items():
        first = chr(cps[0])
        for cp in cps[1:]:
            if len(pre.pre_tokenize_str(first + chr(cp))) != 1:
                diffs.append((cp, names[s], f"HF splits it from U+{cps[0]:04X}"))
    reps = [chr(cps[0]) for cps in groups.values()]
    for i, a in enumerate(reps):
        for b in reps[i + 1:]:
            if len(pre.pre_tokenize_str(a + b)) != 2:
                diffs.append((ord(b), names[table[ord(b)]], f"HF keeps it with U+{ord(a):04X}"))
    for cp, mine, hf in diffs:
        print(f"U+{cp:04X}\ttable: {mine}\tHF: {hf}")
    print(f"{len(diffs)} codepoints differ")


if __name__ == "__main__":
    write_fixtures()
    if "--check-table" in sys.argv[1:]:
        check_table()
