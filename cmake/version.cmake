# Writes OUTPUT, the header that tells `hallpass --version` what it is: VERSION, from the
# project() line of CMakeLists.txt, and the commit of SOURCE_DIR it is built from ("unknown"
# outside a git checkout). Run at every build, so that a new commit shows without configuring
# again; the header is replaced only when its text changes, so that nothing else recompiles.
set(commit "unknown")
find_package(Git QUIET)
if(NOT "$ENV{HALLPASS_COMMIT}" STREQUAL "")
    # A build from a copy of the tree (make deb) is told the commit by the checkout it came from.
    set(commit "$ENV{HALLPASS_COMMIT}")
elseif(GIT_FOUND)
    # The checkout must be this source tree itself, not a repository that happens to hold it.
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --show-toplevel
                    OUTPUT_VARIABLE top RESULT_VARIABLE top_rc ERROR_QUIET
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(top "${top}" REALPATH)
    get_filename_component(source "${SOURCE_DIR}" REALPATH)
    if(top_rc EQUAL 0 AND top STREQUAL source)
        # --no-optional-locks: reading the state must not take the index lock from a git
        # command running beside the build.
        execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks -C ${SOURCE_DIR}
                                describe --always --dirty --abbrev=12
                        OUTPUT_VARIABLE described RESULT_VARIABLE described_rc ERROR_QUIET
                        OUTPUT_STRIP_TRAILING_WHITESPACE)
        if(described_rc EQUAL 0 AND NOT described STREQUAL "")
            set(commit "${described}")
        endif()
    endif()
endif()

set(text "/* Made by cmake/version.cmake at build time: do not edit. */\n"
         "#define HALLPASS_VERSION \"${VERSION}\"\n"
         "#define HALLPASS_COMMIT \"${commit}\"\n")
string(CONCAT text ${text})
file(WRITE "${OUTPUT}.new" "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.new" "${OUTPUT}")
file(REMOVE "${OUTPUT}.new")
