//===- ArrayFile.cpp - float arrays in .npy or raw files ------------------===//
//
// An .npy file is the magic string, a version, the header's length, the
// header (a Python dictionary literal) and the data; the format's reference:
//
//   https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//
// Both readers assume a little-endian host, as every target sparsec
// compiles for is.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Support/ArrayFile.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace sparsec {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

/// A cursor over an .npy header's dictionary.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text(text) {}

  bool parse(NpyHeader &header, std::string &error) {
    bool sawDescr = false, sawOrder = false, sawShape = false;
    if (!consume('{'))
      return fail("expected '{'", error);
    while (!consume('}')) {
      std::string key;
      if (!parseString(key) || !consume(':'))
        return fail("expected 'key': value", error);
      bool parsed;
      if (key == "descr")
        parsed = sawDescr = parseString(header.descr);
      else if (key == "fortran_order")
        parsed = sawOrder = parseBool(header.fortranOrder);
      else if (key == "shape")
        parsed = sawShape = parseShape(header.shape);
      else
        return fail("unexpected key '" + key + "'", error);
      if (!parsed)
        return fail("bad value for '" + key + "'", error);
      if (!consume(',') && !peek('}'))
        return fail("expected ',' or '}'", error);
    }
    if (!sawDescr || !sawOrder || !sawShape)
      return fail("'descr', 'fortran_order' and 'shape' are required", error);
    return true;
  }

private:
  static bool fail(const std::string &what, std::string &error) {
    error = "malformed .npy header: " + what;
    return false;
  }
  void skipSpaces() {
    while (at < text.size() && std::isspace((unsigned char)text[at]))
      ++at;
  }
  bool peek(char c) {
    skipSpaces();
    return at < text.size() && text[at] == c;
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++at;
    return true;
  }
  bool consumeWord(std::string_view word) {
    skipSpaces();
    if (text.substr(at, word.size()) != word)
      return false;
    at += word.size();
    return true;
  }
  bool parseString(std::string &out) {
    skipSpaces();
    if (at >= text.size() || (text[at] != '\'' && text[at] != '"'))
      return false;
    size_t end = text.find(text[at], at + 1);
    if (end == std::string_view::npos)
      return false;
    out = std::string(text.substr(at + 1, end - at - 1));
    at = end + 1;
    return true;
  }
  bool parseBool(bool &out) {
    out = consumeWord("True");
    return out || consumeWord("False");
  }
  bool parseShape(std::vector<int64_t> &shape) {
    shape.clear();
    if (!consume('('))
      return false;
    while (!consume(')')) {
      skipSpaces();
      int64_t value = 0;
      size_t digits = 0;
      for (; at < text.size() && std::isdigit((unsigned char)text[at]);
           ++at, ++digits)
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, text[at] - '0', &value))
          return false;
      // Python writes a trailing 'L' on longs in old files.
      if (at < text.size() && text[at] == 'L')
        ++at;
      if (digits == 0)
        return false;
      shape.push_back(value);
      if (!consume(',') && !peek(')'))
        return false;
    }
    return true;
  }

  std::string_view text;
  size_t at = 0;
};

uint64_t readLittleEndian(std::string_view bytes, size_t at, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i)
    value = value << 8 | (unsigned char)bytes[at + i];
  return value;
}

/// The `size` bytes of `path` in one read, into float storage: a raw file
/// is then its values as they are, and an .npy file's float32 data moves
/// to the front in place (inputs may be hundreds of MiB: no second copy).
bool readFile(const std::string &path, std::vector<float> &storage,
              size_t &size, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = path + " is not a regular file";
    return false;
  }
  uintmax_t fileSize = std::filesystem::file_size(path, ec);
  size = ec ? 0 : fileSize;
  try {
    storage.resize((size + sizeof(float) - 1) / sizeof(float));
  } catch (const std::exception &) {
    error = "cannot hold " + path + " (" + std::to_string(size >> 20) +
            " MiB) in memory";
    return false;
  }
  if (ec || !in.read(reinterpret_cast<char *>(storage.data()),
                     std::streamsize(size))) {
    error = "cannot read " + path;
    return false;
  }
  return true;
}

/// `bytes` (an .npy file) is a view of `storage`, which becomes the
/// array's values.
bool readNpy(const std::string &path, std::string_view bytes,
             std::vector<float> &storage, FloatArray &array,
             std::string &error) {
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return false;
  };
  if (bytes.size() < 10)
    return fail("truncated .npy header");
  int major = (unsigned char)bytes[6];
  if (major < 1 || major > 3)
    return fail(".npy format version " + std::to_string(major) +
                " is not known (1 to 3 are)");
  int lengthBytes = major == 1 ? 2 : 4;
  size_t headerStart = 8 + lengthBytes;
  if (bytes.size() < headerStart)
    return fail("truncated .npy header");
  uint64_t headerLength = readLittleEndian(bytes, 8, lengthBytes);
  if (bytes.size() - headerStart < headerLength)
    return fail("truncated .npy header");
  NpyHeader header;
  if (!parseNpyHeader(bytes.substr(headerStart, headerLength), header, error))
    return fail(error);

  int itemBytes;
  std::string_view descr = header.descr;
  if (descr == "<f4" || descr == "=f4" || descr == "|f4")
    itemBytes = 4;
  else if (descr == "<f8" || descr == "=f8" || descr == "|f8")
    itemBytes = 8;
  else if (descr == ">f4" || descr == ">f8")
    return fail("holds big-endian floats ('" + header.descr +
                "'); save it little-endian (array.astype('<f4'))");
  else
    return fail("holds '" + header.descr +
                "' elements; float32 or float64 are read "
                "(array.astype(numpy.float32))");
  if (header.fortranOrder)
    return fail("is in Fortran order; save a C-order array "
                "(numpy.ascontiguousarray)");

  uint64_t count = 1;
  for (int64_t extent : header.shape)
    if (__builtin_mul_overflow(count, uint64_t(extent), &count))
      return fail("its shape has too many elements");
  uint64_t dataBytes = bytes.size() - headerStart - headerLength;
  if (count > dataBytes / itemBytes || count * itemBytes != dataBytes)
    return fail("holds " + std::to_string(dataBytes) +
                " bytes of data; its shape needs " + std::to_string(count) +
                " elements of " + std::to_string(itemBytes) + " bytes");

  // In place, front to back: value i is written below where value i + 1
  // is read (the data starts past the header).
  const char *data = bytes.data() + headerStart + headerLength;
  if (itemBytes == 4) {
    std::memmove(storage.data(), data, count * 4);
  } else {
    for (uint64_t i = 0; i < count; ++i) {
      double value;
      std::memcpy(&value, data + i * 8, 8);
      storage[i] = float(value);
    }
  }
  storage.resize(count);
  array.shape = header.shape;
  array.values = std::move(storage);
  return true;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  // A tuple of one is written (n,) in Python.
  return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace

bool parseNpyHeader(std::string_view text, NpyHeader &header,
                    std::string &error) {
  return HeaderParser(text).parse(header, error);
}

std::string formatNpyHeader(const std::vector<int64_t> &shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                     formatShape(shape) + ", }";
  // numpy pads the header with spaces and a newline so that the data
  // starts on a multiple of 64 bytes.
  size_t unpadded = kMagic.size() + 4 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string bytes(kMagic);
  bytes += char(1);
  bytes += char(0);
  bytes += char(dict.size() & 0xff);
  bytes += char(dict.size() >> 8);
  return bytes + dict;
}

bool readFloatArray(const std::string &path, FloatArray &array,
                    std::string &error) {
  std::vector<float> storage;
  size_t size;
  if (!readFile(path, storage, size, error))
    return false;
  std::string_view bytes(reinterpret_cast<const char *>(storage.data()), size);
  if (bytes.substr(0, kMagic.size()) == kMagic)
    return readNpy(path, bytes, storage, array, error);
  if (size % sizeof(float) != 0) {
    error = path + ": " + std::to_string(size) +
            " bytes is not a whole number of float32 values (raw files hold "
            "little-endian float32; .npy files start with \\x93NUMPY)";
    return false;
  }
  array.shape.reset();
  array.values = std::move(storage);
  return true;
}

bool writeFloatArray(const std::string &path, const std::vector<int64_t> &shape,
                     const float *values, std::string &error) {
  size_t count = 1;
  for (int64_t extent : shape)
    count *= size_t(extent);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string_view name = path;
  if (name.size() >= 4 && name.substr(name.size() - 4) == ".npy")
    out << formatNpyHeader(shape);
  out.write(reinterpret_cast<const char *>(values), count * sizeof(float));
  out.close();
  if (!out) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

} // namespace sparsec
