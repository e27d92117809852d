#!/usr/bin/env python3
"""TRL's own SFT loss and transformers' packed-sequence loss on a tiny Qwen2, for r1's SFT parity
tests (tests/train/sft_test.cpp). Writes OUT_DIR/:
  model/        the tiny Qwen2 as transformers saves it, with a byte-level BPE tokenizer.json
  rows.jsonl    prompt-completion rows (plain text; TRL appends EOS to each completion)
  sft_trl.safetensors
    input_ids_<i>, completion_mask_<i>  TRL's tokenisation of row i (SFTTrainer's dataset; the
                    mask is where its labels are not -100)
    trl_loss        SFTTrainer.compute_loss on one batch of every row, prompts masked
                    (completion_only_loss; DataCollatorForLanguageModeling pads and masks)
    packed_loss     transformers' loss on the rows packed into one sequence with per-document
                    position_ids and no attention mask (its packed-sequence mask), each document's
                    first token unlabelled, as TRL's padding-free collator labels it
    unpacked_loss   the token mean over the same labels, each row run alone: equal to packed_loss
                    when attention stays inside each document
Usage: sft_loss_reference.py OUT_DIR
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import PreTrainedTokenizerFast
from trl import SFTConfig, SFTTrainer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_hf_checkpoints import train_tokenizer  # noqa: E402  (a byte-level BPE, vocab 300)

ROWS = [
    {"prompt": "What is 23 + 58?", "completion": " 81"},
    {"prompt": "Name a colour of the sky.", "completion": " blue, on a clear day"},
    {"prompt": "Solve: 7 * 6 =", "completion": " 42\nbecause seven sixes make forty-two"},
    {"prompt": "Repeat: abc", "completion": " abc abc"},
    {"prompt": "The capital of France is", "completion": " Paris."},
    {"prompt": "Count to five:", "completion": " 1 2 3 4 5"},
]


def make_model(directory):
    torch.manual_seed(0)
    config = transformers.Qwen2Config(
        vocab_size=320, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
        rope_theta=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False,
        bos_token_id=0, eos_token_id=0, initializer_range=0.1)
    model = transformers.Qwen2ForCausalLM(config).float().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.normal_(0.0, 0.1) if "norm" not in name else p.copy_(1.0 + 0.1 * torch.randn_like(p))
    model.save_pretrained(directory)
    train_tokenizer(os.path.join(directory, "tokenizer.json"))
    return model


def trl_loss(model, directory, out_dir):
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(directory, "tokenizer.json"),
                                        eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    from datasets import Dataset
    args = SFTConfig(output_dir=os.path.join(out_dir, "trl"), completion_only_loss=True,
                     packing=False, max_length=128, report_to=[], use_cpu=True,
                     per_device_train_batch_size=len(ROWS))
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(ROWS),
                         processing_class=tokenizer)
    data = trainer.train_dataset
    examples = [data[i] for i in range(len(data))]
    batch = trainer.data_collator(examples)
    model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(model, batch)
    tensors = {"trl_loss": loss.detach().double().reshape(1)}
    for i, ex in enumerate(examples):
        tensors[f"input_ids_{i}"] = torch.tensor(ex["input_ids"])
        tensors[f"completion_mask_{i}"] = (torch.tensor(ex["labels"]) != -100).long()
    return tensors, examples


def packed_losses(model, examples):
    """One packed row against each row alone, over the same labels (completion tokens, not the
    first token of a document)."""
    ids, pos, labels = [], [], []
    for ex in examples:
        n = len(ex["input_ids"])
        ids += ex["input_ids"]
        pos += list(range(n))
        labels += [t if lab != -100 and i > 0 else -100
                   for i, (t, lab) in enumerate(zip(ex["input_ids"], ex["labels"]))]
    with torch.no_grad():
        packed = model(input_ids=torch.tensor([ids]), position_ids=torch.tensor([pos]),
                       labels=torch.tensor([labels])).loss.double()
        total, count, start = 0.0, 0, 0
        for ex in examples:
            n = len(ex["input_ids"])
            logits = model(input_ids=torch.tensor([ex["input_ids"]])).logits[0].double()
            lab = torch.tensor(labels[start + 1:start + n])
            keep = lab != -100
            logp = torch.log_softmax(logits[:-1], -1)[keep].gather(1, lab[keep][:, None])
            total += -logp.sum().item()
            count += int(keep.sum())
            start += n
    return {"packed_loss": packed.reshape(1), "unpacked_loss": torch.tensor([total / count],
                                                                            dtype=torch.float64)}


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    directory = os.path.join(out_dir, "model")
    model = make_model(directory)
    with open(os.path.join(out_dir, "rows.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in ROWS)
    tensors, examples = trl_loss(model, directory, out_dir)
    tensors.update(packed_losses(model, examples))
    save_file(tensors, os.path.join(out_dir, "sft_trl.safetensors"))
    print({k: float(v) for k, v in tensors.items() if k.endswith("loss")})


if __name__ == "__main__":
    main()
