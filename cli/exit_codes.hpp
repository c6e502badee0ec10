// zwerm's exit codes and how node errors map onto them.
#pragma once

namespace zwerm::cli {

inline constexpr int exit_ok = 0;       // done
inline constexpr int exit_refused = 1;  // the node refused or failed; its reason is printed
inline constexpr int exit_usage = 2;    // the command line is wrong (also: params the node
                                        // found malformed, an unknown or ambiguous member)
inline constexpr int exit_no_node = 3;  // no zwermd answers on the home's socket

// JSON-RPC error code -> exit code: invalid params (-32602) is the person's typing, so usage
// (2); every other node error is a refusal (1).
int exit_code_for_rpc_error(int rpc_code);

}  // namespace zwerm::cli
