// run_subcommand.h: runs one `nnlab` subcommand in-process, as the real command line would: CLI11
// parses argv with the same add*Command() registration, then the action runs with std::cout and
// std::cerr captured. Usage errors come back as kUsageError with CLI11's message.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/command.h"

namespace nnlab::app::test {

struct CommandRun {
  int code = -1;
  std::string out, err;
};

// addCommand: e.g. addTrainCommand; subcommand: its name ("train"); argv: the words after it.
inline CommandRun runSubcommand(void (*addCommand)(CLI::App&, CommandAction&),
                                const std::string& subcommand, std::vector<std::string> argv) {
  CLI::App root("test", "nnlab");
  CommandAction action;
  addCommand(root, action);
  argv.insert(argv.begin(), subcommand);
  std::vector<std::string> reversed(argv.rbegin(), argv.rend()); // CLI11 takes them reversed
  CommandRun r;
  try {
    root.parse(reversed);
  } catch (const CLI::ParseError& e) {
    r.code = kUsageError;
    r.err = e.what();
    return r;
  }
  std::ostringstream out, err;
  std::streambuf* oldOut = std::cout.rdbuf(out.rdbuf());
  std::streambuf* oldErr = std::cerr.rdbuf(err.rdbuf());
  r.code = action ? action() : -1;
  std::cout.rdbuf(oldOut);
  std::cerr.rdbuf(oldErr);
  r.out = out.str();
  r.err = err.str();
  return r;
}

} // namespace nnlab::app::test
