#!/usr/bin/python3
"""Writes the example models as linalg graphs (and, with --onnx, the same
models with the same weights as ONNX, for the peer comparison):

  encoder  a BERT-style transformer encoder block (post-LN): Q/K/V
           projections, 12-head attention (batch_matmul, softmax),
           output projection, residual + LayerNorm, FFN with GELU,
           residual + LayerNorm.
  mlp      a decoder-style MLP stack: per layer RMSNorm, a SwiGLU FFN
           (silu(h Wg) * (h Wu)) Wd and a residual add.

The weights are random (seeded, scaled by 1/sqrt(fan-in)), not trained:
they exercise the compiler and the kernels, not a model's accuracy.
--pattern magnitude-prunes every projection weight to N:M along the
reduction axis or to blocks (the top blocks by norm), as a pruned
checkpoint would hold them. Weights are stored N x K, as Linear layers keep
them (transposed-B linalg.matmul), as `dense_resource` blobs (the form
torch-mlir and IREE write) or, with --weights=inline, as `dense<"0x...">`.

  gen_model.py --model=encoder --pattern=nm2:4 -o encoder-2_4.mlir
  gen_model.py --model=encoder --seq=? -o encoder-dynamic.mlir
  gen_model.py --model=mlp --pattern=block16x16 --density=0.25 -o mlp.mlir
  gen_model.py --model=encoder --onnx=encoder.onnx   (needs python3-torch)
"""
import argparse
import sys

import numpy as np


# --- weights -----------------------------------------------------------------

def pad_to(w, rows, cols):
    """w padded with zeros to multiples of rows x cols."""
    n, k = w.shape
    return np.pad(w, ((0, -n % rows), (0, -k % cols)))


def prune(w, pattern, density):
    """Magnitude-prunes w (N x K) to `pattern` along K."""
    if pattern == "dense":
        return w
    n, k = w.shape
    if pattern.startswith("nm"):
        keep, m = map(int, pattern[2:].split(":"))
        # A ragged last group (K not a multiple of M) is padded with zeros,
        # which sort last: it keeps its N largest as a whole group would.
        padded = pad_to(w, 1, m)
        groups = np.abs(padded).reshape(n, padded.shape[1] // m, m)
        order = np.argsort(-groups, axis=2, kind="stable")
        mask = np.zeros_like(groups, dtype=bool)
        np.put_along_axis(mask, order[:, :, :keep], True, axis=2)
        return w * mask.reshape(n, -1)[:, :k]
    if pattern.startswith("block"):
        bk, bn = map(int, pattern[5:].split("x"))
        # Ragged edge blocks are ranked by the norm of what they hold.
        padded = pad_to(w, bn, bk)
        pn, pk = padded.shape
        norms = np.sqrt((padded.reshape(pn // bn, bn, pk // bk, bk) ** 2).sum(axis=(1, 3)))
        kept = max(1, int(round(density * norms.size)))
        threshold = np.sort(norms, axis=None)[::-1][kept - 1]
        mask = np.repeat(np.repeat(norms >= threshold, bn, axis=0), bk, axis=1)
        return w * mask[:n, :k]
    raise SystemExit("unknown pattern %s (dense, nmN:M or blockBKxBN)" % pattern)


def linear(rng, name, k, n, args, weights):
    """A Linear layer's N x K weight (pruned) and bias."""
    w = rng.standard_normal((n, k), dtype=np.float32) / np.float32(np.sqrt(k))
    weights[name + ".weight"] = prune(w, args.pattern, args.density).astype(np.float32)
    weights[name + ".bias"] = (0.1 * rng.standard_normal(n)).astype(np.float32)


def norm(rng, name, d, weights, bias=True):
    weights[name + ".weight"] = (1 + 0.1 * rng.standard_normal(d)).astype(np.float32)
    if bias:
        weights[name + ".bias"] = (0.1 * rng.standard_normal(d)).astype(np.float32)


def make_weights(args):
    rng = np.random.default_rng(args.seed)
    weights = {}
    d, f = args.d, args.ffn
    if args.model == "encoder":
        for name in ("q", "k", "v", "o"):
            linear(rng, name, d, d, args, weights)
        norm(rng, "ln1", d, weights)
        linear(rng, "ffn1", d, f, args, weights)
        linear(rng, "ffn2", f, d, args, weights)
        norm(rng, "ln2", d, weights)
    else:
        for layer in range(args.layers):
            norm(rng, "l%d.norm" % layer, d, weights, bias=False)
            for name, (k, n) in (("gate", (d, f)), ("up", (d, f)), ("down", (f, d))):
                linear(rng, "l%d.%s" % (layer, name), k, n, args, weights)
    return weights


# --- MLIR --------------------------------------------------------------------

def tensor(shape):
    return "tensor<%sxf32>" % "x".join(str(s) for s in shape)


def identity_map(rank):
    dims = ", ".join("d%d" % i for i in range(rank))
    return "affine_map<(%s) -> (%s)>" % (dims, dims)


class Emitter:
    """Writes one function's body: SSA names, shapes with a dynamic sequence
    length (`?`, whose size is %seq), and the ops a framework exports."""

    def __init__(self, seq, weights, inline):
        self.seq = seq  # an int, or "?"
        self.weights = weights
        self.inline = inline
        self.lines = []
        self.counter = 0

    def fresh(self, stem):
        self.counter += 1
        return "%%%s%d" % (stem, self.counter)

    def emit(self, text):
        self.lines.append("  " + text)

    def empty(self, shape):
        name = self.fresh("e")
        dynamic = ", ".join("%seq" for d in shape if d == "?")
        self.emit("%s = tensor.empty(%s) : %s" % (name, dynamic, tensor(shape)))
        return name

    def zeros(self, shape):
        name = self.fresh("z")
        t = tensor(shape)
        self.emit("%s = linalg.fill ins(%%zero : f32) outs(%s : %s) -> %s"
                  % (name, self.empty(shape), t, t))
        return name

    def constant(self, key):
        value = self.weights[key]
        name = self.fresh("w")
        symbol = key.replace(".", "_")
        if self.inline:
            data = '"0x' + value.astype("<f4").tobytes().hex().upper() + '"'
            self.emit("%s = arith.constant dense<%s> : %s"
                      % (name, data, tensor(value.shape)))
        else:
            self.emit("%s = arith.constant dense_resource<%s> : %s"
                      % (name, symbol, tensor(value.shape)))
        return name

    def generic(self, inputs, out_shape, maps, iterators, body, init=None):
        """A linalg.generic; `body` lines use %a0.. for inputs, %acc for the
        init and yield %r."""
        name = self.fresh("g")
        init = init or self.empty(out_shape)
        ins = ", ".join(v for v, _ in inputs)
        types = ", ".join(tensor(s) for _, s in inputs)
        t = tensor(out_shape)
        self.emit('%s = linalg.generic {indexing_maps = [%s], iterator_types = '
                  '[%s]} ins(%s : %s) outs(%s : %s) {'
                  % (name, ", ".join(maps), ", ".join('"%s"' % i for i in iterators),
                     ins, types, init, t))
        args = ", ".join("%%a%d: f32" % i for i in range(len(inputs)))
        self.emit("^bb0(%s, %%acc: f32):" % args)
        for line in body:
            self.emit("  " + line)
        self.emit("  linalg.yield %r : f32")
        self.emit("} -> %s" % t)
        return name

    def linear(self, x, rows, key, k, n, activation=None):
        """x @ W^T + b (W stored N x K), then an activation, as exported."""
        w = self.constant(key + ".weight")
        b = self.constant(key + ".bias")
        out = [rows, n]
        mm = self.fresh("mm")
        self.emit("%s = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> "
                  "(d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, "
                  "d1, d2) -> (d0, d1)>] ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (mm, x, w, tensor([rows, k]), tensor([n, k]), self.zeros(out),
                     tensor(out), tensor(out)))
        y = self.generic([(mm, out), (b, [n])], out,
                         [identity_map(2), "affine_map<(d0, d1) -> (d1)>",
                          identity_map(2)], ["parallel"] * 2,
                         ["%r = arith.addf %a0, %a1 : f32"])
        if activation:
            y = self.elementwise([y], out, ACTIVATIONS[activation])
        return y

    def elementwise(self, values, shape, body):
        rank = len(shape)
        return self.generic([(v, shape) for v in values], shape,
                            [identity_map(rank)] * (len(values) + 1),
                            ["parallel"] * rank, body)

    def row_sum(self, x, shape, square=False):
        """sum over the last axis (of x*x with `square`) -> [rows]."""
        body = (["%s = arith.mulf %a0, %a0 : f32", "%r = arith.addf %s, %acc : f32"]
                if square else ["%r = arith.addf %a0, %acc : f32"])
        return self.generic([(x, shape)], shape[:1],
                            [identity_map(2), "affine_map<(d0, d1) -> (d0)>"],
                            ["parallel", "reduction"], body,
                            init=self.zeros(shape[:1]))

    def layernorm(self, x, shape, key):
        d = shape[1]
        rows = "affine_map<(d0, d1) -> (d0)>"
        cols = "affine_map<(d0, d1) -> (d1)>"
        total = self.row_sum(x, shape)
        centered = self.generic(
            [(x, shape), (total, shape[:1])], shape, [identity_map(2), rows,
                                                      identity_map(2)],
            ["parallel"] * 2,
            ["%inv = arith.constant " + float_text(1.0 / d) + " : f32",
             "%mean = arith.mulf %a1, %inv : f32",
             "%r = arith.subf %a0, %mean : f32"])
        squares = self.row_sum(centered, shape, square=True)
        gamma = self.constant(key + ".weight")
        beta = self.constant(key + ".bias")
        return self.generic(
            [(centered, shape), (squares, shape[:1]), (gamma, [d]), (beta, [d])],
            shape, [identity_map(2), rows, cols, cols, identity_map(2)],
            ["parallel"] * 2,
            ["%inv = arith.constant " + float_text(1.0 / d) + " : f32",
             "%eps = arith.constant 1.0e-05 : f32",
             "%var = arith.mulf %a1, %inv : f32",
             "%ve = arith.addf %var, %eps : f32",
             "%rs = math.rsqrt %ve : f32",
             "%n = arith.mulf %a0, %rs : f32",
             "%s = arith.mulf %n, %a2 : f32",
             "%r = arith.addf %s, %a3 : f32"])

    def rmsnorm(self, x, shape, key):
        d = shape[1]
        squares = self.row_sum(x, shape, square=True)
        gamma = self.constant(key + ".weight")
        return self.generic(
            [(x, shape), (squares, shape[:1]), (gamma, [d])], shape,
            [identity_map(2), "affine_map<(d0, d1) -> (d0)>",
             "affine_map<(d0, d1) -> (d1)>", identity_map(2)], ["parallel"] * 2,
            ["%inv = arith.constant " + float_text(1.0 / d) + " : f32",
             "%eps = arith.constant 1.0e-05 : f32",
             "%ms = arith.mulf %a1, %inv : f32",
             "%me = arith.addf %ms, %eps : f32",
             "%rs = math.rsqrt %me : f32",
             "%n = arith.mulf %a0, %rs : f32",
             "%r = arith.mulf %n, %a2 : f32"])

    def transpose(self, x, shape, permutation):
        out = [shape[p] for p in permutation]
        name = self.fresh("t")
        self.emit("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [%s]"
                  % (name, x, tensor(shape), self.empty(out), tensor(out),
                     ", ".join(map(str, permutation))))
        return name

    def batch_matmul(self, a, a_shape, b, b_shape):
        out = [a_shape[0], a_shape[1], b_shape[2]]
        name = self.fresh("bmm")
        self.emit("%s = linalg.batch_matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (name, a, b, tensor(a_shape), tensor(b_shape), self.zeros(out),
                     tensor(out), tensor(out)))
        return name


def float_text(x):
    return "%.9e" % x


ACTIVATIONS = {
    "gelu": ["%h = arith.constant 0.5 : f32",
             "%c = arith.constant 0.707106769 : f32",
             "%one = arith.constant 1.0 : f32",
             "%t = arith.mulf %a0, %c : f32",
             "%e = math.erf %t : f32",
             "%p = arith.addf %e, %one : f32",
             "%q = arith.mulf %a0, %h : f32",
             "%r = arith.mulf %q, %p : f32"],
    "silu": ["%one = arith.constant 1.0 : f32",
             "%n = arith.negf %a0 : f32",
             "%e = math.exp %n : f32",
             "%den = arith.addf %one, %e : f32",
             "%r = arith.divf %a0, %den : f32"],
}


def encoder(e, args):
    s, d, h = e.seq, args.d, args.heads
    dh = d // h
    x = "%x"
    q, k, v = (e.linear(x, s, name, d, d) for name in ("q", "k", "v"))

    def heads(value, permutation):
        split = e.fresh("split")
        sizes = "[%s, %d, %d]" % ("%seq" if s == "?" else s, h, dh)
        e.emit("%s = tensor.expand_shape %s [[0], [1, 2]] output_shape %s : %s into %s"
               % (split, value, sizes, tensor([s, d]), tensor([s, h, dh])))
        return e.transpose(split, [s, h, dh], permutation)

    qh = heads(q, [1, 0, 2])   # [h, s, dh]
    kt = heads(k, [1, 2, 0])   # [h, dh, s]
    vh = heads(v, [1, 0, 2])   # [h, s, dh]
    scores = e.batch_matmul(qh, [h, s, dh], kt, [h, dh, s])
    scaled = e.elementwise([scores], [h, s, s],
                           ["%c = arith.constant " + float_text(dh ** -0.5) + " : f32",
                            "%r = arith.mulf %a0, %c : f32"])
    probs = e.fresh("softmax")
    e.emit("%s = linalg.softmax dimension(2) ins(%s : %s) outs(%s : %s) -> %s"
           % (probs, scaled, tensor([h, s, s]), e.empty([h, s, s]),
              tensor([h, s, s]), tensor([h, s, s])))
    context = e.batch_matmul(probs, [h, s, s], vh, [h, s, dh])
    merged = e.transpose(context, [h, s, dh], [1, 0, 2])
    flat = e.fresh("merge")
    e.emit("%s = tensor.collapse_shape %s [[0], [1, 2]] : %s into %s"
           % (flat, merged, tensor([s, h, dh]), tensor([s, d])))
    attention = e.linear(flat, s, "o", d, d)
    add = ["%r = arith.addf %a0, %a1 : f32"]
    h1 = e.layernorm(e.elementwise([x, attention], [s, d], add), [s, d], "ln1")
    f = e.linear(h1, s, "ffn1", d, args.ffn, activation="gelu")
    f2 = e.linear(f, s, "ffn2", args.ffn, d)
    return e.layernorm(e.elementwise([h1, f2], [s, d], add), [s, d], "ln2")


def mlp(e, args):
    s, d, f = e.seq, args.d, args.ffn
    x = "%x"
    for layer in range(args.layers):
        prefix = "l%d." % layer
        h = e.rmsnorm(x, [s, d], prefix + "norm")
        gate = e.linear(h, s, prefix + "gate", d, f, activation="silu")
        up = e.linear(h, s, prefix + "up", d, f)
        glu = e.elementwise([gate, up], [s, f], ["%r = arith.mulf %a0, %a1 : f32"])
        down = e.linear(glu, s, prefix + "down", f, d)
        x = e.elementwise([x, down], [s, d], ["%r = arith.addf %a0, %a1 : f32"])
    return x


def write_mlir(args, weights, out):
    seq = "?" if args.seq == "?" else int(args.seq)
    e = Emitter(seq, weights, args.weights == "inline")
    result = (encoder if args.model == "encoder" else mlp)(e, args)
    t = tensor([seq, args.d])
    name = args.name or args.model
    out.write("// Generated by examples/gen_model.py %s\n" % " ".join(sys.argv[1:]))
    out.write("// Random weights (seeded), pruned to %s: not a trained model.\n"
              % args.pattern)
    out.write("func.func @%s(%%x: %s) -> %s {\n" % (name, t, t))
    out.write("  %zero = arith.constant 0.0 : f32\n")
    if seq == "?":
        out.write("  %c0 = arith.constant 0 : index\n")
        out.write("  %%seq = tensor.dim %%x, %%c0 : %s\n" % t)
    out.write("\n".join(e.lines) + "\n")
    out.write("  return %s : %s\n}\n" % (result, t))
    if args.weights == "resource":
        out.write("\n{-#\n  dialect_resources: {\n    builtin: {\n")
        entries = []
        for key, value in weights.items():
            # The blob's first 4 bytes: its alignment.
            data = np.uint32(4).tobytes() + value.astype("<f4").tobytes()
            entries.append('      %s: "0x%s"' % (key.replace(".", "_"),
                                                 data.hex().upper()))
        out.write(",\n".join(entries) + "\n    }\n  }\n#-}\n")


# --- ONNX (the peer comparison) ---------------------------------------------

def write_onnx(args, weights, path):
    import torch  # Debian's python3-torch; only for --onnx

    def param(key):
        return torch.nn.Parameter(torch.from_numpy(weights[key].copy()),
                                  requires_grad=False)

    class Linear(torch.nn.Module):
        def __init__(self, key):
            super().__init__()
            self.weight, self.bias = param(key + ".weight"), param(key + ".bias")

        def forward(self, x):
            return torch.nn.functional.linear(x, self.weight, self.bias)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = (Linear(n) for n in "qkvo")
            self.ffn1, self.ffn2 = Linear("ffn1"), Linear("ffn2")
            self.g1, self.b1 = param("ln1.weight"), param("ln1.bias")
            self.g2, self.b2 = param("ln2.weight"), param("ln2.bias")

        def forward(self, x):
            s, d, h = x.shape[0], args.d, args.heads
            split = lambda t: t.reshape(s, h, d // h).transpose(0, 1)
            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            scores = torch.matmul(q, k.transpose(1, 2)) * (d // h) ** -0.5
            context = torch.matmul(torch.softmax(scores, dim=-1), v)
            a = self.o(context.transpose(0, 1).reshape(s, d))
            ln = torch.nn.functional.layer_norm
            h1 = ln(x + a, (d,), self.g1, self.b1, 1e-5)
            f = self.ffn2(torch.nn.functional.gelu(self.ffn1(h1)))
            return ln(h1 + f, (d,), self.g2, self.b2, 1e-5)

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList()
            for layer in range(args.layers):
                m = torch.nn.Module()
                m.norm = param("l%d.norm.weight" % layer)
                for name in ("gate", "up", "down"):
                    setattr(m, name, Linear("l%d.%s" % (layer, name)))
                self.layers.append(m)

        def forward(self, x):
            for m in self.layers:
                h = x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * m.norm
                x = x + m.down(torch.nn.functional.silu(m.gate(h)) * m.up(h))
            return x

    model = Encoder() if args.model == "encoder" else MLP()
    seq = 128 if args.seq == "?" else int(args.seq)
    example = torch.zeros(seq, args.d)
    torch.onnx.export(model, (example,), path, input_names=["x"],
                      output_names=["y"], opset_version=17,
                      dynamic_axes={"x": {0: "seq"}, "y": {0: "seq"}}
                      if args.seq == "?" else None)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["encoder", "mlp"], default="encoder")
    parser.add_argument("--d", type=int, default=768, help="model width")
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--ffn", type=int, default=3072, help="FFN width")
    parser.add_argument("--layers", type=int, default=4, help="mlp: layers")
    parser.add_argument("--seq", default="128", help="sequence length, or ? (dynamic)")
    parser.add_argument("--pattern", default="dense",
                        help="prune the projections: dense, nmN:M or blockBKxBN")
    parser.add_argument("--density", type=float, default=0.25,
                        help="with --pattern=block...: the blocks kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weights", choices=["resource", "inline"], default="resource")
    parser.add_argument("--name", help="the entry point (default: the model)")
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--onnx", help="also write the model as ONNX (torch)")
    args = parser.parse_args()
    if args.model == "encoder" and args.d % args.heads:
        parser.error("--d must be a multiple of --heads")
    if args.seq != "?" and (not args.seq.isdigit() or int(args.seq) < 1):
        parser.error("--seq takes a positive length or ?")
    weights = make_weights(args)
    if args.output == "-":
        write_mlir(args, weights, sys.stdout)
    else:
        with open(args.output, "w") as out:
            write_mlir(args, weights, out)
    if args.onnx:
        write_onnx(args, weights, args.onnx)


if __name__ == "__main__":
    main()
