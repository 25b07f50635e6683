#include "core/expression_surface.h"

#include <cctype>

namespace nnlab::app {

namespace {

// muParser ends some messages with its own 0-based "at position N" (and a full stop); the
// position is reported separately, 1-based, so drop it from the text.
std::string withoutPosition(std::string message) {
  for (const char* marker : {" found at position", " at position"}) {
    const size_t at = message.find(marker);
    if (at != std::string::npos) message.erase(at);
  }
  while (!message.empty() && (message.back() == '.' || message.back() == ' ')) message.pop_back();
  if (!message.empty()) message[0] = static_cast<char>(std::tolower(message[0]));
  return message;
}

// muParser accepts "x = 3" (assignment to a variable) and "a, b" (several results); neither is a
// surface, and both would be silently odd, so they are caught before muParser sees them.
std::optional<ExpressionError> findUnsupported(std::string_view e) {
  int depth = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    const char c = e[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0)
      return ExpressionError{static_cast<int>(i), "a comma outside a function's arguments "
                                                  "(write one formula)"};
    if (c == '=') {
      const bool comparison =
          (i > 0 && std::string_view("<>!=").find(e[i - 1]) != std::string_view::npos) ||
          (i + 1 < e.size() && e[i + 1] == '=');
      if (!comparison)
        return ExpressionError{static_cast<int>(i), "'=' assigns; write only the right-hand side"};
    }
  }
  return std::nullopt;
}

void defineSymbols(mu::Parser& parser, double* x, double* y) {
  parser.DefineVar("x", x);
  parser.DefineVar("y", y);
  parser.DefineConst("pi", 3.14159265358979323846);
}

} // namespace

std::optional<ExpressionError> findExpressionError(std::string_view expression) {
  if (std::optional<ExpressionError> unsupported = findUnsupported(expression)) return unsupported;
  double x = 0.0, y = 0.0;
  mu::Parser parser;
  defineSymbols(parser, &x, &y);
  try {
    parser.SetExpr(std::string(expression));
    parser.Eval(); // muParser parses lazily, on the first evaluation
  } catch (const mu::Parser::exception_type& error) {
    return ExpressionError{error.GetPos(), withoutPosition(error.GetMsg())};
  }
  return std::nullopt;
}

Result<std::unique_ptr<ExpressionSurface>> ExpressionSurface::parse(std::string_view expression,
                                                                    Box2 domain) {
  if (std::optional<ExpressionError> error = findExpressionError(expression)) {
    std::string what = error->message;
    if (error->position >= 0) what += " at column " + std::to_string(error->position + 1);
    what += " of \"" + std::string(expression) + "\"";
    return Error{"expression", what};
  }
  return std::unique_ptr<ExpressionSurface>(new ExpressionSurface(std::string(expression), domain));
}

ExpressionSurface::ExpressionSurface(std::string expression, Box2 domain)
    : expression_(std::move(expression)), domain_(domain) {
  defineSymbols(parser_, &x_, &y_);
  parser_.SetExpr(expression_); // checked by parse(), so Eval() below does not throw
}

double ExpressionSurface::value(Vec2 p) const {
  x_ = p.x;
  y_ = p.y;
  return parser_.Eval();
}

Vec2 ExpressionSurface::gradient(Vec2 p) const {
  return centralDifferenceGradient(*this, p);
}

std::unique_ptr<ExpressionSurface> ExpressionSurface::clone() const {
  return std::unique_ptr<ExpressionSurface>(new ExpressionSurface(expression_, domain_));
}

Result<std::unique_ptr<Surface>> makeSurfaceOrExpression(std::string_view text) {
  const std::string_view name = text.substr(0, text.find(':'));
  if (surfaceKindFromId(name)) return makeSurface(text);
  Result<std::unique_ptr<ExpressionSurface>> expression = ExpressionSurface::parse(text);
  if (expression) return std::unique_ptr<Surface>(std::move(expression).value());
  // A bare word (letters, digits, '-', '_', maybe ":keys") was meant as a surface's name.
  bool word = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name)
    word = word && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (word) return makeSurface(text);
  return expression.error();
}

} // namespace nnlab::app
