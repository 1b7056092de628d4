#!/usr/bin/env python3
"""Golden fixtures for the squad and squad_v2 metrics, as the `evaluate` library computes them.

evaluate loads its metric scripts from the Hub, so this script takes the folder holding
metrics/squad/compute_score.py and metrics/squad_v2/compute_score.py of the huggingface/evaluate
repository (saved anywhere outside this checkout, e.g. /tmp/hf_metrics):

    ~/.cache/afinar/venv/bin/python3 tools/oracle/squad_metric_fixtures.py /tmp/hf_metrics

The official scoring code (compute_score.py) is imported from that folder; the few lines of
squad.py / squad_v2.py `_compute` that turn evaluate's predictions/references into the official
scripts' dataset layout are repeated below, with the float32 cast that squad_v2's declared
features (no_answer_probability: Value("float32")) apply to the probabilities.

Writes tests/fixtures/metrics/squad/:
  normalize.json   strings → normalize_answer (lower, ASCII punctuation, articles, whitespace),
                   and (prediction, reference) pairs → exact / f1 of v1 and of v2
  squad.json       cases of evaluate's squad: predictions, references, exact_match and f1
  squad_v2.json    cases of evaluate's squad_v2 with no_answer_probability and no_answer_threshold
"""
import importlib.util
import json
import pathlib
import random
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "tests/fixtures/metrics/squad"

TRICKY = [
    "", "   ", "!!!", "The Beatles", "the beatles!", "A  cat", "an", "the", "a the an", "Theater", "then",
    "at the end.", "...the...", "U.S.A.", "U.S.", "1,000", "$1,000.00", "rock'n'roll", "rock-n-roll", "l'an",
    "the_end", "a_b", "the-end", "(the) [a] {an}", "tab\tsep\nline\r\nend", "x\x0by\x0cz",
    # Unicode: case, letters and digits around articles, whitespace and punctuation outside ASCII
    "Éclair", "ÉCLAIR", "İstanbul", "straße", "STRASSE", "naïve café", "“quoted” text", "em—dash – en",
    "l’été", "ﬁne", "ǅemal", "the\u0301 end", "thé", "the\u00a0cat", "the\u3000cat", "a\x1cb\x1fc",
    "the\u200bcat", "ＴＨＥ fullwidth", "١٢٣ the", "the٣", "x²the", "Ⅻ the", "the ½", "élan the élan",
    "ΟΔΟΣ", "ΟΔΟΣ ΟΔΟΣ.", "Σ", "ΣΑΣ", "ΑΣ\u0301", "A.Σ", "Σ.Α", "ΑΣ'Α", "ΑΣΑ", "\u00adΑΣ",
    "Кошка THE Собака", "中国 the 人", "the\u2028a", "an\u0085the", "a\u180eb",
]

PAIRS = [
    ("the cat sat", "cat sat on the mat"), ("", ""), ("", "the"), ("a", ""), ("the", "an"), ("Paris", "paris."),
    ("cat cat cat", "cat"), ("cat", "cat cat dog"), ("New York City", "New York"), ("1,000", "1000"),
    ("Éclair", "éclair"), ("ΟΔΟΣ", "οδος"), ("ΟΔΟΣ", "οδoς"), ("straße", "STRASSE"), ("x y z", "a b c"),
]


def load(folder, name):
    spec = importlib.util.spec_from_file_location(f"compute_score_{name}", folder / name / "compute_score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def squad_compute(v1, predictions, references):
    """evaluate's squad.py _compute."""
    pred_dict = {p["id"]: p["prediction_text"] for p in predictions}
    dataset = [{"paragraphs": [{"qas": [{"answers": [{"text": t} for t in r["answers"]["text"]], "id": r["id"]}
                                        for r in references]}]}]
    return v1.compute_score(dataset=dataset, predictions=pred_dict)


def squad_v2_compute(v2, predictions, references, no_answer_threshold=1.0):
    """evaluate's squad_v2.py _compute, after the float32 cast of its declared features."""
    no_answer_probabilities = {p["id"]: float(np.float32(p["no_answer_probability"])) for p in predictions}
    dataset = [{"paragraphs": [{"qas": references}]}]
    predictions = {p["id"]: p["prediction_text"] for p in predictions}
    qid_to_has_ans = v2.make_qid_to_has_ans(dataset)
    has_ans_qids = [k for k, v in qid_to_has_ans.items() if v]
    no_ans_qids = [k for k, v in qid_to_has_ans.items() if not v]
    exact_raw, f1_raw = v2.get_raw_scores(dataset, predictions)
    exact_thresh = v2.apply_no_ans_threshold(exact_raw, no_answer_probabilities, qid_to_has_ans, no_answer_threshold)
    f1_thresh = v2.apply_no_ans_threshold(f1_raw, no_answer_probabilities, qid_to_has_ans, no_answer_threshold)
    out_eval = v2.make_eval_dict(exact_thresh, f1_thresh)
    if has_ans_qids:
        v2.merge_eval(out_eval, v2.make_eval_dict(exact_thresh, f1_thresh, qid_list=has_ans_qids), "HasAns")
    if no_ans_qids:
        v2.merge_eval(out_eval, v2.make_eval_dict(exact_thresh, f1_thresh, qid_list=no_ans_qids), "NoAns")
    v2.find_all_best_thresh(out_eval, predictions, exact_raw, f1_raw, no_answer_probabilities, qid_to_has_ans)
    return dict(out_eval)


def ref(i, texts):
    return {"id": f"q{i}", "answers": {"text": texts, "answer_start": [0] * len(texts)}}


def handmade():
    """Predictions against several references, empty ones, a missing and an extra id."""
    golds = [["The Beatles", "Beatles"], ["1,000 people", "a thousand"], ["Éclair"], ["ΟΔΟΣ"], ["New York City"],
             ["the"], ["rock-n-roll", "rock and roll", "R&R"], ["", "x"], ["straße"], ["an apple a day"]]
    preds = ["beatles", "1000 people", "ÉCLAIR!", "οδος", "New York", "", "R & R", "x", "STRASSE", "apple day"]
    refs = [ref(i, g) for i, g in enumerate(golds)]
    predictions = [{"id": f"q{i}", "prediction_text": p} for i, p in enumerate(preds)]
    predictions[4]["id"] = "extra"  # q4 unanswered (v1 scores it 0, v2 skips it), "extra" has no reference
    return predictions, refs


def realistic(rng, no_answer_share):
    """validation.jsonl's questions with predictions made from the gold answers and the context."""
    rows = [json.loads(l) for l in (SHARED / "data/squad/validation.jsonl").read_text(encoding="utf-8").splitlines()]
    predictions, references = [], []
    for r in rows:
        answers = dict(r["answers"])
        if rng.random() < no_answer_share:
            answers = {"text": [], "answer_start": []}
        words = r["context"].split()
        k = rng.randrange(len(words))
        span = " ".join(words[k:k + rng.randint(1, 6)])
        gold = r["answers"]["text"][0]
        pred = rng.choice([gold, gold, gold.upper() + ".", "the " + gold, span, "", gold.split()[0],
                           gold + " " + span])
        prob = rng.random()
        if rng.random() < 0.2:
            prob = round(prob, 1)  # ties between no-answer probabilities
        predictions.append({"id": r["id"], "prediction_text": pred, "no_answer_probability": prob})
        references.append({"id": r["id"], "answers": answers})
    return predictions, references


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = pathlib.Path(sys.argv[1])
    v1, v2 = load(folder, "squad"), load(folder, "squad_v2")
    OUT.mkdir(parents=True, exist_ok=True)

    for s in TRICKY:
        assert v1.normalize_answer(s) == v2.normalize_answer(s), s
    normalize = {
        "normalize": [[s, v1.normalize_answer(s)] for s in TRICKY],
        "pairs": [{"prediction": p, "reference": g, "v1_exact": bool(v1.exact_match_score(p, g)),
                   "v1_f1": float(v1.f1_score(p, g)), "v2_exact": v2.compute_exact(g, p),
                   "v2_f1": float(v2.compute_f1(g, p))} for p, g in PAIRS + [(a, b) for a in TRICKY[:12] for b in TRICKY[:12]]],
    }
    (OUT / "normalize.json").write_text(json.dumps(normalize, ensure_ascii=False) + "\n")

    rng = random.Random(12)
    cases = []
    preds, refs = handmade()
    cases.append({"name": "handmade", "predictions": [{k: p[k] for k in ("id", "prediction_text")} for p in preds],
                  "references": refs, "expected": squad_compute(v1, preds, refs)})
    preds, refs = realistic(rng, 0.0)
    preds = [{k: p[k] for k in ("id", "prediction_text")} for p in preds]
    cases.append({"name": "validation", "predictions": preds, "references": refs,
                  "expected": squad_compute(v1, preds, refs)})
    (OUT / "squad.json").write_text(json.dumps(cases, ensure_ascii=False) + "\n")

    cases = []
    preds, refs = handmade()
    preds[4]["id"] = "q4"  # squad_v2 fails (KeyError) on a reference without a prediction
    for i, p in enumerate(preds):
        p["no_answer_probability"] = [0.1, 0.9, 0.5, 0.5, 0.0, 0.7, 0.2, 0.3, 0.95, 0.25][i]
    refs[1]["answers"] = {"text": [], "answer_start": []}
    refs[5]["answers"] = {"text": [], "answer_start": []}
    cases.append({"name": "handmade", "no_answer_threshold": 1.0, "predictions": preds, "references": refs,
                  "expected": squad_v2_compute(v2, preds, refs)})
    preds, refs = realistic(rng, 0.3)
    for threshold in (1.0, 0.5):
        cases.append({"name": f"validation_{threshold}", "no_answer_threshold": threshold, "predictions": preds,
                      "references": refs, "expected": squad_v2_compute(v2, preds, refs, threshold)})
    # run_qa's formatting: every no_answer_probability 0.0.
    zero = [dict(p, no_answer_probability=0.0) for p in preds]
    cases.append({"name": "run_qa_zero_probabilities", "no_answer_threshold": 1.0, "predictions": zero,
                  "references": refs, "expected": squad_v2_compute(v2, zero, refs)})
    (OUT / "squad_v2.json").write_text(json.dumps(cases, ensure_ascii=False) + "\n")
    for c in cases:
        print(c["name"], c["expected"])


if __name__ == "__main__":
    main()
