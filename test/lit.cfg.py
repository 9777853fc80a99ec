# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "sparsec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sparsec_obj_root, "test")
config.excludes = ["Unit", "Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%sparsec_src_root", config.sparsec_src_root))
config.substitutions.append(("%sparsec_obj_root", config.sparsec_obj_root))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(
    ["sparse-opt", "sparse-compile", "sparse-run", "sparsifier-bench",
     "cost-model-bench"], [config.sparsec_tools_dir])
# matmul-bench is built only where oneDNN and OpenBLAS are installed.
if os.path.exists(os.path.join(config.sparsec_tools_dir, "matmul-bench")):
    config.available_features.add("matmul-bench")
    llvm_config.add_tool_substitutions(["matmul-bench"],
                                       [config.sparsec_tools_dir])
config.substitutions.append(("%gen_matmul",
    "python3 " + os.path.join(config.sparsec_src_root, "scripts",
                              "gen_matmul.py")))
# The model generator needs Debian's numpy (scripts/setup.sh installs it).
config.substitutions.append(("%gen_model",
    "/usr/bin/python3 " + os.path.join(config.sparsec_src_root, "examples",
                                       "gen_model.py")))
llvm_config.add_tool_substitutions(
    ["FileCheck", "not", "count", "split-file", "llvm-objdump"],
    [config.llvm_tools_dir])

# AArch64 models run under qemu-user when the cross libc, qemu and the
# AArch64 runtime are there (scripts/setup.sh installs the packages).
aarch64_sysroot = "/usr/aarch64-linux-gnu"
qemu = shutil.which("qemu-aarch64")
if (qemu and os.path.exists(os.path.join(aarch64_sysroot, "lib", "libc.so.6"))
        and os.path.exists(os.path.join(config.sparsec_obj_root, "lib",
                                        "aarch64", "libsparsec_rt.a"))):
    config.available_features.add("aarch64-cross")
    config.substitutions.append(("%aarch64_cc",
        "clang-22 --target=aarch64-linux-gnu -fuse-ld=lld -O1"))
    # SVE code is generated for 256-bit vectors.
    config.substitutions.append(("%qemu_aarch64",
        qemu + " -L " + aarch64_sysroot +
        " -cpu max,sve-default-vector-length=32"))
