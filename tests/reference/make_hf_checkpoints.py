#!/usr/bin/env python3
"""Hugging Face checkpoint directories for r1's load_pretrained / save_pretrained / score / convert
tests (tests/model/hf_test.cpp, tests/reference/check_hf_*.py), made with the pinned transformers.

For each tiny config writes OUT/<name>/ as `save_pretrained` leaves it (config.json, model.safetensors
or a sharded index), then adds DeepSeek's MTP layer model.layers.{L}.* the way DeepSeek's own files
store it (block tensors with per-expert names, enorm, hnorm, eh_proj, shared_head.norm and copies of
embed_tokens and lm_head: model-spec §6.2; transformers ignores these keys). Beside it OUT/<name>.io/:
  io.safetensors  input_ids, attention_mask, logits (transformers, eager, float32), logprobs [B, S-1]
                  (log_softmax(logits[:, i])[ids[:, i+1]]) and mtp_logits_1 (DeepSeek: the plain-PyTorch
                  MTP reference of make_model_fixtures.py)
Names:
  deepseek_q_none     q_lora_rank null, n_group 1, sharded (small max_shard_size)
  deepseek_groups     q_lora_rank 32, n_group 4 > topk_group 2, first_k_dense_replace 1, YaRN
  deepseek_stacked    deepseek_groups' tensors with routed experts stacked as transformers 5 holds them
                      in memory (mlp.experts.gate_up_proj [E, 2mI, H], mlp.experts.down_proj [E, H, mI])
  qwen2               tied embeddings, a byte-level BPE tokenizer.json (trained here with `tokenizers`),
                      and score_input.jsonl / score_expected.jsonl for `r1 score` (tokens, text,
                      prompt+completion; ids from `tokenizers`, log-probs from transformers)
  deepseek_fp8        hidden 160 (several 128x128 blocks, ragged edges): every projection F8_E4M3 +
                      weight_scale_inv, quantised here with torch.float8_e4m3fn (amax/448 per block);
                      OUT/deepseek_fp8.io/dequant.safetensors holds Python's dequantised float32 weights
  deepseek_no_mtp     deepseek_q_none exactly as transformers saves it: num_nextn_predict_layers 1 in
                      config.json, no MTP weights (what a user brings after fine-tuning with TRL)
Usage: OUT_DIR.
"""
import json
import math
import os
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model_fixtures as mmf  # noqa: E402  (MtpLayer, randomise_, mtp_logits, checkpoint_names)

DEEPSEEK = {
    "model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"],
    "vocab_size": 320, "hidden_size": 64, "intermediate_size": 96, "moe_intermediate_size": 32,
    "num_hidden_layers": 2, "first_k_dense_replace": 1, "num_nextn_predict_layers": 1,
    "num_attention_heads": 2, "num_key_value_heads": 2, "q_lora_rank": 32, "kv_lora_rank": 32,
    "qk_nope_head_dim": 16, "qk_rope_head_dim": 8, "v_head_dim": 16,
    "n_routed_experts": 8, "n_shared_experts": 1, "num_experts_per_tok": 2, "n_group": 4, "topk_group": 2,
    "routed_scaling_factor": 2.5, "norm_topk_prob": True, "rms_norm_eps": 1e-6,
    "max_position_embeddings": 256, "rope_theta": 10000.0, "tie_word_embeddings": False,
    "bos_token_id": 0, "eos_token_id": 1, "initializer_range": 0.1,
}
CONFIGS = {
    "deepseek_q_none": dict(DEEPSEEK, q_lora_rank=None, n_group=1, topk_group=1),
    "deepseek_groups": dict(DEEPSEEK, rope_scaling={
        "type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64, "beta_fast": 32,
        "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}),
    "qwen2": {
        "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 320,
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "max_position_embeddings": 256, "rope_theta": 10000.0,
        "rms_norm_eps": 1e-6, "tie_word_embeddings": True, "use_sliding_window": False,
        "bos_token_id": 0, "eos_token_id": 1, "initializer_range": 0.1,
    },
    "deepseek_no_mtp": dict(DEEPSEEK, q_lora_rank=None, n_group=1, topk_group=1),
    "deepseek_fp8": dict(DEEPSEEK, hidden_size=160, intermediate_size=272, moe_intermediate_size=144,
                         q_lora_rank=136, kv_lora_rank=144, num_nextn_predict_layers=0),
}
SHARD = {"deepseek_q_none": "60KB"}
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
CORPUS = ["the model thinks step by step and then answers the question",
          "reasoning: 12 + 30 = 42, so the answer is 42", "we solve the equation for x",
          "a language model predicts the next token", "<think> let me check </think> done"] * 20
FP8_MAX = 448.0


def train_tokenizer(path, specials=("<|endoftext|>",), corpus=CORPUS):
    """A byte-level BPE with Qwen2's split regex (vocab 300 <= the model's 320)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=list(specials),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    tok.save(path)
    return tok


def token_logprobs(logits, ids):
    """[B, S, V], [B, S] -> [B, S-1]: log p(ids[:, i+1] | ids[:, :i+1])."""
    return torch.log_softmax(logits[:, :-1].double(), -1).gather(-1, ids[:, 1:, None])[..., 0].float()


def add_mtp(model, config, directory):
    """Appends DeepSeek's MTP layer (model-spec §6.2) to the saved checkpoint; returns the layers."""
    L = config["num_hidden_layers"]
    layer = mmf.MtpLayer(model.config, L).float().eval()
    mmf.randomise_(layer, config["initializer_range"])
    extra = mmf.checkpoint_names(layer.state(f"model.layers.{L}."), config)
    extra[f"model.layers.{L}.embed_tokens.weight"] = model.model.embed_tokens.weight.detach().clone()
    extra[f"model.layers.{L}.shared_head.head.weight"] = model.lm_head.weight.detach().clone()
    index_path = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index_path):  # a shard of its own, listed in the index
        shard = "model-mtp.safetensors"
        save_file(extra, os.path.join(directory, shard), metadata={"format": "pt"})
        with open(index_path) as f:
            index = json.load(f)
        index["weight_map"].update({k: shard for k in extra})
        with open(index_path, "w") as f:
            json.dump(index, f, indent=2, sort_keys=True)
    else:
        path = os.path.join(directory, "model.safetensors")
        tensors = load_file(path)
        tensors.update(extra)
        save_file(tensors, path, metadata={"format": "pt"})
    return [layer]


def stack_experts(src, dst, config):
    """deepseek_groups with experts stacked: gate rows then up rows along dim 1 (model-spec §6.4)."""
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        if name != "model.safetensors":
            with open(os.path.join(src, name), "rb") as fi, open(os.path.join(dst, name), "wb") as fo:
                fo.write(fi.read())
    tensors = load_file(os.path.join(src, "model.safetensors"))
    out = {}
    E = config["n_routed_experts"]
    for key, value in tensors.items():
        if ".mlp.experts.0.gate_proj.weight" in key:
            prefix = key[: -len("0.gate_proj.weight")]
            out[prefix + "gate_up_proj"] = torch.stack([torch.cat(
                [tensors[f"{prefix}{e}.gate_proj.weight"], tensors[f"{prefix}{e}.up_proj.weight"]]) for e in range(E)])
            out[prefix + "down_proj"] = torch.stack([tensors[f"{prefix}{e}.down_proj.weight"] for e in range(E)])
        elif ".mlp.experts." not in key:
            out[key] = value
    save_file(out, os.path.join(dst, "model.safetensors"), metadata={"format": "pt"})


def quantise_blocks(w):
    """[N, K] float32 -> (e4m3 [N, K], scale_inv [ceil(N/128), ceil(K/128)]), DeepSeek's rule."""
    N, K = w.shape
    n, k = math.ceil(N / 128), math.ceil(K / 128)
    padded = torch.zeros(n * 128, k * 128)
    padded[:N, :K] = w
    blocks = padded.view(n, 128, k, 128)
    scale = blocks.abs().amax(dim=(1, 3)).clamp(min=1e-4) / FP8_MAX
    q = (blocks / scale[:, None, :, None]).to(torch.float8_e4m3fn).view(n * 128, k * 128)[:N, :K]
    return q.contiguous(), scale.float()


def dequantise_blocks(q, scale):
    expanded = scale.repeat_interleave(128, 0).repeat_interleave(128, 1)[: q.shape[0], : q.shape[1]]
    return q.float() * expanded


def make_fp8(directory, io_dir, config):
    """Every 2-D projection of the attention and MLPs in FP8; embeddings, norms, router, head not."""
    path = os.path.join(directory, "model.safetensors")
    tensors = load_file(path)
    out, dequant = {}, {}
    for key, value in tensors.items():
        if key.endswith("_proj.weight") or key.endswith("proj_with_mqa.weight"):
            q, s = quantise_blocks(value.float())
            out[key], out[key + "_scale_inv"] = q, s
            dequant[key] = dequantise_blocks(q, s)
        else:
            out[key] = value
            dequant[key] = value.float()
    save_file(out, path, metadata={"format": "pt"})
    save_file(dequant, os.path.join(io_dir, "dequant.safetensors"))
    with open(os.path.join(directory, "config.json")) as f:
        saved = json.load(f)
    saved["quantization_config"] = {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
                                    "weight_block_size": [128, 128]}
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(saved, f, indent=2, sort_keys=True)
    print(f"deepseek_fp8: {sum(k.endswith('_scale_inv') for k in out)} FP8 weights")


def write_score_fixture(model, directory, tok):
    """score_input.jsonl and transformers' log-probs of the scored tokens (score_expected.jsonl)."""
    rows = [{"tokens": [5, 17, 42, 99, 250, 3, 7]},
            {"text": "the model thinks step by step"},
            {"prompt": "reasoning: 12 + 30 =", "completion": " 42, so the answer is 42"},
            {"tokens": [8, 9]}]
    expected = []
    for row in rows:
        if "tokens" in row:
            ids, first = row["tokens"], 1
        elif "text" in row:
            ids, first = tok.encode(row["text"]).ids, 1
        else:
            prompt = tok.encode(row["prompt"]).ids
            ids, first = prompt + tok.encode(row["completion"]).ids, len(prompt)
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits
        lp = token_logprobs(logits, torch.tensor([ids]))[0, first - 1:].tolist()
        expected.append({"tokens": ids[first:], "logprobs": lp, "sum": sum(lp)})
    with open(os.path.join(directory, "score_input.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    with open(os.path.join(directory, "score_expected.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in expected)


def make(name, config, out_dir):
    torch.manual_seed(0)
    hf_config = transformers.AutoConfig.for_model(**config)
    model = transformers.AutoModelForCausalLM.from_config(hf_config, attn_implementation="eager").float().eval()
    mmf.randomise_(model, config["initializer_range"])
    if config.get("tie_word_embeddings"):
        model.tie_weights()
    directory, io_dir = os.path.join(out_dir, name), os.path.join(out_dir, name + ".io")
    os.makedirs(io_dir, exist_ok=True)
    model.save_pretrained(directory, max_shard_size=SHARD.get(name, "50GB"))
    B, S = 2, 10
    input_ids = torch.randint(2, config["vocab_size"], (B, S))
    attention_mask = torch.ones(B, S, dtype=torch.int64)
    attention_mask[1, S - 3:] = 0  # right padding: compare valid positions only
    with torch.no_grad():
        logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
    io = {"input_ids": input_ids, "attention_mask": attention_mask, "logits": logits,
          "logprobs": token_logprobs(logits, input_ids)}
    if config["model_type"] == "deepseek_v3" and config["num_nextn_predict_layers"] and name != "deepseek_no_mtp":
        layers = add_mtp(model, config, directory)
        io["mtp_logits_1"] = mmf.mtp_logits(model, layers, input_ids, attention_mask)[0]
    if name == "qwen2":
        write_score_fixture(model, directory, train_tokenizer(os.path.join(directory, "tokenizer.json")))
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(io_dir, "io.safetensors"))
    if name == "deepseek_fp8":
        make_fp8(directory, io_dir, config)
    if name == "deepseek_groups":
        stack_experts(directory, os.path.join(out_dir, "deepseek_stacked"), config)
    print(f"{name}: {sorted(os.listdir(directory))}")


def main():
    out_dir = sys.argv[1]
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    for name, config in CONFIGS.items():
        make(name, config, out_dir)


if __name__ == "__main__":
    main()
