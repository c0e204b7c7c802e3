#!/usr/bin/python3
"""Self-check of the Qwen2 reference fixtures in src/test/resources/fixtures/.

Run from anywhere with Debian's python3-torch (make_qwen2_fixtures.py runs it itself):
    /usr/bin/python3 src/test/python/check_qwen2_fixtures.py

Why each check is here:
  * read_safetensors() is a second, independent implementation of the format (it does
    not share code with the writer) and enforces the rules of the reference reader:
    contiguous offsets from 0 to the end of the file, sizes matching dtype x shape; it
    also checks what our writer promises (header padded with spaces to a multiple of 8,
    every tensor aligned to its element size), which the Java reader may rely on.
  * Names, shapes and dtypes are compared with what config.json implies, so config,
    weights and expected values cannot drift apart.
  * The stored expected values are recomputed from the stored weights; they must agree
    to float32 rounding.
  * numpy_forward() is a loop-per-position, per-head forward pass written straight from
    the equations (explicit rotary pair rotation, explicit kv-head index) and shares no
    code with the vectorised torch model; agreement to ~1e-12 guards the torch model's
    reshapes, transposes and broadcasting.
  * torch.autograd.gradcheck compares the torch model's analytic gradients with finite
    differences in float64 for a few parameters, for both the loss and the mean entropy.
  * The whole computation is repeated in float32 to show that the tolerance documented
    in the fixtures README is met by a correct float32 implementation with margin.
"""

import sys

sys.dont_write_bytecode = True

import json
import math
import os
import struct

import numpy as np
import torch

import make_qwen2_fixtures as ref

# Documented in src/test/resources/fixtures/README.md; keep the two in sync.
# Every float tensor, element-wise:
#     |actual - expected| <= RTOL * |expected| + ATOL * max(1, max|expected| over the tensor)
# The absolute part is scaled by the tensor's largest entry because logits and gradient
# entries are long sums of products whose float32 error tracks the scale of the whole
# tensor, not the size of each (possibly near-zero) entry.
RTOL = 1e-4
ATOL = 1e-5
# torch in float32 uses about 0.11 of the tolerance here; demand 4x headroom so a Java
# engine with other summation orders and exp/log routines still passes comfortably.
FLOAT32_MARGIN = 0.25

MAX_FIXTURE_BYTES = 200 * 1000

SIZES = {"F32": 4, "I64": 8}
NP_DTYPES = {"F32": "<f4", "I64": "<i8"}


class CheckError(Exception):
    pass


def require(cond, message):
    if not cond:
        raise CheckError(message)


# --------------------------------------------------------------------------------------
# Independent safetensors reader
# --------------------------------------------------------------------------------------

def read_safetensors(path):
    """-> (metadata dict or None, {name: (dtype string, numpy array)}), validated."""
    with open(path, "rb") as f:
        raw = f.read()
    require(len(raw) >= 8, f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    require(8 + n <= len(raw), f"{path}: header length {n} past end of file")
    require(n % 8 == 0, f"{path}: header length {n} is not a multiple of 8")
    header_text = raw[8:8 + n].decode("utf-8")
    require(header_text.startswith("{"), f"{path}: header does not start with '{{'")
    stripped = header_text.rstrip(" ")
    require(len(header_text) - len(stripped) < 8, f"{path}: more than 7 bytes of padding")
    header = json.loads(header_text)
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        require(all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()),
                f"{path}: __metadata__ must map strings to strings")
    names = list(header)
    require(names == sorted(names), f"{path}: header keys not sorted by name")

    buffer = raw[8 + n:]
    by_offset = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    position = 0
    tensors = {}
    for name, info in by_offset:
        require(set(info) == {"dtype", "shape", "data_offsets"}, f"{path}: {name}: unexpected keys {set(info)}")
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        require(dtype in SIZES, f"{path}: {name}: unsupported dtype {dtype}")
        require(begin == position, f"{path}: {name}: hole or overlap at buffer offset {position}")
        count = math.prod(shape)
        require(end - begin == count * SIZES[dtype], f"{path}: {name}: {end - begin} bytes for {dtype}{shape}")
        require((8 + n + begin) % SIZES[dtype] == 0, f"{path}: {name}: not aligned to {SIZES[dtype]} bytes")
        array = np.frombuffer(buffer, dtype=NP_DTYPES[dtype], count=count, offset=begin).reshape(shape)
        tensors[name] = (dtype, array)
        position = end
    require(position == len(buffer), f"{path}: {len(buffer) - position} trailing bytes after the last tensor")
    return metadata, tensors


# --------------------------------------------------------------------------------------
# Independent loop-based forward pass (numpy, float64)
# --------------------------------------------------------------------------------------

def numpy_forward(cfg, w, input_ids):
    """Logits [B, T, V], written position by position and head by head."""
    nh, nkv, hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    group = nh // nkv
    half = hd // 2
    eps = cfg.rms_norm_eps

    def norm(x, g):
        return g * x / math.sqrt(float(np.mean(x * x)) + eps)

    def rope(x, pos):
        out = np.empty_like(x)
        for j in range(half):
            angle = pos * cfg.rope_theta ** (-(2.0 * j) / hd)
            c, s = math.cos(angle), math.sin(angle)
            # Dimension j is paired with j + head_dim/2 (the rotate_half convention).
            out[j] = x[j] * c - x[j + half] * s
            out[j + half] = x[j + half] * c + x[j] * s
        return out

    def silu(x):
        return x / (1.0 + np.exp(-x))

    batch, seq_len = input_ids.shape
    logits = np.zeros((batch, seq_len, cfg.vocab_size))
    lm_head = w["model.embed_tokens.weight"] if cfg.tie_word_embeddings else w["lm_head.weight"]
    for b in range(batch):
        hidden = [w["model.embed_tokens.weight"][input_ids[b, t]].copy() for t in range(seq_len)]
        for layer in range(cfg.num_hidden_layers):
            p = f"model.layers.{layer}."

            def proj(name, x):
                y = w[p + name + ".weight"] @ x
                return y + w[p + name + ".bias"] if cfg.attention_bias else y

            xs = [norm(h, w[p + "input_layernorm.weight"]) for h in hidden]
            qs = [proj("self_attn.q_proj", x) for x in xs]
            ks = [proj("self_attn.k_proj", x) for x in xs]
            vs = [proj("self_attn.v_proj", x) for x in xs]
            new_hidden = []
            for t in range(seq_len):
                attn = np.zeros(nh * hd)
                for head in range(nh):
                    kv = head // group
                    q = rope(qs[t][head * hd:(head + 1) * hd], t)
                    scores = np.array([
                        q @ rope(ks[s][kv * hd:(kv + 1) * hd], s) / math.sqrt(hd) for s in range(t + 1)
                    ])
                    probs = np.exp(scores - scores.max())
                    probs /= probs.sum()
                    attn[head * hd:(head + 1) * hd] = sum(probs[s] * vs[s][kv * hd:(kv + 1) * hd] for s in range(t + 1))
                h = hidden[t] + w[p + "self_attn.o_proj.weight"] @ attn
                x = norm(h, w[p + "post_attention_layernorm.weight"])
                mlp = silu(w[p + "mlp.gate_proj.weight"] @ x) * (w[p + "mlp.up_proj.weight"] @ x)
                new_hidden.append(h + w[p + "mlp.down_proj.weight"] @ mlp)
            hidden = new_hidden
        for t in range(seq_len):
            logits[b, t] = lm_head @ norm(hidden[t], w["model.norm.weight"])
    return logits


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------

def config_from_json(name, j):
    require(j["architectures"] == ["Qwen2ForCausalLM"] and j["model_type"] == "qwen2", f"{name}: not a qwen2 config")
    require(j["torch_dtype"] == "float32", f"{name}: torch_dtype {j['torch_dtype']}")
    return ref.Qwen2Config(
        name=name,
        hidden_size=j["hidden_size"],
        intermediate_size=j["intermediate_size"],
        num_hidden_layers=j["num_hidden_layers"],
        num_attention_heads=j["num_attention_heads"],
        num_key_value_heads=j["num_key_value_heads"],
        vocab_size=j["vocab_size"],
        max_position_embeddings=j["max_position_embeddings"],
        rope_theta=j["rope_theta"],
        rms_norm_eps=j["rms_norm_eps"],
        tie_word_embeddings=j["tie_word_embeddings"],
        attention_bias=j.get("attention_bias", True),  # real Qwen2: always biased
    )


def expected_layout(cfg):
    """name -> (dtype, shape) that expected.safetensors must hold, exactly."""
    bt = [ref.BATCH, ref.SEQ]
    layout = {
        "input_ids": ("I64", bt),
        "targets": ("I64", bt),
        "logits": ("F32", bt + [cfg.vocab_size]),
        "loss": ("F32", []),
        "token_logprobs": ("F32", bt),
        "token_entropies": ("F32", bt),
    }
    shapes = ref.param_shapes(cfg)
    for n, s in shapes.items():
        layout["grad." + n] = ("F32", list(s))
    for n in ref.entropy_grad_names(cfg):
        layout["grad_entropy." + n] = ("F32", list(shapes[n]))
    return layout


def max_violation(actual, expected, rtol, atol):
    """max over elements of |a - e| / (atol + rtol |e|); <= 1 means within tolerance."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(a - e) / (atol + rtol * np.abs(e)))) if e.size else 0.0


def tolerance_for(expected):
    """(rtol, atol) of the documented rule for one expected tensor."""
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return RTOL, ATOL * max(1.0, scale)


def check_config(fixture_dir, name):
    with open(os.path.join(fixture_dir, "config.json"), encoding="utf-8") as f:
        cfg = config_from_json(name, json.load(f))
    require(cfg == next(c for c in ref.CONFIGS if c.name == name), f"{name}: config.json differs from the script")
    require(cfg.hidden_size % cfg.num_attention_heads == 0 and cfg.head_dim % 2 == 0, f"{name}: bad head_dim")
    require(cfg.num_attention_heads % cfg.num_key_value_heads == 0, f"{name}: heads not a multiple of kv heads")

    # ---- files, names, shapes, dtypes
    model_meta, model = read_safetensors(os.path.join(fixture_dir, "model.safetensors"))
    require(model_meta == {"format": "pt"}, f"{name}: model metadata {model_meta}")
    shapes = ref.param_shapes(cfg)
    require(set(model) == set(shapes), f"{name}: model tensors {sorted(set(model) ^ set(shapes))} differ")
    for n, s in shapes.items():
        require(model[n][0] == "F32" and list(model[n][1].shape) == list(s), f"{name}: {n} is {model[n][0]}{model[n][1].shape}")
    model = {n: a for n, (_, a) in model.items()}
    _, exp = read_safetensors(os.path.join(fixture_dir, "expected.safetensors"))
    layout = expected_layout(cfg)
    require(set(exp) == set(layout), f"{name}: expected tensors {sorted(set(exp) ^ set(layout))} differ")
    for n, (dtype, shape) in layout.items():
        require(exp[n][0] == dtype and list(exp[n][1].shape) == shape, f"{name}: {n} is {exp[n][0]}{list(exp[n][1].shape)}")
    exp = {n: a for n, (_, a) in exp.items()}
    require(exp["input_ids"].min() >= 0 and exp["targets"].max() < cfg.vocab_size, f"{name}: token out of range")
    require(np.array_equal(exp["input_ids"][:, 1:], exp["targets"][:, :-1]), f"{name}: targets are not next tokens")

    # ---- the stored expectations are what the torch model computes from the stored weights
    params = {n: torch.from_numpy(a.astype(np.float64)).requires_grad_(True) for n, a in model.items()}
    params = {n: params[n] for n in shapes}  # registration order, as the generator used
    input_ids = torch.from_numpy(exp["input_ids"].copy())
    targets = torch.from_numpy(exp["targets"].copy())
    recomputed = ref.compute_expected(cfg, params, input_ids, targets)
    for n, v in recomputed.items():
        v = v.detach().numpy()
        if v.dtype == np.int64:
            require(np.array_equal(v, exp[n]), f"{name}: {n} differs")
        else:
            # float32 rounding of the same float64 number: relative 2^-24, plus slack for
            # values that are tiny next to the rest of their tensor.
            scale = float(np.max(np.abs(v))) if v.size else 0.0
            bad = max_violation(exp[n], v, 2 ** -23, 1e-12 + 2 ** -30 * scale)
            require(bad <= 1.0, f"{name}: {n} differs from a fresh float64 run ({bad:.2f}x float32 rounding)")
    loss = float(exp["loss"])
    require(abs(loss + float(np.mean(exp["token_logprobs"].astype(np.float64)))) < 1e-6, f"{name}: loss != -mean(logprobs)")

    # ---- independent numpy forward
    np_weights = {n: a.astype(np.float64) for n, a in model.items()}
    np_logits = numpy_forward(cfg, np_weights, exp["input_ids"])
    torch_logits = recomputed["logits"].numpy()
    diff = float(np.max(np.abs(np_logits - torch_logits)))
    require(diff < 1e-11, f"{name}: loop-based numpy forward differs from torch by {diff:.3g}")

    # ---- gradcheck (float64, finite differences) on a few parameters
    gradcheck_names = ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight"]
    last = cfg.num_hidden_layers - 1
    if cfg.attention_bias:
        gradcheck_names.append(f"model.layers.{last}.self_attn.k_proj.bias")
    else:
        gradcheck_names.append(f"model.layers.{last}.post_attention_layernorm.weight")
    if not cfg.tie_word_embeddings:
        gradcheck_names.append("lm_head.weight")
    detached = {n: p.detach() for n, p in params.items()}
    for objective in (ref.loss_fn, ref.mean_entropy_fn):
        for pname in gradcheck_names:
            def f(x, pname=pname, objective=objective):
                return objective(cfg, {**detached, pname: x}, input_ids, targets)

            x0 = detached[pname].clone().requires_grad_(True)
            ok = torch.autograd.gradcheck(f, (x0,), eps=1e-6, atol=1e-8, rtol=1e-6, raise_exception=False)
            require(ok, f"{name}: gradcheck failed for d {objective.__name__} / d {pname}")

    # ---- a float32 run stays well inside the documented tolerance
    params32 = {n: torch.from_numpy(a.copy()).requires_grad_(True) for n, a in model.items()}
    params32 = {n: params32[n] for n in shapes}
    run32 = ref.compute_expected(cfg, params32, input_ids, targets)
    worst = (0.0, "")
    for n, v in run32.items():
        if v.is_floating_point():
            rtol, atol = tolerance_for(exp[n])
            bad = max_violation(v.detach().numpy(), exp[n], rtol, atol)
            worst = max(worst, (bad, n))
    require(worst[0] <= FLOAT32_MARGIN, f"{name}: float32 run uses {worst[0]:.3f} of the tolerance at {worst[1]}")

    repeats = exp["input_ids"].size - len(np.unique(exp["input_ids"]))
    print(
        f"{name}: ok ({len(model)} weights, {len(exp)} expected tensors; numpy-vs-torch {diff:.1e}; "
        f"gradcheck {len(gradcheck_names)} params x 2 objectives; float32 run uses {worst[0]:.4f} of the "
        f"tolerance (worst: {worst[1]}); {repeats} repeated input tokens)"
    )


def main(fixtures_dir=ref.FIXTURES_DIR):
    torch.set_num_threads(1)
    try:
        for cfg in ref.CONFIGS:
            check_config(os.path.join(fixtures_dir, cfg.name), cfg.name)
        total = 0
        for root, _, files in os.walk(fixtures_dir):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        require(total < MAX_FIXTURE_BYTES, f"fixtures take {total} bytes, over {MAX_FIXTURE_BYTES}")
        print(f"all fixtures ok, {total} bytes in total")
        return 0
    except CheckError as e:
        print(f"CHECK FAILED: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
