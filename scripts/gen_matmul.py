#!/usr/bin/env python3
"""Writes an MLIR module of sparsity.matmul entry points with random weights
pruned to a pattern, one entry per (M, K, N) shape: the inputs of the
integration tests and the demo. The weights are random (seeded), not
trained: they exercise the kernels, not a model.

Weights are constants (packed at compile time); epilogues and bias rotate
over the entries. Odd shapes are the point: M = 1, 3, 17; K and N that are
not multiples of the vector width, of M in N:M, or of the block shape.

With --chain, one entry point instead runs layers one after another (a
mixed model: some sparse, some dense), e.g.
  --chain=dense:768x768,nm2:4:768x3072,csr:3072x768 --ms=128
"""
import argparse
import random
import struct


def weight(pattern, k, n, density, rng):
    w = [[0.0] * n for _ in range(k)]
    value = lambda: rng.uniform(-1.0, 1.0)
    if pattern == "dense":
        for r in range(k):
            for c in range(n):
                w[r][c] = value()
    elif pattern.startswith("nm"):
        keep, m = map(int, pattern[2:].split(":"))
        for c in range(n):
            for g in range(0, k, m):
                rows = list(range(g, min(k, g + m)))
                rng.shuffle(rows)
                for r in rows[: min(len(rows), keep - rng.randrange(2))]:
                    w[r][c] = value()
    elif pattern.startswith("block"):
        bk, bn = map(int, pattern[5:].split("x"))
        for r0 in range(0, k, bk):
            for c0 in range(0, n, bn):
                if rng.random() < density:
                    for r in range(r0, min(k, r0 + bk)):
                        for c in range(c0, min(n, c0 + bn)):
                            w[r][c] = value() if rng.random() < 0.9 else 0.0
    elif pattern == "csr":
        for r in range(k):
            for c in range(n):
                if rng.random() < density:
                    w[r][c] = value()
    else:
        raise SystemExit("unknown pattern " + pattern)
    return w


def attr(pattern):
    if pattern.startswith("nm"):
        return "#sparsity.nm<%s>" % pattern[2:]
    if pattern.startswith("block"):
        return "#sparsity.block<%s>" % pattern[5:]
    return "#sparsity." + pattern


def hex_tensor(rows):
    data = b"".join(struct.pack("<f", x) for row in rows for x in row)
    return '"0x' + data.hex().upper() + '"'


ACTIVATIONS = {
    "relu": ["%s = arith.maximumf %in, %zero : f32"],
    "gelu": ["%h = arith.constant 0.5 : f32",
             "%c = arith.constant 0.707106769 : f32",
             "%one = arith.constant 1.0 : f32",
             "%a = arith.mulf %in, %c : f32",
             "%e = math.erf %a : f32",
             "%p = arith.addf %e, %one : f32",
             "%q = arith.mulf %in, %h : f32",
             "%s = arith.mulf %q, %p : f32"],
    "silu": ["%one = arith.constant 1.0 : f32",
             "%n = arith.negf %in : f32",
             "%e = math.exp %n : f32",
             "%d = arith.addf %one, %e : f32",
             "%s = arith.divf %in, %d : f32"],
}


def linalg_layer(i, x, w, m, k, n, activation, rng, weights_nk=False):
    """y = activation(x @ w + b) as linalg ops; returns y's SSA name."""
    b = [[rng.uniform(-1.0, 1.0) for _ in range(n)]]
    t = "tensor<%dx%dxf32>" % (m, n)
    if weights_nk:
        wt = [[w[r][c] for r in range(k)] for c in range(n)]
        print("  %%w%d = arith.constant dense<%s> : tensor<%dx%dxf32>"
              % (i, hex_tensor(wt), n, k))
    else:
        print("  %%w%d = arith.constant dense<%s> : tensor<%dx%dxf32>"
              % (i, hex_tensor(w), k, n))
    print("  %%b%d = arith.constant dense<%s> : tensor<%dxf32>"
          % (i, hex_tensor(b), n))
    print("  %%e%d = tensor.empty() : %s" % (i, t))
    print("  %%z%d = linalg.fill ins(%%zero : f32) outs(%%e%d : %s) -> %s"
          % (i, i, t, t))
    if weights_nk:
        print("  %%mm%d = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2)"
              " -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, "
              "affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%s, %%w%d : "
              "tensor<%dx%dxf32>, tensor<%dx%dxf32>) outs(%%z%d : %s) -> %s"
              % (i, x, i, m, k, n, k, i, t, t))
    else:
        print("  %%mm%d = linalg.matmul ins(%s, %%w%d : tensor<%dx%dxf32>, "
              "tensor<%dx%dxf32>) outs(%%z%d : %s) -> %s"
              % (i, x, i, m, k, k, n, i, t, t))
    maps = ("indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, "
            "affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], "
            "iterator_types = [\"parallel\", \"parallel\"]")
    print("  %%a%d = linalg.generic {%s} ins(%%mm%d, %%b%d : %s, tensor<%dxf32>) "
          "outs(%%e%d : %s) {" % (i, maps, i, i, t, n, i, t))
    print("  ^bb0(%in: f32, %bias: f32, %out: f32):")
    print("    %s = arith.addf %in, %bias : f32")
    print("    linalg.yield %s : f32")
    print("  } -> %s" % t)
    if not activation:
        return "%%a%d" % i
    maps = ("indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, "
            "affine_map<(d0, d1) -> (d0, d1)>], "
            "iterator_types = [\"parallel\", \"parallel\"]")
    print("  %%r%d = linalg.generic {%s} ins(%%a%d : %s) outs(%%e%d : %s) {"
          % (i, maps, i, t, i, t))
    print("  ^bb0(%in: f32, %out: f32):")
    for line in ACTIVATIONS[activation]:
        print("    " + line)
    print("    linalg.yield %s : f32")
    print("  } -> %s" % t)
    return "%%r%d" % i


def chain(args, m, rng):
    layers = []
    for layer in args.chain.split(","):
        pattern, shape = layer.rsplit(":", 1)
        k, n = map(int, shape.split("x"))
        if layers and layers[-1][2] != k:
            raise SystemExit("layer %s: K must be %d" % (layer, layers[-1][2]))
        layers.append((pattern, k, n))
    k0, n_last = layers[0][1], layers[-1][2]
    print("func.func @%s_%d(%%x: tensor<%dx%dxf32>) -> tensor<%dx%dxf32> {"
          % (args.name, m, m, k0, m, n_last))
    if args.form == "linalg":
        print("  %zero = arith.constant 0.0 : f32")
    value = "%x"
    for i, (pattern, k, n) in enumerate(layers):
        w = weight(pattern, k, n, args.density, rng)
        if args.form == "linalg":
            activation = args.activation if i + 1 < len(layers) else None
            value = linalg_layer(i, value, w, m, k, n, activation, rng,
                                 args.weights_nk)
            continue
        ptype = "!sparsity.packed<%dx%dxf32, %s>" % (k, n, attr(pattern))
        # ReLU between layers keeps values bounded; the last is plain.
        epilogue = " epilogue relu" if i + 1 < len(layers) else ""
        print("  %%w%d = arith.constant dense<%s> : tensor<%dx%dxf32>"
              % (i, hex_tensor(w), k, n))
        print("  %%p%d = sparsity.pack %%w%d : tensor<%dx%dxf32> -> %s"
              % (i, i, k, n, ptype))
        print("  %%y%d = sparsity.matmul %s, %%p%d%s : tensor<%dx%dxf32>, %s "
              "-> tensor<%dx%dxf32>" % (i, value, i, epilogue, m, k, ptype, m, n))
        value = "%%y%d" % i
    print("  return %s : tensor<%dx%dxf32>" % (value, m, n_last))
    print("}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pattern", help="the weights' pattern (not with --chain)")
    parser.add_argument("--density", type=float, default=0.3)
    parser.add_argument("--ms", default="1,3,17,64")
    parser.add_argument("--shapes", default="16x16,33x50,64x100,100x17")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default="mm", help="entry name prefix")
    parser.add_argument("--epilogues", default="none,relu,gelu,gelu_tanh,silu")
    parser.add_argument("--bias", choices=["alternate", "always", "never"],
                        default="alternate")
    parser.add_argument("--chain", help="pattern:KxN,... layers of one "
                        "entry point (K of each = N of the one before)")
    parser.add_argument("--form", choices=["sparsity", "linalg"],
                        default="sparsity", help="with --chain: sparsity "
                        "ops, or the linalg graph a framework would export "
                        "(matmul, bias add and activation as linalg.generic)")
    parser.add_argument("--weights-nk", action="store_true",
                        help="with --form=linalg: weights stored N x K and "
                        "multiplied by a transposed-B linalg.matmul")
    parser.add_argument("--activation", choices=["relu", "gelu", "silu"],
                        default="relu", help="with --form=linalg: between "
                        "layers")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.chain:
        print("// Generated by gen_matmul.py %s" % " ".join(
            "--%s=%s" % kv for kv in sorted(vars(args).items()) if kv[1]))
        for m in map(int, args.ms.split(",")):
            chain(args, m, rng)
        return
    if not args.pattern:
        parser.error("one of --pattern and --chain is required")
    epilogues = args.epilogues.split(",")
    packed = attr(args.pattern)
    print("// Generated by gen_matmul.py %s" % " ".join(
        "--%s=%s" % kv for kv in sorted(vars(args).items())))
    index = 0
    for shape in args.shapes.split(","):
        k, n = map(int, shape.split("x"))
        w = weight(args.pattern, k, n, args.density, rng)
        for m in map(int, args.ms.split(",")):
            epilogue = epilogues[index % len(epilogues)]
            bias = {"alternate": index % 2 == 1, "always": True,
                    "never": False}[args.bias]
            index += 1
            ptype = "!sparsity.packed<%dx%dxf32, %s>" % (k, n, packed)
            name = "%s_%dx%dx%d" % (args.name, m, k, n)
            params = "%%x: tensor<%dx%dxf32>" % (m, k)
            if bias:
                params += ", %%b: tensor<%dxf32>" % n
            print("func.func @%s(%s) -> tensor<%dx%dxf32> {" % (name, params, m, n))
            print("  %%w = arith.constant dense<%s> : tensor<%dx%dxf32>" % (hex_tensor(w), k, n))
            print("  %%p = sparsity.pack %%w : tensor<%dx%dxf32> -> %s" % (k, n, ptype))
            extra = (" bias %b" if bias else "") + (
                " epilogue " + epilogue if epilogue != "none" else "")
            types = "tensor<%dx%dxf32>, %s" % (m, k, ptype)
            if bias:
                types += ", tensor<%dxf32>" % n
            print("  %%y = sparsity.matmul %%x, %%p%s : %s -> tensor<%dx%dxf32>" % (extra, types, m, n))
            print("  return %%y : tensor<%dx%dxf32>" % (m, n))
            print("}")


if __name__ == "__main__":
    main()
