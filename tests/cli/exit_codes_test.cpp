#include "cli/exit_codes.hpp"

#include <gtest/gtest.h>

#include "node/rpc_contract/contract.hpp"

namespace zwerm::cli {
namespace {

TEST(ExitCodes, TheFourCodesAreDistinct) {
  EXPECT_EQ(exit_ok, 0);
  EXPECT_EQ(exit_refused, 1);
  EXPECT_EQ(exit_usage, 2);
  EXPECT_EQ(exit_no_node, 3);
}

TEST(ExitCodes, RpcErrorsMapToRefusedExceptMalformedParams) {
  namespace rpc = zwerm::rpc_contract;
  EXPECT_EQ(exit_code_for_rpc_error(rpc::invalid_params), exit_usage);
  for (int code : {rpc::parse_error, rpc::invalid_request, rpc::method_not_found,
                   rpc::internal_error, rpc::refused, rpc::not_available, rpc::not_found}) {
    EXPECT_EQ(exit_code_for_rpc_error(code), exit_refused) << code;
  }
}

}  // namespace
}  // namespace zwerm::cli
