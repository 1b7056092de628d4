#include "afinar/train/training_args.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstdio>
#include <memory>

#include "afinar/core/check.h"

using afinar::TrainingArguments;

TEST(TrainingArguments, DefaultsAreTransformers) {
  TrainingArguments a("out");
  auto j = a.to_json();
  EXPECT_EQ(j["learning_rate"], 5e-5);
  EXPECT_EQ(j["per_device_train_batch_size"], 8);
  EXPECT_EQ(j["num_train_epochs"], 3.0);
  EXPECT_EQ(j["optim"], "adamw_torch_fused");
  EXPECT_EQ(j["lr_scheduler_type"], "linear");
  EXPECT_EQ(j["adam_epsilon"], 1e-8);
  EXPECT_EQ(j["logging_steps"], 500);
  EXPECT_GE(j.size(), 110u);  // every field of transformers' TrainingArguments
}

TEST(TrainingArguments, SetsFromStringsWithTypes) {
  TrainingArguments a("out");
  a.set("learning_rate", "2e-5");
  a.set("do_train", "true");
  a.set("evaluation_strategy", "epoch");  // the older alias of eval_strategy
  a.set("warmup_ratio", "0.1");
  a.set("save_total_limit", "2");
  a.finalize();
  EXPECT_DOUBLE_EQ(a.learning_rate, 2e-5);
  EXPECT_TRUE(a.do_train);
  EXPECT_EQ(a.eval_strategy, "epoch");
  EXPECT_TRUE(a.do_eval);  // HF: an eval strategy turns do_eval on
  EXPECT_DOUBLE_EQ(a.warmup_steps, 0.1);
  EXPECT_EQ(a.resolve_steps(a.warmup_steps, 1000), 100);
  EXPECT_EQ(*a.save_total_limit, 2);
}

TEST(TrainingArguments, RefusesWhatItCannotHonour) {
  TrainingArguments a("out");
  EXPECT_THROW(a.set("no_such_field", "1"), afinar::InvalidArgument);
  EXPECT_THROW(a.set("learning_rate", "fast"), afinar::InvalidArgument);
  EXPECT_THROW(a.set("torch_compile", "true"), afinar::NotImplemented);
  a.set("torch_compile", "false");  // the default is fine
  a.set("dataloader_num_workers", "4");  // changes nothing afinar computes
  a.set("eval_strategy", "sometimes");
  EXPECT_THROW(a.finalize(), afinar::InvalidArgument);
}

TEST(TrainingArguments, LoadBestModelRuleQuotesHF) {
  TrainingArguments a("out");
  a.set("eval_strategy", "epoch");
  a.set("save_strategy", "steps");
  a.set("load_best_model_at_end", "true");
  try {
    a.finalize();
    FAIL() << "expected an error";
  } catch (const afinar::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("save and eval strategy to match"), std::string::npos) << e.what();
  }
  TrainingArguments b("out");
  b.set("eval_strategy", "epoch");
  b.set("save_strategy", "epoch");
  b.set("load_best_model_at_end", "true");
  b.finalize();
  EXPECT_EQ(*b.metric_for_best_model, "loss");
  EXPECT_FALSE(*b.greater_is_better);
}

// What Python's TrainingArguments.to_json_string() writes loads unchanged.
TEST(TrainingArguments, LoadsPythonJson) {
  const char* py = std::getenv("AFINAR_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "AFINAR_PYTHON not set";
  const std::string cmd = std::string(py) +
                          " -c \"from transformers import TrainingArguments as T; print(T('o', learning_rate=3e-5, "
                          "num_train_epochs=1, eval_strategy='epoch', per_device_train_batch_size=16).to_json_string())\" 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  if (out.empty()) GTEST_SKIP() << "python transformers not available";
  auto a = TrainingArguments::from_json(nlohmann::json::parse(out), "python");
  a.finalize();
  EXPECT_DOUBLE_EQ(a.learning_rate, 3e-5);
  EXPECT_EQ(a.per_device_train_batch_size, 16);
  EXPECT_EQ(a.eval_strategy, "epoch");
  EXPECT_EQ(a.to_json()["num_train_epochs"], 1.0);
}
