#!/usr/bin/env python3
"""Parity fixtures for r1's model (tests/model/*_test.cpp), made with Hugging Face transformers.

For each tiny config (model-spec §1.4) writes OUT/<name>/:
  config.json  the HF config.json keys (some in v4 `rope_scaling`, some in v5 `rope_parameters` form)
  state.pt     {checkpoint key: tensor}: the HF state dict with experts in the per-expert checkpoint
               names (transformers 5 stacks them at load time, model-spec §6.4), the tied lm_head
               dropped, plus DeepSeek's MTP layer model.layers.L.* (transformers ignores it)
  io.pt        input_ids, attention_mask, logits (HF, eager attention, float32) and mtp_logits_<k>
               from the plain-PyTorch MTP reference below (model-spec §4.1).
Norm weights and e_score_correction_bias are randomised so that they matter. Usage: OUT_DIR.
"""
import json
import os
import sys

import torch
import transformers
from torch import nn
from transformers.models.deepseek_v3 import modeling_deepseek_v3 as ds

DEEPSEEK_BASE = {
    "model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"],
    "vocab_size": 1024, "hidden_size": 256, "intermediate_size": 512, "moe_intermediate_size": 128,
    "num_hidden_layers": 3, "first_k_dense_replace": 1, "num_nextn_predict_layers": 1,
    "num_attention_heads": 4, "num_key_value_heads": 4, "q_lora_rank": 128, "kv_lora_rank": 128,
    "qk_nope_head_dim": 32, "qk_rope_head_dim": 16, "v_head_dim": 32,
    "n_routed_experts": 16, "n_shared_experts": 1, "num_experts_per_tok": 4, "n_group": 4, "topk_group": 2,
    "routed_scaling_factor": 2.5, "norm_topk_prob": True, "scoring_func": "sigmoid", "topk_method": "noaux_tc",
    "hidden_act": "silu", "rms_norm_eps": 1e-6, "max_position_embeddings": 256, "rope_theta": 10000.0,
    "tie_word_embeddings": False, "bos_token_id": 0, "eos_token_id": 1, "initializer_range": 0.05,
}

CONFIGS = {
    # group-limited routing, YaRN (variant b of spec §1.4, v4 rope_scaling form), two MTP depths
    "deepseek_group_yarn": dict(DEEPSEEK_BASE, num_nextn_predict_layers=2, rope_scaling={
        "type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64, "beta_fast": 32,
        "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}),
    # plain q_proj, no group limit, v5 rope_parameters form
    "deepseek_no_q_lora": dict({k: v for k, v in DEEPSEEK_BASE.items() if k != "rope_theta"},
                               q_lora_rank=None, n_group=1, topk_group=1, first_k_dense_replace=2,
                               rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
    "qwen2": {
        "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 1024,
        "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 64, "max_position_embeddings": 256, "rope_theta": 10000.0,
        "rms_norm_eps": 1e-6, "tie_word_embeddings": True, "hidden_act": "silu", "use_sliding_window": False,
        "initializer_range": 0.05,
    },
    "llama3": {
        "model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 1024,
        "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "max_position_embeddings": 256, "rope_theta": 500000.0,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
        "rms_norm_eps": 1e-5, "tie_word_embeddings": False, "hidden_act": "silu",
        "attention_bias": False, "mlp_bias": False, "initializer_range": 0.05,
    },
}


def randomise_(module, std):
    """Norm weights 1 + noise, router biases noise, every other tensor N(0, std) (an unregistered
    HF layer is not initialised by post_init)."""
    with torch.no_grad():
        for name, p in list(module.named_parameters()) + list(module.named_buffers()):
            if name.endswith("e_score_correction_bias"):
                p.copy_(torch.randn_like(p) * 0.1)
            elif "norm" in name:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif not name.endswith("inv_freq"):
                p.normal_(0.0, std)


def checkpoint_names(state, config):
    """transformers 5 keeps experts stacked; checkpoints (and r1) name them one by one."""
    out = {}
    mI = config.get("moe_intermediate_size")
    for key, value in state.items():
        if key.endswith("mlp.experts.gate_up_proj"):
            prefix = key[: -len("gate_up_proj")]
            for e in range(value.shape[0]):
                out[f"{prefix}{e}.gate_proj.weight"] = value[e, :mI].clone()
                out[f"{prefix}{e}.up_proj.weight"] = value[e, mI:].clone()
        elif key.endswith("mlp.experts.down_proj"):
            prefix = key[: -len("down_proj")]
            for e in range(value.shape[0]):
                out[f"{prefix}{e}.down_proj.weight"] = value[e].clone()
        elif not (key == "lm_head.weight" and config.get("tie_word_embeddings")):
            out[key] = value.clone()
    return out


class MtpLayer(nn.Module):
    """Model-spec §4.1 in plain PyTorch around transformers' own decoder block."""

    def __init__(self, hf_config, layer_idx):
        super().__init__()
        H = hf_config.hidden_size
        self.block = ds.DeepseekV3DecoderLayer(hf_config, layer_idx)
        self.enorm = ds.DeepseekV3RMSNorm(H, hf_config.rms_norm_eps)
        self.hnorm = ds.DeepseekV3RMSNorm(H, hf_config.rms_norm_eps)
        self.eh_proj = nn.Linear(2 * H, H, bias=False)
        self.shared_head_norm = ds.DeepseekV3RMSNorm(H, hf_config.rms_norm_eps)

    def state(self, prefix):
        out = {f"{prefix}{k}": v for k, v in self.block.state_dict().items()}
        out[f"{prefix}enorm.weight"] = self.enorm.weight
        out[f"{prefix}hnorm.weight"] = self.hnorm.weight
        out[f"{prefix}eh_proj.weight"] = self.eh_proj.weight
        out[f"{prefix}shared_head.norm.weight"] = self.shared_head_norm.weight
        return {k: v.detach().clone() for k, v in out.items()}


def additive_mask(key_valid, dtype):
    """[B, n] of 1/0 -> [B, 1, n, n]: causal and padding, HF's min-value fill."""
    n = key_valid.shape[1]
    allowed = torch.ones(n, n, dtype=torch.bool).tril()[None, None] & key_valid.bool()[:, None, None, :]
    return torch.zeros(allowed.shape, dtype=dtype).masked_fill(~allowed, torch.finfo(dtype).min)


def mtp_logits(model, mtp_layers, input_ids, attention_mask):
    """Depth k at position i: eh_proj([enorm(Emb(t_{i+k})); hnorm(h^{k-1}_i)]) -> block -> norm -> head."""
    with torch.no_grad():
        previous = model.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        embeds = model.model.embed_tokens(input_ids)
        S = input_ids.shape[1]
        out = []
        for k, layer in enumerate(mtp_layers, start=1):
            n = S - k
            x = layer.eh_proj(torch.cat([layer.enorm(embeds[:, k:]), layer.hnorm(previous[:, :n])], dim=-1))
            position_ids = torch.arange(n)[None]
            h = layer.block(x, attention_mask=additive_mask(attention_mask[:, k:], x.dtype),
                            position_ids=position_ids,
                            position_embeddings=model.model.rotary_emb(x, position_ids))
            out.append(model.lm_head(layer.shared_head_norm(h)))
            previous = h
    return out


def make(name, config, out_dir):
    torch.manual_seed(0)
    hf_config = transformers.AutoConfig.for_model(**config)
    hf_config._attn_implementation = "eager"
    model = transformers.AutoModelForCausalLM.from_config(hf_config, attn_implementation="eager").float().eval()
    randomise_(model, config["initializer_range"])
    if config.get("tie_word_embeddings"):
        model.tie_weights()
    state = checkpoint_names(model.state_dict(), config)
    io = {}
    B, S = 2, 12
    input_ids = torch.randint(2, config["vocab_size"], (B, S))
    attention_mask = torch.ones(B, S, dtype=torch.int64)
    attention_mask[1, S - 3:] = 0  # right padding: compare valid positions only
    with torch.no_grad():
        io["logits"] = model(input_ids=input_ids, attention_mask=attention_mask).logits
    L = config["num_hidden_layers"]
    D = config.get("num_nextn_predict_layers", 0) if config["model_type"] == "deepseek_v3" else 0
    if D:
        layers = [MtpLayer(model.config, L + k).float().eval() for k in range(D)]
        for k, layer in enumerate(layers):
            randomise_(layer, config["initializer_range"])
            state.update(checkpoint_names(layer.state(f"model.layers.{L + k}."), config))
        for k, logits in enumerate(mtp_logits(model, layers, input_ids, attention_mask), start=1):
            io[f"mtp_logits_{k}"] = logits
    io["input_ids"] = input_ids
    io["attention_mask"] = attention_mask
    directory = os.path.join(out_dir, name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    torch.save({k: v.contiguous() for k, v in state.items()}, os.path.join(directory, "state.pt"),
               _use_new_zipfile_serialization=True)
    torch.save({k: v.contiguous() for k, v in io.items()}, os.path.join(directory, "io.pt"),
               _use_new_zipfile_serialization=True)
    print(f"{name}: {len(state)} tensors, logits {tuple(io['logits'].shape)}, mtp depths {D}")


def main():
    out_dir = sys.argv[1]
    torch.set_num_threads(1)
    for name, config in CONFIGS.items():
        make(name, config, out_dir)


if __name__ == "__main__":
    main()
