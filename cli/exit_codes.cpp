#include "cli/exit_codes.hpp"

#include "node/rpc_contract/contract.hpp"

namespace zwerm::cli {

int exit_code_for_rpc_error(int rpc_code) {
  return rpc_code == rpc_contract::invalid_params ? exit_usage : exit_refused;
}

}  // namespace zwerm::cli
