//===- TestContext.h - an MLIRContext with the sparsity dialect -*- C++ -*-===//

#ifndef SPARSEC_TEST_UNIT_TESTCONTEXT_H
#define SPARSEC_TEST_UNIT_TESTCONTEXT_H

#include "Sparsity/SparsityAttrs.h"
#include "Sparsity/SparsityDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

namespace sparsec::test {

/// Parses attributes written in MLIR syntax; fails the test on errors.
class DialectTest : public ::testing::Test {
protected:
  DialectTest() {
    context.loadDialect<mlir::sparsec::sparsity::SparsityDialect>();
  }

  template <typename AttrT> AttrT parse(llvm::StringRef text) {
    mlir::Attribute attr = mlir::parseAttribute(text, &context);
    EXPECT_TRUE(attr) << "cannot parse " << text.str();
    auto typed = llvm::dyn_cast_or_null<AttrT>(attr);
    EXPECT_TRUE(typed) << text.str() << " has the wrong attribute kind";
    return typed;
  }

  mlir::MLIRContext context;
};

} // namespace sparsec::test

#endif // SPARSEC_TEST_UNIT_TESTCONTEXT_H
