# zwerm_rpc_contract: the JSON-RPC contract (method names, params, error codes; docs/RPC.md),
# header only and standard library only. Both zwermd (zwerm_node) and the zwerm CLI
# (zwerm_cli_lib) link it; it links nothing, so the CLI gains no dependency on the daemon.
add_library(zwerm_rpc_contract INTERFACE)
target_include_directories(zwerm_rpc_contract INTERFACE ${PROJECT_SOURCE_DIR})
