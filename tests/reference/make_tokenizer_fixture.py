#!/usr/bin/env python3
"""Tokenizer parity fixture: trains byte-level BPEs with Hugging Face `tokenizers` and writes HF's ids.

Generates (deterministically, no downloads) a multilingual training corpus and a separate test corpus:
English, Chinese, Russian, code, digits, emoji, runs of spaces/newlines/tabs, contractions, Unicode
spaces, NFC-decomposable sequences and inline special/added tokens. Trains one BPE with Qwen2's split
regex and writes, for that model under several pre-tokenizer configs (Qwen2, Llama 3, DeepSeek-V3,
GPT-2), <config>/tokenizer.json and <config>/ids.jsonl (HF's ids for each test line, no post-processing).

usage: make_tokenizer_fixture.py OUT_DIR [--bench-mb N]
"""
import argparse
import json
import random
import unicodedata
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
DEEPSEEK_V3_PATTERNS = [
    r"\p{N}{1,3}",
    "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+"
    r"| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
]
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]

ENGLISH = ("the of and to in is was for on that with as by at from his her it an were are which this be "
           "or has had but not their they one all been have more its who new after first two other also "
           "time only can would there when into some about reasoning model answer question think number "
           "total because therefore result equals step solve apple train token language Hello World The "
           "It I We You DON'T it's we'll they're I'm she'd you've HE'S Transformer GRPO DeepSeek").split()
RUSSIAN = ("и в не на я быть он с что а по это она этот к но они мы как из у который то за свой весь год "
           "от так о для ты же все тот мочь вы человек такой его сказать только или ещё бы себя один "
           "Москва Россия ответ задача число решение Привет Мир").split()
CODE = [
    "def {f}(x, y):\n    return x {op} y\n",
    "for (int i = 0; i < {n}; ++i) {{\n\tsum += a[i] * {n};\n}}\n",
    "if ({f} != nullptr && {f}->size() > {n}) {{ return -1; }}\n",
    "const auto {f} = std::make_unique<Foo>({n});  // TODO(r1): check\n",
    "print(f\"{{{f}}} = {{{n}:.3f}}\")\n",
    "SELECT * FROM users WHERE id = {n} AND name LIKE '%{f}%';\n",
    "    {f}_list = [{n}, {n}, {n}]  # trailing    \n\n",
    "<div class=\"{f}\">{n}</div>\r\n",
]
EMOJI = ["\U0001F600", "\U0001F602", "\U0001F914", "\U0001F680", "\u2764\ufe0f", "\U0001F44D\U0001F3FD",
         "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\U0001F1EB\U0001F1F7", "\u2705", "\U0001F525"]
ODD = ["\u00a0", "\u3000", "\u2009", "\u200b", "e\u0301", "A\u030a", "\u212b", "\u017fs", "\ufeff",
       "\u0085", "\u2028", "\t\t", "\r\n", "\n\n\n", "     ", "\u00e9t\u00e9", "ﬁ", "①②", "٣٤٥", "¼"]
ADDED = [AddedToken("[MASK]", lstrip=True, rstrip=True, special=True, normalized=False),
         AddedToken("<tool>", single_word=True, special=False, normalized=True)]


def make_words(rng, alphabet, count, lo, hi):
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi))) for _ in range(count)]


class Corpus:
    def __init__(self, seed):
        rng = random.Random(seed)
        common_cjk = [chr(c) for c in rng.sample(range(0x4E00, 0x9FA5), 1500)]
        self.chinese = make_words(rng, common_cjk, 3000, 1, 3) + ["的", "是", "了", "我们", "模型", "推理"]
        self.japanese = make_words(rng, [chr(c) for c in range(0x3041, 0x3097)], 300, 2, 4)
        self.russian = RUSSIAN + make_words(rng, [chr(c) for c in range(0x430, 0x450)], 2000, 2, 9)
        self.english = ENGLISH + make_words(rng, "abcdefghijklmnopqrstuvwxyz", 4000, 2, 10)
        self.rng = random.Random(seed + 1)

    def word(self, pool):
        # Zipf-like: low indices far more frequent, so BPE finds long merges.
        i = min(int(self.rng.paretovariate(1.1)) - 1, len(pool) - 1)
        return pool[i if self.rng.random() < 0.7 else self.rng.randrange(len(pool))]

    def number(self):
        r = self.rng
        return r.choice([str(r.randint(0, 99)), str(r.randint(0, 10 ** r.randint(1, 12))),
                         f"{r.uniform(-1000, 1000):.{r.randint(1, 5)}f}", f"{r.randint(1, 9)}e-{r.randint(1, 9)}"])

    def sentence(self, specials):
        r = self.rng
        kind = r.random()
        parts = []
        for _ in range(r.randint(3, 25)):
            x = r.random()
            if x < 0.35:
                parts.append(self.word(self.english) + (r.choice([",", ".", "!", "?", ":", ";"]) if r.random() < 0.1 else ""))
            elif x < 0.5:
                parts.append("".join(self.word(self.chinese) for _ in range(r.randint(1, 6))) + r.choice(["", "，", "。", "！"]))
            elif x < 0.62:
                parts.append(self.word(self.russian))
            elif x < 0.72:
                parts.append(self.number())
            elif x < 0.77:
                parts.append(r.choice(EMOJI))
            elif x < 0.81:
                parts.append(r.choice(ODD))
            elif x < 0.83:
                parts.append(self.word(self.japanese))
            elif x < 0.9 and kind < 0.5:
                parts.append(r.choice(CODE).format(f=self.word(self.english), n=r.randint(0, 999), op=r.choice("+-*/%")))
            elif specials and x < 0.93:
                parts.append(r.choice(specials))
            else:
                parts.append(r.choice([" ", "  ", "\n", " \n ", "\t", "...", "--", "(", ")", "'s", "'LL"]))
        seps = [" ", " ", " ", "", "\n", "  "]
        return "".join(p + r.choice(seps) for p in parts)


def train(train_lines):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=8600, min_frequency=2, show_progress=False,
                                  special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(train_lines, trainer=trainer)
    tok.add_tokens(ADDED)
    return tok


def variants(tok):
    """The trained model under each supported pre-tokenizer config (same vocab and merges)."""
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    out = {"qwen2": tok}
    llama = Tokenizer.from_str(tok.to_str())
    llama.normalizer = None
    llama.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False), byte_level])
    out["llama3"] = llama
    deepseek = Tokenizer.from_str(tok.to_str())
    deepseek.normalizer = None
    deepseek.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(p), behavior="isolated", invert=False) for p in DEEPSEEK_V3_PATTERNS] + [byte_level])
    out["deepseek_v3"] = deepseek
    gpt2 = Tokenizer.from_str(tok.to_str())
    gpt2.normalizer = None
    gpt2.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)
    out["gpt2"] = gpt2
    behaviors = Tokenizer.from_str(tok.to_str())  # every Split behavior and Digits, in one chain
    behaviors.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\s*[\r\n]+"), behavior="merged_with_previous"),
        pre_tokenizers.Split(Regex(r"[.,;:!?]"), behavior="merged_with_next"),
        pre_tokenizers.Split(" ", behavior="contiguous"),
        pre_tokenizers.Split(Regex(r"\t"), behavior="removed"),
        pre_tokenizers.Split(Regex(r"\p{L}+"), behavior="isolated", invert=True),
        pre_tokenizers.Digits(individual_digits=True),
        byte_level])
    out["behaviors"] = behaviors
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--test-lines", type=int, default=3000)
    parser.add_argument("--bench-mb", type=float, default=0.0, help="also write bench.txt of this size")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    corpus = Corpus(seed=1234)
    train_lines = [corpus.sentence([]) for _ in range(40000)]
    (args.out / "train.txt").write_text("\n".join(train_lines), encoding="utf-8")
    tok = train(train_lines)
    merges = json.loads(tok.to_str())["model"]["merges"]
    assert len(merges) >= 8000, f"only {len(merges)} merges"

    test = Corpus(seed=99)
    specials = SPECIAL + ["[MASK]", " [MASK] ", "<tool>", "a<tool>b", "<|im_end|><|im_start|>"]
    texts = [test.sentence(specials) for _ in range(args.test_lines)]
    texts += ["", " ", "\n", "<|endoftext|>", "   \n\n  x", "don't STOP'S", "12345678901234", "ſs 'ſ"]
    with open(args.out / "corpus.jsonl", "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t, "nfc": unicodedata.normalize("NFC", t)}, ensure_ascii=False) + "\n")
    for name, variant in variants(tok).items():
        d = args.out / name
        d.mkdir(exist_ok=True)
        variant.save(str(d / "tokenizer.json"))
        if name == "llama3":  # as Meta ships it: "a b" string merges and ignore_merges
            config = json.loads((d / "tokenizer.json").read_text(encoding="utf-8"))
            config["model"]["merges"] = [" ".join(m) for m in config["model"]["merges"]]
            config["model"]["ignore_merges"] = True
            (d / "tokenizer.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
            variant = Tokenizer.from_file(str(d / "tokenizer.json"))
        with open(d / "ids.jsonl", "w") as f:
            for enc in variant.encode_batch(texts, add_special_tokens=False):
                f.write(json.dumps(enc.ids) + "\n")
    if args.bench_mb > 0:
        bench, size = [], 0
        while size < args.bench_mb * 1e6:
            bench.append(test.sentence(specials))
            size += len(bench[-1].encode("utf-8"))
        (args.out / "bench.txt").write_text("\n".join(bench), encoding="utf-8")
    print(f"{len(merges)} merges, {len(texts)} test lines, {len(variants(tok))} configs -> {args.out}")


if __name__ == "__main__":
    main()
