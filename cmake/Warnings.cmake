# Warning flags for the project's own code (generated code gets fewer; see grammar/).
function(flytec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
endfunction()
