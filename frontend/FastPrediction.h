// A faster adaptivePredict for ANTLR's parser simulator. Private to frontend/.
#pragma once

#include <antlr4-runtime.h>

namespace flyte::detail {

/// ANTLR's ParserATNSimulator with a fast path for the common case: the decision's DFA
/// already holds a path for the look-ahead. It walks those cached states directly,
/// without the locks, bookkeeping and stream seeks of the general algorithm, and hands
/// every other case (a missing edge, predicates, full-context states) to ANTLR
/// unchanged. The DFA is shared by all parsers of the grammar; flytec parses on one
/// thread at a time, and the slow path takes ANTLR's own locks when it adds states.
class FastPredictionSimulator final : public antlr4::atn::ParserATNSimulator {
 public:
  FastPredictionSimulator(antlr4::Parser* parser, antlr4::atn::ParserATNSimulator& base);
  size_t adaptivePredict(antlr4::TokenStream* input, size_t decision,
                         antlr4::ParserRuleContext* outer) override;
};

/// Replaces `parser`'s simulator with a FastPredictionSimulator sharing its DFA (which
/// lives in static storage of the generated parser). The parser owns and deletes it.
void install_fast_prediction(antlr4::Parser& parser);

}  // namespace flyte::detail
