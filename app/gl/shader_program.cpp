#include "gl/shader_program.h"

#include <glad/gl.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

namespace nnlab::gl {
namespace {

Result<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path.string(), "cannot read the shader file"};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compiles one stage; on failure the Error's where is "FILE:LINE" of the first fault.
Result<GLuint> compile(GLenum stage, std::string_view source, const std::string& name) {
  const GLuint shader = glCreateShader(stage);
  const GLchar* text = source.data();
  const GLint length = GLint(source.size());
  glShaderSource(shader, 1, &text, &length);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok == GL_TRUE) return shader;
  GLint logLength = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &logLength);
  std::string log(size_t(std::max(logLength, 1)), '\0');
  glGetShaderInfoLog(shader, GLsizei(log.size()), nullptr, log.data());
  glDeleteShader(shader);
  log.resize(std::strlen(log.c_str()));
  int line = 0;
  const std::string formatted = formatShaderLog(name, log, &line);
  return Error{line > 0 ? name + ":" + std::to_string(line) : name,
               "shader does not compile:\n" + formatted};
}

} // namespace

std::string formatShaderLog(const std::string& fileName, const std::string& log, int* firstLine) {
  // Mesa: "0:12(5): error: ..."; NVIDIA: "0(12) : error C0000: ..."; AMD: "ERROR: 0:12: ...".
  static const std::regex mesa(R"(^\s*\d+:(\d+)\(\d+\):\s*(.*)$)");
  static const std::regex nvidia(R"(^\s*\d+\((\d+)\)\s*:\s*(.*)$)");
  static const std::regex amd(R"(^\s*(?:ERROR|WARNING):\s*\d+:(\d+):\s*(.*)$)");
  std::istringstream lines(log);
  std::string line, out;
  if (firstLine) *firstLine = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::smatch m;
    if (std::regex_match(line, m, mesa) || std::regex_match(line, m, nvidia) ||
        std::regex_match(line, m, amd)) {
      const int number = std::stoi(m[1].str());
      if (firstLine && *firstLine == 0) *firstLine = number;
      out += fileName + ":" + m[1].str() + ": " + m[2].str() + "\n";
    } else {
      out += fileName + ": " + line + "\n";
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

ShaderProgram::~ShaderProgram() {
  if (id_ != 0) glDeleteProgram(id_);
}

ShaderProgram::ShaderProgram(ShaderProgram&& other) noexcept : id_(std::exchange(other.id_, 0)) {}

ShaderProgram& ShaderProgram::operator=(ShaderProgram&& other) noexcept {
  if (this != &other) {
    if (id_ != 0) glDeleteProgram(id_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

Result<ShaderProgram> ShaderProgram::load(const std::filesystem::path& directory,
                                          const std::string& name) {
  const std::filesystem::path vertexPath = directory / (name + ".vert");
  const std::filesystem::path fragmentPath = directory / (name + ".frag");
  Result<std::string> vertex = readFile(vertexPath);
  if (!vertex) return vertex.error();
  Result<std::string> fragment = readFile(fragmentPath);
  if (!fragment) return fragment.error();
  return fromSource(*vertex, vertexPath.string(), *fragment, fragmentPath.string());
}

Result<ShaderProgram> ShaderProgram::fromSource(std::string_view vertexSource,
                                                const std::string& vertexName,
                                                std::string_view fragmentSource,
                                                const std::string& fragmentName) {
  Result<GLuint> vertex = compile(GL_VERTEX_SHADER, vertexSource, vertexName);
  if (!vertex) return vertex.error();
  Result<GLuint> fragment = compile(GL_FRAGMENT_SHADER, fragmentSource, fragmentName);
  if (!fragment) {
    glDeleteShader(*vertex);
    return fragment.error();
  }
  const GLuint program = glCreateProgram();
  glAttachShader(program, *vertex);
  glAttachShader(program, *fragment);
  glLinkProgram(program);
  glDetachShader(program, *vertex);
  glDetachShader(program, *fragment);
  glDeleteShader(*vertex);
  glDeleteShader(*fragment);
  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint logLength = 0;
    glGetProgramiv(program, GL_INFO_LOG_LENGTH, &logLength);
    std::string log(size_t(std::max(logLength, 1)), '\0');
    glGetProgramInfoLog(program, GLsizei(log.size()), nullptr, log.data());
    glDeleteProgram(program);
    log.resize(std::strlen(log.c_str()));
    return Error{vertexName + " + " + fragmentName, "shaders do not link: " + log};
  }
  return ShaderProgram(program);
}

void ShaderProgram::use() const {
  glUseProgram(id_);
}

void ShaderProgram::setInt(const char* name, int value) const {
  glUniform1i(glGetUniformLocation(id_, name), value);
}
void ShaderProgram::setFloat(const char* name, float value) const {
  glUniform1f(glGetUniformLocation(id_, name), value);
}
void ShaderProgram::setVec2(const char* name, float x, float y) const {
  glUniform2f(glGetUniformLocation(id_, name), x, y);
}
void ShaderProgram::setVec3(const char* name, float x, float y, float z) const {
  glUniform3f(glGetUniformLocation(id_, name), x, y, z);
}
void ShaderProgram::setVec4(const char* name, float x, float y, float z, float w) const {
  glUniform4f(glGetUniformLocation(id_, name), x, y, z, w);
}
void ShaderProgram::setMat4(const char* name, const float* columnMajor16) const {
  glUniformMatrix4fv(glGetUniformLocation(id_, name), 1, GL_FALSE, columnMajor16);
}

} // namespace nnlab::gl
