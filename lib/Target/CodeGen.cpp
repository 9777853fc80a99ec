//===- CodeGen.cpp - LLVM IR, objects and shared libraries ----------------===//

#include "sparsec/Target/CodeGen.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::sparsec;

FailureOr<MachineTarget>
mlir::sparsec::machineTargetFor(sparsity::TargetAttr target, StringRef name,
                                std::string &error) {
  if (target.getIsa() != sparsity::ISA::x86_64) {
    error = "machine code for " +
            sparsity::stringifyISA(target.getIsa()).str() +
            " is not generated yet (target '" + name.str() +
            "'): legalization and --emit=mlir work, objects do not";
    return failure();
  }
  MachineTarget machine;
  machine.name = name.str();
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  machine.triple = host.isX86() ? host.str() : "x86_64-unknown-linux-gnu";
  machine.cpu = target.getCpu().str();
  machine.features = target.getFeatures().str();
  machine.vectorBits = target.getMaxVectorOpWidth();
  machine.vectorRegisters = target.getVectorRegisters();
  return machine;
}

std::unique_ptr<llvm::TargetMachine>
mlir::sparsec::createTargetMachine(const MachineTarget &target,
                                   std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, options, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

std::unique_ptr<llvm::Module>
mlir::sparsec::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                                    llvm::TargetMachine &machine,
                                    std::string &error) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule) {
    error = "cannot translate the module to LLVM IR";
    return nullptr;
  }
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  // Every function is for this CPU: the kernels' intrinsics need its features.
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", machine.getTargetCPU());
    f.addFnAttr("target-features", machine.getTargetFeatureString());
  }
  auto optimize = makeOptimizingTransformer(3, 0, &machine);
  if (llvm::Error err = optimize(llvmModule.get())) {
    error = llvm::toString(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

LogicalResult mlir::sparsec::emitMachineCode(llvm::Module &module,
                                             llvm::TargetMachine &machine,
                                             llvm::CodeGenFileType type,
                                             StringRef path,
                                             std::string &error) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + path.str() + ": " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, out.os(), nullptr, type)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  out.keep();
  return success();
}

/// The runtime archive: beside the tool (../lib) or where the build put it.
static std::string findRuntimeLibrary() {
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  SmallString<256> candidate(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(candidate, "..", "lib", "libsparsec_rt.a");
  if (llvm::sys::fs::exists(candidate))
    return candidate.str().str();
  return SPARSEC_RUNTIME_LIBRARY;
}

LogicalResult mlir::sparsec::linkSharedLibrary(StringRef object,
                                               StringRef output,
                                               std::string &error) {
  auto linker = llvm::sys::findProgramByName("clang-22");
  if (!linker)
    linker = llvm::sys::findProgramByName("cc");
  if (!linker) {
    error = "no linker driver found (clang-22 or cc)";
    return failure();
  }
  std::string runtime = findRuntimeLibrary();
  // The whole runtime: its API (sparsec_set_num_threads, ...) is part of
  // every model library, used by the model's code or not.
  SmallVector<StringRef> args = {*linker,
                                 "-shared",
                                 "-o",
                                 output,
                                 object,
                                 "-Wl,--whole-archive",
                                 runtime,
                                 "-Wl,--no-whole-archive",
                                 "-lm",
                                 "-lpthread",
                                 "-Wl,-z,noexecstack",
                                 "-Wl,--no-undefined"};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    error = "linking " + output.str() + " failed" +
            (message.empty() ? "" : ": " + message);
    return failure();
  }
  return success();
}
