#!/usr/bin/env python3
"""Converts Reuters-21578 (Distribution 1.0) to JSON Lines for `topics build` and `topics eval`.

The ModApte split: stories with TOPICS="YES" and LEWISSPLIT="TRAIN" or "TEST", kept only when
they carry at least one topic. Each output line is
    {"id": "reut-<NEWID>", "text": "<title>\\n\\n<body>", "labels": ["topic", ...]}
and a story is relevant to another when they share a topic.

    python3 scripts/reuters.py [ARCHIVE] [OUT_DIR]

ARCHIVE defaults to ../shared/data/reuters21578/reuters21578.tar.gz, OUT_DIR to
target/reuters; the script writes OUT_DIR/train.jsonl and OUT_DIR/test.jsonl and prints the
counts. Standard library only; the archive is read without unpacking.
"""

import html
import json
import re
import sys
import tarfile
from pathlib import Path

STORY = re.compile(r"<REUTERS(?P<attributes>[^>]*)>(?P<body>.*?)</REUTERS>", re.S)
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
TOPICS = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)
ITEM = re.compile(r"<D>(.*?)</D>", re.S)
TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text):
    """Entities decoded, control characters dropped, the trailing 'Reuter' sign-off removed."""
    text = CONTROL.sub("", html.unescape(text))
    text = re.sub(r"\s*Reuter\s*$", "", text.strip())
    return text


def stories(archive):
    with tarfile.open(archive, "r:gz") as tar:
        names = sorted(m.name for m in tar.getmembers() if m.name.endswith(".sgm"))
        if not names:
            sys.exit(f"reuters.py: {archive} holds no .sgm files; is it Reuters-21578?")
        for name in names:
            raw = tar.extractfile(name).read().decode("latin-1")
            for match in STORY.finditer(raw):
                yield dict(ATTRIBUTE.findall(match["attributes"])), match["body"]


def main():
    root = Path(__file__).resolve().parent.parent
    archive = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "../shared/data/reuters21578/reuters21578.tar.gz"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else root / "target/reuters"
    if not archive.is_file():
        sys.exit(f"reuters.py: {archive} not found; give the path of reuters21578.tar.gz")
    out.mkdir(parents=True, exist_ok=True)

    splits = {"TRAIN": [], "TEST": []}
    passed_over = 0
    for attributes, body in stories(archive):
        split = attributes.get("LEWISSPLIT")
        if attributes.get("TOPICS") != "YES" or split not in splits:
            continue
        topics_block = TOPICS.search(body)
        topics = ITEM.findall(topics_block[1]) if topics_block else []
        if not topics:
            passed_over += 1
            continue
        title = TITLE.search(body)
        text = BODY.search(body)
        parts = [clean(m[1]) for m in (title, text) if m]
        splits[split].append({
            "id": f"reut-{attributes['NEWID']}",
            "text": "\n\n".join(p for p in parts if p),
            "labels": topics,
        })

    for split, rows in splits.items():
        path = out / f"{split.lower()}.jsonl"
        temporary = path.with_suffix(".jsonl.tmp")
        with open(temporary, "w", encoding="utf-8", newline="\n") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        temporary.replace(path)
        labels = sorted({t for row in rows for t in row["labels"]})
        print(f"{path}: {len(rows)} stories, {len(labels)} topics")
    print(f"ModApte stories without a topic, left out: {passed_over}")


if __name__ == "__main__":
    main()
