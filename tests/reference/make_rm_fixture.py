#!/usr/bin/env python3
"""Reward-model parity fixtures (tests/train/reward_model_test.cpp, tests/reference/check_rm_dir.py),
made with the pinned transformers and TRL. Writes to OUT_DIR:

  qwen2_lm/, llama_lm/, deepseek_lm/  tiny random *ForCausalLM directories (transformers'
                save_pretrained) with a byte-level BPE tokenizer.json whose specials are
                <|endoftext|> (EOS, and the pad token TRL falls back to), <|im_start|>, <|im_end|>,
                and a ChatML chat template in tokenizer_config.json: r1 starts reward models from
                them, and check_rm_dir.py loads r1's saves back in transformers
  qwen2_rm/     a Qwen2ForSequenceClassification (num_labels 1, pad_token_id = EOS) as transformers
                saves it, with the same tokenizer files
  rm_scores.json  its rewards on right-padded rows of ids (text + EOS, tokenized by transformers)
  pairs.jsonl, pairs_margin.jsonl, pairs_chat.jsonl  13 preference rows each (strings; strings
                with a "margin"; conversations with a prompt list); one row per file is too long
  trl.json      per file: TRL RewardTrainer's own compute_loss on qwen2_rm over every pair it keeps
                after its max_length filter (one batch, centring 0.01): loss, accuracy, margin, and
                how many pairs it kept
Usage: make_rm_fixture.py OUT_DIR
"""
import json
import os
import sys
import tempfile

import datasets
import torch
import transformers
import trl
from datasets import Dataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_hf_checkpoints import train_tokenizer  # noqa: E402

EOS = "<|endoftext|>"
SPECIALS = [EOS, "<|im_start|>", "<|im_end|>"]
CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content']"
          " + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|im_start|>assistant\\n' }}{% endif %}")
CORPUS = ["the answer is four because two and two make four", "a helpful reply explains the steps",
          "Sort: 7 3 9 1 gives 1 3 7 9", "which answer is better, the short or the long one?",
          "the assistant writes a clear and correct answer"] * 20
MAX_LENGTH = 40
CENTER = 0.01
DENSE = {"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
         "rope_theta": 10000.0, "rms_norm_eps": 1e-6, "initializer_range": 0.1}
CONFIGS = {
    "qwen2_lm": (transformers.Qwen2Config, transformers.Qwen2ForCausalLM,
                 dict(DENSE, tie_word_embeddings=True, use_sliding_window=False)),
    "llama_lm": (transformers.LlamaConfig, transformers.LlamaForCausalLM,
                 dict(DENSE, tie_word_embeddings=False)),
    "deepseek_lm": (transformers.DeepseekV3Config, transformers.DeepseekV3ForCausalLM, dict(
        DENSE, moe_intermediate_size=32, first_k_dense_replace=1, num_key_value_heads=4,
        q_lora_rank=None, kv_lora_rank=32, qk_nope_head_dim=16, qk_rope_head_dim=8, v_head_dim=16,
        n_routed_experts=4, n_shared_experts=1, num_experts_per_tok=2, n_group=1, topk_group=1,
        routed_scaling_factor=1.0, norm_topk_prob=True, tie_word_embeddings=False)),
}


def write_tokenizer(directory):
    """make_hf_checkpoints.py's byte-level BPE (Qwen2's split) with ChatML's specials too."""
    os.makedirs(directory, exist_ok=True)
    train_tokenizer(os.path.join(directory, "tokenizer.json"), SPECIALS, CORPUS)
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": EOS, "chat_template": CHATML,
                   "model_max_length": 256}, f, indent=2)
    return transformers.PreTrainedTokenizerFast.from_pretrained(directory)


def save_model(model, tokenizer, directory):
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


def randomise(model, std):
    """Every parameter random (norm weights around 1), so that no part of the model is trivial."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(1 + 0.1 * torch.randn_like(p) if "norm" in name else std * torch.randn_like(p))


def pairs(kind):
    """13 rows; the last is over MAX_LENGTH tokens on its rejected side."""
    prompts = [f"which answer is better {i}?" for i in range(13)]
    good = [f" the answer is {w}" for w in ["four", "two", "clear", "correct", "short", "long", "helpful",
                                            "the steps", "better", "a reply", "one", "three", "seven"]]
    bad = [f" answer {w} the" for w in ["is", "two", "four", "make", "and", "steps", "clear", "the",
                                        "one", "reply", "long", "short", "better"]]
    bad[-1] = bad[-1] + " and the long answer explains the steps" * 4
    rows = []
    for i, (p, c, r) in enumerate(zip(prompts, good, bad)):
        if kind == "chat":
            rows.append({"prompt": [{"role": "user", "content": p}],
                         "chosen": [{"role": "assistant", "content": c.strip()}],
                         "rejected": [{"role": "assistant", "content": r.strip()}]})
        else:
            rows.append({"prompt": p, "chosen": c, "rejected": r})
            if kind == "margin":
                rows[-1]["margin"] = 0.25 * (i % 4)
    return rows


def trl_case(model, tokenizer, rows, work):
    args = trl.RewardConfig(output_dir=work, max_length=MAX_LENGTH, center_rewards_coefficient=CENTER,
                            report_to="none", per_device_train_batch_size=len(rows), use_cpu=True,
                            dataset_num_proc=None)
    trainer = trl.RewardTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows),
                                processing_class=tokenizer)
    kept = trainer.train_dataset
    batch = trainer.data_collator([kept[i] for i in range(len(kept))])
    trainer.model.train()  # as in training (the configs have no dropout: the numbers are the same)
    with torch.no_grad():
        loss = trl.RewardTrainer.compute_loss(trainer, trainer.model, batch)
    trainer.model.eval()
    metrics = {k: v[-1] for k, v in trainer._metrics["train"].items()}
    return {"loss": loss.item(), "accuracy": metrics["accuracy"], "margin": metrics["margin"],
            "kept": len(kept), "rows": len(rows)}


def scores(model, tokenizer):
    texts = ["which answer is better? the answer is four", "Sort: 7 3 9 1 1 3 7 9", "a helpful reply",
             "the assistant writes"]
    ids = [tokenizer(t + EOS)["input_ids"] for t in texts]
    S = max(len(i) for i in ids)
    pad = tokenizer.convert_tokens_to_ids(EOS)
    input_ids = torch.tensor([i + [pad] * (S - len(i)) for i in ids])
    mask = torch.tensor([[1] * len(i) + [0] * (S - len(i)) for i in ids])
    with torch.no_grad():
        rewards = model(input_ids=input_ids, attention_mask=mask).logits.squeeze(-1)
    return {"input_ids": input_ids.tolist(), "attention_mask": mask.tolist(), "rewards": rewards.tolist()}


def main():
    datasets.disable_progress_bars()
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tokenizer = write_tokenizer(os.path.join(out, "tokenizer"))
    eos_id = tokenizer.convert_tokens_to_ids(EOS)
    for seed, (name, (config_cls, model_cls, values)) in enumerate(CONFIGS.items()):
        torch.manual_seed(seed)
        model = model_cls(config_cls(**values, eos_token_id=eos_id, bos_token_id=None)).eval()
        randomise(model, values["initializer_range"])
        save_model(model, tokenizer, os.path.join(out, name))
    torch.manual_seed(11)
    config = transformers.Qwen2Config(**DENSE, num_labels=1, pad_token_id=eos_id, eos_token_id=eos_id,
                                      use_sliding_window=False)
    rm = transformers.Qwen2ForSequenceClassification(config).eval()
    randomise(rm, DENSE["initializer_range"])
    save_model(rm, tokenizer, os.path.join(out, "qwen2_rm"))
    with open(os.path.join(out, "rm_scores.json"), "w") as f:
        json.dump(scores(rm, tokenizer), f)
    expected = {}
    for kind in ("plain", "margin", "chat"):
        rows = pairs(kind)
        name = "pairs.jsonl" if kind == "plain" else f"pairs_{kind}.jsonl"
        with open(os.path.join(out, name), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        with tempfile.TemporaryDirectory() as work:
            expected[kind] = trl_case(rm, tokenizer, rows, work)
    with open(os.path.join(out, "trl.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"wrote reward-model fixtures (transformers {transformers.__version__}, TRL {trl.__version__}) "
          f"to {out}: {json.dumps(expected)}")


if __name__ == "__main__":
    main()
