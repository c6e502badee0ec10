# Installing zwerm and the Debian package (scripts/package runs cpack).
#   bin/zwerm, bin/zwermd
#   share/man/man1/zwerm.1.gz, zwermd.1.gz        generated from the programs' CLI11 definitions
#   share/bash-completion/completions/zwerm, zwermd      (`<program> --generate man|bash|zsh`,
#   share/zsh/vendor-completions/_zwerm, _zwermd          clidoc/) at every build
#   lib/systemd/user/zwermd.service               docs/zwermd.service, run from the install's bin
#   share/doc/zwerm/copyright, README.md, OPERATIONS.md
# The package installs to /usr; `cmake --install build` to CMAKE_INSTALL_PREFIX (/usr/local).
include(GNUInstallDirs)

set(ZWERM_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
set(generated)
foreach(program zwerm zwermd)
  set(outputs ${ZWERM_GENERATED_DIR}/man/${program}.1 ${ZWERM_GENERATED_DIR}/man/${program}.1.gz
              ${ZWERM_GENERATED_DIR}/bash/${program} ${ZWERM_GENERATED_DIR}/zsh/_${program})
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${program}> -DNAME=${program}
            -DOUT=${ZWERM_GENERATED_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/generate_cli_docs.cmake
    DEPENDS ${program} ${PROJECT_SOURCE_DIR}/cmake/generate_cli_docs.cmake
    COMMENT "Generating ${program}'s man page and shell completions"
    VERBATIM)
  list(APPEND generated ${outputs})
endforeach()
add_custom_target(zwerm_cli_docs ALL DEPENDS ${generated})

install(TARGETS zwerm zwermd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${ZWERM_GENERATED_DIR}/man/zwerm.1.gz ${ZWERM_GENERATED_DIR}/man/zwermd.1.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${ZWERM_GENERATED_DIR}/bash/zwerm ${ZWERM_GENERATED_DIR}/bash/zwermd
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${ZWERM_GENERATED_DIR}/zsh/_zwerm ${ZWERM_GENERATED_DIR}/zsh/_zwermd
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright ${PROJECT_SOURCE_DIR}/README.md
              ${PROJECT_SOURCE_DIR}/docs/OPERATIONS.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The systemd user unit: docs/zwermd.service (written for a zwermd in ~/.local/bin) with the
# installed zwermd. The prefix is known only when installing (cpack installs to /usr), so the
# unit is written then, into the build tree, and installed from there.
file(READ ${PROJECT_SOURCE_DIR}/docs/zwermd.service unit)
string(FIND "${unit}" "\nExecStart=%h/.local/bin/zwermd\n" at)
string(FIND "${unit}" "\n[Unit]\n" unit_at)
if(at EQUAL -1 OR unit_at EQUAL -1)
  message(FATAL_ERROR "docs/zwermd.service: no [Unit] or no 'ExecStart=%h/.local/bin/zwermd' line")
endif()
# Its header says how to install it from the sources; the package's says how to use it.
string(SUBSTRING "${unit}" ${unit_at} -1 unit)
string(REPLACE "\nExecStart=%h/.local/bin/zwermd\n" "\nExecStart=@ZWERMD@\n" unit "${unit}")
set(unit "# systemd user unit for zwermd, installed with zwerm. Use:\n\
#   zwerm init --name NAME   (once)\n\
#   systemctl --user enable --now zwermd\n\
# Logs: journalctl --user -u zwermd -f\n\
# Keep it running after logout: loginctl enable-linger \"$USER\"${unit}")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/zwermd.service.in "${unit}")
install(CODE "
  set(ZWERMD \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/zwermd\")
  configure_file(\"${PROJECT_BINARY_DIR}/packaging/zwermd.service.in\"
                 \"${PROJECT_BINARY_DIR}/packaging/zwermd.service\" @ONLY)")
install(FILES ${PROJECT_BINARY_DIR}/packaging/zwermd.service DESTINATION lib/systemd/user)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zwerm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Whoever publishes the package names themselves: -DZWERM_PACKAGE_MAINTAINER="Name <mail>".
set(ZWERM_PACKAGE_MAINTAINER "zwerm maintainers <maintainers@zwerm.invalid>"
    CACHE STRING "The .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${ZWERM_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "peer-to-peer node for communities that work and learn together")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "peer-to-peer node for communities that work and learn together
 Every member runs the daemon zwermd on their own machine: it signs the
 member's records, gossips them with the other members' nodes and keeps the
 community's replicated log. There is no central server. The command zwerm
 asks the member's own node who is in, who knows what, which agreements hold
 and whether the community is alive.
 .
 This package holds zwerm, zwermd, their man pages, bash and zsh completion
 and a systemd user unit (systemctl --user enable --now zwermd).")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends: the Debian packages of the shared libraries the binaries link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Stripped binaries: the package stays small; the build tree keeps the debug information.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
