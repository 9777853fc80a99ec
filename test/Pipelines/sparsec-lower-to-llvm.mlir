// The sparse-compile pipeline as a named sparse-opt pipeline. Its options
// hand each pass an options string in that pass's own syntax; `target`
// reaches every stage that takes one. The 1:4 weight keeps its pattern on
// AVX-512 and becomes 2:4 on AVX2 (whose table has no nm<1:4> entry).
// RUN: sparse-opt %s --sparsec-lower-to-llvm="target=x86-64-avx512" | FileCheck %s --check-prefix=AVX512
// RUN: sparse-opt %s --sparsec-lower-to-llvm="target=x86-64-avx2" | FileCheck %s --check-prefix=AVX2
// RUN: sparse-opt %s --sparsec-lower-to-llvm="target=x86-64-avx512 sparsity-tile={nm-over-tokens-from=1} convert-sparsity-to-vector={profile=false}" | FileCheck %s --check-prefix=OPTIONS --implicit-check-not=sparsec_profile
// RUN: not sparse-opt %s --sparsec-lower-to-llvm="convert-sparsity-to-vector={bogus=1}" 2>&1 | FileCheck %s --check-prefix=BADPASS
// RUN: not sparse-opt %s --sparsec-lower-to-llvm="nope=1" 2>&1 | FileCheck %s --check-prefix=BADPIPE

// AVX512: llvm.func @model(
// AVX512: llvm.call @sparsec_profile_begin
// AVX512: llvm.func @sparsec_call_model(
// AVX512: llvm.func internal @__sparsec_matmul_nm1_4_4x8x16_none_v16(
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// AVX512: llvm.mlir.global external constant @sparsec_model_info("[{\22inputs\22:[{\22dtype\22:\22f32\22,\22shape\22:[4,8]}],\22name\22:\22model\22
// AVX2: llvm.func internal @__sparsec_matmul_nm2_4_4x8x16_none_v8(
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.permps"
// OPTIONS: llvm.func internal @__sparsec_matmul_nm1_4_tokens_4x8x16_none_v16(
// BADPASS: error: options of convert-sparsity-to-vector ('bogus=1'): {{.*}}no such option bogus
// BADPIPE: error: invalid sparsec-lower-to-llvm options: nope=1
func.func @model(%x: tensor<4x8xf32>) -> tensor<4x16xf32> {
  %w = arith.constant dense<[[0.1, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 1.3, 0.0, 0.0, 0.0],
      [0.0, 0.3, 0.0, 0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 1.1, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0],
      [0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 1.3, 0.0, 0.0, 0.0, 1.7, 0.0],
      [0.0, 0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 1.1, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 1.9],
      [0.0, 0.0, 0.0, 0.8, 0.0, 0.0, 0.0, 1.2, 0.0, 0.0, 0.0, 1.6, 0.0, 0.0, 0.0, 2.0],
      [0.6, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.4, 0.0, 0.0, 0.0, 1.8, 0.0, 0.0, 0.0],
      [0.0, 0.8, 0.0, 0.0, 0.0, 1.2, 0.0, 0.0, 0.0, 1.6, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0],
      [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.4, 0.0, 0.0, 0.0, 1.8, 0.0, 0.0, 0.0, 2.2, 0.0]]> : tensor<8x16xf32>
  %p = sparsity.pack %w : tensor<8x16xf32> -> !sparsity.packed<8x16xf32, #sparsity.nm<1:4>>
  %y = sparsity.matmul %x, %p : tensor<4x8xf32>, !sparsity.packed<8x16xf32, #sparsity.nm<1:4>> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
