//===- CodeGen.h - LLVM IR, objects and shared libraries --------*- C++ -*-===//

#ifndef SPARSEC_TARGET_CODEGEN_H
#define SPARSEC_TARGET_CODEGEN_H

#include "Sparsity/SparsityAttrs.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>
#include <string>

namespace mlir::sparsec {

/// A CPU to generate code for.
struct MachineTarget {
  std::string name, triple, cpu, features;
  unsigned vectorBits = 0, vectorRegisters = 0;
  /// SVE vector length the code may assume (0: not SVE).
  unsigned sveVectorBits = 0;

  bool isAArch64() const { return llvm::Triple(triple).isAArch64(); }
};

/// The LLVM target (triple, CPU, features) of a target description.
FailureOr<MachineTarget> machineTargetFor(sparsity::TargetAttr target,
                                          StringRef name, std::string &error);

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const MachineTarget &target, std::string &error);

/// LLVM-dialect module -> LLVM IR for `machine`, optimized at O3.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &machine,
                                                   const MachineTarget &target,
                                                   std::string &error);

/// Writes assembly or an object file.
LogicalResult emitMachineCode(llvm::Module &module,
                              llvm::TargetMachine &machine,
                              llvm::CodeGenFileType type, StringRef path,
                              std::string &error);

/// Links an object with the sparsec runtime (built for `target`) into a
/// shared library that needs only libc, libm and libpthread.
LogicalResult linkSharedLibrary(StringRef object, StringRef output,
                                const MachineTarget &target,
                                std::string &error);

} // namespace mlir::sparsec

#endif // SPARSEC_TARGET_CODEGEN_H
