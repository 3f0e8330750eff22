// Lets clang compile Debian's antlr4-runtime 4.9 headers; force-included (-include) into
// the ANTLR-using targets of the fuzz build only (see fuzz/CMakeLists.txt).
//
// misc/InterpreterDataReader.h default-constructs a dfa::Vocabulary, whose defaulted
// default constructor is deleted under clang: its members are `const std::vector<…>`
// without initializers, and libstdc++'s vector is not const-default-constructible
// ([dcl.init]/7). GCC accepts the code. Giving the three members an empty brace
// initializer keeps the class layout, so the shared runtime's own code is unaffected.
#pragma once

// clang-format off
#define _literalNames _literalNames{}
#define _symbolicNames _symbolicNames{}
#define _displayNames _displayNames{}
#include <antlr4-runtime/Vocabulary.h>
#undef _literalNames
#undef _symbolicNames
#undef _displayNames
// clang-format on
