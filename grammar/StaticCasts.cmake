# Replaces two kinds of dynamic_cast in the generated parser by static casts that cannot
# fail. First, `dynamic_cast<X *>(_localctx)`.
# ANTLR 4.7's C++ target casts the rule's own context to the labelled-alternative
# type it has just created before every labelled assignment; the cast cannot fail, and
# ANTLR 4.10 and later emit a static downcast here too. Run as `cmake -P` with FILE set.
file(READ "${FILE}" text)
string(REGEX REPLACE "dynamic_cast<([A-Za-z_:]+ \\*)>\\(_localctx\\)" "static_cast<\\1>(_localctx)"
       text "${text}")
# Every decision asks `getInterpreter<atn::ParserATNSimulator>()`, a dynamic_cast across
# shared-library type_info (a string comparison). The interpreter is always a
# ParserATNSimulator (frontend/FastPrediction.h derives from it).
string(REPLACE "getInterpreter<atn::ParserATNSimulator>()"
       "static_cast<atn::ParserATNSimulator *>(_interpreter)" text "${text}")
file(WRITE "${FILE}" "${text}")
