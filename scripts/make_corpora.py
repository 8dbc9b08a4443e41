#!/usr/bin/env python3
"""Build the small example corpora kept in `corpora/` from the full datasets.

Usage, from the repository root:

    python3 scripts/make_corpora.py [DATA_DIR]

DATA_DIR defaults to `../shared/data` (relative to the repository root) and must hold
`medquad/MedQuAD.tar.gz` and `stackfaq/stackExchange-FAQ.xml`. Only the Python 3 standard
library is used. The output depends on nothing but those two files, so running the script
twice gives byte-identical trees.

What it writes (the two corpus folders are deleted and rebuilt each time):

corpora/medquad/<label>/<id>.txt
    A deterministic sample of MedQuAD question-answer pairs, one pair per file: the question
    on the first line, an empty line, then the answer. The label is the NIH collection the
    pair comes from. The three MedlinePlus collections whose answers were withdrawn by the
    publishers (folders 10_, 11_, 12_) and every pair with an empty answer are left out.
    Whitespace is collapsed to single spaces and answers longer than MAX_ANSWER_CHARS are
    cut at the last sentence end (or, failing that, the last space) before the limit. A pair
    whose (cut) answer is identical to one already taken is dropped, so no two files share
    an answer. Every collection gets the same cap, the smallest one that brings the total
    to TARGET_PAIRS; a collection with more pairs than the cap is thinned by taking evenly
    spaced pairs from its list sorted by id.
    The id is `<xml file name>-<pair number>`, which equals the upstream question id except
    in a few cancer.gov files whose question ids repeat those of a parent file.

corpora/stackfaq/answers/<NNN-slug>/<n>.txt
    Every answer of every StackFAQ thread. NNN is the thread's position in the XML file
    (from 001) and the slug is made from the thread's original StackExchange question
    (small words and status marks such as "[closed]" left out, at most five words);
    n counts the thread's answers from 1 in file order.
corpora/stackfaq/queries.jsonl
    One object per paraphrased query: {"id": "q0001", "text": ..., "label": "<NNN-slug>"};
    the label names the folder of answers that answer it. `*` separator entries and empty
    entries are not queries.
corpora/stackfaq/threads.jsonl
    One object per thread: its folder name, original question and number of answers.

corpora/medquad-NOTICE, corpora/stackfaq/NOTICE, corpora/README.md
    Licence and attribution notes and a description of the corpora with their counts.
"""

import argparse
import json
import os
import re
import shutil
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

TARGET_PAIRS = 3000
MAX_ANSWER_CHARS = 2500

MEDQUAD_ARCHIVE = Path("medquad") / "MedQuAD.tar.gz"
STACKFAQ_XML = Path("stackfaq") / "stackExchange-FAQ.xml"

# Upstream folder -> (label, publisher). Order is the upstream numbering.
MEDQUAD_COLLECTIONS = {
    "1_CancerGov_QA": ("cancer-gov", "National Cancer Institute (cancer.gov)"),
    "2_GARD_QA": ("gard", "Genetic and Rare Diseases Information Center (GARD)"),
    "3_GHR_QA": ("ghr", "Genetics Home Reference (GHR)"),
    "4_MPlus_Health_Topics_QA": ("medlineplus-health-topics", "MedlinePlus Health Topics"),
    "5_NIDDK_QA": ("niddk", "National Institute of Diabetes and Digestive and Kidney Diseases"),
    "6_NINDS_QA": ("ninds", "National Institute of Neurological Disorders and Stroke"),
    "7_SeniorHealth_QA": ("nih-senior-health", "NIHSeniorHealth"),
    "8_NHLBI_QA_XML": ("nhlbi", "National Heart, Lung, and Blood Institute"),
    "9_CDC_QA": ("cdc", "Centers for Disease Control and Prevention"),
}
# Answers removed upstream (MedlinePlus copyright): A.D.A.M., drugs, herbs and supplements.
MEDQUAD_WITHOUT_ANSWERS = {"10_MPlus_ADAM_QA", "11_MPlusDrugs_QA", "12_MPlusHerbsSupplements_QA"}

SLUG_STOPWORDS = {
    "a", "an", "the", "how", "do", "does", "did", "i", "can", "could", "is", "are", "was",
    "my", "me", "to", "of", "in", "on", "for", "with", "and", "or", "it", "be", "there",
    "way", "what", "which", "why", "when", "where", "should", "would", "you", "your", "any",
    "this", "that", "from", "at", "by", "as", "s",
}
SLUG_MAX_WORDS = 5
SLUG_MAX_CHARS = 40


def fail(message):
    print(f"make_corpora.py: {message}", file=sys.stderr)
    sys.exit(2)


def squash(text):
    """Collapses every run of whitespace (Unicode spaces included) to one space."""
    return " ".join((text or "").split())


SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s)")


def shorten(text, limit=MAX_ANSWER_CHARS):
    """Cuts `text` to at most `limit` characters at a sentence end, else at a space."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [m.end() for m in SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= limit // 2:
        return head[: ends[-1]]
    space = text.rfind(" ", 0, limit - 3)
    if space <= 0:
        space = limit - 3
    return text[:space].rstrip(" ,;:-") + "..."


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "x"


def write_text(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def fresh_dir(path):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def tree_bytes(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- MedQuAD

def medquad_pairs(archive):
    """Yields (folder, id, question, answer) for every answered pair, sorted by folder and id."""
    found = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if not member.isfile() or len(parts) != 3 or not parts[2].endswith(".xml"):
                continue
            folder, file_name = parts[1], parts[2]
            if folder in MEDQUAD_WITHOUT_ANSWERS:
                continue
            if folder not in MEDQUAD_COLLECTIONS:
                fail(f"unexpected MedQuAD folder {folder!r} in {archive}; update the script")
            root = ET.fromstring(tar.extractfile(member).read())
            stem = file_name[: -len(".xml")]
            for pair in root.iter("QAPair"):
                question = squash(pair.findtext("Question"))
                answer = squash(pair.findtext("Answer"))
                if not question or not answer:
                    continue
                key = (int(folder.split("_")[0]), stem, int(pair.get("pid")))
                found[key] = (folder, f"{stem}-{pair.get('pid')}", question, answer)
    if not found:
        fail(f"no answered question-answer pairs found in {archive}")
    for key in sorted(found):
        yield found[key]


def equal_cap(sizes, target):
    """Smallest per-collection cap whose total reaches `target` (or takes everything)."""
    cap = 0
    while sum(min(n, cap) for n in sizes) < min(target, sum(sizes)):
        cap += 1
    return cap


def evenly_spaced(items, count):
    if len(items) <= count:
        return list(items)
    return [items[(k * len(items)) // count] for k in range(count)]


def build_medquad(archive, out):
    pools = {folder: [] for folder in MEDQUAD_COLLECTIONS}
    answered = {folder: 0 for folder in MEDQUAD_COLLECTIONS}
    seen_answers = set()
    duplicates = 0
    for folder, pair_id, question, answer in medquad_pairs(archive):
        answered[folder] += 1
        answer = shorten(answer)
        if answer in seen_answers:
            duplicates += 1
            continue
        seen_answers.add(answer)
        pools[folder].append((pair_id, question, answer))

    cap = equal_cap([len(p) for p in pools.values()], TARGET_PAIRS)
    fresh_dir(out)
    stats = []
    for folder, (label, publisher) in MEDQUAD_COLLECTIONS.items():
        chosen = evenly_spaced(pools[folder], cap)
        names = set()
        for pair_id, question, answer in chosen:
            name = safe_name(pair_id) + ".txt"
            if name in names:
                fail(f"two MedQuAD pairs map to {label}/{name}")
            names.add(name)
            write_text(out / label / name, f"{question}\n\n{answer}\n")
        stats.append({
            "folder": folder, "label": label, "publisher": publisher,
            "answered": answered[folder], "distinct": len(pools[folder]),
            "files": len(chosen), "bytes": tree_bytes(out / label),
        })
    write_text(out.parent / "medquad-NOTICE", MEDQUAD_NOTICE)
    return {"cap": cap, "duplicates": duplicates, "collections": stats,
            "bytes": tree_bytes(out)}


# --------------------------------------------------------------- StackFAQ

def slug(index, question):
    question = re.sub(r"\[[^\]]*\]", " ", question)  # drop "[closed]", "[duplicate]", ...
    words = re.findall(r"[a-z0-9]+", question.lower().replace("'", ""))
    kept = [w for w in words if w not in SLUG_STOPWORDS] or words
    parts = []
    for w in kept[:SLUG_MAX_WORDS]:
        if parts and len("-".join(parts + [w])) > SLUG_MAX_CHARS:
            break
        parts.append(w[:SLUG_MAX_CHARS])
    return f"{index:03d}-" + ("-".join(parts) or "thread")


def build_stackfaq(xml_path, out):
    root = ET.parse(xml_path).getroot()
    threads = root.findall("qapair")
    if not threads:
        fail(f"no <qapair> threads in {xml_path}")
    fresh_dir(out)
    queries, thread_rows = [], []
    answers = separators = empty = 0
    folders = set()
    for index, thread in enumerate(threads, start=1):
        question = squash(thread.findtext("question"))
        folder = slug(index, question)
        if folder in folders:
            fail(f"duplicate StackFAQ folder name {folder}")
        folders.add(folder)
        texts = [squash(a.text) for a in thread.findall("answer")]
        texts = [t for t in texts if t]
        if not texts:
            fail(f"StackFAQ thread {index} has no answers")
        for n, text in enumerate(texts, start=1):
            write_text(out / "answers" / folder / f"{n}.txt", text + "\n")
        answers += len(texts)
        for rephr in thread.findall("rephr"):
            text = squash(rephr.text)
            if text == "*":
                separators += 1
            elif not text:
                empty += 1
            else:
                queries.append({"id": f"q{len(queries) + 1:04d}", "text": text, "label": folder})
        thread_rows.append({"label": folder, "question": question, "answers": len(texts)})
    with open(out / "queries.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    with open(out / "threads.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for t in thread_rows:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    write_text(out / "NOTICE", STACKFAQ_NOTICE)
    return {"threads": len(threads), "answers": answers, "queries": len(queries),
            "separators": separators, "empty": empty, "bytes": tree_bytes(out)}


# ---------------------------------------------------------------- texts

MEDQUAD_NOTICE = """\
MedQuAD sample - licence and attribution
========================================

Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),
text of the licence: https://creativecommons.org/licenses/by/4.0/legalcode

Attribution: MedQuAD, the Medical Question Answering Dataset, by Asma Ben Abacha and
Dina Demner-Fushman (U.S. National Library of Medicine), from the repository
github.com/abachaa/MedQuAD at commit 577bd37b96c02d1833b2c9eed2de9f96964e96cb.
The answers were written by the NIH websites named by the folder labels (cancer.gov,
GARD, Genetics Home Reference, MedlinePlus Health Topics, NIDDK, NINDS, NIHSeniorHealth,
NHLBI, CDC). Paper to cite: A. Ben Abacha and D. Demner-Fushman, "A question-entailment
approach to question answering", BMC Bioinformatics 20, 511 (2019).

Changes made here: only a sample of about 3,000 of the answered pairs is kept, the XML
markup and extra annotations are dropped, whitespace is collapsed, long answers are
shortened, and pairs repeating an answer already kept are removed. The files are produced
by scripts/make_corpora.py in the `topics` repository.

In short, CC BY 4.0 lets anyone copy, redistribute, adapt and build on this material for
any purpose, commercial uses included, provided that the creators are credited, a copy of
or reference to the licence is given, and any changes are indicated; no further
restrictions may be added. The licence text above is authoritative. The material is
provided as is, without warranties; it is not medical advice.
"""

STACKFAQ_NOTICE = """\
StackFAQ - licence and attribution
==================================

The questions and answers are user contributions to the StackExchange Web
Applications site (webapps.stackexchange.com), published by Stack Exchange, Inc. under the
Creative Commons Attribution-ShareAlike licence, version 2.5 or 3.0 depending on the date
of each post; the data set was collected before StackExchange moved to version 4.0 in 2018
(https://creativecommons.org/licenses/by-sa/3.0/legalcode,
https://creativecommons.org/licenses/by-sa/2.5/legalcode). Credit goes to StackExchange and
to the individual authors of the posts; the names of the authors and the links to the
original posts are not included in the source data, so the posts can only be credited to
"StackExchange users" here. Each thread's original question title is listed in
threads.jsonl and identifies the thread on StackExchange.

The selection of threads and answers and the paraphrased queries were made by TakeLab,
University of Zagreb (Mladen Karan and Jan Šnajder), who published them without a
separate licence; the paraphrases are used here with attribution to TakeLab. Paper to cite:
M. Karan and J. Šnajder, "Paraphrase-focused learning to rank for domain-specific frequently
asked questions retrieval", Expert Systems with Applications 91, 418-433 (2018).
The XML file was taken from github.com/ML-Recipes/BERT-FAQ, commit
3c184030c1819b462e29f665465ab4968657440e, data/StackFAQ/stackExchange-FAQ.xml.

Changes made here: the XML is split into one file per answer and one JSON line per query,
and whitespace is collapsed. The files are produced by scripts/make_corpora.py in the
`topics` repository. This folder, as an adaptation, is shared under the same licence
(CC BY-SA 3.0).

In short, CC BY-SA lets anyone copy, redistribute, adapt and build on this material for
any purpose, commercial uses included, provided that the authors are credited, the licence
is named or linked, changes are indicated, and adapted material is shared under the same or
a compatible licence; no further restrictions may be added. The licence texts named above
are authoritative. The material is provided as is, without warranties.
"""


def human(n):
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def readme(med, faq):
    rows = "\n".join(
        f"| `{c['label']}` | {c['publisher']} | `{c['folder']}` | {c['answered']:,} "
        f"| {c['files']:,} | {human(c['bytes'])} |"
        for c in med["collections"])
    files = sum(c["files"] for c in med["collections"])
    return f"""\
# Example corpora

Two small corpora of real text that ship with `topics`, so that it can be tried and tested
without downloading anything. Both are generated; do not edit them by hand. Rebuild them from
the full datasets (kept outside the repository, in `../shared/data/` by default) with

```sh
python3 scripts/make_corpora.py            # or: python3 scripts/make_corpora.py DATA_DIR
```

The script needs only Python 3 and gives the same bytes on every run. Its header explains
each step in detail. Other datasets used in development (20 Newsgroups, Reuters-21578) may not
be redistributed and are deliberately absent.

## `medquad/` - medical questions and answers (default corpus)

{files:,} question-answer pairs from MedQuAD in {len(med['collections'])} labels, one file per pair,
{human(med['bytes'])} of text (file sizes added up; `du` shows more, as every small file takes
a whole disk block). Layout: `medquad/<label>/<id>.txt`; a file holds the question, an empty
line, and the answer. The label is the NIH website that wrote the answer. The folder holds
nothing else, so every file in it is a document; its licence note is `medquad-NOTICE`.
The text is as MedQuAD has it, including its quirks: questions follow templates such as "What is (are) X ?", and
apostrophes are often missing upstream ("dont", "a persons").

| label | publisher | upstream folder | answered pairs upstream | files here | size |
|---|---|---|---:|---:|---:|
{rows}

How the sample was drawn:

- only the nine collections that still contain answers are used; the publishers removed the
  answers of the A.D.A.M. encyclopedia, drug and herb/supplement collections (folders 10-12),
  and pairs with an empty answer are skipped;
- whitespace is collapsed; XML entities are decoded by the XML parser;
- answers longer than {MAX_ANSWER_CHARS:,} characters are cut at the last sentence end before that
  limit (at the last space, marked by `...`, if no sentence ends late enough);
- going through the collections in upstream order and each by id, a pair is dropped if its
  (cut) answer equals one already seen ({med['duplicates']:,} of the answered pairs), so no two
  files share an answer;
- every collection is capped at the same number of pairs, {med['cap']}, the smallest cap that
  gives at least {TARGET_PAIRS:,} pairs in all; a smaller collection is taken whole, a larger one
  is thinned by taking evenly spaced pairs from its list sorted by id;
- the file name is `<upstream xml file>-<pair number>`, i.e. the upstream question id
  (`0000001_1-1` is pair 1 of `0000001_1.xml`), except for a few cancer.gov files whose
  question ids repeat their parent's and which are named after their own file instead.

Source: github.com/abachaa/MedQuAD, commit 577bd37b96c02d1833b2c9eed2de9f96964e96cb.
Please cite: Asma Ben Abacha and Dina Demner-Fushman, "A question-entailment approach to
question answering", BMC Bioinformatics 20, 511 (2019).

Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Credit MedQuAD and its
authors as above; the answers come from the NIH websites listed in the table. See
`medquad-NOTICE`.

## `stackfaq/` - FAQ retrieval with ground truth

{faq['answers']} answers from {faq['threads']} StackExchange threads (from the Web Applications
site: Gmail, Facebook, Google Docs, GitHub, YouTube, ...) and {faq['queries']:,} queries that
paraphrase the threads' questions, {human(faq['bytes'])} in all.

- `stackfaq/answers/<thread>/<n>.txt`: one answer per file. `<thread>` is the thread's
  position in the source file (001-{faq['threads']:03d}) followed by a slug of its original
  question, e.g. `002-delete-facebook-account`; `<n>` numbers its answers from 1.
- `stackfaq/queries.jsonl`: one JSON object a line,
  `{{"id": "q0001", "text": "...", "label": "<thread>"}}`; every answer in the folder named by
  `label` is a correct answer to the query.
- `stackfaq/threads.jsonl`: each thread's folder name, original question and answer count.

The source has {faq['queries'] + faq['separators'] + faq['empty']:,} `<rephr>` entries: {faq['separators']}
are `*` separators (one per thread; not queries), {faq['empty']} is empty, and the remaining
{faq['queries']:,} are the queries. Whitespace is collapsed and XML entities are decoded by the XML
parser (literal entity text that was part of a post, e.g. inside code, is kept).

Source: github.com/ML-Recipes/BERT-FAQ, commit 3c184030c1819b462e29f665465ab4968657440e,
`data/StackFAQ/stackExchange-FAQ.xml`, a copy of the dataset of TakeLab (University of
Zagreb). Please cite: Mladen Karan and Jan Šnajder, "Paraphrase-focused learning to rank for
domain-specific frequently asked questions retrieval", Expert Systems with Applications 91,
418-433 (2018).

Licence: the questions and answers are StackExchange user content, licensed by their authors
under CC BY-SA (version 2.5 or 3.0 by post date; https://creativecommons.org/licenses/by-sa/3.0/);
credit StackExchange and its users. TakeLab selected the threads and wrote the paraphrased
queries; it published them without a licence of its own, and they are used here with
attribution. This folder is shared under CC BY-SA 3.0. See `stackfaq/NOTICE`.
"""


def main():
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description="Rebuild corpora/ from the full datasets.")
    parser.add_argument("data", nargs="?", default=str(repo.parent / "shared" / "data"),
                        help="folder holding medquad/ and stackfaq/ (default: ../shared/data "
                             "relative to the repository root)")
    args = parser.parse_args()

    data = Path(args.data)
    archive, xml_path = data / MEDQUAD_ARCHIVE, data / STACKFAQ_XML
    missing = [str(p) for p in (archive, xml_path) if not p.is_file()]
    if missing:
        fail("source data not found: " + ", ".join(missing) +
             "\nPass the folder that holds medquad/MedQuAD.tar.gz and "
             "stackfaq/stackExchange-FAQ.xml as the first argument.")

    corpora = repo / "corpora"
    med = build_medquad(archive, corpora / "medquad")
    faq = build_stackfaq(xml_path, corpora / "stackfaq")
    write_text(corpora / "README.md", readme(med, faq))

    print(f"medquad: {sum(c['files'] for c in med['collections'])} files, cap {med['cap']}, "
          f"{med['duplicates']} duplicate answers skipped, {med['bytes']:,} bytes")
    for c in med["collections"]:
        print(f"  {c['label']:<27} {c['files']:>5} of {c['distinct']:>5} distinct "
              f"({c['answered']} answered) {c['bytes']:>9,} bytes")
    print(f"stackfaq: {faq['threads']} threads, {faq['answers']} answers, {faq['queries']} "
          f"queries ({faq['separators']} '*' separators, {faq['empty']} empty rephr skipped), "
          f"{faq['bytes']:,} bytes")


if __name__ == "__main__":
    main()
