// The DFA walk of FastPredictionSimulator; see FastPrediction.h.
#include "frontend/FastPrediction.h"

namespace flyte::detail {

FastPredictionSimulator::FastPredictionSimulator(antlr4::Parser* parser,
                                                 antlr4::atn::ParserATNSimulator& base)
    : ParserATNSimulator(parser, parser->getATN(), base.decisionToDFA,
                         base.getSharedContextCache()) {}

size_t FastPredictionSimulator::adaptivePredict(antlr4::TokenStream* input, size_t decision,
                                                antlr4::ParserRuleContext* outer) {
  if (getPredictionMode() == antlr4::atn::PredictionMode::SLL) {
    antlr4::dfa::DFA& dfa = decisionToDFA[decision];
    antlr4::dfa::DFAState* s =
        dfa.isPrecedenceDfa() ? dfa.getPrecedenceStartState(parser->getPrecedence()) : dfa.s0;
    antlr4::dfa::DFAState* error = ERROR.get();
    for (ssize_t k = 1; s != nullptr && s != error && !s->requiresFullContext; ++k) {
      if (s->isAcceptState) {
        if (s->predicates.empty()) return s->prediction;
        // Precedence predicates of left-recursive rules: the smallest alternative whose
        // predicate holds, as ANTLR's own evaluation picks in SLL mode.
        size_t best = SIZE_MAX;
        for (const antlr4::dfa::DFAState::PredPrediction* p : s->predicates) {
          bool holds =
              p->pred == antlr4::atn::SemanticContext::NONE || p->pred->eval(parser, outer);
          if (holds && static_cast<size_t>(p->alt) < best) best = static_cast<size_t>(p->alt);
        }
        if (best != SIZE_MAX) return best;
        break;  // no viable alternative: the general algorithm reports it
      }
      auto edge = s->edges.find(input->LA(k));
      if (edge == s->edges.end()) break;
      s = edge->second;
    }
  }
  return ParserATNSimulator::adaptivePredict(input, decision, outer);
}

void install_fast_prediction(antlr4::Parser& parser) {
  auto* original = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  auto* fast = new FastPredictionSimulator(&parser, *original);
  fast->setPredictionMode(original->getPredictionMode());
  parser.setInterpreter(fast);  // deletes `original`; the parser now owns `fast`
}

}  // namespace flyte::detail
