//===- sparse-run.cpp - run, check and time a compiled model --------------===//
//
//   sparse-run model.so [--entry=NAME] [--check] [--num-threads=N]
//              [--warmup=W] [--repetitions=R] [--seed=S] [--profile] [--json]
//              [--compare=dense.so] [--sizes=S0,S1,...]
//              [--inputs=a.npy,...] [--outputs=out.npy,...]
//
// Loads a library written by sparse-compile, reads its entry points from
// `sparsec_model_info`, feeds them seeded random inputs (or arrays from
// files, --inputs), writes their results (--outputs), optionally compares
// each with its dense reference (`NAME__reference`, compiled in with
// --with-reference), and times them: median, p95 and min over repetitions
// after warm-up. With --profile, the timed runs also measure each op's
// kernel time and the share of the run time spent in sparse kernels.
//
//===----------------------------------------------------------------------===//

#include "ArgumentFiles.h"
#include "Compare.h"
#include "Model.h"
#include "Profile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cl = llvm::cl;
using namespace sparsec;

static cl::OptionCategory category("sparse-run options");
static cl::opt<std::string> libraryPath(cl::Positional, cl::desc("<model.so>"),
                                        cl::Required, cl::cat(category));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Entry point to run (default: all but references)"),
              cl::cat(category));
static cl::opt<bool>
    check("check",
          cl::desc("Compare with the dense reference; fail on mismatch"),
          cl::cat(category));
static cl::opt<double> tolerance(
    "tolerance",
    cl::desc("Largest allowed |out - ref| relative to max |ref| (--check)"),
    cl::init(1e-4), cl::cat(category));
// (libLLVM already owns a global "threads" option.)
static cl::opt<int> threads("num-threads", cl::desc("Threads (default 1)"),
                            cl::init(1), cl::cat(category));
static cl::opt<int> warmup("warmup", cl::desc("Untimed runs first"),
                           cl::init(3), cl::cat(category));
static cl::opt<int> repetitions("repetitions", cl::desc("Timed runs"),
                                cl::init(20), cl::cat(category));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of the random inputs"),
                              cl::init(1), cl::cat(category));
static cl::opt<bool> jsonOutput("json", cl::desc("Print results as JSON"),
                                cl::cat(category));
static cl::opt<std::string> compareWith(
    "compare",
    cl::desc("The dense build of the same model (sparse-compile "
             "--sparsity=off): run both on the same inputs and print error, "
             "latency, tokens/s, weight bytes, coverage and measured vs "
             "Amdahl-predicted speedup side by side"),
    cl::value_desc("dense.so"), cl::cat(category));
static cl::list<int64_t> sizeValues(
    "sizes",
    cl::desc("Values of the entry points' dynamic sizes (size parameters s0, "
             "s1, ...; e.g. the sequence length), default 64 each"),
    cl::value_desc("S0,S1,..."), cl::CommaSeparated, cl::cat(category));
static cl::list<std::string> inputFiles(
    "inputs",
    cl::desc("Read the entry point's inputs from files, one per input in "
             "order, in place of random ones: NumPy .npy (float32 or "
             "float64; the shape is checked and gives the dynamic sizes "
             "--sizes does not) or raw little-endian float32"),
    cl::value_desc("a.npy,..."), cl::CommaSeparated, cl::cat(category));
static cl::list<std::string> outputFiles(
    "outputs",
    cl::desc("Write the entry point's results (of its first run) to files, "
             "one per output: .npy where the name ends so, raw float32 "
             "otherwise"),
    cl::value_desc("out.npy,..."), cl::CommaSeparated, cl::cat(category));
static cl::opt<unsigned> bufferOffset(
    "buffer-offset",
    cl::desc("Start every argument buffer this many bytes past a cache line "
             "(a multiple of 4 below 64; default 0). Kernels take whatever "
             "the caller has: 16 is what a plain malloc may give"),
    cl::init(0), cl::cat(category));
static cl::opt<bool> profileOps(
    "profile",
    cl::desc("Time each op's kernels during the timed runs and print their "
             "share of the run time and the measured sparse-kernel coverage"),
    cl::cat(category));

namespace {

/// More pool threads than CPUs this process may run on is allowed (the
/// results are the same), but the threads then take turns on the cores:
/// the timings say little about the kernels.
void warnIfOversubscribed(int threads) {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0)
    return;
  int available = CPU_COUNT(&cpus);
  if (threads > available)
    llvm::errs() << "sparse-run: warning: " << threads << " threads on "
                 << available
                 << " CPUs: they take turns on the cores, so the timings do "
                    "not show what the model runs at\n";
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "sparse-run: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "run and time a sparsec model\n");
  if (repetitions < 1)
    return fail("--repetitions must be at least 1, got " +
                llvm::Twine(repetitions.getValue()));
  if (warmup < 0)
    return fail("--warmup cannot be negative, got " +
                llvm::Twine(warmup.getValue()));
  if (!(tolerance >= 0))
    return fail("--tolerance must be a non-negative number");
  if (bufferOffset % sizeof(float) != 0 || bufferOffset >= 64)
    return fail("--buffer-offset must be a multiple of 4 below 64, got " +
                llvm::Twine(bufferOffset.getValue()));
  for (int64_t size : sizeValues)
    if (size < 1)
      return fail("--sizes must be positive, got " + llvm::Twine(size));
  size_t offsetFloats = bufferOffset / sizeof(float);

  // A bare file name means this directory, not the library search path.
  std::string path = libraryPath;
  if (path.find('/') == std::string::npos)
    path = "./" + path;
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return fail(llvm::Twine("cannot load ") + libraryPath + ": " + dlerror());
  // A library built with --separate-weights read its weights file when
  // loaded: running without them would compute garbage.
  if (auto weightsError = reinterpret_cast<const char *(*)()>(
          dlsym(library, "sparsec_weights_error")))
    if (const char *message = weightsError())
      return fail(libraryPath + ": " + message);
  auto *info = static_cast<const char *>(dlsym(library, "sparsec_model_info"));
  if (!info)
    return fail(libraryPath +
                " is not a sparsec model (no sparsec_model_info)");
  auto setThreads =
      reinterpret_cast<int (*)(int)>(dlsym(library, "sparsec_set_num_threads"));
  if (!setThreads || setThreads(threads) != 0)
    return fail("cannot use " + llvm::Twine(threads.getValue()) + " threads");
  warnIfOversubscribed(threads);

  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(info);
  if (!parsed)
    return fail("corrupt model info: " + llvm::toString(parsed.takeError()));
  const llvm::json::Array *entries = parsed->getAsArray();
  if (!entries)
    return fail("corrupt model info: expected a list of entry points");

  std::vector<const llvm::json::Object *> chosen;
  std::vector<std::string> available, chosenNames;
  for (const llvm::json::Value &value : *entries) {
    const llvm::json::Object *object = value.getAsObject();
    if (!object || !object->getString("name"))
      return fail("corrupt model info: entry without a name");
    llvm::StringRef name = *object->getString("name");
    available.push_back(name.str());
    bool isReference = name.ends_with("__reference");
    if (entryName.empty() ? isReference : name != entryName)
      continue;
    chosen.push_back(object);
    chosenNames.push_back(name.str());
  }
  if (available.empty())
    return fail(libraryPath + " has no entry point");
  if (chosen.empty())
    return fail("no entry point '" + entryName +
                "'; the library has: " + llvm::join(available, ", "));
  bool withFiles = !inputFiles.empty() || !outputFiles.empty();
  if (withFiles && chosen.size() != 1)
    return fail("--inputs and --outputs are for one entry point; choose one "
                "of " +
                llvm::join(chosenNames, ", ") + " with --entry");
  std::vector<FloatArray> inputArrays(inputFiles.size());
  for (auto [path, array] : llvm::zip(inputFiles, inputArrays)) {
    std::string error;
    if (!readFloatArray(path, array, error))
      return fail(error);
  }

  std::vector<Entry> selected;
  bool usesSizes = false;
  for (const llvm::json::Object *object : chosen) {
    Entry entry;
    entry.name = object->getString("name")->str();
    int64_t numSizes = object->getInteger("size_params").value_or(0);
    usesSizes |= numSizes > 0;
    std::string error;
    if (numSizes > 0 && sizeValues.empty() && !inputArrays.empty()) {
      const llvm::json::Array *inputs = object->getArray("inputs");
      if (!inputs ||
          !inferSizes(*inputs, inputArrays, numSizes, entry.sizes, error))
        return fail("entry " + entry.name + ": " +
                    (error.empty() ? "corrupt signature" : error));
    } else {
      for (int64_t i = 0; i < numSizes; ++i)
        entry.sizes.push_back(i < int64_t(sizeValues.size()) ? sizeValues[i]
                                                             : 64);
    }
    if (!parseBuffers(object->getArray("inputs"), entry.sizes, offsetFloats,
                      entry.inputs, error) ||
        !parseBuffers(object->getArray("outputs"), entry.sizes, offsetFloats,
                      entry.outputs, error))
      return fail("entry " + entry.name + ": " +
                  (error.empty() ? "corrupt signature" : error));
    if ((!inputArrays.empty() &&
         !setInputs(entry, inputArrays, inputFiles, error)) ||
        (!outputFiles.empty() && !checkOutputs(entry, outputFiles, error)))
      return fail(error);
    selected.push_back(std::move(entry));
  }
  if (!sizeValues.empty() && !usesSizes)
    llvm::errs() << "sparse-run: warning: --sizes ignored: no entry point run "
                    "has a dynamic size\n";

  // Seeded random inputs where no file gives them.
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  if (inputArrays.empty())
    for (Entry &entry : selected)
      for (Buffer &input : entry.inputs)
        for (float &x : input.values())
          x = uniform(rng);

  if (!compareWith.empty()) {
    std::string densePath = compareWith;
    if (densePath.find('/') == std::string::npos)
      densePath = "./" + densePath;
    void *dense = dlopen(densePath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dense)
      return fail(llvm::Twine("cannot load ") + compareWith + ": " +
                  dlerror());
    auto denseThreads = reinterpret_cast<int (*)(int)>(
        dlsym(dense, "sparsec_set_num_threads"));
    if (!denseThreads || denseThreads(threads) != 0)
      return fail(compareWith + " is not a sparsec model");
    CompareOptions options{warmup, repetitions, jsonOutput};
    std::string error;
    if (!compareBuilds(library, dense, selected, options, llvm::outs(), error))
      return fail(error);
    // The sparse build's results: every run gives the same.
    if (!outputFiles.empty() && !writeOutputs(selected[0], outputFiles, error))
      return fail(error);
    return 0;
  }

  sparsec::Profiler profiler;
  std::string profileError;
  if (profileOps && !profiler.load(library, profileError))
    return fail(libraryPath + ": " + profileError);
  double allSeconds = 0, allSparseSeconds = 0;

  bool allMatch = true;
  llvm::json::Array results;
  for (Entry &entry : selected) {
    auto fn = reinterpret_cast<CallFn>(
        dlsym(library, ("sparsec_call_" + entry.name).c_str()));
    if (!fn)
      return fail("missing sparsec_call_" + entry.name);
    call(fn, entry);
    std::string error;
    if (!outputFiles.empty() && !writeOutputs(entry, outputFiles, error))
      return fail(error);
    if (!jsonOutput && &entry == &selected.front())
      llvm::outs() << llvm::format("%-28s %7s %11s %11s %11s  %s\n", "entry",
                                   "threads", "median ms", "p95 ms", "min ms",
                                   check ? "check (max rel err)" : "");

    llvm::json::Object result{{"entry", entry.name},
                              {"threads", threads.getValue()}};
    if (!entry.sizes.empty())
      result["sizes"] = llvm::json::Array(entry.sizes);
    std::string verdict;
    if (check) {
      std::string refName = entry.name + "__reference";
      auto refFn = reinterpret_cast<CallFn>(
          dlsym(library, ("sparsec_call_" + refName).c_str()));
      if (!refFn)
        return fail("no " + refName + " in " + libraryPath +
                    "; compile with sparse-compile --with-reference");
      Entry reference = entry;
      for (Buffer &out : reference.outputs)
        llvm::fill(out.values(), 0.0f);
      call(refFn, reference);
      Comparison c = compare(entry, reference);
      bool ok = c.maxRel <= tolerance;
      allMatch &= ok;
      verdict = (ok ? "ok " : "MISMATCH ") +
                llvm::formatv("({0:e2})", c.maxRel).str();
      result["max_rel_error"] = c.maxRel;
      result["mean_rel_error"] = c.meanRel;
      result["max_abs_error"] = c.maxAbs;
      result["match"] = ok;
    }

    for (int i = 0; i < warmup; ++i)
      call(fn, entry);
    std::vector<double> ms;
    if (profileOps)
      profiler.start();
    for (int i = 0; i < repetitions; ++i) {
      auto start = std::chrono::steady_clock::now();
      call(fn, entry);
      auto stop = std::chrono::steady_clock::now();
      ms.push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::optional<sparsec::EntryProfile> profile;
    if (profileOps) {
      double total = 0;
      for (double t : ms)
        total += t / 1000;
      profile = profiler.stop(total, repetitions);
      allSeconds += total;
      allSparseSeconds += profile->sparseSecondsPerRun * repetitions;
      result["profile"] = profile->toJSON();
    }
    std::sort(ms.begin(), ms.end());
    auto percentile = [&](double p) {
      return ms.empty() ? 0.0
                        : ms[std::min<size_t>(ms.size() - 1, p * ms.size())];
    };
    result["median_ms"] = percentile(0.5);
    result["p95_ms"] = percentile(0.95);
    result["min_ms"] = ms.empty() ? 0.0 : ms.front();
    if (!jsonOutput)
      llvm::outs() << llvm::format(
          "%-28s %7d %11.4f %11.4f %11.4f  %s\n", entry.name.c_str(),
          threads.getValue(), percentile(0.5), percentile(0.95),
          ms.empty() ? 0.0 : ms.front(), verdict.c_str());
    if (profile && !jsonOutput)
      profile->print(llvm::outs(), entry.name, repetitions);
    results.push_back(std::move(result));
  }
  if (profileOps && !jsonOutput && selected.size() > 1)
    llvm::outs() << llvm::format(
        "measured sparse-kernel coverage over all entries %.1f%% of the run "
        "time\n",
        allSeconds > 0 ? 100 * allSparseSeconds / allSeconds : 0.0);
  if (jsonOutput)
    llvm::outs() << llvm::formatv("{0:2}",
                                  llvm::json::Value(std::move(results)))
                 << "\n";
  return allMatch ? 0 : 1;
}
