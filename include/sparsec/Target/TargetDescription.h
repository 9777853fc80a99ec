//===- TargetDescription.h - built-in and user target descriptions -*- C++ -*-//
//
// A target description is a `#sparsity.target<...>` attribute: vector width,
// registers, caches, cores, roofline numbers and the native kernel table
// with calibrated efficiencies. Built-in ones are named; a user's lives in
// a file holding the attribute's text.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TARGET_TARGETDESCRIPTION_H
#define SPARSEC_TARGET_TARGETDESCRIPTION_H

#include "Sparsity/SparsityAttrs.h"
#include "sparsec/Support/CostModel.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::sparsec {

/// host, x86-64-avx512, znver4, x86-64-avx2, aarch64-neon, aarch64-sve.
ArrayRef<StringRef> builtinTargetNames();

/// The built-in description `name`, or null. `host` is the built-in of the
/// host's vector ISA with the CPU name, features, caches and cores LLVM and
/// the OS report.
sparsity::TargetAttr getBuiltinTarget(MLIRContext *context, StringRef name);

/// A built-in name, or the path of a file holding a `#sparsity.target<...>`.
/// On failure `error` says why (with file:line:col for a malformed file).
FailureOr<sparsity::TargetAttr>
resolveTargetDescription(MLIRContext *context, StringRef nameOrPath,
                         std::string &error);

/// The module's `sparsity.target` attribute (sparse-compile attaches the
/// description it compiles for), or null.
sparsity::TargetAttr findModuleTarget(ModuleOp module);

/// The target a pass works for: the module's `sparsity.target` attribute
/// if present, else `nameOrPath` (the pass's `target` option). Failing, it
/// emits the reason on the module, prefixed with `passName`.
FailureOr<sparsity::TargetAttr> getModuleTarget(ModuleOp module,
                                                StringRef nameOrPath,
                                                StringRef passName);

/// The kernel's calibrated efficiency (0..1], its GEMV one for `gemv` calls
/// (fewer token rows than lanes) where listed; for kernels listed without
/// one, and for the dense fallback when dense is not listed, `fallback`.
double kernelEfficiency(sparsity::KernelAttr kernel, double fallback,
                        bool gemv = false);

/// The dense kernel's share of the peak when the target does not list one.
constexpr double kDefaultDenseEfficiency = 0.9;

/// The cost model's time for `x[m, K] @ W` (W: `shape`, nonzeros where
/// `isNonzero(row * N + col)`) stored in `pattern`, on `target`'s roofline
/// at the efficiency its kernel table lists (what sparsity-legalize
/// compares; the pattern must fit the shape).
::sparsec::cost::Estimate
estimateOnTarget(sparsity::TargetAttr target,
                 sparsity::PatternAttrInterface pattern, Type element,
                 ArrayRef<int64_t> shape, function_ref<bool(int64_t)> isNonzero,
                 int64_t m);
/// The same for a weight whose storage is known but not its values (one
/// assembled at run time): `storage` as `pattern` lays it out.
::sparsec::cost::Estimate
estimateOnTarget(sparsity::TargetAttr target,
                 sparsity::PatternAttrInterface pattern, Type element,
                 ArrayRef<int64_t> shape, sparsity::PackedStorage storage,
                 int64_t m);

} // namespace mlir::sparsec

#endif // SPARSEC_TARGET_TARGETDESCRIPTION_H
