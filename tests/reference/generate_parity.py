#!/usr/bin/env python3
"""`r1 generate` against transformers' greedy generate() on a tiny random Qwen2 and Llama.

Builds OUT/<name>/ (config.json, model.safetensors, tokenizer.json from `r1 tokenizer train`), runs
HF greedy generation for ragged prompts given as token ids, runs `r1 generate --input ... --greedy`
and compares the completions token for token (EOS included). Usage: R1_BINARY OUT_DIR.
"""
import json
import os
import subprocess
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

PROMPTS = [[5, 7, 9, 40], [1, 2, 3, 4, 5, 6, 7, 8, 9], [11]]
MAX_NEW = 12


def make_tokenizer(r1, out):
    corpus = os.path.join(out, "corpus.txt")
    with open(corpus, "w") as f:
        f.write("the quick brown fox jumps over the lazy dog; 1 + 2 = 3, 4 * 5 = 20\n" * 200)
    path = os.path.join(out, "tokenizer.json")
    subprocess.run([r1, "tokenizer", "train", "--input", corpus, "--vocab-size", "300", "--out",
                    path, "--special", "<|endoftext|>"], check=True, capture_output=True)
    with open(path) as f:
        tok = json.load(f)
    return len(tok["model"]["vocab"]) + len(tok["added_tokens"])


def make_model(name, vocab, eos):
    common = dict(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                  eos_token_id=eos, initializer_range=0.3)
    torch.manual_seed(0)
    if name == "qwen2":
        return Qwen2ForCausalLM(Qwen2Config(**common, tie_word_embeddings=True))
    return LlamaForCausalLM(LlamaConfig(**common, tie_word_embeddings=False))


def hf_greedy(model, eos):
    completions = []
    for prompt in PROMPTS:
        out = model.generate(torch.tensor([prompt]), max_new_tokens=MAX_NEW, do_sample=False,
                             eos_token_id=eos, pad_token_id=eos)
        completions.append(out[0, len(prompt):].tolist())
    return completions


def main():
    r1, root = sys.argv[1], sys.argv[2]
    failures = 0
    for name in ["qwen2", "llama"]:
        out = os.path.join(root, name)
        os.makedirs(out, exist_ok=True)
        vocab = make_tokenizer(r1, out)
        model = make_model(name, vocab, eos=vocab - 1).eval()
        model.save_pretrained(out, safe_serialization=True)
        # pick an EOS the model actually emits, so that rows finish at different steps
        eos = hf_greedy(model, eos=None)[0][3]
        model.config.eos_token_id = eos
        model.generation_config.eos_token_id = eos
        model.save_pretrained(out, safe_serialization=True)
        expected = hf_greedy(model, eos)
        inputs = os.path.join(out, "prompts.jsonl")
        with open(inputs, "w") as f:
            f.writelines(json.dumps({"tokens": p}) + "\n" for p in PROMPTS)
        result = subprocess.run([r1, "generate", "--model", out, "--input", inputs, "--greedy",
                                 "--max-new-tokens", str(MAX_NEW)], check=True,
                                capture_output=True, text=True)
        got = [json.loads(line)["tokens"] for line in result.stdout.splitlines() if line.strip()]
        # HF pads finished rows' tails with pad tokens when batching; one prompt per call here
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                print(f"{name} prompt {i}: r1 {g} != transformers {e}")
                failures += 1
        if len(got) != len(expected):
            print(f"{name}: {len(got)} completions, expected {len(expected)}")
            failures += 1
        print(f"{name}: {len(expected)} prompts, completions {[len(e) for e in expected]} tokens")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
