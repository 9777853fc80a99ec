//===- CodeGen.h - LLVM IR, objects and shared libraries --------*- C++ -*-===//

#ifndef SPARSEC_TARGET_CODEGEN_H
#define SPARSEC_TARGET_CODEGEN_H

#include "Sparsity/SparsityAttrs.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace mlir::sparsec {

/// A CPU to generate code for.
struct MachineTarget {
  std::string name, triple, cpu, features;
  unsigned vectorBits = 0, vectorRegisters = 0;
};

/// The LLVM target of a target description. Fails for targets sparsec
/// cannot generate machine code for yet (AArch64).
FailureOr<MachineTarget> machineTargetFor(sparsity::TargetAttr target,
                                          StringRef name, std::string &error);

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const MachineTarget &target, std::string &error);

/// LLVM-dialect module -> LLVM IR for `machine`, optimized at O3.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &machine,
                                                   std::string &error);

/// Writes assembly or an object file.
LogicalResult emitMachineCode(llvm::Module &module,
                              llvm::TargetMachine &machine,
                              llvm::CodeGenFileType type, StringRef path,
                              std::string &error);

/// Links an object with the sparsec runtime into a shared library that
/// needs only libc, libm and libpthread.
LogicalResult linkSharedLibrary(StringRef object, StringRef output,
                                std::string &error);

} // namespace mlir::sparsec

#endif // SPARSEC_TARGET_CODEGEN_H
