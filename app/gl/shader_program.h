// shader_program.h: GLSL 330 programs loaded from shaders/*.vert and *.frag, with uniforms set by
// name. Raw GL lives in app/gl/ only; this header pulls in no GL header.
//
//   Result<ShaderProgram> p = ShaderProgram::load(app::shadersDir(), "surface_heatmap");
//   // compiles surface_heatmap.vert + surface_heatmap.frag; on a compile error the Error names the
//   // file and line: {"shaders/surface_heatmap.frag:12", "'foo' : undeclared identifier"}
//
// Compile and link failures are returned, never asserted: a broken shader file must not take the
// program (or a lecture) down; the lab shows the message and draws without the shader.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "nnlab/status.h"

namespace nnlab::gl {

class ShaderProgram {
public:
  ShaderProgram() = default; // no GL object: valid() is false
  ~ShaderProgram();
  ShaderProgram(ShaderProgram&& other) noexcept;
  ShaderProgram& operator=(ShaderProgram&& other) noexcept;
  ShaderProgram(const ShaderProgram&) = delete;
  ShaderProgram& operator=(const ShaderProgram&) = delete;

  // Reads `directory`/`name`.vert and .frag, compiles and links them. Needs a current GL context.
  static Result<ShaderProgram> load(const std::filesystem::path& directory,
                                    const std::string& name);
  // The same from text; the names only label errors ("surface.frag").
  static Result<ShaderProgram> fromSource(std::string_view vertexSource,
                                          const std::string& vertexName,
                                          std::string_view fragmentSource,
                                          const std::string& fragmentName);

  bool valid() const { return id_ != 0; }
  unsigned id() const { return id_; }
  void use() const;

  // Uniforms of the program in use (call use() first). Unknown names are ignored, as GL does
  // (a uniform the compiler optimised away has no location).
  void setInt(const char* name, int value) const;
  void setFloat(const char* name, float value) const;
  void setVec2(const char* name, float x, float y) const;
  void setVec3(const char* name, float x, float y, float z) const;
  void setVec4(const char* name, float x, float y, float z, float w) const;
  void setMat4(const char* name, const float* columnMajor16) const; // 16 floats, column-major

private:
  explicit ShaderProgram(unsigned id) : id_(id) {}
  unsigned id_ = 0;
};

// Turns a driver's info log into "FILE:LINE: message" lines. Mesa writes "0:12(5): error: ...",
// NVIDIA "0(12) : error ..."; lines it cannot parse are kept as they are, prefixed with FILE.
// Returns the first faulty line number (or 0) through firstLine.
std::string formatShaderLog(const std::string& fileName, const std::string& log, int* firstLine);

} // namespace nnlab::gl
