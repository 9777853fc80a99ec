//===- ArrayFileTest.cpp - .npy and raw float32 files ---------------------===//

#include "sparsec/Support/ArrayFile.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace sparsec;

namespace {

/// A file name in the test's temporary directory, removed afterwards.
class ArrayFileTest : public ::testing::Test {
protected:
  std::string path(const std::string &name) {
    std::string p = ::testing::TempDir() + "sparsec-arrayfile-" +
                    std::to_string(getpid()) + "-" + name;
    paths.push_back(p);
    return p;
  }
  void writeBytes(const std::string &p, const std::string &bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  void TearDown() override {
    for (const std::string &p : paths)
      std::remove(p.c_str());
  }
  std::vector<std::string> paths;
};

std::string npyBytes(const std::string &dict, const std::string &data) {
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += char(dict.size() & 0xff);
  bytes += char(dict.size() >> 8);
  return bytes + dict + data;
}

std::string floatBytes(std::vector<float> values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float));
}

TEST(NpyHeaderTest, ParsesWhatNumpyWrites) {
  NpyHeader h;
  std::string error;
  ASSERT_TRUE(parseNpyHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n", h,
      error))
      << error;
  EXPECT_EQ(h.descr, "<f4");
  EXPECT_FALSE(h.fortranOrder);
  EXPECT_EQ(h.shape, (std::vector<int64_t>{2, 3}));

  // Keys in any order, one-element and empty tuples, no trailing comma.
  ASSERT_TRUE(parseNpyHeader(
      "{\"shape\": (7,), \"fortran_order\": True, \"descr\": \"<f8\"}", h,
      error))
      << error;
  EXPECT_EQ(h.shape, (std::vector<int64_t>{7}));
  EXPECT_TRUE(h.fortranOrder);
  ASSERT_TRUE(parseNpyHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", h, error));
  EXPECT_TRUE(h.shape.empty());
}

TEST(NpyHeaderTest, RefusesMalformedHeaders) {
  NpyHeader h;
  std::string error;
  EXPECT_FALSE(parseNpyHeader("'descr': '<f4'", h, error));
  EXPECT_NE(error.find("expected '{'"), std::string::npos) << error;
  EXPECT_FALSE(parseNpyHeader("{'descr': '<f4', 'shape': (2,)}", h, error));
  EXPECT_NE(error.find("are required"), std::string::npos) << error;
  EXPECT_FALSE(parseNpyHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}", h, error));
  EXPECT_NE(error.find("bad value for 'shape'"), std::string::npos) << error;
  EXPECT_FALSE(parseNpyHeader("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (99999999999999999999,)}",
                              h, error));
  EXPECT_FALSE(parseNpyHeader(
      "{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}", h, error));
  EXPECT_NE(error.find("bad value for 'fortran_order'"), std::string::npos);
  EXPECT_FALSE(parseNpyHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", h,
      error));
  EXPECT_NE(error.find("unexpected key 'x'"), std::string::npos) << error;
  EXPECT_FALSE(parseNpyHeader("{'descr': '<f4'", h, error));
}

TEST(NpyHeaderTest, FormattedHeadersAlignTheDataAndParse) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, {5}, {128, 768}, {2, 3, 4, 5, 6}}) {
    std::string bytes = formatNpyHeader(shape);
    ASSERT_EQ(bytes.size() % 64, 0u);
    ASSERT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01", 7) + '\0');
    size_t length = (unsigned char)bytes[8] | (unsigned char)bytes[9] << 8;
    ASSERT_EQ(10 + length, bytes.size());
    EXPECT_EQ(bytes.back(), '\n');
    NpyHeader h;
    std::string error;
    ASSERT_TRUE(parseNpyHeader(bytes.substr(10), h, error)) << error;
    EXPECT_EQ(h.descr, "<f4");
    EXPECT_EQ(h.shape, shape);
  }
}

TEST_F(ArrayFileTest, NpyAndRawRoundTrip) {
  std::vector<float> values = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
  std::string error;
  for (const char *name : {"a.npy", "a.bin"}) {
    std::string p = path(name);
    ASSERT_TRUE(writeFloatArray(p, {2, 3}, values.data(), error)) << error;
    FloatArray array;
    ASSERT_TRUE(readFloatArray(p, array, error)) << error;
    EXPECT_EQ(array.values, values);
    if (std::string(name) == "a.npy")
      EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
    else
      EXPECT_FALSE(array.shape.has_value());
  }
}

TEST_F(ArrayFileTest, Float64IsRoundedToFloat32) {
  std::vector<double> values = {0.1, -2.5, 1e300};
  std::string p = path("d.npy");
  writeBytes(p, npyBytes("{'descr': '<f8', 'fortran_order': False, "
                         "'shape': (3,), }\n",
                         std::string(reinterpret_cast<char *>(values.data()),
                                     values.size() * 8)));
  FloatArray array;
  std::string error;
  ASSERT_TRUE(readFloatArray(p, array, error)) << error;
  EXPECT_EQ(array.values, (std::vector<float>{0.1f, -2.5f, float(1e300)}));
}

TEST_F(ArrayFileTest, RefusesWhatItCannotRead) {
  std::string error;
  FloatArray array;
  auto refuses = [&](const std::string &name, const std::string &bytes,
                     const std::string &message) {
    std::string p = path(name);
    writeBytes(p, bytes);
    EXPECT_FALSE(readFloatArray(p, array, error)) << name;
    EXPECT_NE(error.find(message), std::string::npos) << name << ": " << error;
  };
  std::string data = floatBytes({1, 2, 3, 4, 5, 6});
  refuses(
      "ints.npy",
      npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (6,)}", data),
      "holds '<i4' elements");
  refuses(
      "big.npy",
      npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (6,)}", data),
      "big-endian");
  refuses("fortran.npy",
          npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}",
                   data),
          "Fortran order");
  refuses(
      "short.npy",
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (7,)}", data),
      "holds 24 bytes of data; its shape needs 7 elements");
  refuses(
      "long.npy",
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}", data),
      "holds 24 bytes of data; its shape needs 5 elements");
  refuses("huge.npy",
          npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': "
                   "(4294967296, 4294967296, 4294967296)}",
                   data),
          "too many elements");
  refuses("truncated.npy", std::string("\x93NUMPY\x01", 7), "truncated");
  refuses("version.npy", npyBytes("{}", "").replace(6, 1, "\x07"), "version 7");
  refuses("odd.bin", "12345", "5 bytes is not a whole number");
  EXPECT_FALSE(readFloatArray(::testing::TempDir(), array, error));
  EXPECT_NE(error.find("is not a regular file"), std::string::npos) << error;
  EXPECT_FALSE(readFloatArray(path("missing.npy"), array, error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
  float one = 1;
  EXPECT_FALSE(writeFloatArray("/nonexistent-dir/x.npy", {1}, &one, error));
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
}

} // namespace
