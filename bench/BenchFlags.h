//===- BenchFlags.h - command-line values of the benchmarks -----*- C++ -*-===//
//
// `--flag=value` parsing shared by the benchmark programs. A value that is
// not what the flag takes ends the program with a message naming the flag
// and the value (exit status 2, as for usage errors): a benchmark run can
// take an hour, so it must not start on half-read flags, nor crash on them.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_BENCH_BENCHFLAGS_H
#define SPARSEC_BENCH_BENCHFLAGS_H

#include <errno.h> // program_invocation_short_name

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace sparsec::bench {

/// The value of `--flag=value` if `arg` is that flag, else null.
inline const char *flagValue(const std::string &arg, const char *flag) {
  size_t len = std::strlen(flag);
  return arg.compare(0, len, flag) == 0 ? arg.c_str() + len : nullptr;
}

inline std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty())
      out.push_back(item);
  return out;
}

[[noreturn]] inline void badValue(const std::string &flag,
                                  const std::string &text,
                                  const std::string &expected) {
  std::fprintf(stderr, "%s: %s'%s': expected %s\n",
               program_invocation_short_name, flag.c_str(), text.c_str(),
               expected.c_str());
  std::exit(2);
}

/// `text` as a whole number, all of it, if it is one.
inline std::optional<int64_t> readInt(const std::string &text) {
  int64_t value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end)
    return std::nullopt;
  return value;
}

/// `text` as a finite number, all of it, if it is one.
inline std::optional<double> readReal(const std::string &text) {
  char *stop = nullptr;
  double value = std::strtod(text.c_str(), &stop);
  if (text.empty() || *stop != '\0' || !std::isfinite(value))
    return std::nullopt;
  return value;
}

/// `text` as a whole number in [min, max].
inline int64_t parseInt(const std::string &flag, const std::string &text,
                        int64_t min = 1, int64_t max = INT64_MAX) {
  std::optional<int64_t> value = readInt(text);
  if (!value || *value < min || *value > max)
    badValue(flag, text,
             "a whole number >= " + std::to_string(min) +
                 (max == INT64_MAX ? "" : " and <= " + std::to_string(max)));
  return *value;
}

/// `text` as a number above 0.
inline double parsePositive(const std::string &flag, const std::string &text) {
  std::optional<double> value = readReal(text);
  if (!value || *value <= 0)
    badValue(flag, text, "a number > 0");
  return *value;
}

/// A comma-separated list of whole numbers in [min, max], at least one.
inline std::vector<int64_t> parseInts(const std::string &flag,
                                      const std::string &text, int64_t min = 1,
                                      int64_t max = INT64_MAX) {
  std::vector<int64_t> values;
  for (const std::string &item : split(text, ','))
    values.push_back(parseInt(flag, item, min, max));
  if (values.empty())
    badValue(flag, text, "a comma-separated list of numbers");
  return values;
}

/// A comma-separated list of KxN weight shapes, at least one.
inline std::vector<std::pair<int64_t, int64_t>>
parseShapes(const std::string &flag, const std::string &text) {
  std::vector<std::pair<int64_t, int64_t>> shapes;
  for (const std::string &item : split(text, ',')) {
    size_t x = item.find('x');
    std::optional<int64_t> k = readInt(item.substr(0, x));
    std::optional<int64_t> n =
        x == std::string::npos ? std::nullopt : readInt(item.substr(x + 1));
    if (!k || !n || *k < 1 || *n < 1)
      badValue(flag, item, "a shape KxN of whole numbers >= 1, e.g. 768x3072");
    shapes.push_back({*k, *n});
  }
  if (shapes.empty())
    badValue(flag, text, "a comma-separated list of shapes KxN");
  return shapes;
}

/// Creates the directory `--work-dir=` names, with its parents.
inline void makeWorkDir(const std::string &dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir, error))
    badValue("--work-dir=", dir, "a directory that can be created");
}

/// Ends the program unless `path` can be written: checked before a run of
/// many minutes, not after it.
inline void checkWritable(const std::string &flag, const std::string &path) {
  if (!path.empty() && !std::ofstream(path, std::ios::app))
    badValue(flag, path, "a file that can be written");
}

} // namespace sparsec::bench

#endif // SPARSEC_BENCH_BENCHFLAGS_H
