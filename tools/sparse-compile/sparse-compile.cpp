//===- sparse-compile.cpp - compile a model ahead of time -----------------===//
//
//   sparse-compile model.mlir -o model.so [--emit=so|o|s|ll|mlir]
//                  [--target=NAME|FILE] [--sparsity=on|off] [--prune=PATTERN]
//                  [--legalize=false] [--tile=OPTIONS]
//                  [--report=FILE.json]
//                  [--dump-stages=DIR] [--with-reference]
//
// Runs the sparsec pipeline and writes the requested artifact; a shared
// library comes with a C header (model.h) declaring its entry points.
//
//===----------------------------------------------------------------------===//

#include "Progress.h"
#include "Report.h"
#include "StageDumper.h"
#include "sparsec/Pipelines/Pipelines.h"
#include "sparsec/Target/CodeGen.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace mlir;
using namespace mlir::sparsec;
namespace cl = llvm::cl;

static cl::OptionCategory category("sparse-compile options");
static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("path"), cl::Required,
                                       cl::cat(category));
static cl::opt<std::string>
    emitKind("emit",
             cl::desc("What to write: so, o, s, ll or mlir (lowered LLVM "
                      "dialect); default from the output's extension"),
             cl::cat(category));
static cl::opt<std::string> targetName(
    "target",
    cl::desc(
        "host, x86-64-avx512, znver4, x86-64-avx2, aarch64-neon, aarch64-sve, "
        "or a target description file (#sparsity.target<...>)"),
    cl::init("host"), cl::cat(category));
static cl::opt<bool>
    legalize("legalize",
             cl::desc("Choose per matmul a native kernel, a conversion or "
                      "dense (sparsity-legalize); false keeps every declared "
                      "pattern"),
             cl::init(true), cl::cat(category));
static cl::opt<std::string> tileOptions(
    "tile",
    cl::desc("Options of sparsity-tile, which picks each kernel's variant "
             "and blocking, e.g. 'block-over-tokens-from=0 "
             "nm-over-tokens-from=0' (kernels over columns only)"),
    cl::value_desc("options"), cl::cat(category));
static cl::opt<std::string> vectorOptions(
    "vector",
    cl::desc("Options of convert-sparsity-to-vector, which generates the "
             "kernels, e.g. 'cold-weight-bytes=0' (every weight from DRAM)"),
    cl::value_desc("options"), cl::cat(category));
static cl::opt<std::string> sparsityMode(
    "sparsity",
    cl::desc("on (default), or off: the dense build of the same model (every "
             "matmul with a constant weight on the dense kernel), to compare "
             "with"),
    cl::init("on"), cl::cat(category));
static cl::opt<std::string> prunePattern(
    "prune",
    cl::desc("Magnitude-prune every constant matmul weight to this pattern "
             "first (nm<N:M>, block<BKxBN> or csr; changes the model)"),
    cl::value_desc("pattern"), cl::cat(category));
static cl::opt<double> pruneDensity(
    "prune-density",
    cl::desc("Share of blocks (block) or values (csr) --prune keeps"),
    cl::init(0.5), cl::cat(category));
static cl::opt<std::string>
    reportPath("report",
               cl::desc("Write the per-op report (decisions, estimates, "
                        "coverage) as JSON, and print it as a table"),
               cl::value_desc("file.json"), cl::cat(category));
static cl::opt<std::string> dumpDir(
    "dump-stages",
    cl::desc("Write the IR after each pipeline stage to DIR/NN-<stage>.mlir "
             "(then the optimized LLVM IR and, for objects, the assembly)"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool> showProgress(
    "progress",
    cl::desc("Print each step and its time, then the compile time, on "
             "stderr (default: when stderr is a terminal)"),
    cl::cat(category));
static cl::opt<bool> separateWeights(
    "separate-weights",
    cl::desc("Write the model's constant data (packed weights, biases) to "
             "<output>.weights beside the output instead of into it; the "
             "library reads the file from its own directory when loaded"),
    cl::cat(category));
static cl::opt<bool>
    withReference("with-reference",
                  cl::desc("Also compile each entry point's dense reference "
                           "(<name>__reference), for sparse-run --check"),
                  cl::cat(category));

static int fail(const Twine &message) {
  llvm::errs() << "sparse-compile: " << message << "\n";
  return 1;
}

static std::string cType(StringRef dtype) {
  if (dtype == "f32")
    return "float";
  if (dtype == "f64")
    return "double";
  if (dtype == "i32")
    return "int32_t";
  if (dtype == "i64")
    return "int64_t";
  return "void";
}

/// model.h: one prototype per entry point, from the recorded signatures.
static LogicalResult writeHeader(ModuleOp module, StringRef libraryPath,
                                 std::string &error) {
  SmallString<256> path(libraryPath);
  llvm::sys::path::replace_extension(path, "h");
  std::string guard = llvm::sys::path::stem(path).upper() + "_H";
  for (char &c : guard)
    if (!llvm::isAlnum(c))
      c = '_';
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* " << llvm::sys::path::filename(path) << ": entry points of "
     << llvm::sys::path::filename(libraryPath)
     << ", generated by sparse-compile. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    auto signature = func->getAttrOfType<StringAttr>("sparsec.signature");
    if (!signature)
      continue;
    auto json = llvm::json::parse(signature.getValue());
    if (!json) {
      error = llvm::toString(json.takeError());
      return failure();
    }
    const llvm::json::Object &object = *json->getAsObject();
    std::vector<std::string> params, shapes;
    // Dynamic sizes come first: int64_t s0, s1, ...
    int64_t sizes = object.getInteger("size_params").value_or(0);
    for (int64_t p = 0; p < sizes; ++p)
      params.push_back("int64_t s" + std::to_string(p));
    auto add = [&](const llvm::json::Array &list, StringRef prefix,
                   bool isConst) {
      for (auto [i, value] : llvm::enumerate(list)) {
        const llvm::json::Object &arg = *value.getAsObject();
        const llvm::json::Array *sizeParams = arg.getArray("size_params");
        std::string shape;
        for (auto [d, size] : llvm::enumerate(*arg.getArray("shape")))
          shape += "[" +
                   (*size.getAsInteger() < 0
                        ? "s" + std::to_string(*(*sizeParams)[d].getAsInteger())
                        : std::to_string(*size.getAsInteger())) +
                   "]";
        std::string name = (prefix + Twine(i)).str();
        params.push_back((isConst ? "const " : "") +
                         cType(*arg.getString("dtype")) + " *" + name);
        shapes.push_back(name + ": " + arg.getString("dtype")->str() + shape);
      }
    };
    add(*object.getArray("inputs"), "in", true);
    add(*object.getArray("outputs"), "out", false);
    os << "/* " << func.getName() << "(" << llvm::join(shapes, ", ")
       << "), row-major, sizes first, outputs last. */\n"
       << "void " << func.getName() << "(" << llvm::join(params, ", ")
       << ");\n\n";
  }
  os << "/* Every entry point f also as sparsec_call_f(void **args) (sizes\n"
     << "   passed by address). */\n"
     << "/* JSON description of the entry points. */\n"
     << "extern const char sparsec_model_info[];\n"
     << "/* Threads kernels run on (default 1); returns 0 on success. */\n"
     << "int sparsec_set_num_threads(int threads);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  std::string fileError;
  auto file = openOutputFile(path, &fileError);
  if (!file) {
    error = fileError;
    return failure();
  }
  file->os() << text;
  file->keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "sparsec ahead-of-time model compiler\n");

  std::string kind = emitKind;
  if (kind.empty())
    kind = llvm::sys::path::extension(outputPath).drop_front().str();
  if (!llvm::is_contained({"so", "o", "s", "ll", "mlir"}, kind))
    return fail("cannot tell what to emit for '" + outputPath +
                "'; use --emit=so|o|s|ll|mlir");

  std::string error;
  DialectRegistry registry;
  registerPipelineDialects(registry);
  MLIRContext context(registry);
  // Diagnostics name the op by its location; a dump of it is noise to users.
  context.printOpOnDiagnostic(false);

  FailureOr<sparsity::TargetAttr> description =
      resolveTargetDescription(&context, targetName, error);
  if (failed(description))
    return fail(error);
  // Objects need an LLVM target; the MLIR output does not.
  FailureOr<MachineTarget> target =
      machineTargetFor(*description, targetName, error);
  if (failed(target) && kind != "mlir")
    return fail(error);

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // Legalization remarks go to the report (--report), not the terminal.
  ScopedDiagnosticHandler dropRemarks(&context, [](Diagnostic &diag) {
    return success(diag.getSeverity() == DiagnosticSeverity::Remark);
  });
  std::string inputError;
  auto input = openInputFile(inputPath, &inputError);
  if (!input)
    return fail(inputError);
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  if (sparsityMode != "on" && sparsityMode != "off")
    return fail("--sparsity takes on or off, got '" + sparsityMode + "'");
  PipelineOptions pipeline;
  pipeline.legalize = legalize;
  pipeline.sparsity = sparsityMode == "on";
  pipeline.tileOptions = tileOptions;
  pipeline.vectorOptions = vectorOptions;
  if (!prunePattern.empty())
    pipeline.pruneOptions = "pattern=" + prunePattern +
                            " density=" + std::to_string(pruneDensity);
  std::vector<PipelineStage> stages = getPipelineStages(pipeline);
  int backendSteps = kind == "mlir" ? 0 : kind == "ll" ? 1 : kind == "so" ? 3 : 2;
  Progress progress(showProgress || llvm::errs().is_displayed(),
                    1 + stages.size() + backendSteps);
  progress.begin("parse");
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  progress.end();
  // A library with nothing to call is almost certainly not what was meant.
  if (llvm::none_of(module->getOps<func::FuncOp>(), [](func::FuncOp func) {
        return func.isPublic() && !func.isExternal();
      }))
    llvm::errs() << "sparse-compile: warning: " << inputPath
                 << " defines no public function: the output has no entry "
                    "point\n";

  if (withReference && failed(addDenseReferences(*module)))
    return 1;

  // Every stage that needs the target finds it on the module.
  (*module)->setAttr("sparsity.target", *description);
  StageDumper dump(dumpDir);
  if (failed(dump.open(error)) || failed(dump.write("input", *module, error)))
    return fail(error);
  for (const PipelineStage &stage : stages) {
    PassManager pm(&context);
    progress.begin(stage.name);
    if (failed(stage.addPasses(pm)) || failed(pm.run(*module)))
      return 1;
    progress.end();
    if (failed(dump.write(stage.name, *module, error)))
      return fail(error);
    // The report reads the decisions (or declared patterns) before packing
    // rewrites the weights; tiling always runs, after legalization.
    if (stage.name == "tile" && !reportPath.empty() &&
        failed(writeReport(*module, *description, reportPath, error)))
      return fail(error);
  }

  if (separateWeights) {
    SmallString<256> weightsPath(outputPath);
    llvm::sys::path::replace_extension(weightsPath, "weights");
    PassManager pm(&context);
    SparsitySeparateWeightsOptions options;
    options.path = weightsPath.str().str();
    pm.addPass(createSparsitySeparateWeights(options));
    if (failed(pm.run(*module)))
      return 1;
  }

  if (kind == "mlir") {
    auto out = openOutputFile(outputPath, &error);
    if (!out)
      return fail(error);
    module->print(out->os());
    out->keep();
    progress.finish(outputPath);
    return 0;
  }

  auto machine = createTargetMachine(*target, error);
  if (!machine)
    return fail(error);
  llvm::LLVMContext llvmContext;
  progress.begin("optimize");
  auto llvmModule = translateAndOptimize(*module, llvmContext, *machine,
                                         *target, error);
  if (!llvmModule)
    return fail(error);
  progress.end();
  if (failed(dump.write(
          "llvm-ir", "ll",
          [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); },
          error)))
    return fail(error);
  if (dump.enabled() && kind != "ll" &&
      // Code generation rewrites the module it runs on: dump from a copy.
      failed(emitMachineCode(*llvm::CloneModule(*llvmModule), *machine,
                             llvm::CodeGenFileType::AssemblyFile,
                             dump.nextPath("assembly", "s"), error)))
    return fail(error);

  if (kind == "ll") {
    auto out = openOutputFile(outputPath, &error);
    if (!out)
      return fail(error);
    llvmModule->print(out->os(), nullptr);
    out->keep();
    progress.finish(outputPath);
    return 0;
  }
  progress.begin("codegen");
  if (kind == "s" || kind == "o") {
    auto type = kind == "s" ? llvm::CodeGenFileType::AssemblyFile
                            : llvm::CodeGenFileType::ObjectFile;
    if (failed(
            emitMachineCode(*llvmModule, *machine, type, outputPath, error)))
      return fail(error);
    progress.end();
    progress.finish(outputPath);
    return 0;
  }

  SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("sparsec", "o", object))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(object);
  if (failed(emitMachineCode(*llvmModule, *machine,
                             llvm::CodeGenFileType::ObjectFile, object,
                             error)))
    return fail(error);
  progress.end();
  progress.begin("link");
  if (failed(linkSharedLibrary(object, outputPath, *target, error)) ||
      failed(writeHeader(*module, outputPath, error)))
    return fail(error);
  progress.end();
  progress.finish(outputPath);
  return 0;
}
