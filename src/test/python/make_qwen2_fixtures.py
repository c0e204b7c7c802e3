#!/usr/bin/python3
"""Generate the PyTorch reference fixtures that the Java Qwen2 engine is tested against.

What it does
    Builds two tiny, randomly initialised Qwen2-shaped causal language models, runs a
    fixed batch through each in float64, and writes under
    src/test/resources/fixtures/<name>/:
      config.json           Hugging Face Qwen2 config (plus our "attention_bias" key)
      model.safetensors     the weights, F32, Hugging Face tensor names
      expected.safetensors  input_ids, targets, logits, loss, per-token log-probs and
                            entropies, and the gradient of the loss (and of the mean
                            entropy) with respect to the weights
    See src/test/resources/fixtures/README.md for the exact contents.

Why it looks like this
    `transformers` and `safetensors` are not installable here (no PyPI), so the model is
    re-implemented in plain torch, operation for operation after Hugging Face's
    modeling_qwen2.py (Qwen2RMSNorm, Qwen2RotaryEmbedding + rotate_half, repeat_kv,
    eager_attention_forward, Qwen2MLP), and safetensors files are written by the small
    writer below, which follows the reference Rust implementation's byte layout.
    The weights are drawn, rounded to float32 (which is what gets stored), and all the
    math is then done in float64, so the expected values are the exact answer for exactly
    the weights the Java engine reads; the engine computes in float32 and compares with
    the tolerance given in the fixtures README.

How to run (from the repository root; needs only Debian's python3-torch and python3-numpy)
    /usr/bin/python3 src/test/python/make_qwen2_fixtures.py
    The script then runs check_qwen2_fixtures.py on what it wrote (file re-read with an
    independent reader, a loop-based numpy forward pass, torch.autograd.gradcheck) and
    exits non-zero if anything is off. Output is deterministic: the random numbers come
    from numpy's legacy RandomState, whose streams numpy keeps frozen across versions.
"""

import sys

# Importing the checker must not leave __pycache__ directories in the source tree.
sys.dont_write_bytecode = True

import json
import math
import os
import struct
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240611
BATCH = 2
SEQ = 7

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FIXTURES_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "fixtures")


@dataclass(frozen=True)
class Qwen2Config:
    name: str
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    vocab_size: int
    max_position_embeddings: int
    rope_theta: float
    rms_norm_eps: float
    tie_word_embeddings: bool
    attention_bias: bool

    @property
    def head_dim(self):
        # Qwen2 configs carry no head_dim key; HF derives it exactly like this.
        return self.hidden_size // self.num_attention_heads

    def to_hf_json(self):
        """The config.json dict, key for key as Hugging Face writes Qwen2 configs.

        "attention_bias" is ours: real Qwen2 checkpoints always have q/k/v biases and no
        such key, so a loader must default it to true when it is absent.
        """
        return {
            "architectures": ["Qwen2ForCausalLM"],
            "attention_bias": self.attention_bias,
            "attention_dropout": 0.0,
            "hidden_act": "silu",
            "hidden_size": self.hidden_size,
            "initializer_range": 0.02,
            "intermediate_size": self.intermediate_size,
            "max_position_embeddings": self.max_position_embeddings,
            "model_type": "qwen2",
            "num_attention_heads": self.num_attention_heads,
            "num_hidden_layers": self.num_hidden_layers,
            "num_key_value_heads": self.num_key_value_heads,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_scaling": None,
            "rope_theta": self.rope_theta,
            "tie_word_embeddings": self.tie_word_embeddings,
            "torch_dtype": "float32",
            "use_cache": True,
            "use_sliding_window": False,
            "vocab_size": self.vocab_size,
        }


# Shapes are deliberately unlike each other (head_dim 8 vs 4, GQA group 2 vs 4, 2 vs 3
# layers, intermediate not a multiple of hidden, prime vocabularies) so that a Java engine
# with a hard-coded or transposed dimension fails at least one fixture. They are also kept
# small: all four safetensors files together stay under 200 KB.
CONFIGS = [
    Qwen2Config(
        name="qwen2-tiny-bias-tied",
        hidden_size=32,
        intermediate_size=24,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=61,
        max_position_embeddings=64,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        attention_bias=True,
    ),
    Qwen2Config(
        name="qwen2-tiny-untied",
        hidden_size=16,
        intermediate_size=20,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=1,
        vocab_size=37,
        max_position_embeddings=64,
        rope_theta=1000000.0,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        attention_bias=False,
    ),
]


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------

def param_shapes(cfg):
    """HF parameter name -> shape, in the order Qwen2ForCausalLM registers them.

    nn.Linear stores weight as [out_features, in_features]; y = x @ W^T + b.
    """
    h, i, hd = cfg.hidden_size, cfg.intermediate_size, cfg.head_dim
    q_out = cfg.num_attention_heads * hd
    kv_out = cfg.num_key_value_heads * hd
    shapes = {"model.embed_tokens.weight": (cfg.vocab_size, h)}
    for layer in range(cfg.num_hidden_layers):
        p = f"model.layers.{layer}."
        shapes[p + "self_attn.q_proj.weight"] = (q_out, h)
        if cfg.attention_bias:
            shapes[p + "self_attn.q_proj.bias"] = (q_out,)
        shapes[p + "self_attn.k_proj.weight"] = (kv_out, h)
        if cfg.attention_bias:
            shapes[p + "self_attn.k_proj.bias"] = (kv_out,)
        shapes[p + "self_attn.v_proj.weight"] = (kv_out, h)
        if cfg.attention_bias:
            shapes[p + "self_attn.v_proj.bias"] = (kv_out,)
        shapes[p + "self_attn.o_proj.weight"] = (h, q_out)
        shapes[p + "mlp.gate_proj.weight"] = (i, h)
        shapes[p + "mlp.up_proj.weight"] = (i, h)
        shapes[p + "mlp.down_proj.weight"] = (h, i)
        shapes[p + "input_layernorm.weight"] = (h,)
        shapes[p + "post_attention_layernorm.weight"] = (h,)
    shapes["model.norm.weight"] = (h,)
    if not cfg.tie_word_embeddings:
        # Tied checkpoints carry no lm_head.weight at all; HF re-uses embed_tokens.
        shapes["lm_head.weight"] = (cfg.vocab_size, h)
    return shapes


def init_std(name):
    """Standard deviation of the random init per tensor kind.

    Much larger than a real init (0.02) on purpose: with 0.02 the logits would be almost
    uniform and the gradients tiny, so a wrong engine could still pass a tolerance check.
    These values give logits with a spread of a few units and entropies well away from
    both 0 and log(vocab).
    """
    if name.endswith("embed_tokens.weight"):
        return 0.3
    if name.endswith("lm_head.weight"):
        return 0.3
    if name.endswith(".bias"):
        return 0.1
    if "q_proj" in name or "k_proj" in name:
        return 0.3
    if "v_proj" in name:
        return 0.2
    if "o_proj" in name or "down_proj" in name:
        return 0.15
    if "gate_proj" in name or "up_proj" in name:
        return 0.25
    raise ValueError(name)


def make_params(cfg, rng):
    """Random weights, rounded to float32 (what is stored) and then held as float64.

    Rounding first means the float64 reference is computed from exactly the numbers the
    Java engine reads from model.safetensors, so the only difference left is the engine's
    own float32 arithmetic.
    """
    params = {}
    for name, shape in param_shapes(cfg).items():
        z = rng.standard_normal(size=shape)
        if name.endswith("norm.weight"):
            # RMSNorm gains around 1 (+-0.1): not all ones, so a forgotten gain shows up.
            values = 1.0 + 0.1 * z
        else:
            values = init_std(name) * z
        stored = torch.from_numpy(values.astype(np.float32))
        params[name] = stored.to(torch.float64).requires_grad_(True)
    return params


def make_batch(cfg, rng):
    """input_ids and next-token targets, shape [B, T] each, from one [B, T+1] draw.

    HF's Qwen2ForCausalLM takes labels == input_ids and shifts inside the loss; here the
    shift is done up front so the loss is a plain mean over all B*T positions.
    """
    seq = rng.randint(0, cfg.vocab_size, size=(BATCH, SEQ + 1))
    tokens = torch.from_numpy(seq.astype(np.int64))
    return tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()


# --------------------------------------------------------------------------------------
# Model: Qwen2ForCausalLM forward, following transformers/models/qwen2/modeling_qwen2.py
# --------------------------------------------------------------------------------------

def rms_norm(x, weight, eps):
    # Qwen2RMSNorm: x * rsqrt(mean(x^2) + eps) * weight. HF upcasts to float32 for this;
    # everything here is already float64, which only makes the reference more exact.
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotary_cos_sin(seq_len, head_dim, theta, dtype):
    """Qwen2RotaryEmbedding, default rope type, positions 0..seq_len-1.

    inv_freq[j] = 1 / theta^(2j / head_dim), j = 0..head_dim/2-1; the angle table is
    duplicated (cat(freqs, freqs)) so that element d and d + head_dim/2 share a frequency.
    """
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).to(dtype) / head_dim))
    positions = torch.arange(seq_len, dtype=dtype)
    freqs = torch.outer(positions, inv_freq)  # [T, head_dim/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, head_dim]
    return emb.cos(), emb.sin()


def rotate_half(x):
    # Halves, not interleaved pairs: (x1, x2) -> (-x2, x1).
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, n_rep):
    # [B, kv_heads, T, d] -> [B, kv_heads * n_rep, T, d]; query head h reads kv head h // n_rep.
    b, kv_heads, t, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kv_heads, n_rep, t, d).reshape(b, kv_heads * n_rep, t, d)


def linear(x, params, prefix, bias):
    return F.linear(x, params[prefix + ".weight"], params[prefix + ".bias"] if bias else None)


def forward(cfg, params, input_ids):
    """Logits [B, T, V] of Qwen2ForCausalLM for input_ids [B, T] at positions 0..T-1."""
    bsz, seq_len = input_ids.shape
    nh, nkv, hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    embed = params["model.embed_tokens.weight"]
    dtype = embed.dtype
    hidden = F.embedding(input_ids, embed)
    cos, sin = rotary_cos_sin(seq_len, hd, cfg.rope_theta, dtype)
    # Causal mask added before softmax, as eager_attention_forward does (HF uses the
    # dtype's min value instead of -inf; both give exactly zero weight after softmax).
    causal = torch.full((seq_len, seq_len), float("-inf"), dtype=dtype).triu(1)
    scaling = hd ** -0.5

    for layer in range(cfg.num_hidden_layers):
        p = f"model.layers.{layer}."
        residual = hidden
        x = rms_norm(hidden, params[p + "input_layernorm.weight"], cfg.rms_norm_eps)
        q = linear(x, params, p + "self_attn.q_proj", cfg.attention_bias)
        k = linear(x, params, p + "self_attn.k_proj", cfg.attention_bias)
        v = linear(x, params, p + "self_attn.v_proj", cfg.attention_bias)
        q = q.view(bsz, seq_len, nh, hd).transpose(1, 2)
        k = k.view(bsz, seq_len, nkv, hd).transpose(1, 2)
        v = v.view(bsz, seq_len, nkv, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = repeat_kv(k, nh // nkv)
        v = repeat_kv(v, nh // nkv)
        scores = torch.matmul(q, k.transpose(2, 3)) * scaling + causal
        weights = torch.softmax(scores, dim=-1)
        attn = torch.matmul(weights, v).transpose(1, 2).reshape(bsz, seq_len, nh * hd)
        hidden = residual + F.linear(attn, params[p + "self_attn.o_proj.weight"])

        residual = hidden
        x = rms_norm(hidden, params[p + "post_attention_layernorm.weight"], cfg.rms_norm_eps)
        gate = F.linear(x, params[p + "mlp.gate_proj.weight"])
        up = F.linear(x, params[p + "mlp.up_proj.weight"])
        hidden = residual + F.linear(F.silu(gate) * up, params[p + "mlp.down_proj.weight"])

    hidden = rms_norm(hidden, params["model.norm.weight"], cfg.rms_norm_eps)
    # Tied: the very same tensor object as the input embedding, so autograd sums both
    # uses into one gradient, as HF does when lm_head.weight is embed_tokens.weight.
    lm_head = embed if cfg.tie_word_embeddings else params["lm_head.weight"]
    return F.linear(hidden, lm_head)


def token_stats(logits, targets):
    """(loss, token_logprobs [B,T], token_entropies [B,T]) from logits [B,T,V]."""
    logp = torch.log_softmax(logits, dim=-1)
    token_logprobs = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    # Mean cross-entropy over all B*T positions (F.cross_entropy's default reduction).
    loss = -token_logprobs.mean()
    token_entropies = -(logp.exp() * logp).sum(-1)
    return loss, token_logprobs, token_entropies


def loss_fn(cfg, params, input_ids, targets):
    return token_stats(forward(cfg, params, input_ids), targets)[0]


def mean_entropy_fn(cfg, params, input_ids, targets):
    return token_stats(forward(cfg, params, input_ids), targets)[2].mean()


def entropy_grad_names(cfg):
    names = ["model.embed_tokens.weight", "model.norm.weight"]
    if not cfg.tie_word_embeddings:
        # Untied, the entropy's most direct path is lm_head; the embedding then only sees
        # the deep path through every layer. Both are worth checking.
        names.append("lm_head.weight")
    return names


def compute_expected(cfg, params, input_ids, targets):
    """Everything that goes into expected.safetensors, in float64 (ints as int64)."""
    names = list(params)
    logits = forward(cfg, params, input_ids)
    loss, token_logprobs, token_entropies = token_stats(logits, targets)
    grads = torch.autograd.grad(loss, [params[n] for n in names], retain_graph=True)
    ent_names = entropy_grad_names(cfg)
    ent_grads = torch.autograd.grad(token_entropies.mean(), [params[n] for n in ent_names])

    out = {
        "input_ids": input_ids,
        "targets": targets,
        "logits": logits.detach(),
        "loss": loss.detach(),  # shape [] (a scalar)
        "token_logprobs": token_logprobs.detach(),
        "token_entropies": token_entropies.detach(),
    }
    for n, g in zip(names, grads):
        out["grad." + n] = g
    for n, g in zip(ent_names, ent_grads):
        out["grad_entropy." + n] = g
    return out


# --------------------------------------------------------------------------------------
# safetensors writer (the format: https://github.com/huggingface/safetensors)
# --------------------------------------------------------------------------------------

# Element type -> (safetensors dtype string, numpy little-endian dtype). Only what the
# fixtures use.
ST_DTYPES = {
    torch.float32: ("F32", "<f4"),
    torch.int64: ("I64", "<i8"),
}


def write_safetensors(path, tensors, metadata=None):
    """Write name -> tensor (float32 or int64) as a safetensors file.

    Byte layout, as the reference Rust serializer produces it:
      * 8 bytes: N, the header length, unsigned 64-bit little-endian;
      * N bytes: UTF-8 JSON {"__metadata__": {str: str}, name: {"dtype", "shape",
        "data_offsets": [begin, end]}, ...}, keys sorted by name, no whitespace, then
        padded with spaces (0x20) so that N is a multiple of 8 and the data starts
        8-byte aligned in the file;
      * the data buffer: every tensor C-order little-endian, packed back to back with
        no gaps (the format forbids holes), offsets relative to the buffer start.
    Tensors are placed in the buffer by descending element size, then by name, as the
    reference does, so that every tensor starts at a multiple of its own element size
    (all I64 first, then all F32) without any padding between them.
    """
    def placement(item):
        name, t = item
        return (-np.dtype(ST_DTYPES[t.dtype][1]).itemsize, name)

    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, t in sorted(tensors.items(), key=placement):
        st_dtype, np_dtype = ST_DTYPES[t.dtype]
        data = np.ascontiguousarray(t.detach().cpu().numpy(), dtype=np_dtype).tobytes()
        header[name] = {"dtype": st_dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)

    header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for data in blobs:
            f.write(data)


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def as_stored(value):
    """float64 -> float32 for storage; int64 stays int64."""
    return value.to(torch.float32) if value.is_floating_point() else value


def generate(cfg, rng, out_root):
    out_dir = os.path.join(out_root, cfg.name)
    os.makedirs(out_dir, exist_ok=True)
    params = make_params(cfg, rng)
    input_ids, targets = make_batch(cfg, rng)
    expected = compute_expected(cfg, params, input_ids, targets)

    with open(os.path.join(out_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg.to_hf_json(), f, indent=2, sort_keys=True)
        f.write("\n")
    # "format": "pt" is what transformers' save_pretrained puts there; readers must
    # tolerate (and skip) the __metadata__ entry.
    write_safetensors(
        os.path.join(out_dir, "model.safetensors"),
        {n: as_stored(p.detach()) for n, p in params.items()},
        metadata={"format": "pt"},
    )
    write_safetensors(
        os.path.join(out_dir, "expected.safetensors"),
        {n: as_stored(v) for n, v in expected.items()},
        metadata={
            "format": "pt",
            "generator": "src/test/python/make_qwen2_fixtures.py",
            "seed": str(SEED),
            "loss": "mean cross-entropy of logits[b,t] against targets[b,t] over all B*T positions",
            "grad_entropy": "gradient of the mean over all B*T positions of token_entropies",
        },
    )
    logits = expected["logits"]
    ent = expected["token_entropies"]
    print(
        f"{cfg.name}: {sum(p.numel() for p in params.values())} parameters, "
        f"loss {expected['loss'].item():.6f}, logits std {logits.std().item():.3f}, "
        f"entropy {ent.min().item():.3f}..{ent.max().item():.3f} (log V = {math.log(cfg.vocab_size):.3f})"
    )


def main():
    torch.set_num_threads(1)  # tiny tensors; more threads only add contention
    # One stream for everything, consumed in a fixed order (config by config: weights in
    # param_shapes order, then the token batch), so the output is reproducible.
    rng = np.random.RandomState(SEED)
    for cfg in CONFIGS:
        generate(cfg, rng, FIXTURES_DIR)

    import check_qwen2_fixtures  # lives next to this file; sys.path[0] is this directory

    sys.exit(check_qwen2_fixtures.main())


if __name__ == "__main__":
    main()
