#!/usr/bin/env python3
"""Turns MedQuAD into a question-to-answer test for `topics eval`.

Every answered question-answer pair of the nine collections that keep their answers becomes
an answer document (the answer text alone, without its question) in
OUT_DIR/answers/<collection>/<pair id>.txt, and a line `question<TAB>pair id` of
OUT_DIR/questions.tsv. An answer text that repeats an earlier one is kept once, and the
question points at the first. Then

    topics build OUT_DIR/answers --index medquad-qa
    topics eval OUT_DIR/questions.tsv --index medquad-qa

reports MRR and recall at 1 and 10 of the codes, the re-ranked codes and the baselines.

    python3 scripts/medquad_qa.py [ARCHIVE] [OUT_DIR]

ARCHIVE defaults to ../shared/data/medquad/MedQuAD.tar.gz, OUT_DIR to target/medquad-qa.
Standard library only; it reuses the MedQuAD reader of scripts/make_corpora.py.
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpora  # noqa: E402  (the reader lives beside this script)


def main():
    root = Path(__file__).resolve().parent.parent
    archive = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "../shared/data/medquad/MedQuAD.tar.gz"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else root / "target/medquad-qa"
    if not archive.is_file():
        sys.exit(f"medquad_qa.py: {archive} not found; give the path of MedQuAD.tar.gz")
    answers_dir = out / "answers"
    if answers_dir.exists():
        shutil.rmtree(answers_dir)

    first_with = {}
    questions = []
    for folder, pair_id, question, answer in make_corpora.medquad_pairs(archive):
        label = make_corpora.MEDQUAD_COLLECTIONS[folder][0]
        name = make_corpora.safe_name(pair_id)
        if answer not in first_with:
            first_with[answer] = name
            path = answers_dir / label / f"{name}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(answer + "\n", encoding="utf-8")
        questions.append((" ".join(question.split()), first_with[answer]))

    tsv = out / "questions.tsv"
    temporary = tsv.with_suffix(".tsv.tmp")
    with open(temporary, "w", encoding="utf-8", newline="\n") as f:
        for question, name in questions:
            f.write(f"{question}\t{name}\n")
    temporary.replace(tsv)
    print(f"{answers_dir}: {len(first_with)} answers; {tsv}: {len(questions)} questions")


if __name__ == "__main__":
    main()
