# -*- Python -*-
# GoogleTest suites, run through lit so one command reports every test.
import os

import lit.formats

config.name = "sparsec-unit"
config.suffixes = []
config.test_source_root = os.path.join(config.sparsec_obj_root, "test", "Unit")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
