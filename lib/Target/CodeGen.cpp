//===- CodeGen.cpp - LLVM IR, objects and shared libraries ----------------===//

#include "sparsec/Target/CodeGen.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
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
  MachineTarget machine;
  machine.name = name.str();
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  switch (target.getIsa()) {
  case sparsity::ISA::x86_64:
    machine.triple = host.isX86() ? host.str() : "x86_64-unknown-linux-gnu";
    break;
  case sparsity::ISA::aarch64:
    machine.triple =
        host.isAArch64() ? host.str() : "aarch64-unknown-linux-gnu";
    break;
  }
  machine.cpu = target.getCpu().str();
  machine.features = target.getFeatures().str();
  machine.vectorBits = target.getMaxVectorOpWidth();
  machine.vectorRegisters = target.getVectorRegisters();
  // Kernels use fixed-length vectors; SVE runs them in its registers when
  // the vector length is known (vscale_range), else they split into NEON.
  if (target.getIsa() == sparsity::ISA::aarch64 &&
      llvm::is_contained(llvm::split(machine.features, ','), "+sve") &&
      machine.vectorBits > 128)
    machine.sveVectorBits = machine.vectorBits;
  return machine;
}

std::unique_ptr<llvm::TargetMachine>
mlir::sparsec::createTargetMachine(const MachineTarget &target,
                                   std::string &error) {
  // Cross-compiling needs every target, not just the host's.
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
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

/// LLVM's O3 pipeline without the SLP vectorizer. The kernels arrive
/// vectorized; what SLP finds left is scalar address arithmetic, and there
/// it hurt: it packed the N:M token kernel's per-value index decoding into
/// vectors (vpmullq, then lane extracts to address each load), and 4:16 and
/// 2:16 at M = 128 ran 1.16-1.45x slower with it (matmul-bench on Zen 4).
static void optimize(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = true;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = false;
  llvm::PassBuilder builder(&machine, tuning);
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgsccs;
  llvm::ModuleAnalysisManager modules;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3)
      .run(module, modules);
}

std::unique_ptr<llvm::Module>
mlir::sparsec::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                                    llvm::TargetMachine &machine,
                                    const MachineTarget &target,
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
    if (target.sveVectorBits) {
      unsigned vscale = target.sveVectorBits / 128;
      f.addFnAttr(
          llvm::Attribute::getWithVScaleRangeArgs(context, vscale, vscale));
    }
  }
  optimize(*llvmModule, machine);
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

/// The runtime archive for `target`: beside the tool (../lib) or where the
/// build put it; AArch64's in an `aarch64` subdirectory. Empty if missing.
static std::string findRuntimeLibrary(const MachineTarget &target) {
  StringRef subdir = target.isAArch64() ? "aarch64" : "";
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  SmallString<256> beside(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(beside, "..", "lib", subdir, "libsparsec_rt.a");
  SmallString<256> built(llvm::sys::path::parent_path(SPARSEC_RUNTIME_LIBRARY));
  llvm::sys::path::append(built, subdir, "libsparsec_rt.a");
  for (StringRef candidate : {beside.str(), built.str()})
    if (llvm::sys::fs::exists(candidate))
      return candidate.str();
  return "";
}

/// Whether `target` is the machine sparse-compile runs on.
static bool isNative(const MachineTarget &target) {
  return llvm::Triple(target.triple).getArch() ==
         llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
}

LogicalResult mlir::sparsec::linkSharedLibrary(StringRef object,
                                               StringRef output,
                                               const MachineTarget &target,
                                               std::string &error) {
  auto linker = llvm::sys::findProgramByName("clang-22");
  if (!linker && isNative(target))
    linker = llvm::sys::findProgramByName("cc");
  if (!linker) {
    error = "no linker driver found (clang-22" +
            std::string(isNative(target) ? " or cc)" : ")");
    return failure();
  }
  std::string runtime = findRuntimeLibrary(target);
  if (runtime.empty()) {
    error = "no sparsec runtime for " + target.triple +
            (target.isAArch64()
                 ? " (lib/aarch64/libsparsec_rt.a is built when "
                   "libc6-dev-arm64-cross is installed; or emit an object "
                   "with --emit=o)"
                 : "");
    return failure();
  }
  std::string triple = "--target=" + target.triple;
  // The whole runtime: its API (sparsec_set_num_threads, ...) is part of
  // every model library, used by the model's code or not.
  SmallVector<StringRef> args = {*linker, "-shared", "-o", output, object,
                                 "-Wl,--whole-archive", runtime,
                                 "-Wl,--no-whole-archive", "-lm", "-lpthread",
                                 "-Wl,-z,noexecstack", "-Wl,--no-undefined"};
  if (!isNative(target))
    args.append({triple, "-fuse-ld=lld"});
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
