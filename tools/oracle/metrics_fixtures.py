#!/usr/bin/env python3
"""Golden fixtures for the text and regression metrics, computed the way the `evaluate` library's
metrics compute them: pearsonr/spearmanr (scipy), seqeval (classification_report + accuracy_score),
sacrebleu (corpus_bleu, defaults), rouge (rouge-score, use_stemmer=False, per-example scores).

    ~/.cache/afinar/venv/bin/python3 tools/oracle/metrics_fixtures.py
"""
import json, math, pathlib, random

import sacrebleu
from rouge_score import rouge_scorer
from scipy import stats
from seqeval.metrics import accuracy_score, classification_report

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fixtures/metrics"


def correlation_cases():
    rng = random.Random(3)
    cases = []
    for n, ties, offset in ((50, False, 0.0), (200, True, 0.0), (31, False, 1e6), (10, True, -3.5)):
        refs = [rng.randint(0, 5) if ties else rng.gauss(0, 1) + offset for _ in range(n)]
        preds = [r * 0.7 + (rng.randint(-2, 2) if ties else rng.gauss(0, 0.8)) for r in refs]
        cases.append({"predictions": preds, "references": refs,
                      "pearsonr": float(stats.pearsonr(refs, preds)[0]),
                      "spearmanr": float(stats.spearmanr(refs, preds)[0])})
    return cases


def seqeval_cases():
    rng = random.Random(5)
    types = ["PER", "LOC", "ORG", "MISC"]

    def sentence(scheme, n):
        tags, i = [], 0
        while i < n:
            if rng.random() < 0.5:
                tags.append("O"); i += 1; continue
            t, span = rng.choice(types), rng.randint(1, 3)
            for k in range(min(span, n - i)):
                tags.append(("B-" if k == 0 and (scheme == "IOB2" or rng.random() < 0.3) else "I-") + t)
            i += span
        return tags[:n]

    def corrupt(tags):
        out = []
        for t in tags:
            r = rng.random()
            out.append(t if r < 0.75 else "O" if r < 0.85 else rng.choice(["B-", "I-"]) + rng.choice(types))
        return out

    cases = []
    for scheme in ("IOB2", "IOB1", "IOB2"):
        refs = [sentence(scheme, rng.randint(3, 15)) for _ in range(40)]
        preds = [corrupt(s) for s in refs]
        report = classification_report(refs, preds, output_dict=True, zero_division=0)
        report.pop("macro avg"); report.pop("weighted avg")
        overall = report.pop("micro avg")
        cases.append({"scheme": scheme, "predictions": preds, "references": refs,
                      "types": {k: {"precision": v["precision"], "recall": v["recall"], "f1": v["f1-score"],
                                    "number": int(v["support"])} for k, v in report.items()},
                      "overall_precision": overall["precision"], "overall_recall": overall["recall"],
                      "overall_f1": overall["f1-score"], "overall_accuracy": accuracy_score(refs, preds)})
    return cases


HYPS = ["The cat sat on the mat.", "It's 3.5 degrees, isn't it? Yes -- 10-20 people came.",
        "A quick brown fox jumped over the lazy dogs!", "Nothing in common here", "",
        "the the the the the the", "We paid $1,000.50 for \"A&amp;B\" (really) & more.",
        "Short", "Hello, world. Hello again, world; bye.", "the dog and the cat ran"]
REFS = [["The cat sat on the mat.", "There is a cat on the mat."],
        ["It is 3.5 degrees, is it not? Yes, 10-20 people came.", "It's 3.5 degrees. 20 people came."],
        ["The quick brown fox jumps over the lazy dog.", "A fast brown fox leaps over lazy dogs."],
        ["Completely different words", "Another unrelated reference"],
        ["Empty hypothesis reference", "Second"],
        ["The cat is on the mat", "the dog"],
        ["We paid $1,000.50 for \"A&B\" (really) & more.", "We paid a lot."],
        ["Shorter", "Short one"],
        ["Hello, world. Hello again, world; goodbye.", "Hi world."],
        ["the cat and the dog ran", "a cat ran"]]


def bleu_cases():
    cases = []
    for idx in (list(range(len(HYPS))), [0, 2, 6], [3], [7], [1, 5, 8], [9], [7, 9]):
        for n_refs in (1, 2):
            hyps = [HYPS[i] for i in idx]
            refs = [[REFS[i][k] for i in idx] for k in range(n_refs)]  # sacrebleu: one stream per reference
            b = sacrebleu.corpus_bleu(hyps, refs)
            cases.append({"predictions": hyps, "references": [[REFS[i][k] for k in range(n_refs)] for i in idx],
                          "score": b.score, "counts": b.counts, "totals": b.totals, "precisions": b.precisions,
                          "bp": b.bp, "sys_len": b.sys_len, "ref_len": b.ref_len})
    toks = {s: sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(s.rstrip()) for s in HYPS + sum(REFS, [])}
    return {"corpora": cases, "tokenize_13a": toks}


def rouge_cases():
    types = ["rouge1", "rouge2", "rougeL", "rougeLsum", "rouge3"]
    scorer = rouge_scorer.RougeScorer(types, use_stemmer=False)
    preds = ["the cat sat on the mat\nit was happy", "A quick brown fox.\nJumped over dogs!\n\nThe end",
             "", "completely unrelated", "Numbers 1 2 3 and CAPS", "the the the\nthe the",
             "police kill the gunman\nthe gunman was killed"]
    refs = ["the cat was on the mat\nit was very happy", "The quick brown fox jumped\nover the lazy dogs. The end",
            "something", "nothing shared here", "numbers 1 2 and caps 3", "the\nthe the the the the",
            "the gunman kill police\npolice killed the gunman"]
    per = [{t: list(scorer.score(r, p)[t]) for t in types} for p, r in zip(preds, refs)]
    means = {t: sum(s[t][2] for s in per) / len(per) for t in types}
    return {"types": types, "predictions": preds, "references": refs, "scores": per, "mean_fmeasure": means}


def main():
    out = {"correlation": correlation_cases(), "seqeval": seqeval_cases(), "sacrebleu": bleu_cases(),
           "rouge": rouge_cases(), "perplexity": [{"mean_loss": l, "perplexity": math.exp(l)} for l in (0.0, 1.5, 3.2)]}
    for name, cases in out.items():
        (OUT / f"{name}.json").write_text(json.dumps(cases, indent=1) + "\n")
    print("wrote", ", ".join(out))


if __name__ == "__main__":
    main()
