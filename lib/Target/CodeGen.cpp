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
mlir::sparsec::resolveMachineTarget(StringRef name, std::string &error) {
  MachineTarget target;
  target.name = name.str();
  target.triple = llvm::sys::getDefaultTargetTriple();
  if (name == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    std::vector<std::string> features;
    auto hostFeatures = llvm::sys::getHostCPUFeatures();
    for (auto &feature : hostFeatures)
      features.push_back((feature.second ? "+" : "-") + feature.first().str());
    target.features = llvm::join(features, ",");
    if (hostFeatures.lookup("avx512f"))
      target.vectorBits = 512, target.vectorRegisters = 32;
    else if (hostFeatures.lookup("avx2"))
      target.vectorBits = 256, target.vectorRegisters = 16;
    else {
      error = "the host CPU has neither AVX-512 nor AVX2";
      return failure();
    }
  } else if (name == "x86-64-avx512") {
    target.cpu = "x86-64-v4";
    target.vectorBits = 512, target.vectorRegisters = 32;
  } else if (name == "x86-64-avx2") {
    target.cpu = "x86-64-v3";
    target.vectorBits = 256, target.vectorRegisters = 16;
  } else {
    error = "unknown target '" + name.str() +
            "' (expected host, x86-64-avx512 or x86-64-avx2)";
    return failure();
  }
  return target;
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
