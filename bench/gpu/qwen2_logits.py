#!/usr/bin/env python3
"""The reference for HfLogitsCheck on the lent GPU machine (issue 9): a tiny random Qwen2ForCausalLM made by
transformers itself, written with save_pretrained, and its logits for fixed tokens.

Usage (where torch and transformers are installed):  python3 bench/gpu/qwen2_logits.py OUT_DIR
Writes OUT_DIR/config.json and model.safetensors (save_pretrained, float32) and OUT_DIR/expected.safetensors with
input_ids (I64 [2,17]) and logits (F32 [2,17,256]), the two tensors the fixtures of src/test/resources/fixtures
hold too. Then, from the repository root:
    java ... org.zerotir.engine.checkpoint.HfLogitsCheck OUT_DIR cpu cuda

Why the weights are disturbed: transformers starts biases at zero and norm gains at one, so a model fresh from
its constructor would not notice an engine that drops the q/k/v biases or a norm's gain. The logits are computed
in float64 from the float32 weights that were saved, so they are the exact answer for the weights our engine reads.
"""

import json
import sys
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import Qwen2Config, Qwen2ForCausalLM

SEED = 9
VOCAB = 256
BATCH, TIME = 2, 17  # an odd length: no kernel gets a multiple of its tile size for free


def main(out: Path) -> None:
    torch.manual_seed(SEED)
    config = Qwen2Config(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=128, rope_theta=1_000_000.0, rms_norm_eps=1e-6,
        tie_word_embeddings=True,  # as Qwen2.5-0.5B: no lm_head.weight in the file
        initializer_range=0.1,  # logits of a few units, not all near zero
        attn_implementation="eager")
    model = Qwen2ForCausalLM(config).float().eval()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("norm.weight"):
                parameter.copy_(1 + 0.2 * torch.randn_like(parameter))
            elif name.endswith(".bias"):
                parameter.copy_(0.1 * torch.randn_like(parameter))
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    saved = json.loads((out / "config.json").read_text())
    if saved.get("rope_theta") != config.rope_theta:
        # newer transformers may move it under rope_parameters; our reader would then assume 10000 and differ
        print(f"qwen2_logits: config.json has rope_theta {saved.get('rope_theta')!r}, keys {sorted(saved)}", file=sys.stderr)

    tokens = torch.randint(0, VOCAB, (BATCH, TIME), generator=torch.Generator().manual_seed(SEED + 1))
    with torch.no_grad():
        logits = model.double()(input_ids=tokens).logits.float()
    save_file({"input_ids": tokens.to(torch.int64).contiguous(), "logits": logits.contiguous()}, str(out / "expected.safetensors"))
    print(f"qwen2_logits: transformers {transformers.__version__}, torch {torch.__version__}: {out} "
          f"(logits {tuple(logits.shape)}, max |logit| {logits.abs().max().item():.3f})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: qwen2_logits.py OUT_DIR")
    main(Path(sys.argv[1]))
