// Reading a C++ task file with Clang's libTooling: the one translation unit of flytec
// that includes Clang (it builds with -fno-rtti, as Debian's LLVM does). It parses the
// file with the task's flags, keeps Clang's first error, and lists the namespace-scope
// functions the file itself declares with their parameter and result types.
#include "cpptask/Extract.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/PrettyPrinter.h>
#include <clang/AST/Type.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/ADT/SmallString.h>

#include <memory>

namespace flyte::cpptask {
namespace {

/// Keeps the first error Clang reports, as `file:LINE:COL: error: message`.
class FirstError final : public clang::DiagnosticConsumer {
 public:
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error || !first.empty()) return;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    std::string where;
    if (info.getLocation().isValid() && info.hasSourceManager()) {
      clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
      if (p.isValid()) {
        where = std::string(p.getFilename()) + ":" + std::to_string(p.getLine()) + ":" +
                std::to_string(p.getColumn()) + ": ";
      }
    }
    first = where + "error: " + std::string(text.str());
  }
  std::string first;
};

class Extractor {
 public:
  Extractor(clang::ASTContext& ctx, std::string display_name)
      : ctx_(ctx), policy_(ctx.getPrintingPolicy()), display_(std::move(display_name)) {
    policy_.SuppressTagKeyword = true;
    policy_.FullyQualifiedName = true;
    policy_.SuppressScope = false;
    policy_.PrintCanonicalTypes = true;
    policy_.Bool = true;
  }

  void walk(clang::DeclContext* dc, std::vector<CppFunction>& out) {
    for (clang::Decl* d : dc->decls()) {
      if (auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(d)) {
        if (!ns->isAnonymousNamespace()) walk(ns, out);
      } else if (auto* ls = llvm::dyn_cast<clang::LinkageSpecDecl>(d)) {
        walk(ls, out);
      } else if (auto* fd = llvm::dyn_cast<clang::FunctionDecl>(d)) {
        add(fd, false, out);
      } else if (auto* ft = llvm::dyn_cast<clang::FunctionTemplateDecl>(d)) {
        add(ft->getTemplatedDecl(), true, out);
      }
    }
  }

 private:
  void add(clang::FunctionDecl* fd, bool is_template, std::vector<CppFunction>& out) {
    const clang::SourceManager& sm = ctx_.getSourceManager();
    if (!sm.isInMainFile(sm.getExpansionLoc(fd->getLocation()))) return;
    CppFunction f;
    f.name = fd->getQualifiedNameAsString();
    f.file = display_;
    clang::PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(fd->getLocation()));
    if (p.isValid()) {
      f.line = p.getLine();
      f.column = p.getColumn();
    }
    f.is_template = is_template;
    f.defined = fd->isThisDeclarationADefinition() || fd->getDefinition() != nullptr;
    for (const clang::ParmVarDecl* pd : fd->parameters()) {
      CppParam param;
      param.name = pd->getNameAsString();
      clang::QualType t = pd->getType();
      param.passing = Passing::Value;
      if (const auto* ref = t->getAs<clang::LValueReferenceType>()) {
        clang::QualType pointee = ref->getPointeeType();
        param.passing = pointee.isConstQualified() ? Passing::ConstRef : Passing::Ref;
        t = pointee;
      } else if (t->isReferenceType()) {
        param.passing = Passing::Other;
        t = t.getNonReferenceType();
      }
      param.type = classify(t, 0);
      param.type.written = pd->getType().getAsString(ctx_.getPrintingPolicy());
      f.params.push_back(std::move(param));
    }
    f.result = classify(fd->getReturnType(), 0);
    f.result.written = fd->getReturnType().getAsString(ctx_.getPrintingPolicy());
    // A function declared twice (a prototype, then its definition) is listed once.
    for (CppFunction& seen : out) {
      if (seen.name == f.name && seen.signature() == f.signature()) {
        seen.defined |= f.defined;
        return;
      }
    }
    out.push_back(std::move(f));
  }

  static bool in_namespace(const clang::Decl* d, llvm::StringRef name) {
    const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(d->getDeclContext()->getRedeclContext());
    return ns != nullptr && ns->getName() == name &&
           ns->getParent()->getRedeclContext()->isTranslationUnit();
  }

  CppType classify(clang::QualType qt, int depth) {
    CppType t;
    clang::QualType canon = qt.getCanonicalType().getUnqualifiedType();
    t.spelling = canon.getAsString(policy_);
    t.written = qt.getUnqualifiedType().getAsString(ctx_.getPrintingPolicy());
    if (canon->isVoidType()) {
      t.kind = CppType::Kind::Void;
      return t;
    }
    if (const auto* b = canon->getAs<clang::BuiltinType>()) {
      if (b->getKind() == clang::BuiltinType::Bool) {
        t.kind = CppType::Kind::Bool;
      } else if (b->getKind() == clang::BuiltinType::Double) {
        t.kind = CppType::Kind::Double;
      } else if (b->isSignedInteger() && ctx_.getTypeSize(canon) == 64) {
        t.kind = CppType::Kind::Int64;
      }
      return t;
    }
    const auto* rd = canon->getAsCXXRecordDecl();
    if (rd == nullptr || depth > 16) return t;
    std::string name = rd->getNameAsString();
    const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(rd);
    auto targ = [&](unsigned i) -> std::optional<clang::QualType> {
      if (spec == nullptr || spec->getTemplateArgs().size() <= i) return std::nullopt;
      const clang::TemplateArgument& a = spec->getTemplateArgs()[i];
      if (a.getKind() != clang::TemplateArgument::Type) return std::nullopt;
      return a.getAsType();
    };
    if (rd->isInStdNamespace()) {
      if (name == "basic_string" && targ(0) && (*targ(0))->isCharType()) {
        t.kind = CppType::Kind::String;
        if (t.written.find("basic_string") != std::string::npos) t.written = "std::string";
      } else if ((name == "vector" || name == "optional") && targ(0)) {
        t.kind = name == "vector" ? CppType::Kind::Vector : CppType::Kind::Optional;
        t.args.push_back(classify(*targ(0), depth + 1));
      } else if (name == "map" && targ(0) && targ(1)) {
        t.kind = CppType::Kind::Map;
        t.args.push_back(classify(*targ(0), depth + 1));
        t.args.push_back(classify(*targ(1), depth + 1));
      } else if (name == "tuple" && spec != nullptr) {
        t.kind = CppType::Kind::Tuple;
        for (const clang::TemplateArgument& a : spec->getTemplateArgs().asArray()) {
          if (a.getKind() != clang::TemplateArgument::Pack) continue;
          for (const clang::TemplateArgument& e : a.pack_elements()) {
            if (e.getKind() == clang::TemplateArgument::Type)
              t.args.push_back(classify(e.getAsType(), depth + 1));
          }
        }
      }
      return t;
    }
    if (in_namespace(rd, "flyte")) {
      if (name == "Path") {
        t.kind = CppType::Kind::Path;
      } else if (name == "Context") {
        t.kind = CppType::Kind::Context;
      } else if (name == "Tensor" && targ(0)) {
        t.kind = CppType::Kind::Tensor;
        t.elem = targ(0)->getCanonicalType().getAsString(policy_);
      }
      return t;
    }
    if (!rd->hasDefinition()) return t;
    rd = rd->getDefinition();
    t.kind = CppType::Kind::Struct;
    for (const clang::FieldDecl* fd : rd->fields()) {
      if (fd->getAccess() != clang::AS_public) {
        t.kind = CppType::Kind::Other;
        t.args.clear();
        t.fields.clear();
        return t;
      }
      t.fields.push_back(fd->getNameAsString());
      CppType ft = classify(fd->getType(), depth + 1);
      ft.written = fd->getType().getAsString(ctx_.getPrintingPolicy());
      t.args.push_back(std::move(ft));
    }
    return t;
  }

  clang::ASTContext& ctx_;
  clang::PrintingPolicy policy_;
  std::string display_;
};

}  // namespace

FileSignatures extract_signatures(const std::string& path, const std::string& display_name,
                                  const std::string& code, const std::vector<std::string>& args) {
  FileSignatures result;
  FirstError errors;
  std::unique_ptr<clang::ASTUnit> unit = clang::tooling::buildASTFromCodeWithArgs(
      code, args, path, "flytec", std::make_shared<clang::PCHContainerOperations>(),
      clang::tooling::getClangStripDependencyFileAdjuster(), clang::tooling::FileContentMappings(),
      &errors);
  if (!errors.first.empty() || unit == nullptr) {
    result.error = errors.first.empty() ? "error: Clang could not read the file" : errors.first;
    // Clang names the file by the path it was given; messages use the display name.
    if (result.error.rfind(path, 0) == 0)
      result.error = display_name + result.error.substr(path.size());
    return result;
  }
  Extractor x(unit->getASTContext(), display_name);
  x.walk(unit->getASTContext().getTranslationUnitDecl(), result.functions);
  return result;
}

}  // namespace flyte::cpptask
