#include "cli/exit_codes.hpp"

namespace zwerm::cli {

int exit_code_for_rpc_error(int rpc_code) {
  constexpr int invalid_params = -32602;  // node/daemon/rpc_protocol.hpp
  return rpc_code == invalid_params ? exit_usage : exit_refused;
}

}  // namespace zwerm::cli
