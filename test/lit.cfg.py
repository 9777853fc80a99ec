# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "sparsec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sparsec_obj_root, "test")
config.excludes = ["Unit", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%sparsec_src_root", config.sparsec_src_root))
config.substitutions.append(("%sparsec_obj_root", config.sparsec_obj_root))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(
    ["sparse-opt", "sparse-compile", "sparse-run"], [config.sparsec_tools_dir])
config.substitutions.append(("%gen_matmul",
    "python3 " + os.path.join(config.sparsec_src_root, "scripts",
                              "gen_matmul.py")))
llvm_config.add_tool_substitutions(
    ["FileCheck", "not", "count", "split-file"], [config.llvm_tools_dir])
