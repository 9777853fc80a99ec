//===- Profile.cpp - per-op kernel time of a compiled model ---------------===//

#include "Profile.h"

#include "llvm/Support/Format.h"

#include <dlfcn.h>

using namespace sparsec;

bool Profiler::load(void *library, std::string &error) {
  auto *info =
      static_cast<const char *>(dlsym(library, "sparsec_profile_info"));
  enable = reinterpret_cast<void (*)(int)>(
      dlsym(library, "sparsec_profile_enable"));
  reset = reinterpret_cast<void (*)()>(dlsym(library, "sparsec_profile_reset"));
  read = reinterpret_cast<int64_t (*)(int64_t, double *)>(
      dlsym(library, "sparsec_profile_read"));
  if (!info || !enable || !reset || !read) {
    error = "the library has no profile hooks (it has no sparsity.matmul, or "
            "was compiled without convert-sparsity-to-vector{profile})";
    return false;
  }
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(info);
  if (!parsed) {
    error = "corrupt profile info: " + llvm::toString(parsed.takeError());
    return false;
  }
  const llvm::json::Array *list = parsed->getAsArray();
  if (!list) {
    error = "corrupt profile info: expected a list of ops";
    return false;
  }
  for (const llvm::json::Value &value : *list) {
    const llvm::json::Object *object = value.getAsObject();
    std::optional<int64_t> id = object ? object->getInteger("id") : std::nullopt;
    if (!id) {
      error = "corrupt profile info: an op without an id";
      return false;
    }
    ProfiledOp op;
    op.id = *id;
    auto text = [&](llvm::StringRef key) {
      return object->getString(key).value_or("?").str();
    };
    op.function = text("function");
    op.location = text("location");
    op.shape = text("shape");
    op.kernel = text("kernel");
    op.sparse = object->getBoolean("sparse").value_or(false);
    op.weightBytes = object->getInteger("weight_bytes").value_or(0);
    op.estimatedSeconds = object->getNumber("estimated_seconds").value_or(0);
    op.estimatedDenseSeconds =
        object->getNumber("estimated_dense_seconds").value_or(0);
    ops.push_back(op);
  }
  return true;
}

void Profiler::start() {
  reset();
  enable(1);
}

EntryProfile Profiler::stop(double totalSeconds, int runs) {
  enable(0);
  EntryProfile profile;
  double perRun = runs > 0 ? 1.0 / runs : 0;
  profile.secondsPerRun = totalSeconds * perRun;
  for (const ProfiledOp &op : ops) {
    double seconds = 0;
    int64_t calls = read(op.id, &seconds);
    if (calls == 0)
      continue;
    profile.ops.push_back({&op, calls * perRun, seconds * perRun});
    if (op.sparse)
      profile.sparseSecondsPerRun += seconds * perRun;
  }
  return profile;
}

void EntryProfile::print(llvm::raw_ostream &os, llvm::StringRef entry,
                         int runs) const {
  auto share = [&](double seconds) {
    return secondsPerRun > 0 ? 100 * seconds / secondsPerRun : 0.0;
  };
  os << "profile of " << entry << " (" << runs << " runs, per run):\n";
  os << llvm::format("  %-24s %-12s %-15s %-13s %6s %10s %7s\n", "function",
                     "at", "MxKxN", "kernel", "calls", "us", "share");
  double inKernels = 0;
  // Consecutive ops of one source op (attention heads) print as one line.
  auto sameLine = [](const Op &a, const Op &b) {
    return a.op->function == b.op->function &&
           a.op->location == b.op->location && a.op->shape == b.op->shape &&
           a.op->kernel == b.op->kernel;
  };
  for (size_t first = 0, next; first < ops.size(); first = next) {
    double calls = 0, seconds = 0;
    for (next = first; next < ops.size() && sameLine(ops[first], ops[next]);
         ++next) {
      calls += ops[next].calls;
      seconds += ops[next].seconds;
    }
    inKernels += seconds;
    const ProfiledOp &op = *ops[first].op;
    std::string at = op.location;
    if (next - first > 1)
      at += " x" + std::to_string(next - first);
    os << llvm::format("  %-24s %-12s %-15s %-13s %6.0f %10.2f %6.1f%%\n",
                       op.function.c_str(), at.c_str(), op.shape.c_str(),
                       op.kernel.c_str(), calls, seconds * 1e6, share(seconds));
  }
  double outside = std::max(0.0, secondsPerRun - inKernels);
  os << llvm::format("  %-24s %-12s %-15s %-13s %6s %10.2f %6.1f%%\n",
                     "(outside matmul kernels)", "", "", "", "",
                     outside * 1e6, share(outside));
  os << llvm::format("  measured sparse-kernel coverage %.1f%% of the run "
                     "time\n",
                     100 * coverage());
}

llvm::json::Object EntryProfile::toJSON() const {
  llvm::json::Array list;
  for (const Op &op : ops)
    list.push_back(llvm::json::Object{
        {"id", op.op->id},
        {"function", op.op->function},
        {"location", op.op->location},
        {"shape", op.op->shape},
        {"kernel", op.op->kernel},
        {"sparse", op.op->sparse},
        {"calls_per_run", op.calls},
        {"seconds_per_run", op.seconds},
        {"share", secondsPerRun > 0 ? op.seconds / secondsPerRun : 0.0},
    });
  return llvm::json::Object{
      {"ops", std::move(list)},
      {"seconds_per_run", secondsPerRun},
      {"sparse_seconds_per_run", sparseSecondsPerRun},
      {"sparse_kernel_coverage", coverage()},
  };
}
