// Scene files: the envelope's checks, every lab's state round-tripping through a file, errors
// that name the field and leave the lab unchanged, and the atomic write.
#include "core/scene.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/lab.h"

namespace nnlab::app {
namespace {

std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nnlab-scene-test-" + name)).string();
}

TEST(Scene, EnvelopeErrorsNameTheField) {
  EXPECT_NE(parseScene("[1, 2]", "s.json").error().message().find("top level"), std::string::npos);
  EXPECT_EQ(parseScene("{\"lab\": \"activations\", \"state\": {}}", "s.json").error().message(),
            "s.json: field \"version\" is missing");
  EXPECT_EQ(parseScene("{\"version\": 7, \"lab\": \"activations\", \"state\": {}}", "s.json").error().message(),
            "s.json: field \"version\": expected 1, got 7");
  EXPECT_NE(parseScene("{\"version\": 1, \"lab\": \"zzz\", \"state\": {}}", "s.json").error().message().find(
                "unknown lab \"zzz\""),
            std::string::npos);
  EXPECT_EQ(parseScene("{\"version\": 1, \"lab\": \"activations\"}", "s.json").error().message(),
            "s.json: field \"state\" is missing");
  // nlohmann reports where the syntax breaks: the missing closing brace at the end of line 2.
  const std::string broken = parseScene("{\"version\": 1,\n \"lab\": \"activations\"", "s.json").error().message();
  EXPECT_NE(broken.find("not valid JSON"), std::string::npos) << broken;
  EXPECT_NE(broken.find("line 2"), std::string::npos) << broken;
}

// Every registered lab: default state -> file -> fresh lab -> same state.
TEST(Scene, EveryLabRoundTripsThroughAFile) {
  for (const LabInfo& info : labRegistry()) {
    SCOPED_TRACE(info.id);
    std::unique_ptr<Lab> original = info.create();
    const nlohmann::json state = original->saveState();
    const std::string path = tempPath(std::string(info.id) + ".json");
    ASSERT_TRUE(writeSceneFile(path, makeScene(info.id, state)).ok());
    std::unique_ptr<Lab> restored = info.create();
    Status loaded = loadSceneInto(path, info.id, *restored);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    EXPECT_EQ(restored->saveState(), state);
    std::filesystem::remove(path);
  }
}

TEST(Scene, ActivationsStateChangesSurviveAndBadFieldsChangeNothing) {
  std::unique_ptr<Lab> lab = findLab("activations")->create();
  nlohmann::json state = lab->saveState();
  state["functions"] = {"elu"};
  state["alpha"] = 0.5;
  state["x_range"] = {-2.0, 3.0};
  ASSERT_TRUE(lab->loadState(state).ok());
  EXPECT_EQ(lab->saveState()["functions"], nlohmann::json({"elu"}));
  EXPECT_EQ(lab->saveState()["alpha"], 0.5);

  const nlohmann::json before = lab->saveState();
  nlohmann::json bad = before;
  bad["x_range"] = {3.0, -2.0};
  Status s = lab->loadState(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "state.x_range");
  bad = before;
  bad["alpha"] = "big";
  s = lab->loadState(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "state.alpha: expected a number, got \"big\"");
  EXPECT_EQ(lab->saveState(), before) << "a rejected file must leave the lab unchanged";
}

TEST(Scene, AtomicWriteReplacesWholeFileAndLeavesNoTemporary) {
  const std::string path = tempPath("atomic.txt");
  ASSERT_TRUE(writeFileAtomically(path, "first version, longer than the second").ok());
  ASSERT_TRUE(writeFileAtomically(path, "second").ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "second");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    EXPECT_EQ(entry.path().filename().string().find(".nnlab-scene-test-atomic.txt.tmp"), std::string::npos);
  std::filesystem::remove(path);
  Status unwritable = writeFileAtomically("/nonexistent/dir/scene.json", "{}");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_EQ(unwritable.error().where, "/nonexistent/dir/scene.json");
}

TEST(JsonReader, RangesTypesAndChoices) {
  const nlohmann::json object = {{"k", 3}, {"x", 0.5}, {"name", "relu"}, {"flag", 1}};
  int k = 0;
  double x = 0;
  std::string name;
  JsonReader reader(object, "state");
  reader.integer("k", k, 1, 7).number("x", x, 0, 1).choice("name", name, {"relu", "tanh"});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(k, 3);
  EXPECT_EQ(name, "relu");
  int tooBig = 0;
  JsonReader range(object, "state");
  range.integer("k", tooBig, 1, 2);
  EXPECT_EQ(range.status().error().message(), "state.k: expected a whole number in [1, 2], got 3");
  EXPECT_EQ(tooBig, 0);
  bool flag = false;
  JsonReader type(object, "state");
  type.boolean("flag", flag);
  EXPECT_EQ(type.status().error().message(), "state.flag: expected true or false, got 1");
  int missing = 4;
  JsonReader absent(object, "state");
  absent.integer("absent", missing, 0, 9);
  EXPECT_TRUE(absent.ok());
  EXPECT_EQ(missing, 4);
}

} // namespace
} // namespace nnlab::app
