//===- ArrayFile.h - float arrays in .npy or raw files ----------*- C++ -*-===//
//
// What sparse-run reads inputs from and writes outputs to: NumPy's .npy
// format (what numpy.save writes; float32 or float64, C order, with the
// array's shape) or raw little-endian float32 (the bytes of a C float
// array, no shape). Dependency-free, like the rest of SparsecSupport.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SUPPORT_ARRAYFILE_H
#define SPARSEC_SUPPORT_ARRAYFILE_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sparsec {

/// An array as read from a file. Raw files have no shape.
struct FloatArray {
  std::optional<std::vector<int64_t>> shape;
  std::vector<float> values;
};

/// What an .npy header says about the data after it.
struct NpyHeader {
  /// The dtype: '<f4' or '<f8' are read ('|' and '=' byte orders too).
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the dictionary of an .npy header, e.g.
/// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".
bool parseNpyHeader(std::string_view text, NpyHeader &header,
                    std::string &error);

/// The bytes of an .npy file (format 1.0) holding `shape` of float32.
std::string formatNpyHeader(const std::vector<int64_t> &shape);

/// Reads `path`: an .npy file (recognized by its magic string, whatever its
/// name) or raw float32. float64 arrays are rounded to float32.
bool readFloatArray(const std::string &path, FloatArray &array,
                    std::string &error);

/// Writes the floats of an array of `shape` (as many as its elements) to
/// `path`: .npy where the name ends in ".npy", raw float32 otherwise.
bool writeFloatArray(const std::string &path, const std::vector<int64_t> &shape,
                     const float *values, std::string &error);

} // namespace sparsec

#endif // SPARSEC_SUPPORT_ARRAYFILE_H
