#!/usr/bin/env python3
"""Golden fixtures for ROUGE with use_stemmer=True, the way HF's run_summarization.py scores
(evaluate's "rouge" -> rouge_score's RougeScorer(use_stemmer=True), whose DefaultTokenizer stems
tokens longer than 3 characters with nltk's PorterStemmer() in its default NLTK_EXTENSIONS mode).

    ~/.cache/afinar/venv/bin/python3 tools/oracle/rouge_stemmer_fixtures.py

Writes tests/fixtures/metrics/
  porter_stems.txt  one line per word, sorted: "word<TAB>stem" where PorterStemmer().stem(word)
                    differs from the word, else "word" alone. The words are every distinct token of
                    rouge_score's tokenizer (no stemmer) over ../shared/data multi30k (en and de,
                    all splits), tinyshakespeare (input.txt) and squad (contexts and questions, both
                    splits), plus the hand-picked edge cases of EDGE_WORDS (upper case, non-ASCII,
                    punctuation: inputs the stemmer sees when called directly).
  rouge_stemmer.json  prediction/reference pairs with rouge_score's per-example (precision,
                    recall, fmeasure) for rouge1/rouge2/rougeL/rougeLsum, use_stemmer=True, the
                    stemmed tokens of each text, and the mean F-measure per type.
"""
import json, pathlib, random

import nltk
import rouge_score
from nltk.stem.porter import PorterStemmer
from rouge_score import rouge_scorer, tokenize

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data"
OUT = ROOT / "tests/fixtures/metrics"
TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]

EDGE_WORDS = [
    # Short words (length <= 2 returns the word) and the 3/4-character boundary.
    "a", "i", "y", "s", "ab", "is", "as", "us", "ys", "ss", "sky", "yes", "ies", "eed", "sses", "ying",
    # Irregular forms (the pool) and their neighbours.
    "skies", "sky", "skis", "dying", "lying", "tying", "dies", "lies", "ties", "died", "lied", "tied", "news",
    "newses", "proceed", "proceeds", "proceeded", "exceed", "exceeds", "exceeding", "succeed", "succeeded",
    "innings", "inning", "outings", "outing", "cannings", "canning", "howe", "howes", "Skies", "NEWS", "Dying",
    # Step 1a/1b.
    "caresses", "ponies", "caress", "cats", "flies", "spies", "spied", "cried", "feed", "agreed", "bleed", "deed",
    "speed", "plastered", "bled", "motoring", "sing", "conflated", "troubled", "sized", "hopping", "tanned",
    "falling", "hissing", "fizzed", "failing", "filing", "being", "seeing", "eyed", "oed", "aed", "yed", "ied",
    "ling", "bing", "sssses", "ssss", "sss", "ssses", "aaaa", "bbbb", "ing", "ed", "tting", "bbing", "erred",
    # Step 1c: y endings.
    "happy", "enjoy", "spy", "fly", "try", "by", "toy", "syzygy", "yyyy", "yyyyy", "ayyy", "yayyay", "ayy",
    "quickly", "daily", "obey", "boy", "say", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    # Step 2.
    "ational", "relational", "rational", "conditional", "valenci", "hesitanci", "digitizer", "conformabli",
    "radicalli", "differentli", "vileli", "analogousli", "vietnamization", "predication", "operator",
    "feudalism", "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti",
    "generously", "generous", "rationally", "rationalli", "emotionally", "traditionally", "fully", "hopefully",
    "carefully", "fulli", "logi", "geology", "theology", "archaeology", "biology", "bli", "abli", "alli",
    "ably", "possibly", "terribly", "nationality", "sensibility", "electricity", "alliance",
    # Step 3/4/5.
    "triplicate", "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival",
    "allowance", "inference", "airliner", "gyroscopic", "adjustable", "defensible", "irritant", "replacement",
    "adjustment", "dependent", "adoption", "homologou", "communism", "activate", "angulariti", "homologous",
    "effective", "bowdlerize", "probate", "rate", "cease", "controll", "roll", "controlling", "generalizations",
    "oscillators", "international", "organization", "universities",
    # Digits, punctuation and case (never from rouge_score's tokenizer; the stemmer still runs).
    "1990s", "3ies", "2ed", "4ing", "10th", "a*d", "xx*d", "ab*d", "ab*ded", "xa*ding", "oo*ding", "don't",
    "well-being", "U.S.",
    "RUNNING", "Running", "MiXeD", "ALLCAPS", "Caresses", "Generously",
    # Lower-case non-ASCII: the stemmer works on code points ("ɑɑ" is a double consonant).
    "café", "cafés", "naïvely", "résumés", "über", "straße", "abɑɑed", "abɑɑing", "中文ing", "mañanas",
    "ççing", "éees", "añoed",
]


def corpus_words():
    words = set()
    tok = lambda s: words.update(tokenize.tokenize(s, None))
    for split in ("train", "validation", "test"):
        for line in open(DATA / "multi30k" / f"{split}.jsonl", encoding="utf-8"):
            row = json.loads(line)
            tok(row["en"]), tok(row["de"])
    tok((DATA / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8"))
    for split in ("train", "validation"):
        for line in open(DATA / "squad" / f"{split}.jsonl", encoding="utf-8"):
            row = json.loads(line)
            tok(row["context"]), tok(row["question"])
    return words


def write_stems(words):
    stemmer = PorterStemmer()
    lines = []
    for w in sorted(words):
        assert w and "\t" not in w and "\n" not in w, repr(w)
        s = stemmer.stem(w)
        lines.append(w if s == w else f"{w}\t{s}")
    (OUT / "porter_stems.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def inflect(rng, word):
    # A different surface form of the same word, so the stemmer decides whether they match.
    forms = [word + "s", word + "ing", word + "ed", word + "ly", word.capitalize(), word.upper(), word + "es"]
    if word.endswith("e"):
        forms += [word[:-1] + "ing", word + "d"]
    if word.endswith("y"):
        forms += [word[:-1] + "ies", word[:-1] + "ied"]
    return rng.choice(forms)


def perturb(rng, sentence):
    words = sentence.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.1:
            continue  # dropped
        core = w.strip(".,;:!?\"'()")
        out.append(inflect(rng, core.lower()) if r < 0.45 and core.isalpha() else w)
        if rng.random() < 0.05:
            out.append(rng.choice(["really", "quickly", "happily", "the", "generously", "running"]))
    if len(out) > 3 and rng.random() < 0.5:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out)


def rouge_pairs():
    rng = random.Random(12)
    m30k = [json.loads(l)["en"] for l in open(DATA / "multi30k" / "validation.jsonl", encoding="utf-8")]
    squad = []
    for line in open(DATA / "squad" / "validation.jsonl", encoding="utf-8"):
        ctx = json.loads(line)["context"]
        if ctx not in squad:
            squad.append(ctx)
    pairs = [  # hand-picked: inflections, the irregular pool, 3- vs 4-character words, empty and non-ASCII text
        ("The cats were running quickly", "a cat runs quick"),
        ("He ran and runs; she dies, he died.", "he runs and ran, she died and he dies"),
        ("skies and sky\nnews of the sky", "the sky has news\nskies"),
        ("", "something"),
        ("generously generous generosity", "generous"),
        ("Dying lying tying", "die lie tie"),
        ("Beyoncé's songs are loved in İstanbul", "beyonce song loving istanbul"),
        ("Kelvin: 300\u212a and \u212aelvins", "kelvin 300k and kelvins"),
        ("proceeded to proceed, exceeding what succeeded", "proceed exceed succeed"),
        ("the relational national rationalization", "relate nation rational"),
    ]
    for _ in range(25):
        ref = "\n".join(rng.sample(m30k, rng.randint(1, 3)))
        pairs.append(("\n".join(perturb(rng, line) for line in ref.split("\n")), ref))
    for _ in range(15):
        ctx = rng.choice(squad)
        sents = [s for s in ctx.replace("? ", ". ").split(". ") if s][:4]
        ref = "\n".join(sents)
        pairs.append(("\n".join(perturb(rng, s) for s in sents[: rng.randint(1, len(sents))]), ref))
    scorer = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    stem_tok = scorer._tokenizer
    cases = []
    for pred, ref in pairs:
        s = scorer.score(ref, pred)
        cases.append({"prediction": pred, "reference": ref, "scores": {t: list(s[t]) for t in TYPES},
                      "prediction_tokens": stem_tok.tokenize(pred), "reference_tokens": stem_tok.tokenize(ref)})
    means = {t: sum(c["scores"][t][2] for c in cases) / len(cases) for t in TYPES}
    return {"types": TYPES, "cases": cases, "mean_fmeasure": means,
            "versions": {"nltk": nltk.__version__, "rouge_score": getattr(rouge_score, "__version__", "0.1.2")}}


def main():
    words = corpus_words()
    n_corpus = len(words)
    words.update(EDGE_WORDS)
    n = write_stems(words)
    fx = rouge_pairs()
    (OUT / "rouge_stemmer.json").write_text(json.dumps(fx, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"porter_stems.txt: {n} words ({n_corpus} from the corpora); rouge_stemmer.json: {len(fx['cases'])} pairs")


if __name__ == "__main__":
    main()
